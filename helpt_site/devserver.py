"""The local preview: build the site, serve it on 127.0.0.1, rebuild when content or settings change.

It is on loopback only, but a test, a script or a mistyped curl can send it anything: it answers every
request, never reads a body past the form handler's limit, and lets go of a client that stops sending.
"""

from __future__ import annotations

import errno
import socket
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from watchfiles import DefaultFilter, watch

from helpt.intake import MAX_BODY_BYTES
from helpt_site.build import DEFAULT_OUTPUT, PROJECT_DIR, BuildError, build_site
from helpt_site.local_api import (
    OVERSIZE_STAND_IN,
    BadFraming,
    LocalApi,
    answer_chunks,
    answer_length,
    declared_length,
    event_from_http,
    is_staff_path,
)

API_PREFIX = "/api/"
DEFAULT_DATA = PROJECT_DIR / "data"
REQUEST_TIMEOUT_SECONDS = 30  # for each read and write: a client silent this long lets go of its thread
# After refusing a body unread: how long, and how much of it, to read and drop before closing. Closing a
# socket that still has unread bytes resets the connection, and the client can lose the answer it was sent.
DRAIN_SECONDS = 2.0
DRAIN_BYTES = 1024 * 1024

# Compiled catalogs are written by the build itself: watching them would rebuild forever.
_WATCH_FILTER = DefaultFilter(ignore_entity_patterns=(*DefaultFilter.ignore_entity_patterns, r"\.mo$"))


class PreviewServer(ThreadingHTTPServer):
    """A thread per request. The listen queue is deeper than socketserver's 5: with twenty volunteers
    pressing "send" at once, a full queue resets connections."""

    request_queue_size = 128
    daemon_threads = True
    api: LocalApi | None = None
    request_timeout: float = REQUEST_TIMEOUT_SECONDS

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A client that went away or went silent is no bug of ours: one line, not socketserver's traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            print(f"  connection from {client_address[0]} ended: {type(error).__name__}", flush=True)
        else:
            super().handle_error(request, client_address)


class PreviewRequestHandler(SimpleHTTPRequestHandler):
    """Serves the built site, with its own "page not found" page, and /api/* through the form handler;
    logs one short line per request (never a body or a query: they may hold what someone typed)."""

    # A request line without a version is answered as HTTP/1.0, with a status line: the standard library's
    # HTTP/0.9 default sends an error page with none, which no client of today can read as an error.
    default_request_version = "HTTP/1.0"
    unread_body = False  # set when a request is answered without reading its body

    def setup(self) -> None:
        self.timeout = getattr(self.server, "request_timeout", REQUEST_TIMEOUT_SECONDS)  # set on the socket
        super().setup()

    def do_GET(self) -> None:
        if self._dynamic():
            self._api()
        else:
            super().do_GET()

    def do_POST(self) -> None:
        if self._dynamic():
            self._api()
        else:
            self._refuse_unread(405, "only the forms and the back office receive posts")

    def _dynamic(self) -> bool:
        """The form handler's /api/* and card check pages, the back office's /staff/*; everything else is a
        built file."""
        path = self.path.split("?", 1)[0]
        api: LocalApi | None = getattr(self.server, "api", None)
        return self.path.startswith(API_PREFIX) or is_staff_path(path) or (api is not None and api.is_check_path(path))

    def _api(self) -> None:
        api: LocalApi | None = getattr(self.server, "api", None)
        try:
            length = declared_length(self.headers)
        except BadFraming as refusal:
            self._refuse_unread(refusal.status, str(refusal))
            return
        if api is None:
            self._refuse_unread(503, "the forms are not served")
            return
        if length > MAX_BODY_BYTES:
            body = OVERSIZE_STAND_IN
            self.unread_body = self.close_connection = True
        else:
            try:
                body = self.rfile.read(length) if length else b""
            except TimeoutError:
                self._refuse_unread(408, f"no more of the body came in {self.timeout} s")
                return
            if len(body) < length:  # the client closed its side before sending it all
                self._refuse_unread(400, "the body is shorter than its Content-Length")
                return
        event = event_from_http(self.command, self.path, dict(self.headers.items()), body, self.client_address[0])
        answer = api.handle(event)
        # The body as the handler gave it: inline (base64 or text), or a file it wrote (an export), sent a
        # piece at a time and deleted once sent or given up on.
        chunks = answer_chunks(answer)
        try:
            self.send_response(answer["statusCode"])
            for name, value in answer["headers"].items():
                self.send_header(name, value)
            for cookie in answer.get("cookies", ()):  # payload 2.0 keeps Set-Cookie values apart, one each
                self.send_header("Set-Cookie", cookie)
            self.send_header("Content-Length", str(answer_length(answer)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(chunk)
        finally:
            chunks.close()

    def _refuse_unread(self, code: int, reason: str) -> None:
        self.unread_body = True
        self.send_error(code, reason)  # closes the connection: what follows the headers is not a request

    def finish(self) -> None:
        super().finish()
        if self.unread_body:
            _drain(self.connection)

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

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self._log(str(int(code)) if isinstance(code, int) else code)

    def log_error(self, format: str, *args: object) -> None:
        # send_error's own line ("code %d, message %s") can quote the request line: the status line that
        # log_request prints after it says enough. Others say what happened ("Request timed out: ...").
        if not format.startswith("code "):
            self._log(format.split(":")[0])

    def log_message(self, format: str, *args: object) -> None:
        self._log(format.split(":")[0])

    def _log(self, outcome: str) -> None:
        # A request line that could not be read leaves no command or path, and is not printed: it may be
        # anything at all.
        command, path = getattr(self, "command", None) or "-", getattr(self, "path", "-")
        print(f"  {command} {path.split('?')[0]} {outcome}", flush=True)


def _drain(connection: socket.socket) -> None:
    """Read and drop, for a moment, what a refused client still sends, once the answer is out."""
    deadline, drained = time.monotonic() + DRAIN_SECONDS, 0
    try:
        connection.shutdown(socket.SHUT_WR)
        while drained < DRAIN_BYTES and (left := deadline - time.monotonic()) > 0:
            connection.settimeout(left)
            chunk = connection.recv(64 * 1024)
            if not chunk:
                return
            drained += len(chunk)
    except OSError:  # reset, timed out, already closed: the answer was sent, nothing more to do
        pass


def serve(
    port: int = 8000,
    *,
    city_file: Path | None = None,
    output: Path = DEFAULT_OUTPUT,
    project_dir: Path = PROJECT_DIR,
    data_dir: Path = DEFAULT_DATA,
    request_timeout: float = REQUEST_TIMEOUT_SECONDS,
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
    server.request_timeout = request_timeout
    server.api = LocalApi(project_dir, output, city_path, data_dir, site_url=f"http://127.0.0.1:{port}")
    server.api.reload()
    from helpt.notify.local import local_sender, outbox_folder, start_local_sender

    stop_sending: threading.Event | None = None
    # From here on Ctrl-C stops the preview cleanly, even while it is still saying where it is served.
    try:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        stop_sending = start_local_sender(
            local_sender(city, server.api.store, data_dir, project_dir / "theme" / "translations", server.api.notifier)
        )
        print(f"\n{city.site_name[city.default_language]} is served at http://127.0.0.1:{port}/", flush=True)
        print(f"Forms are kept in {data_dir / 'helpt.sqlite3'}.", flush=True)
        print(f"E-mail Helpt sends is written to {outbox_folder(data_dir)} (one .eml file per message).", flush=True)
        print(
            f"The staff back office is at http://127.0.0.1:{port}/staff/ (an account: .venv/bin/helpt accounts add "
            "NAME --role coordinator).",
            flush=True,
        )
        print("It rebuilds when you save a change. Press Ctrl-C to stop.\n", flush=True)
        watched = [city.content_dir, project_dir / "theme", city_path, project_dir / "pelicanconf.py"]
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
        if stop_sending is not None:
            stop_sending.set()
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
    parser.add_argument("--timeout", type=float, default=REQUEST_TIMEOUT_SECONDS,
                        help="seconds a client may stay silent before the preview lets it go")  # fmt: skip
    args = parser.parse_args(argv)
    return serve(args.port, city_file=args.city, output=args.output, data_dir=args.data, request_timeout=args.timeout)


if __name__ == "__main__":
    raise SystemExit(main())
