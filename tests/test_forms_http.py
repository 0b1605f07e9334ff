"""The forms end to end over real HTTP: the preview's /api/ adapter, the handler and the SQLite store."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import serve_directory
from conftest import LEUVEN, BuiltSite
from forms_support import VALID, form_body

from helpt_site.build import PROJECT_DIR
from helpt_site.local_api import LocalApi


@pytest.fixture
def served(leuven_site: BuiltSite, tmp_path: Path) -> Iterator[tuple[str, LocalApi]]:
    api = LocalApi(PROJECT_DIR, leuven_site.root, LEUVEN, tmp_path / "data")
    with serve_directory(leuven_site.root, api) as url:
        yield url, api


def request(url: str, method: str, path: str, body: str = "", content_type: str = "") -> http.client.HTTPResponse:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": content_type} if content_type else {}
    connection.request(method, path, body=body.encode("utf-8"), headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_a_form_posted_over_http_is_kept_and_redirected_to_its_confirmation(served) -> None:
    url, api = served
    posted = request(url, "POST", "/api/help-request?lang=en", form_body(VALID["help-request"], "en"),
                     "application/x-www-form-urlencoded")  # fmt: skip
    assert posted.status == 303
    location = posted.getheader("Location")
    confirmation = request(url, "GET", location)
    assert confirmation.status == 200 and b"We received your request" in confirmation.body
    reference = location.rsplit("ref=", 1)[1]
    assert reference.encode() in confirmation.body
    assert api.store.get(reference).answers["name"] == "Maria Peeters"
    assert confirmation.getheader("Cache-Control") == "no-store"


def test_the_form_page_posts_where_the_preview_answers(served, leuven_site: BuiltSite) -> None:
    url, _api = served
    form = leuven_site.soup(leuven_site.root / "hulp-vragen" / "index.html").find("form")
    assert form["method"] == "post" and form["action"] == "/api/help-request?lang=nl" and form.has_attr("novalidate")
    answer = request(url, "POST", form["action"], form_body({}), "application/x-www-form-urlencoded")
    assert answer.status == 422 and "<title>Fout: Hulp vragen – Leuven Helpt</title>" in answer.body.decode()


def test_twenty_concurrent_clients_lose_nothing(served) -> None:
    url, api = served

    def send(number: int) -> int:
        fields = dict(VALID["volunteer"], name=f"Volunteer {number}")
        body = form_body(fields)
        return request(url, "POST", "/api/volunteer", body, "application/x-www-form-urlencoded").status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(send, range(200)))
    assert statuses == [303] * 200
    assert len(list(api.store.submissions(form="volunteer_signup"))) == 200


def test_a_body_far_too_large_is_refused_before_it_is_read(served) -> None:
    url, _api = served
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.putrequest("POST", "/api/volunteer")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(20 * 1024 * 1024))
    connection.endheaders()  # and not one byte of the announced 20 MB: the answer must not wait for them
    assert connection.getresponse().status == 413
    connection.close()
