"""Driving Debian's Chromium through Playwright, and the checks any page must pass in it.

The checks take a loaded Playwright page, so pages that only exist after a request (a form's error
page, a confirmation) are checked with the same functions as the built pages.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from helpt_site.build import PROJECT_DIR
from helpt_site.devserver import PreviewRequestHandler, PreviewServer
from helpt_site.local_api import LocalApi

CHROMIUM = Path(os.environ.get("HELPT_CHROMIUM", "/usr/bin/chromium"))
AXE_SCRIPT = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTEFACTS = Path(os.environ.get("HELPT_ARTEFACTS", PROJECT_DIR / "artefacts"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# As root in a closed network: no sandbox, and no background connections that would be refused.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def require(path: Path | None, what: str, how: str) -> None:
    """Skip when a tool is missing on a developer's machine; fail in CI, where it must be there."""
    if path is not None and Path(path).exists():
        return
    message = f"{what} not found ({path}). {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} CI must install it.")
    pytest.skip(message)


def require_chromium() -> None:
    require(CHROMIUM, "Chromium", "Install it with `sudo apt-get install chromium` (or run `make setup` as root).")
    require(AXE_SCRIPT, "axe-core", "Run `make setup` (it runs `npm ci`).")


def require_vnu() -> Path:
    java = shutil.which("java")
    require(Path(java) if java else None, "Java", "Install it with `sudo apt-get install default-jre-headless`.")
    require(VNU_JAR, "The W3C HTML checker (vnu-jar)", "Run `make setup` (it runs `npm ci`).")
    return Path(java)


class _QuietHandler(PreviewRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_directory(root: Path, api: LocalApi | None = None) -> Iterator[str]:
    """Serve a built site on loopback with the preview's own handler (forms too, given an api);
    yield its base URL."""
    server = PreviewServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    server.api = api
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def axe_results(page) -> dict:
    """Run axe-core on the loaded page with the WCAG 2.x A/AA tags and `target-size` switched on."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: "tag", values: tags},
            rules: {"target-size": {enabled: true}},
            resultTypes: ["violations", "incomplete"],
        })""",
        AXE_TAGS,
    )


def summarise(findings: list[dict]) -> list[dict]:
    """The parts of axe findings a person needs: rule, impact, help, and where."""
    return [
        {
            "rule": finding["id"],
            "impact": finding.get("impact"),
            "help": finding["help"],
            "nodes": [{"target": node["target"], "summary": node.get("failureSummary")} for node in finding["nodes"]],
        }
        for finding in findings
    ]


def write_artefact(name: str, data: object) -> Path:
    path = ARTEFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def focus_report(page) -> dict:
    """What has focus now, and whether it is visibly marked (an outline or a shadow ring)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
            const ring = style.boxShadow !== "none";
            return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className,
                    text: el.textContent.trim().slice(0, 40), href: el.getAttribute("href"), visible: outline || ring};
        }"""
    )


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


# The back office in Chromium ----------------------------------------------------------------------------------


class BackOfficeAdapter(SimpleHTTPRequestHandler):
    """/staff/... to the back office as HTTP API would hand it over; anything else from the built site."""

    office: Any  # helpt.staff.web.app.BackOffice

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._staff() if self.path.startswith("/staff") else super().do_GET()

    def do_POST(self) -> None:
        self._staff()

    def _staff(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items() if name.lower() != "cookie"}
        event = {
            "version": "2.0", "rawPath": url.path, "rawQueryString": url.query, "headers": headers,
            "cookies": [part.strip() for part in self.headers.get("Cookie", "").split(";") if part.strip()],
            "requestContext": {"http": {"method": self.command, "path": url.path, "sourceIp": "127.0.0.1"}},
            "body": base64.b64encode(body).decode(), "isBase64Encoded": True,
        }  # fmt: skip
        answer = self.office.handle(event)
        # HTTP API decodes a base64 answer (a download) before the browser gets it; so does this adapter.
        encoded = answer.get("isBase64Encoded")
        payload = base64.b64decode(answer["body"]) if encoded else answer["body"].encode("utf-8")
        self.send_response(answer["statusCode"])
        for name, value in answer["headers"].items():
            self.send_header(name, value)
        for cookie in answer.get("cookies", []):
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def serve_back_office(office: Any, root: Path) -> Iterator[str]:
    """The back office over real HTTP on the loopback address, the stylesheets from `root`; yields its URL."""
    handler = type("Handler", (BackOfficeAdapter,), {"office": office})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Sweep:
    """axe and the 320 px check on every page a test visits, kept by name: a test asserts `sweep.clean()`."""

    findings: dict[str, list[dict]] = field(default_factory=dict)
    overflowing: dict[str, int] = field(default_factory=dict)

    def check(self, page: Any, name: str) -> None:
        results = axe_results(page)
        if results["violations"]:
            self.findings[name] = summarise(results["violations"])
        if horizontal_overflow(page) > 0:
            self.overflowing[name] = horizontal_overflow(page)

    def clean(self) -> bool:
        return self.findings == {} and self.overflowing == {}
