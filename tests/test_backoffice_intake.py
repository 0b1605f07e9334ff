"""Phone intake on the web (/staff/intake): the web form's own questions, its own checks, nothing typed lost.

Checked on the back office's own answers to payload 2.0 events and on what the store holds afterwards. The
same call taken with `helpt intake` (test_staff_intake's CALL) must be the same record (intake_record.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from backoffice_support import Answer, Clock, make_account, save_pages, signed_in
from browser_support import require_vnu
from conftest import LEUVEN
from test_backoffice_find_logs import check_html
from test_staff_intake import CALL, run_intake, saved
from test_staff_support import NOW, Staff, help_request

from helpt.forms import HELP_REQUEST, choices
from helpt.settings import load_city
from helpt.staff.intake_record import Kept, save_phone_request
from helpt.staff.texts import load_texts
from helpt.staff.web.app import BackOffice
from helpt.stores import StoreError
from helpt.stores.sqlite import SQLiteStore

pytest_plugins = ["dynamodb_servers", "test_staff_support"]

CITY = load_city(LEUVEN)
# The call of test_staff_intake (for herself, groceries and the pharmacy), as the worker ticks it on the page.
CALL_FIELDS: dict[str, str | list[str]] = {
    "for_whom": "self", "name": "  Maria Peeters ", "street": "Kerkstraat 1", "postcode": "3000",
    "phone": "0470 12 34 56", "email": "", "language": "nl", "help": ["groceries", "pharmacy"],
    "details": "Brood, melk en =1+1", "urgency": "days", "consent": "yes", "health_consent": "yes",
}  # fmt: skip
# For her mother, by a daughter who typed everything but forgot her own number and the mother's agreement,
# and got the postcode wrong: every answer must come back.
MOTHER: dict[str, str | list[str]] = {
    "for_whom": "someone-else", "name": "Maria Peeters", "street": "Kerkstraat 1 bus 3", "postcode": "9999",
    "language": "en", "asker_name": "Els Peeters", "asker_email": "", "relationship": "mijn moeder",
    "help": ["pharmacy", "other"], "details": "\nEerste regel\n<b>en</b> \"quotes\" & meer", "urgency": "today",
    "consent": "yes",
}  # fmt: skip
SPEAKS_TO_THE_CALLER = ("bel ons", "call us", "016/27.27.72", "Bel ", "Call ")


def pairs(fields: dict[str, str | list[str]], **extra: str) -> list[tuple[str, str]]:
    """Form fields as a browser posts them: a field with several values (checkboxes) once per value."""
    found = []
    for name, values in {**fields, **extra}.items():
        found += [(name, value) for value in (values if isinstance(values, list) else [values])]
    return found


def page_fields(page: Answer) -> dict[str, str]:
    return {"csrf": page.csrf(), "once": str(page.soup.select_one("input[name=once]")["value"])}


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "data" / "helpt.sqlite3")


@pytest.fixture
def office(store: SQLiteStore) -> BackOffice:
    return BackOffice(CITY, store, clock=Clock(NOW), secure=True)


def phone_records(store: SQLiteStore) -> list:
    return [record for record in store.stream(forms=("help_request",), now=NOW) if record.channel == "phone"]


# The form ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_page_is_the_web_forms_own_questions_in_the_workers_language(
    office: BackOffice, store: SQLiteStore, lang: str
) -> None:
    page = signed_in(office, make_account(store, "ann", "call_centre"), lang).get("/staff/intake")
    texts, soup = load_texts(lang), page.soup
    assert page.status == 200 and soup.html["lang"] == lang
    form = soup.select_one("main form")
    assert form["action"] == "/staff/intake" and form.has_attr("novalidate") and form["method"] == "post"
    legends = [legend.text for legend in form.select("fieldset.section > legend")]
    assert legends == [texts.form(section.legend) for section in HELP_REQUEST.sections]
    for question in HELP_REQUEST.fields:
        if question.is_group:
            for choice in choices(question, CITY):
                box = form.select_one(f"#f-{question.name}-{choice.value}")
                assert box["name"] == question.name and box["value"] == choice.value and not box.has_attr("checked")
            fieldset = form.select_one(f"#f-{question.name}-{choices(question, CITY)[0].value}").find_parent("fieldset")
            assert fieldset.legend.text.startswith(texts.form(question.label)), question.name
        else:
            control = form.select_one(f"#f-{question.name}")
            assert control["name"] == question.name and control.get("autocomplete") == "off", question.name
            label = form.select_one(f"label[for=f-{question.name}]").text
            assert label.startswith(texts.form(question.label)), question.name
        if question.hint and question.name != "consent":
            assert form.select_one(f"#f-{question.name}-hint").text == texts.form(question.hint), question.name
    optional = "(optioneel)" if lang == "nl" else "(optional)"
    assert [label.text for label in form.select("label") if optional in label.text] == []  # all needed, or "only if"
    read_aloud = form.select_one("#f-consent-read").text
    assert texts.form(HELP_REQUEST.get("consent").hint) in read_aloud
    assert read_aloud.rstrip("”").endswith("Ga je akkoord?" if lang == "nl" else "Do you agree?")
    assert form.select_one("label[for=f-consent-yes]").text == texts.gettext(
        "I read the consent text aloud and the caller agreed")  # fmt: skip
    assert form.select_one("label[for=f-health_consent-yes]").text.startswith(
        "De beller ging akkoord: “" if lang == "nl" else "The caller agreed: “"
    )
    assert form.select_one("input[name=csrf]")["value"] and len(form.select_one("input[name=once]")["value"]) >= 32
    assert "website" not in page.body, "no honeypot: only staff reach this form"


# Problems: every answer comes back ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_page_with_problems_comes_back_with_every_answer_and_the_summary_first(
    office: BackOffice, store: SQLiteStore, lang: str
) -> None:
    browser = signed_in(office, make_account(store, "ann", "call_centre"), lang)
    form = browser.get("/staff/intake")
    answer = browser.post("/staff/intake", pairs(MOTHER, **page_fields(form)))

    soup = answer.soup
    assert answer.status == 422 and soup.title.text.startswith("Fout: " if lang == "nl" else "Error: ")
    first = soup.main.find(True)
    assert "error-summary" in first["class"], "the error summary is the first thing in <main>"
    links = [(link["href"], link.text) for link in first.select("a")]
    hrefs = [href for href, _text in links]
    assert hrefs == ["#f-postcode", "#f-asker_phone", "#f-agreed-yes", "#f-health_consent_other-yes"]
    for href, text in links:
        control = soup.select_one(href)
        name = href[3:].removesuffix("-yes")
        assert soup.select_one(f"#f-{name}-error").text.split(" ", 1)[1] == text, "beside the field as in the summary"
        assert control["aria-invalid"] == "true"
        described = (control.find_parent("fieldset") if control["type"] == "checkbox" else control)["aria-describedby"]
        assert f"f-{name}-error" in described.split()
        assert not any(words in text for words in SPEAKS_TO_THE_CALLER), text
    check = "Controleer de postcode met de beller" if lang == "nl" else "Check the postcode with the caller"
    assert check in soup.select_one("#f-postcode-error").text
    # Every answer typed is still there, exactly as typed.
    for name in ("name", "street", "postcode", "asker_name", "relationship"):
        assert soup.select_one(f"#f-{name}")["value"] == MOTHER[name], name
    # A browser drops the one newline right after <textarea> (html.parser does not): the answer's own is kept.
    assert soup.select_one("#f-details").text.removeprefix("\n") == MOTHER["details"]
    checked = {(box["name"], box["value"]) for box in soup.select("input[checked]")}
    assert checked == {("for_whom", "someone-else"), ("language", "en"), ("help", "pharmacy"), ("help", "other"),
                       ("urgency", "today"), ("consent", "yes")}  # fmt: skip
    assert soup.select_one("input[name=once]")["value"] == page_fields(form)["once"], "the same page, still"
    assert phone_records(store) == [] and [e.action for e in store.audit_entries(now=NOW)] == []


def test_an_empty_page_asks_for_what_is_needed_in_the_workers_words(office: BackOffice, store: SQLiteStore) -> None:
    browser = signed_in(office, make_account(store, "ann", "call_centre"))
    answer = browser.post("/staff/intake", page_fields(browser.get("/staff/intake")))
    summary = [link["href"] for link in answer.soup.select(".error-summary a")]
    assert answer.status == 422
    assert summary == ["#f-for_whom-self", "#f-name", "#f-street", "#f-postcode", "#f-language-nl",
                       "#f-help-groceries", "#f-urgency-today", "#f-consent-yes"]  # fmt: skip
    consent = answer.soup.select_one('.error-summary a[href="#f-consent-yes"]').text
    assert consent.startswith("Lees de toestemmingstekst voor aan de beller") and "bel ons" not in consent.lower()


# Saving -----------------------------------------------------------------------------------------------------


def test_a_phone_request_is_kept_with_its_reference_read_out_and_a_second_post_keeps_nothing_new(
    office: BackOffice, store: SQLiteStore
) -> None:
    browser = signed_in(office, make_account(store, "ann", "call_centre"))
    form = browser.get("/staff/intake")
    fields = pairs({**CALL_FIELDS, "language": "en", "asker_name": "Els"}, **page_fields(form))

    answer = browser.post("/staff/intake", fields)

    found = re.fullmatch(r"/staff/intake/saved\?ref=(H-[A-Z2-7]{4}-[A-Z2-7]{4})&dropped=asker_name", answer.location)
    assert answer.status == 303 and found, answer.location
    reference = found[1]
    (record,) = phone_records(store)
    assert (record.reference, record.form, record.channel, record.status) == (reference, "help_request", "phone", "new")
    assert record.answers["consent"] == record.answers["consent_read_aloud"] == "yes"
    assert record.answers["asker_name"] == "", "not for her: not kept"
    assert record.expires_at == int(record.created_at.timestamp()) + 90 * 86400
    page = browser.get("/staff/intake/saved", answer.location.split("?", 1)[1])
    assert page.status == 200 and page.soup.h1.text == "De hulpvraag is bewaard"
    assert page.soup.select_one(".panel .reference").text == reference
    assert "Niet bewaard, omdat ze niet bij deze hulpvraag horen: Naam aanvrager." in page.text()
    spoken = page.soup.select_one("blockquote.read-aloud")
    assert spoken["lang"] == "en" and f"Your reference: {reference}" in spoken.text, "in the caller's language"
    assert page.soup.select_one(f'a[href="/staff/requests/{reference}"]') is not None
    assert not any(words in page.text().split("De telefoonlijn van de stad")[0] for words in ("0470", "Kerkstraat"))

    again = browser.post("/staff/intake", fields)  # a double click, or the same page sent again after a failure
    assert again.status == 303 and again.location.startswith(f"/staff/intake/saved?ref={reference}&repeat=1")
    assert len(phone_records(store)) == 1
    repeat = browser.get("/staff/intake/saved", again.location.split("?", 1)[1])
    assert "Dit formulier was al bewaard, onder dit referentienummer: er is niets twee keer bewaard." in repeat.text()
    assert [(e.who, e.action, e.reference) for e in store.audit_entries(now=NOW)] == [("ann", "intake", reference)]
    other = browser.post("/staff/intake", pairs(CALL_FIELDS, **page_fields(browser.get("/staff/intake"))))
    assert other.status == 303 and len(phone_records(store)) == 2, "a new page is a new call: never merged"
    store.add(help_request("H-AAAA-BBBB"))  # sent online: no saved page for it, nor for what does not exist
    for query in ("ref=H-AAAA-BBBB", "ref=H-ZZZZ-ZZZZ", "ref=nonsense", ""):
        assert browser.get("/staff/intake/saved", query).status == 404, query


def test_the_same_call_on_the_web_and_on_the_command_line_is_the_same_record(local_staff: Staff) -> None:
    store = local_staff.store
    assert isinstance(store, SQLiteStore)
    office = BackOffice(CITY, store, secure=True)
    browser = signed_in(office, make_account(store, "ann", "call_centre"))
    web = browser.post("/staff/intake", pairs(CALL_FIELDS, **page_fields(browser.get("/staff/intake"))))
    assert web.status == 303
    typed = saved(local_staff, run_intake(local_staff, CALL, "nl"))

    records = {record.reference: record for record in store.stream(forms=("help_request",))}
    from_web = records[re.search(r"ref=([A-Z0-9-]+)", web.location)[1]]
    assert (from_web.channel, from_web.status, from_web.lang) == (typed.channel, typed.status, typed.lang)
    assert from_web.answers == typed.answers


def test_a_taken_reference_is_drawn_again(
    office: BackOffice, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add(help_request("H-AAAA-AAAA"))
    draws = iter(["H-AAAA-AAAA", "H-BBBB-BBBB"])
    monkeypatch.setattr("helpt.staff.intake_record.new_reference", lambda form: next(draws))
    browser = signed_in(office, make_account(store, "ann", "call_centre"))

    answer = browser.post("/staff/intake", pairs(CALL_FIELDS, **page_fields(browser.get("/staff/intake"))))

    assert answer.location.startswith("/staff/intake/saved?ref=H-BBBB-BBBB")
    assert store.get("H-AAAA-AAAA", now=NOW).channel == "web", "the other record is untouched"


def test_the_same_page_sent_twice_is_one_record_on_every_store(staff: Staff) -> None:
    answers = {**help_request("H-AAAA-AAAA").answers, "consent_read_aloud": "yes"}

    def save(once: str) -> Kept:
        return save_phone_request(staff.store, answers, city=CITY, lang="en", clock=lambda: NOW, once=once)

    first, again, other = save("a" * 43), save("a" * 43), save("b" * 43)
    assert (first.repeat, again.repeat, again.reference) == (False, True, first.reference)
    assert other.reference != first.reference and not other.repeat, "another page is another call"
    # The worker went back on the same page and typed the next caller's answers: a new request, never merged.
    next_caller = {**answers, "name": "Karel Claes", "street": "Naamsestraat 2"}
    back = save_phone_request(staff.store, next_caller, city=CITY, lang="en", clock=lambda: NOW, once="a" * 43)
    assert back.reference not in (first.reference, other.reference) and not back.repeat
    assert staff.store.get(back.reference, now=NOW).answers["name"] == "Karel Claes"
    assert sorted(r.reference for r in staff.store.stream(forms=("help_request",), now=NOW)) == sorted(
        [first.reference, other.reference, back.reference])  # fmt: skip


class FailingStore(SQLiteStore):
    """A store that keeps sessions and the audit log but cannot keep a request (full, or unreachable)."""

    def add(self, submission):  # type: ignore[no-untyped-def]
        raise StoreError("SQLite store: disk I/O error")

    def add_once(self, submission, fingerprint, **options):  # type: ignore[no-untyped-def]
        raise StoreError("SQLite store: disk I/O error")


def test_a_store_that_fails_keeps_every_answer_in_the_page(tmp_path: Path) -> None:
    store = FailingStore(tmp_path / "helpt.sqlite3")
    office = BackOffice(CITY, store, clock=Clock(NOW), secure=True)
    browser = signed_in(office, make_account(store, "ann", "call_centre"))
    answer = browser.post("/staff/intake", pairs(CALL_FIELDS, **page_fields(browser.get("/staff/intake"))))
    assert answer.status == 503 and "Traceback" not in answer.body
    problem = answer.soup.main.find(True)
    assert problem["role"] == "alert" and "Er is niets verloren" in problem.text
    assert answer.soup.select_one("#f-details").text.removeprefix("\n") == CALL_FIELDS["details"]
    assert answer.soup.select_one("#f-health_consent-yes").has_attr("checked")
    assert [e.action for e in store.audit_entries(now=NOW)] == []


# The HTML checker -------------------------------------------------------------------------------------------


def test_the_w3c_html_checker_finds_no_errors_on_the_intake_pages(
    office: BackOffice, store: SQLiteStore, tmp_path: Path
) -> None:
    java = require_vnu()
    answers = {}
    for lang in ("nl", "en"):
        browser = signed_in(office, make_account(store, f"ann.{lang}", "call_centre"), lang)
        form = browser.get("/staff/intake")
        answers[f"intake-{lang}"] = form
        answers[f"intake-errors-{lang}"] = browser.post("/staff/intake", pairs(MOTHER, **page_fields(form)))
        answers[f"intake-empty-{lang}"] = browser.post("/staff/intake", page_fields(form))
        done = browser.post("/staff/intake", pairs({**CALL_FIELDS, "asker_name": "Els"}, **page_fields(form)))
        answers[f"saved-{lang}"] = browser.get("/staff/intake/saved", done.location.split("?", 1)[1])
        again = browser.post("/staff/intake", pairs({**CALL_FIELDS, "asker_name": "Els"}, **page_fields(form)))
        answers[f"saved-again-{lang}"] = browser.get("/staff/intake/saved", again.location.split("?", 1)[1])
    failing = FailingStore(tmp_path / "failing.sqlite3")
    broken = signed_in(
        BackOffice(CITY, failing, clock=Clock(NOW), secure=True), make_account(failing, "x", "coordinator")
    )
    answers["store-failed"] = broken.post(
        "/staff/intake", pairs(CALL_FIELDS, **page_fields(broken.get("/staff/intake")))
    )
    assert [answer.status for answer in answers.values()] == [200, 422, 422, 200, 200] * 2 + [503]
    assert check_html(java, save_pages(tmp_path / "pages", answers)) == []
