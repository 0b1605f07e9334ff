"""Bodies that once answered 500: a lone surrogate, deep nesting and huge numbers in JSON, and
undecodable text in a form. Each gets the 400 page in the visitor's language, through the handler and over
HTTP, and nothing of it is kept."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import serve_directory
from bs4 import BeautifulSoup
from conftest import LEUVEN, BuiltSite
from forms_support import VALID, event, form_body, make_intake

from helpt.intake import MAX_BODY_BYTES, Intake
from helpt.stores.sqlite import SQLiteStore
from helpt_site.build import PROJECT_DIR
from helpt_site.local_api import LocalApi

TITLES = {"nl": "We konden niet lezen wat je verstuurde", "en": "We could not read what was sent"}


def json_with(member: str) -> str:
    """A valid help request as JSON, with one member (name and value as raw JSON text) added last."""
    fields = {name: value for name, value in VALID["help-request"].items() if name != "name"}
    return json.dumps(fields)[:-1] + ", " + member + "}"


HOSTILE_JSON = {
    "a lone surrogate": json_with('"name": "\\ud800"'),
    "a lone low surrogate after text": json_with('"name": "Maria \\udc00"'),
    "a lone surrogate in a field's name": json_with('"name": "Maria", "\\ud800": "x"'),
    "a lone surrogate among the choices": json_with('"name": "Maria", "help": ["dog", "\\ud83d"]'),
    "lists nested 30,000 deep": json_with('"name": ' + "[" * 30_000 + "]" * 30_000),
    "objects nested 10,000 deep": json_with('"name": ' + '{"a":' * 10_000 + '"x"' + "}" * 10_000),
    "a 5,000-digit number": json_with('"name": 1' + "0" * 4_999),
    "a number too large for a float": json_with('"name": 1e999999'),
    "5,000 values for one question": json_with('"name": "Maria", "help": [' + ", ".join(['"dog"'] * 5_000) + "]"),
}
HOSTILE_FORMS = {
    "a percent-encoded lone surrogate": form_body(VALID["help-request"]) + "&name=%ED%A0%80",
    "a lone surrogate as raw bytes": form_body(VALID["help-request"]).encode() + b"&name=\xed\xa0\x80",
}


def test_every_hostile_body_fits_the_handlers_limit() -> None:
    """Under 64 KiB, so that it is parse_form that must refuse it, not the size check before it."""
    for label, body in {**HOSTILE_JSON, **HOSTILE_FORMS}.items():
        size = len(body.encode("utf-8") if isinstance(body, str) else body)
        assert size < MAX_BODY_BYTES, label


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "data" / "helpt.sqlite3")


@pytest.fixture
def intake(leuven_site: BuiltSite, store: SQLiteStore) -> Intake:
    return make_intake(leuven_site.root, store)


def assert_message_page(status: int, body: str, lang: str) -> None:
    assert status == 400, body[:300]
    page = BeautifulSoup(body, "html.parser")
    assert page.html["lang"] == lang
    assert page.find("h1").get_text(strip=True) == TITLES[lang]


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("label", list(HOSTILE_JSON))
def test_a_hostile_json_body_gets_the_400_page_in_the_visitors_language(
    intake: Intake, store: SQLiteStore, label: str, lang: str
) -> None:
    for accept in ("text/html", "application/json"):
        answer = intake.handle(event("help-request", HOSTILE_JSON[label], content_type="application/json",
                                     query=f"lang={lang}", accept=accept))  # fmt: skip
        assert_message_page(answer["statusCode"], answer["body"], lang)
        answer["body"].encode("utf-8")  # the answer itself can be sent
    assert list(store.submissions()) == [] and list(store.quarantined()) == []


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("label", list(HOSTILE_FORMS))
def test_a_form_body_that_is_not_utf8_gets_the_400_page(intake: Intake, store: SQLiteStore, label: str, lang: str):
    answer = intake.handle(event("help-request", HOSTILE_FORMS[label], query=f"lang={lang}"))
    assert_message_page(answer["statusCode"], answer["body"], lang)
    assert list(store.submissions()) == []


def test_a_lone_surrogate_in_a_plain_text_event_body_gets_the_400_page(intake: Intake, store: SQLiteStore) -> None:
    """A body API Gateway hands over as text (not base64) is a Python string, which can hold a lone surrogate."""
    hostile = event("help-request", form_body(VALID["help-request"]), encode=False, query="lang=en")
    hostile["body"] += "&name=\ud800"
    answer = intake.handle(hostile)
    assert_message_page(answer["statusCode"], answer["body"], "en")
    assert list(store.submissions()) == []


def test_surrogate_pairs_and_every_other_character_are_still_kept_exactly(intake: Intake, store: SQLiteStore) -> None:
    """Refusing lone surrogates must not refuse what they pair into: the JSON escapes of an emoji."""
    answer = intake.handle(event("help-request", json_with('"name": "Maria \\ud83d\\ude00 \\u00e9\\u200f"'),
                                 content_type="application/json", accept="application/json"))  # fmt: skip
    assert answer["statusCode"] == 201, answer["body"][:300]
    assert store.get(json.loads(answer["body"])["reference"]).answers["name"] == "Maria \U0001f600 \u00e9\u200f"


@pytest.fixture
def served(leuven_site: BuiltSite, tmp_path: Path) -> Iterator[tuple[str, LocalApi]]:
    api = LocalApi(PROJECT_DIR, leuven_site.root, LEUVEN, tmp_path / "data")
    with serve_directory(leuven_site.root, api) as url:
        yield url, api


def post(url: str, path: str, body: str | bytes, content_type: str) -> tuple[int, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        connection.request("POST", path, body=raw, headers={"Content-Type": content_type, "Accept": "text/html"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_over_http_every_hostile_body_gets_the_400_page_in_the_visitors_language(served, lang: str) -> None:
    url, api = served
    bodies = [(body, "application/json") for body in HOSTILE_JSON.values()]
    bodies += [(body, "application/x-www-form-urlencoded") for body in HOSTILE_FORMS.values()]
    for body, content_type in bodies:
        status, page = post(url, f"/api/help-request?lang={lang}", body, content_type)
        assert_message_page(status, page, lang)
    assert list(api.store.submissions()) == []
