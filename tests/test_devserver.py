"""The local preview server: serves the built site on loopback, rebuilds on change, stops on Ctrl-C."""

from __future__ import annotations

import re
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
from urllib.parse import parse_qs, urlencode, urlsplit

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


def start_preview(city_file: Path, output: Path, port: int, *options: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "helpt_site.devserver", "--port", str(port), "--city", str(city_file)]
    return subprocess.Popen(
        [*command, "--output", str(output), "--data", str(output.parent / "data"), *options],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


class Preview:
    """A running preview server and everything it printed so far (read by a thread, so never blocking);
    its standard error goes there too, so a traceback would be seen."""

    def __init__(self, city_file: Path, output: Path, *options: str) -> None:
        self.city_file = city_file
        self.url = f"http://127.0.0.1:{free_port()}"
        self.port = int(self.url.rsplit(":", 1)[1])
        self.process = start_preview(city_file, output, self.port, *options)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self.reader.start()

    @property
    def printed(self) -> str:
        return "".join(self.lines)


def running(server: Preview) -> Iterator[Preview]:
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


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    yield from running(Preview(copy_city(OTHER_CITY, tmp_path / "city"), tmp_path / "output"))


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
    reference = parse_qs(urlsplit(response.url).query)["ref"][0]
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


# Hostile clients, over raw sockets. One preview for all of them, letting a silent client go after 2 s.
SILENCE_SECONDS = 2
FORM = "/api/volunteer?lang=en"
HUGE = 200 * 1024 * 1024


@pytest.fixture(scope="module")
def sturdy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    folder = tmp_path_factory.mktemp("sturdy")
    server = Preview(copy_city(OTHER_CITY, folder / "city"), folder / "output", "--timeout", str(SILENCE_SECONDS))
    yield from running(server)


@pytest.fixture
def preview_unhurt(sturdy: Preview) -> Iterator[Preview]:
    """The preview; after the test, it has printed no traceback and still serves a page."""
    yield sturdy
    assert "Traceback" not in sturdy.printed, sturdy.printed
    assert fetch(sturdy.url + "/")[0] == 200


def headers(content_length: str | None = None, *extra: str, target: str = FORM) -> bytes:
    lines = [f"POST {target} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/x-www-form-urlencoded"]
    lines += [f"Content-Length: {content_length}"] if content_length is not None else []
    return ("\r\n".join([*lines, *extra]) + "\r\n\r\n").encode("latin-1")


def exchange(port: int, request: bytes, body_bytes: int = 0, *, seconds: float = 10) -> tuple[bytes, float]:
    """Send a request and up to `body_bytes` of body (stopping when the server stops reading), then read
    until the server closes. Returns everything it answered and the seconds until it closed."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as client:
        client.sendall(request)
        chunk, sent = b"x" * (1024 * 1024), 0
        try:
            while sent < body_bytes:
                client.sendall(chunk[: body_bytes - sent])
                sent += len(chunk)
        except OSError:  # the server answered and closed: it reads no more of the body
            pass
        answer = b""
        while data := client.recv(65536):
            answer += data
    return answer, time.monotonic() - started


def status_line(answer: bytes) -> str:
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


def resident_mb(process: subprocess.Popen) -> float:
    status = Path(f"/proc/{process.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024


@pytest.mark.parametrize("length", ["-1", "abc", "+1000", "0x10", "1e3", "", "12 34", "1000, 1000"])
def test_a_content_length_that_is_not_a_plain_number_gets_400_unread(preview_unhurt: Preview, length: str) -> None:
    answer, seconds = exchange(preview_unhurt.port, headers(length), 4 * 1024 * 1024)
    assert status_line(answer).startswith("HTTP/1.0 400 "), answer[:200]
    assert seconds < 5, "answered at once, not after reading a body"


def test_two_different_lengths_get_400(preview_unhurt: Preview) -> None:
    answer, _seconds = exchange(preview_unhurt.port, headers("10", "Content-Length: 20"), 20)
    assert status_line(answer).startswith("HTTP/1.0 400 ")


def test_a_200_mb_body_claimed_with_length_minus_1_is_not_read(preview_unhurt: Preview) -> None:
    """It used to be read to its end: 984 MB of memory for 200 MB sent."""
    exchange(preview_unhurt.port, headers("abc"))  # the first refusal's imports and buffers are not growth
    before = resident_mb(preview_unhurt.process)
    answer, seconds = exchange(preview_unhurt.port, headers("-1"), HUGE, seconds=20)
    assert status_line(answer).startswith("HTTP/1.0 400 ") and seconds < 10
    assert resident_mb(preview_unhurt.process) - before < 20, "the body was not kept"


@pytest.mark.parametrize(("length", "sent"), [(HUGE, HUGE), (HUGE, 0), (10**40, 1024), (64 * 1024 + 1, 0)])
def test_a_body_over_the_handlers_limit_gets_its_413_page_without_being_read(
    preview_unhurt: Preview, length: int, sent: int
) -> None:
    exchange(preview_unhurt.port, headers(str(64 * 1024 + 1)))
    before = resident_mb(preview_unhurt.process)
    answer, seconds = exchange(preview_unhurt.port, headers(str(length)), sent, seconds=20)
    assert status_line(answer) == "HTTP/1.0 413 Request Entity Too Large" and seconds < 10
    assert b"<h1>What you sent is too long</h1>" in answer, "the handler's own page, in the visitor's language"
    assert resident_mb(preview_unhurt.process) - before < 20


@pytest.mark.parametrize(("coding", "status"), [("chunked", 411), ("gzip, chunked", 501)])
def test_a_body_without_a_length_is_refused_cleanly(preview_unhurt: Preview, coding: str, status: int) -> None:
    request = headers(None, f"Transfer-Encoding: {coding}") + b"4\r\nname\r\n0\r\n\r\n"
    answer, seconds = exchange(preview_unhurt.port, request)
    assert status_line(answer).startswith(f"HTTP/1.0 {status} ") and seconds < 5


@pytest.mark.parametrize(
    "line",
    [b"GARBAGE", b"GET / HTTP/9.9 extra", b"POST /api/volunteer HTTP/1.1 x", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc",
     b"GET /" + b"a" * 70_000 + b" HTTP/1.1", b"BREW /api/volunteer HTTP/1.1"],
)  # fmt: skip
def test_a_bad_request_line_gets_an_error_status_and_no_traceback(preview_unhurt: Preview, line: bytes) -> None:
    answer, seconds = exchange(preview_unhurt.port, line + b"\r\nHost: 127.0.0.1\r\n\r\n")
    assert re.fullmatch(r"HTTP/1\.0 (400|414|501) .*", status_line(answer)), answer[:200]
    assert seconds < 5


def test_a_client_that_stops_sending_is_let_go(preview_unhurt: Preview) -> None:
    # Half the headers, then silence: the connection is closed.
    answer, seconds = exchange(preview_unhurt.port, b"POST /api/volunteer HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    assert answer == b"" and SILENCE_SECONDS <= seconds < SILENCE_SECONDS + 5
    # All the headers and half the body, then silence: 408.
    answer, seconds = exchange(preview_unhurt.port, headers("100") + b"name=Jo")
    assert status_line(answer).startswith("HTTP/1.0 408 ") and SILENCE_SECONDS <= seconds < SILENCE_SECONDS + 5
