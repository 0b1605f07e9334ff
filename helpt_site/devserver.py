"""The local preview: build the site, serve it on 127.0.0.1, rebuild when content or settings change."""

from __future__ import annotations

import errno
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from watchfiles import DefaultFilter, watch

from helpt_site.build import DEFAULT_OUTPUT, PROJECT_DIR, BuildError, build_site
from helpt_site.local_api import MAX_READ_BYTES, LocalApi, event_from_http

API_PREFIX = "/api/"
DEFAULT_DATA = PROJECT_DIR / "data"

# Compiled catalogs are written by the build itself: watching them would rebuild forever.
_WATCH_FILTER = DefaultFilter(ignore_entity_patterns=(*DefaultFilter.ignore_entity_patterns, r"\.mo$"))


class PreviewServer(ThreadingHTTPServer):
    """A thread per request. The listen queue is deeper than socketserver's 5: with twenty volunteers
    pressing "send" at once, a full queue resets connections."""

    request_queue_size = 128
    daemon_threads = True
    api: LocalApi | None = None


class PreviewRequestHandler(SimpleHTTPRequestHandler):
    """Serves the built site, with its own "page not found" page, and /api/* through the form handler;
    logs one short line per request (never a body or a query: they may hold what someone typed)."""

    def do_GET(self) -> None:
        if self.path.startswith(API_PREFIX):
            self._api()
        else:
            super().do_GET()

    def do_POST(self) -> None:
        if self.path.startswith(API_PREFIX):
            self._api()
        else:
            self.send_error(405)

    def _api(self) -> None:
        api: LocalApi | None = getattr(self.server, "api", None)
        length = int(self.headers.get("Content-Length") or 0)
        if api is None or length > MAX_READ_BYTES:
            self.send_error(503 if api is None else 413)
            return
        body = self.rfile.read(length) if length else b""
        event = event_from_http(self.command, self.path, dict(self.headers.items()), body, self.client_address[0])
        answer = api.handle(event)
        payload = answer["body"].encode("utf-8")
        self.send_response(answer["statusCode"])
        for name, value in answer["headers"].items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        not_found_page = self._not_found_page() if code == 404 else None
        if not_found_page is None:
            super().send_error(code, message, explain)
            return
        body = not_found_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_found_page(self) -> Path | None:
        """The 404 page in the language of the requested path (`/en/...`), else the default one."""
        root = Path(self.directory)
        first = self.path.lstrip("/").split("/", 1)[0]
        localised = root / first / "404.html"
        if first.isalpha() and localised.is_file():  # isalpha: a language folder, never "..".
            return localised
        default = root / "404.html"
        return default if default.is_file() else None

    def log_message(self, format: str, *args: object) -> None:
        print(f"  {self.command} {self.path.split('?')[0]} {args[1] if len(args) > 1 else ''}", flush=True)


def serve(
    port: int = 8000,
    *,
    city_file: Path | None = None,
    output: Path = DEFAULT_OUTPUT,
    project_dir: Path = PROJECT_DIR,
    data_dir: Path = DEFAULT_DATA,
) -> int:
    """Build, serve (forms included) and rebuild on change until Ctrl-C; return the process exit code."""
    from helpt.settings import DEFAULT_SETTINGS_FILE, load_city

    city_path = Path(city_file or project_dir / DEFAULT_SETTINGS_FILE).resolve()
    city = load_city(city_path)
    try:
        build_site(output, city_file=city_path, project_dir=project_dir)
    except BuildError as error:
        print(f"\nNothing to serve: {error}. Fix the problems listed above and run the command again.")
        return 1
    handler = partial(PreviewRequestHandler, directory=str(output))
    try:
        server = PreviewServer(("127.0.0.1", port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(f"Port {port} is already in use. Stop the other server or pick another port:")
            print(f"  make serve PORT={port + 1}")
            return 1
        raise
    server.api = LocalApi(project_dir, output, city_path, data_dir)
    server.api.reload()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"\n{city.site_name[city.default_language]} is served at http://127.0.0.1:{port}/", flush=True)
    print(f"Forms are kept in {data_dir / 'helpt.sqlite3'}.", flush=True)
    print("It rebuilds when you save a change. Press Ctrl-C to stop.\n", flush=True)
    watched = [city.content_dir, project_dir / "theme", city_path, project_dir / "pelicanconf.py"]
    try:
        for changes in watch(*watched, watch_filter=_WATCH_FILTER):
            names = ", ".join(sorted({Path(path).name for _change, path in changes}))
            print(f"Changed: {names}. Rebuilding…", flush=True)
            try:
                seconds = build_site(output, city_file=city_path, project_dir=project_dir)
                server.api.reload()
                print(f"Rebuilt in {seconds:.1f} s.", flush=True)
            except BuildError:
                print("The build failed (see above); the previous version is still served.", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    print("Stopped.", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m helpt_site.devserver`: the preview with a city file and output folder of one's choice."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--city", type=Path, default=None, help="city settings file (default: city.toml)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to build the site")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="where the SQLite store keeps submissions")
    args = parser.parse_args(argv)
    return serve(args.port, city_file=args.city, output=args.output, data_dir=args.data)


if __name__ == "__main__":
    raise SystemExit(main())
