"""The local preview server: serves the built site on loopback, rebuilds on change, stops on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import OTHER_CITY, copy_city

from helpt.stores.sqlite import SQLiteStore
from helpt_site.build import PROJECT_DIR


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up after {seconds} s waiting for {condition.__doc__ or condition}")


def start_preview(city_file: Path, output: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "helpt_site.devserver", "--port", str(port), "--city", str(city_file)]
    return subprocess.Popen(
        [*command, "--output", str(output), "--data", str(output.parent / "data")],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


class Preview:
    """A running preview server and everything it printed so far (read by a thread, so never blocking)."""

    def __init__(self, city_file: Path, output: Path) -> None:
        self.city_file = city_file
        self.url = f"http://127.0.0.1:{free_port()}"
        self.process = start_preview(city_file, output, int(self.url.rsplit(":", 1)[1]))
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self.reader.start()

    @property
    def printed(self) -> str:
        return "".join(self.lines)


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    server = Preview(copy_city(OTHER_CITY, tmp_path / "city"), tmp_path / "output")

    def serving() -> bool:
        """the preview to answer"""
        assert server.process.poll() is None, server.printed
        try:
            return fetch(server.url + "/")[0] == 200
        except OSError:
            return False

    wait_for(serving)
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()


def test_preview_serves_the_built_site_and_rebuilds_when_content_changes(preview: Preview) -> None:
    city_file, url = preview.city_file, preview.url
    status, body = fetch(url + "/en/contact/")
    assert status == 200 and "<title>Contact – Zonnedorp Cares</title>" in body
    assert fetch(url + "/theme/css/site.css")[0] == 200
    assert fetch(url + "/no-such-page/") == (404, (city_file.parent.parent / "output/404.html").read_text())
    status, body = fetch(url + "/en/no-such-page/")
    assert status == 404 and '<html lang="en">' in body and "<h1>Not found</h1>" in body

    contact = city_file.parent / "content" / "pages" / "contact.en.md"
    contact.write_text(contact.read_text().replace("Title: Contact", "Title: Get in touch"))

    def rebuilt() -> bool:
        """the edited title to be served"""
        return fetch(url + "/en/get-in-touch/")[0] == 200

    wait_for(rebuilt)
    assert fetch(url + "/en/contact/")[0] == 404, "the old page is gone after the rebuild"


def test_preview_answers_the_forms_and_keeps_them_in_sqlite(preview: Preview, tmp_path: Path) -> None:
    body = urlencode({"lang": "en", "vacancy": "soup", "name": "Jo", "email": "jo@example.com", "message": "Hi",
                      "consent": "yes"}).encode()  # fmt: skip
    request = urllib.request.Request(preview.url + "/api/vacancy-response?lang=en", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # follows the 303 to the confirmation
        assert response.status == 200 and "/api/vacancy-response/confirmation?lang=en&ref=R-" in response.url
        assert "We received your response" in response.read().decode()
    reference = response.url.rsplit("ref=", 1)[1]
    assert SQLiteStore(tmp_path / "data" / "helpt.sqlite3").get(reference).answers["name"] == "Jo"
    assert "Jo" not in preview.printed and "jo@example.com" not in preview.printed


def test_preview_keeps_serving_the_last_good_build_when_an_edit_breaks_it(preview: Preview) -> None:
    (preview.city_file.parent / "content" / "pages" / "contact.en.md").unlink()

    def reported() -> bool:
        """the failed rebuild to be reported"""
        return "previous version is still served" in preview.printed

    wait_for(reported)
    assert "content/pages/contact.en.md is missing" in preview.printed
    assert fetch(preview.url + "/en/contact/")[0] == 200


def test_ctrl_c_stops_the_preview_cleanly(preview: Preview) -> None:
    preview.process.send_signal(signal.SIGINT)
    assert preview.process.wait(timeout=15) == 0
    preview.reader.join(timeout=5)
    assert f"is served at {preview.url}/" in preview.printed
    assert preview.printed.rstrip().endswith("Stopped.") and "Traceback" not in preview.printed


def test_a_busy_port_gets_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = start_preview(copy_city(OTHER_CITY, tmp_path / "city"), tmp_path / "output", port)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert f"Port {port} is already in use" in output and f"make serve PORT={port + 1}" in output
