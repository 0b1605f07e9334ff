"""The form handler with hand-built API Gateway events: checks, storage once, pages in the right language."""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import BuiltSite
from forms_support import VALID, broken_store, event, form_body, json_event, make_intake

from helpt.intake import MAX_BODY_BYTES, Intake
from helpt.stores.sqlite import SQLiteStore

FORMS = {"help-request": "help_request", "volunteer": "volunteer_signup", "vacancy-response": "vacancy_response"}


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "data" / "helpt.sqlite3")


@pytest.fixture
def intake(leuven_site: BuiltSite, store: SQLiteStore) -> Intake:
    return make_intake(leuven_site.root, store)


def reference_of(answer: dict) -> str:
    assert answer["statusCode"] == 303, answer["body"][:500]
    location = answer["headers"]["location"]
    return parse_qs(urlsplit(location).query)["ref"][0]


def page(answer: dict) -> BeautifulSoup:
    assert answer["headers"]["content-type"] == "text/html; charset=utf-8"
    return BeautifulSoup(answer["body"], "html.parser")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("slug", list(FORMS))
def test_a_valid_submission_is_kept_with_its_metadata_and_answered_with_303(
    intake: Intake, store: SQLiteStore, slug: str, lang: str
) -> None:
    before = dt.datetime.now(dt.UTC)
    answer = intake.handle(event(slug, form_body(VALID[slug], lang)))
    reference = reference_of(answer)
    vacancy = "&vacancy=food-parcels" if slug == "vacancy-response" else ""  # it says who receives a response
    assert answer["headers"]["location"] == f"/api/{slug}/confirmation?lang={lang}&ref={reference}{vacancy}"
    assert re.fullmatch(r"[HVR]-[A-Z2-7]{4}-[A-Z2-7]{4}", reference)
    kept = store.get(reference)
    assert (kept.form, kept.lang, kept.channel, kept.status) == (FORMS[slug], lang, "web", "new")
    assert before <= kept.created_at <= dt.datetime.now(dt.UTC)
    assert kept.expires_at == int((kept.created_at + dt.timedelta(days=90)).timestamp())
    expected = {name: tuple(value) if isinstance(value, list) else value for name, value in VALID[slug].items()}
    assert kept.answers == expected


def test_plain_and_json_bodies_are_read_like_base64_ones(intake: Intake, store: SQLiteStore) -> None:
    fields = dict(VALID["volunteer"], name="Plain Body")
    plain = reference_of(intake.handle(event("volunteer", form_body(fields), encode=False)))
    assert store.get(plain).answers["name"] == "Plain Body"
    json_fields = dict(VALID["volunteer"], name="Json Body")
    answer = intake.handle(json_event("volunteer", json_fields))
    assert answer["statusCode"] == 201 and answer["headers"]["content-type"] == "application/json"
    assert store.get(answer["body"].split('"')[3]).answers["name"] == "Json Body"
    from_browser = intake.handle(json_event("volunteer", dict(json_fields, name="Html Please"), accept="text/html"))
    assert from_browser["statusCode"] == 303, "a browser never gets raw JSON"


def test_the_same_submission_twice_is_kept_once(intake: Intake, store: SQLiteStore) -> None:
    body = form_body(VALID["help-request"])
    first = reference_of(intake.handle(event("help-request", body)))
    second = reference_of(intake.handle(event("help-request", body)))
    assert first == second
    assert [submission.reference for submission in store.submissions()] == [first]
    other = reference_of(intake.handle(event("help-request", form_body(dict(VALID["help-request"], name="Other")))))
    assert other != first and len(list(store.submissions())) == 2


@pytest.mark.parametrize(
    ("lang", "prefix", "heading"), [("nl", "Fout: ", "Er is een probleem"), ("en", "Error: ", "There is a problem")]
)
def test_an_empty_form_comes_back_whole_with_every_problem_in_the_page_language(
    intake: Intake, store: SQLiteStore, leuven_site: BuiltSite, lang: str, prefix: str, heading: str
) -> None:
    answer = intake.handle(event("help-request", form_body({}, lang)))
    assert answer["statusCode"] == 422
    soup = page(answer)
    assert soup.html["lang"] == lang and soup.title.get_text().startswith(prefix)
    built = leuven_site.soup(leuven_site.root / ("hulp-vragen" if lang == "nl" else "en/ask-for-help") / "index.html")
    assert soup.find("footer") == built.find("footer") and soup.select("nav") == built.select("nav")
    main = soup.find("main")
    summary = main.find(True)
    assert "error-summary" in summary["class"] and summary.h2.get_text() == heading
    links = summary.select("li a")
    assert len(links) >= 8
    for link in links:
        target = soup.find(id=link["href"].lstrip("#"))
        assert target is not None and target.name in ("input", "textarea"), link["href"]
        container = target.find_parent(class_="field")
        message = container.select_one(".error-message")
        assert message.get_text().split(" ", 1)[1] == link.get_text(), "summary and field say the same"
        assert message["id"] in (container.find("fieldset") or target)["aria-describedby"].split()
        assert container.find(attrs={"aria-invalid": "true"}) is not None
    assert list(store.submissions()) == []


def test_every_answer_given_is_still_there_after_an_error(intake: Intake) -> None:
    fields = dict(VALID["help-request"], postcode="", street="Ééntjesstraat 7 bus 2 ✓", help=["dog", "other"])
    fields["details"] = "Twee regels\nmet <b>tekens</b> & ‘quotes’"
    soup = page(intake.handle(event("help-request", form_body(fields))))
    assert soup.find(id="f-street")["value"] == "Ééntjesstraat 7 bus 2 ✓"
    assert soup.find(id="f-details").get_text() == "\nTwee regels\nmet <b>tekens</b> & ‘quotes’"
    assert soup.find(id="f-name")["value"] == "Maria Peeters"
    assert soup.find(id="f-help-dog").has_attr("checked") and soup.find(id="f-help-other").has_attr("checked")
    assert not soup.find(id="f-help-groceries").has_attr("checked")
    assert soup.find(id="f-urgency-days").has_attr("checked") and soup.find(id="f-consent-yes").has_attr("checked")
    assert [li.get_text() for li in soup.select(".error-summary li")] == ["Vul je postcode in, bijvoorbeeld 3000"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"postcode": "1000"},
            "postcode",
            "We can only help in Leuven (3000, 3001, 3010, 3012, 3018). Call 016/27.27.72",
        ),
        ({"phone": "", "email": ""}, "phone", "Enter a phone number or an e-mail address, so that we can reach you"),
        ({"email": "maria.example.com"}, "email", "Enter an e-mail address with an @ and a domain"),
        ({"phone": "call me"}, "phone", "Enter a phone number with only digits"),
        ({"phone": "0470 1"}, "phone", "a phone number has 6 to 15 digits, this one has 5"),
        ({"phone": "+32 470 12 34 56 78 90 12"}, "phone", "a phone number has 6 to 15 digits, this one has 17"),
        ({"postcode": "30010"}, "postcode", "Enter a postcode like 3000"),
        ({"for_whom": "someone-else", "help": ["pharmacy"]}, "health_consent_other", "explicit consent for medicines"),
        ({"for_whom": "someone-else"}, "asker_name", "Enter your name"),
        ({"help": ["pharmacy"]}, "health_consent", "we need your explicit consent for medicines"),
        ({"help": ["other"], "details": ""}, "details", "Describe the other help you need"),
        ({"for_whom": "someone-else"}, "relationship", "Tell us how you know the person who needs help"),
        ({"for_whom": "someone-else"}, "agreed", "Ask the person first: we can only help if they know and agree"),
        ({"name": "x" * 101}, "name", "Use at most 100 characters (you used 101)"),
        ({"urgency": "yesterday"}, "urgency", "Choose one of the options shown"),
        ({"street": "Kerkstraat\x001"}, "street", "Remove the invisible control characters"),
    ],
)
def test_each_problem_says_what_to_do(intake: Intake, change: dict, field: str, message: str) -> None:
    answer = intake.handle(event("help-request", form_body(dict(VALID["help-request"], **change), "en")))
    assert answer["statusCode"] == 422
    soup = page(answer)
    shown = soup.find(id=f"f-{field}-error").get_text()
    assert message in shown
    assert not re.search(r"\b(invalid|required)\b", soup.select_one(".error-summary").get_text(), re.I)


def test_pharmacy_with_explicit_consent_is_kept(intake: Intake, store: SQLiteStore) -> None:
    fields = dict(VALID["help-request"], help=["pharmacy"], health_consent="yes")
    assert store.get(reference_of(intake.handle(event("help-request", form_body(fields))))).answers["help"] == (
        "pharmacy",
    )


def test_limits_get_clear_answers(intake: Intake) -> None:
    huge = form_body(dict(VALID["help-request"], details="x" * MAX_BODY_BYTES))
    too_large = intake.handle(event("help-request", huge, query="lang=en"))
    assert too_large["statusCode"] == 413 and "too long" in page(too_large).h1.get_text()
    wrong_method = intake.handle(event("help-request", method="GET"))
    assert wrong_method["statusCode"] == 405 and wrong_method["headers"]["allow"] == "POST"
    assert page(wrong_method).h1.get_text() == "Ga terug naar het formulier"
    wrong_type = intake.handle(event("help-request", "name=x", content_type="text/plain"))
    assert wrong_type["statusCode"] == 415
    not_utf8 = intake.handle(event("help-request", b"name=%FF%FE&lang=nl"))
    assert not_utf8["statusCode"] == 400
    not_json = intake.handle(event("help-request", "{name", content_type="application/json"))
    assert not_json["statusCode"] == 400
    unknown = intake.handle(event("no-such-form", "name=x"))
    assert unknown["statusCode"] == 404
    for answer in (too_large, wrong_method, wrong_type, not_utf8, not_json, unknown):
        assert "016/27.27.72" in answer["body"] and "Traceback" not in answer["body"]


def test_unknown_fields_are_ignored(intake: Intake, store: SQLiteStore) -> None:
    body = form_body(VALID["volunteer"]) + "&is_admin=1&status=done"
    kept = store.get(reference_of(intake.handle(event("volunteer", body))))
    assert "is_admin" not in kept.answers and kept.status == "new"


def test_a_filled_honeypot_looks_accepted_but_is_kept_apart(intake: Intake, store: SQLiteStore) -> None:
    body = form_body(dict(VALID["volunteer"], website="http://spam.example"))
    reference = reference_of(intake.handle(event("volunteer", body)))
    assert store.get(reference) is None and list(store.submissions()) == []
    with sqlite3.connect(store.path) as database:
        assert database.execute("SELECT reference FROM quarantine").fetchall() == [(reference,)]


def test_a_store_failure_gives_the_problem_page_with_every_answer_and_the_phone_line(
    leuven_site: BuiltSite, tmp_path: Path
) -> None:
    broken = make_intake(leuven_site.root, broken_store(tmp_path / "broken"))
    answer = broken.handle(event("volunteer", form_body(VALID["volunteer"], "en")))
    assert answer["statusCode"] == 503
    soup = page(answer)
    problem = soup.select_one("main .error-summary")
    assert "problem with the service" in problem.get_text() and "016/27.27.72" in problem.get_text()
    assert soup.find(id="f-name")["value"] == "Ann Janssens" and soup.find(id="f-languages-en").has_attr("checked")
    assert "Traceback" not in answer["body"] and "sqlite" not in answer["body"].lower()


def test_logs_hold_no_personal_data(
    intake: Intake, caplog: pytest.LogCaptureFixture, leuven_site: BuiltSite, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    for slug, fields in VALID.items():
        intake.handle(event(slug, form_body(fields)))
        intake.handle(event(slug, form_body(dict(fields, postcode="9999", email="bad"))))
    broken = make_intake(leuven_site.root, broken_store(tmp_path / "broken"))
    broken.handle(event("volunteer", form_body(VALID["volunteer"])))
    logged = caplog.text
    assert "outcome" in logged and "stored" in logged and "store_failed" in logged
    values = {
        value for fields in VALID.values() for value in fields.values() if isinstance(value, str) and len(value) > 3
    }
    assert sorted(value for value in values if value in logged) == []


def test_the_confirmation_page_gives_the_reference_what_happens_next_and_the_phone_line(intake: Intake) -> None:
    reference = reference_of(intake.handle(event("help-request", form_body(VALID["help-request"]))))
    for lang, title in (("nl", "We hebben je hulpvraag ontvangen"), ("en", "We received your request")):
        answer = intake.handle(event("help-request", method="GET", path="/api/help-request/confirmation",
                                     query=f"lang={lang}&ref={reference}"))  # fmt: skip
        soup = page(answer)
        assert answer["statusCode"] == 200 and soup.html["lang"] == lang and soup.h1.get_text() == title
        assert soup.select_one(".reference").get_text() == reference
        assert "016/27.27.72" in soup.find("main").get_text()
    forged = intake.handle(event("help-request", method="GET", path="/api/help-request/confirmation", query="ref=<x>"))
    assert forged["statusCode"] == 404


def test_a_response_to_an_unknown_or_closed_vacancy_keeps_the_message(intake: Intake, store: SQLiteStore) -> None:
    unknown = intake.handle(event("vacancy-response", form_body(dict(VALID["vacancy-response"], vacancy="nope"))))
    assert unknown["statusCode"] == 404
    intake.clock = lambda: dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    closed = intake.handle(event("vacancy-response", form_body(VALID["vacancy-response"], "en")))
    assert closed["statusCode"] == 410
    soup = page(closed)
    assert soup.h1.get_text() == "This vacancy is closed"
    assert soup.select_one(".kept-text").get_text() == VALID["vacancy-response"]["message"]
    assert list(store.submissions()) == []


NASTY = {
    "very long": "lang " * 2000,
    "right-to-left": "\u200fمرحبا، أحتاج إلى مساعدة\u200f \u202bשלום\u202c",
    "scripts": "你好 こんにちは 안녕하세요 नमस्ते สวัสดี Здравствуйте Γειά",
    "zero-width": "Ma\u200bria\u200c\u200d\ufeff",
    "emoji": "👩🏽‍⚕️ 👨‍👩‍👧‍👦 🇧🇪",
    "nul": "Kerk\x00straat",
    "control": "\x1b[31mrood\x07",
    "html": '"><script>alert(1)</script><img src=x onerror=alert(2)>',
    "sql": "'; DROP TABLE submissions; --",
    "formula": '=HYPERLINK("http://evil.example","klik")',
    "plus": "+32 470 12 34 56",
    "at": "@SUM(A1:A9)",
    "minus": "-2+3",
}


@pytest.mark.parametrize("slug", list(FORMS))
def test_bad_input_in_every_field_gets_a_message_or_is_kept_exactly(
    intake: Intake, store: SQLiteStore, slug: str
) -> None:
    from helpt.forms import FORMS_BY_SLUG

    form = FORMS_BY_SLUG[slug]
    outcomes = {303: 0, 422: 0}
    for question in form.fields:
        for label, value in NASTY.items():
            fields = dict(VALID[slug], **{question.name: value})
            answer = intake.handle(event(slug, form_body(fields)))
            status = answer["statusCode"]
            assert status in (303, 422), (question.name, label, status)
            outcomes[status] += 1
            one_line = question.kind in ("text", "email", "tel", "postcode")
            expected = value.strip() if one_line else value
            if status == 303:
                kept = store.get(reference_of(answer)).answers[question.name]
                assert kept == (expected if not question.is_multiple else (value,)), (question.name, label)
            else:
                soup = page(answer)
                assert "<script>alert(1)" not in answer["body"]
                assert soup.select_one(".error-summary li") is not None, (question.name, label)
                control = soup.find(id=f"f-{question.name}")
                if control is not None and control.name == "input":
                    assert control["value"] == expected, (question.name, label)
                elif control is not None:  # a textarea: HTML drops the newline after the tag
                    assert control.get_text().removeprefix("\n") == expected, (question.name, label)
    assert outcomes[303] > 10 and outcomes[422] > 10
