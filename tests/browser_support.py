"""Driving Debian's Chromium through Playwright, and the checks any page must pass in it.

The checks take a loaded Playwright page, so pages that only exist after a request (a form's error
page, a confirmation) are checked with the same functions as the built pages.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

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
