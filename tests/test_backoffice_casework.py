"""The back office's case-work pages: a coordinator's day over HTTP, from "Today" to the task slip.

Every step is a payload 2.0 event to `BackOffice.handle` (through backoffice_support's Browser) over a real
SQLite store; the checks read the HTML that comes back and what the store holds afterwards: the records,
their history, the audit log and the export log.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from backoffice_support import PASSWORD, Answer, Browser, Clock, make_account, save_pages, signed_in
from browser_support import VNU_JAR, Sweep, require_vnu, serve_back_office
from conftest import LEUVEN, PROJECT_DIR, BuiltSite
from test_staff_support import NOW, help_request, volunteer

from helpt.settings import load_city
from helpt.staff import casework
from helpt.staff.handout import handout_text
from helpt.staff.texts import load_texts
from helpt.staff.web.app import BackOffice
from helpt.stores import Account
from helpt.stores.sqlite import SQLiteStore

CITY = load_city(LEUVEN)
ZONE = ZoneInfo(CITY.timezone)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "data" / "helpt.sqlite3")


@pytest.fixture
def office(store: SQLiteStore, clock: Clock) -> BackOffice:
    return BackOffice(CITY, store, clock=clock, secure=True)


@pytest.fixture
def ann(store: SQLiteStore) -> Account:
    return make_account(store, "ann.claes", "coordinator", display_name="Ann Claes")


@pytest.fixture
def jef(store: SQLiteStore) -> Account:
    return make_account(store, "jef.peeters", "coordinator")


def send(browser: Browser, path: str, **fields: str) -> Answer:
    """A form post from one of the back office's pages, with the session's CSRF token."""
    session = browser.office.sessions.current(browser.cookies)
    assert session is not None
    return browser.post(path, {"csrf": session.csrf_token, **fields})


def done(browser: Browser, answer: Answer, page: str, key: str) -> Answer:
    """A POST that worked: 303 back to the page, which says so."""
    assert answer.status == 303, (answer.status, answer.text()[:500])
    assert answer.location == f"{page}?done={key}"
    shown = browser.get(page, f"done={key}")
    assert shown.status == 200 and shown.soup.select_one('.panel[role="status"] p')
    return shown


def summary(answer: Answer) -> list[tuple[str, str]]:
    """The error summary: (where each link points, what it says)."""
    return [(str(link["href"]), link.text) for link in answer.soup.select(".error-summary a")]


def listed(page: Answer) -> list[str]:
    return [row.th.a.text for row in page.soup.select("table.case-table tbody tr")]


def local(moment: dt.datetime) -> tuple[str, str]:
    """A moment as the note form's day and time fields take it, in the city's time zone."""
    there = moment.astimezone(ZONE)
    return there.date().isoformat(), there.strftime("%H:%M")


def views(store: SQLiteStore) -> list[tuple[str, str, str]]:
    return [(e.who, e.action, e.reference) for e in store.audit_entries(now=NOW)]


# Today ------------------------------------------------------------------------------------------------------


def test_today_shows_the_urgent_the_overdue_the_call_backs_due_and_the_volunteers_free(
    office: BackOffice, store: SQLiteStore, clock: Clock, ann: Account
) -> None:
    for record in (
        help_request("H-URGENT", minutes_ago=20, urgency="today", postcode="3010"),
        help_request("H-WAITING", minutes_ago=25 * 60), help_request("H-FRESH", minutes_ago=10),
        help_request("H-CALLED", minutes_ago=26 * 60, urgency="today", status="contacted"),
        volunteer("V-KL-1"), volunteer("V-KL-2"), volunteer("V-HEV", postcode="3001"),
        volunteer("V-PAUSED"), volunteer("V-GONE", status="closed"),
    ):  # fmt: skip
        store.add(record)
    casework.pause(store, "V-PAUSED", "away until May", "ann", NOW)
    casework.add_note(store, "H-FRESH", "ann", "No answer", NOW + dt.timedelta(hours=1), NOW)
    clock.advance(hours=2)

    today = signed_in(office, ann, "en").get("/staff/")

    sections = {h2.text.split(":")[0]: h2.find_parent("section") for h2 in today.soup.select("section h2")}
    assert [a.text for a in sections["Urgent, not contacted yet"].select("a")] == ["H-URGENT"]
    assert [a.text for a in sections["Waiting longer than 24 hours"].select("a")] == ["H-WAITING"]
    assert "Overdue: waiting over 24 hours" in sections["Waiting longer than 24 hours"].text, "in words"
    assert [a.text for a in sections["Call-backs due now"].select("a")] == ["H-FRESH"]
    assert sections["Urgent, not contacted yet"].a["href"] == "/staff/requests/H-URGENT"
    free = {row.th.text: row.td.text for row in today.soup.select("table.counts")[-1].tbody.find_all("tr")}
    assert free == {"Leuven": "0", "Heverlee": "1", "Kessel-Lo": "2", "Wilsele": "0", "Wijgmaal": "0"}
    dutch = signed_in(office, ann, "nl").get("/staff/")
    assert "Dringend, nog niet gecontacteerd: 1" in dutch.text()
    privacy = signed_in(office, make_account(store, "piet", "privacy_officer"), "en").get("/staff/")
    assert privacy.status == 200 and "H-URGENT" not in privacy.body and "Available volunteers" not in privacy.body


# The working list -------------------------------------------------------------------------------------------


def test_the_working_list_is_in_the_cores_order_with_filters_that_keep_their_values(
    office: BackOffice, store: SQLiteStore, clock: Clock, ann: Account, jef: Account
) -> None:
    for record in (
        help_request("H-OLD-WEEK", minutes_ago=900, urgency="week"),
        help_request("H-DAYS", minutes_ago=600, urgency="days", postcode="3010", help=("letter",)),
        help_request("H-TODAY-CONTACTED", minutes_ago=500, urgency="today", status="contacted"),
        help_request("H-TODAY", minutes_ago=30, urgency="today", language="en", postcode="3010"),
        help_request("H-CALL-SOON", minutes_ago=800, urgency="regular"),
        help_request("H-CALL-LATER", minutes_ago=700, urgency="today"),
        help_request("H-DONE", minutes_ago=100, status="done"),
        help_request("H-MATCHED", minutes_ago=400, urgency="week", status="matched"),
    ):  # fmt: skip
        store.add(record)
    browser = signed_in(office, ann, "en")
    for reference, hours in (("H-CALL-SOON", 1), ("H-CALL-LATER", 5)):
        day, time = local(NOW + dt.timedelta(hours=hours, minutes=1))
        page = f"/staff/requests/{reference}"
        done(browser, send(browser, f"{page}/note", **{"note-text": "No answer", "note-date": day, "note-time": time}),
             page, "noted")  # fmt: skip
    send(browser, "/staff/requests/H-DAYS/claim")
    send(signed_in(office, jef), "/staff/requests/H-OLD-WEEK/claim")
    clock.advance(hours=2)
    browser = signed_in(office, ann, "en")  # a new session: two hours idle signed the first one out

    everything = browser.get("/staff/requests")

    expected = ["H-CALL-SOON", "H-TODAY", "H-TODAY-CONTACTED", "H-DAYS", "H-OLD-WEEK", "H-MATCHED", "H-CALL-LATER"]
    assert listed(everything) == expected, "call-backs due, urgent new, by urgency and age, later call-backs last"
    table = everything.soup.select_one("div.table-scroll[role=region][tabindex='0'] table.case-table")
    assert table.caption.text and all(th["scope"] == "col" for th in table.thead.find_all("th"))
    assert all(row.th["scope"] == "row" for row in table.tbody.find_all("tr"))
    rows = {row.th.a.text: row for row in table.tbody.find_all("tr")}
    assert "Call back now" in rows["H-CALL-SOON"].text and "Urgent, not contacted yet" in rows["H-TODAY"].text
    assert "jef.peeters" in rows["H-OLD-WEEK"].text and "nobody" in rows["H-TODAY"].text
    assert rows["H-TODAY"].th.a["href"] == "/staff/requests/H-TODAY"
    assert "7 open help requests" in everything.text()
    filters = {
        "status=contacted": ["H-TODAY-CONTACTED"],
        "neighbourhood=Kessel-Lo": ["H-TODAY", "H-DAYS"],
        "kind=letter": ["H-DAYS"],
        "language=en": ["H-TODAY"],
        "whose=mine": ["H-DAYS"],
        "whose=nobody": [r for r in expected if r not in ("H-DAYS", "H-OLD-WEEK")],
        "status=matched&neighbourhood=Leuven": ["H-MATCHED"],
        "status=nonsense": expected,
    }
    for query, references in filters.items():
        page = browser.get("/staff/requests", query)
        assert page.status == 200 and listed(page) == references, query
        for pair in query.split("&"):
            name, value = pair.split("=")
            selected = page.soup.select_one(f"form.filters select[name={name}] option[selected]")
            assert (selected["value"] if selected else "") == (value if value != "nonsense" else ""), query
    assert "1 open help request (filtered)" in browser.get("/staff/requests", "kind=letter").text()
    overdue = browser.get("/staff/requests", "status=new")
    assert "Waiting over 24 hours: 0" in overdue.text()
    assert "No open request fits these choices." in browser.get("/staff/requests", "kind=pharmacy").text()


# Claims -----------------------------------------------------------------------------------------------------


def test_a_claim_shows_colleagues_who_has_it_and_it_is_handed_over_by_name(
    office: BackOffice, store: SQLiteStore, ann: Account, jef: Account
) -> None:
    store.add(help_request("H-1"))
    make_account(store, "piet", "privacy_officer")
    make_account(store, "lies", "call_centre", display_name="Lies Maes")
    page = "/staff/requests/H-1"
    anns, jefs = signed_in(office, ann, "en"), signed_in(office, jef, "en")

    claimed = done(anns, send(anns, f"{page}/claim"), page, "claimed")
    seen = jefs.get(page)
    refused = send(jefs, f"{page}/claim")

    assert "You hold this request" in claimed.text()
    assert "ann.claes holds this request" in seen.text() and "Take this request" not in seen.text()
    assert refused.status == 409 and refused.soup.title.text.startswith("Error: ")
    assert summary(refused) == [("#claim", "H-1 is being handled by ann.claes: ask them to hand it over, or take "
                                           "it over from them.")]  # fmt: skip
    assert refused.soup.select_one("#claim .error-message").text.strip().endswith(summary(refused)[0][1])
    options = [option["value"] for option in claimed.soup.select("select[name=to] option")]
    assert options == ["", "jef.peeters", "lies"], "colleagues who may claim; not the privacy officer, not Ann"
    assert "Lies Maes (lies)" in claimed.text()
    wrong = send(anns, f"{page}/release", to="piet")
    assert wrong.status == 422 and summary(wrong) == [("#claim-to", "Choose the colleague to hand it over to.")]
    handed = done(anns, send(anns, f"{page}/release", to="jef.peeters"), page, "handed")
    assert "jef.peeters holds this request" in handed.text()
    assert "You hold this request" in jefs.get(page).text()
    taken = done(anns, send(anns, f"{page}/claim", **{"from": "jef.peeters"}), page, "taken")
    done(anns, send(anns, f"{page}/release"), page, "released")
    history = [li.text for li in anns.get(page).soup.select("#history li")]
    assert [line.split(": ", 1)[1] for line in history] == [
        "claimed by ann.claes", "handed over by ann.claes to jef.peeters", "handed over by jef.peeters to ann.claes",
        "released",
    ]  # fmt: skip
    assert "Take it over" not in taken.text()
    assert [(e.kind, e.other, e.by) for e in store.events("H-1")][-1] == ("claim", "", "ann.claes")
    actions = [action for who, action, ref in views(store) if ref == "H-1" and action != "view"]
    assert actions == ["claim", "hand_over", "hand_over", "release"]


# Notes and statuses -----------------------------------------------------------------------------------------


def test_a_note_with_a_call_back_puts_the_request_first_once_it_is_due(
    office: BackOffice, store: SQLiteStore, clock: Clock, ann: Account
) -> None:
    store.add(help_request("H-OLD", minutes_ago=600, urgency="regular"))
    store.add(help_request("H-URGENT", minutes_ago=10, urgency="today"))
    browser, page = signed_in(office, ann, "en"), "/staff/requests/H-OLD"
    day, time = local(NOW + dt.timedelta(hours=3))

    no_time = send(browser, f"{page}/note", **{"note-text": "Geen antwoord 🙂", "note-date": day})
    yesterday = (NOW - dt.timedelta(days=1)).astimezone(ZONE).date().isoformat()
    past = send(browser, f"{page}/note", **{"note-text": "Geen antwoord", "note-date": yesterday, "note-time": "9:00"})
    empty = send(browser, f"{page}/note", **{"note-text": "  ", "note-date": day, "note-time": time})
    kept = send(browser, f"{page}/note", **{"note-text": "Geen antwoord, na de middag", "note-date": day,
                                            "note-time": time})  # fmt: skip

    assert no_time.status == 422 and summary(no_time) == [("#note-time", "Enter the time to call back too, for "
                                                                        "example 14:00.")]  # fmt: skip
    assert no_time.soup.select_one("#note-text").text.strip() == "Geen antwoord 🙂", "what was typed stays"
    assert no_time.soup.select_one("#note-date")["value"] == day
    assert no_time.soup.select_one("#note-time")["aria-invalid"] == "true"
    assert past.status == 422 and summary(past) == [("#note-date", "A call-back must be later than now.")]
    assert empty.status == 422 and summary(empty)[0][0] == "#note-text"
    assert kept.status == 303 and kept.location == f"{page}?done=noted"
    note = store.events("H-OLD")[-1]
    wanted = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time), ZONE)
    assert (note.kind, note.reason, note.other) == ("note", "Geen antwoord, na de middag",
                                                    wanted.astimezone(dt.UTC).isoformat())  # fmt: skip
    assert listed(browser.get("/staff/requests")) == ["H-URGENT", "H-OLD"]
    assert f"call back {day} {time}" in browser.get(page).text()
    clock.advance(hours=3, minutes=1)
    assert listed(signed_in(office, ann, "en").get("/staff/requests")) == ["H-OLD", "H-URGENT"], "due: first"


def test_a_status_change_needs_a_reason_only_to_close(office: BackOffice, store: SQLiteStore, ann: Account) -> None:
    store.add(help_request("H-1"))
    browser, page = signed_in(office, ann, "en"), "/staff/requests/H-1"

    nothing = send(browser, f"{page}/status", **{"status-reason": "why not"})
    contacted = send(browser, f"{page}/status", **{"status-new": "contacted"})
    unexplained = send(browser, f"{page}/status", **{"status-new": "closed", "status-reason": " "})
    closed = send(browser, f"{page}/status", **{"status-new": "closed", "status-reason": "found help nearby"})

    assert nothing.status == 422 and summary(nothing) == [("#status-new-contacted", "Choose the new status.")]
    assert nothing.soup.select_one("#status-reason")["value"] == "why not"
    done(browser, contacted, page, "status")
    assert unexplained.status == 422
    assert summary(unexplained) == [("#status-reason", "Say why you close it, for example: moved away.")]
    assert unexplained.soup.select_one("#status-new-closed").has_attr("checked"), "the choice is kept"
    done(browser, closed, page, "status")
    record = store.get("H-1", now=NOW)
    assert record is not None and record.status == "closed"
    assert [(e.status, e.reason, e.by) for e in store.events("H-1")] == [
        ("contacted", "", "ann.claes"), ("closed", "found help nearby", "ann.claes"),
    ]  # fmt: skip
    assert "closed, found help nearby" in browser.get(page).text()
    assert listed(browser.get("/staff/requests")) == []


# Corrections ------------------------------------------------------------------------------------------------


def test_a_correction_is_kept_in_the_history_and_a_wrong_answer_brings_the_page_back_whole(
    office: BackOffice, store: SQLiteStore, ann: Account
) -> None:
    store.add(help_request("H-1"))
    browser, page = signed_in(office, ann, "en"), "/staff/requests/H-1"

    editor = browser.get(page, "correct=phone")
    wrong = send(browser, f"{page}/correct", question="phone", c_phone="call me")
    nothing = send(browser, f"{page}/correct", c_phone="0470")
    someone_else = send(browser, f"{page}/correct", question="for_whom", c_for_whom="someone-else")

    assert editor.soup.select_one("#c-phone")["value"] == "0470 12 34 56" and editor.soup.select_one("#c-phone")[
        "type"] == "tel"  # fmt: skip
    assert wrong.status == 422 and wrong.soup.title.text.startswith("Error: ")
    message = "Enter a phone number with only digits, spaces and + / . -, for example 0470 12 34 56"
    assert summary(wrong) == [("#c-phone", message)]
    assert wrong.soup.select_one("#c-phone")["value"] == "call me" and wrong.soup.select_one("#c-phone")[
        "aria-invalid"] == "true"  # fmt: skip
    assert message in wrong.soup.select_one("#c-phone-error").text
    assert wrong.soup.h1.text == "Help request H-1" and wrong.soup.select("#history, #claim, #note"), "whole page"
    assert nothing.status == 422 and summary(nothing)[0][0] == "#c-question"
    asked = [href for href, _text in summary(someone_else)]
    assert someone_else.status == 422 and "#c-asker_name" in asked and "#c-relationship" in asked
    assert someone_else.soup.select_one("#c-for_whom-someone-else").has_attr("checked"), "the typed answer stays"
    assert {i["value"] for i in someone_else.soup.select("input[name=question]")} >= {"for_whom", "asker_name"}
    record = store.get("H-1", now=NOW)
    assert record is not None and record.answers["phone"] == "0470 12 34 56", "nothing written on a refusal"

    fixed = send(browser, f"{page}/correct", question="phone", c_phone=" 016 12 34 56 ")
    shown = done(browser, fixed, page, "corrected")
    again = send(browser, f"{page}/correct", question="phone", c_phone="016 12 34 56")
    done(browser, again, page, "unchanged")
    kinds = send(browser, f"{page}/correct", question="help", c_help="dog")
    done(browser, kinds, page, "corrected")

    record = store.get("H-1", now=NOW)
    assert record is not None and record.answers["phone"] == "016 12 34 56" and record.answers["help"] == ("dog",)
    assert [(e.kind, e.other, e.reason) for e in store.events("H-1")] == [
        ("correction", "phone", "0470 12 34 56"), ("correction", "help", "groceries; dog"),
    ]  # fmt: skip
    assert "corrected Phone number on" in shown.text() and "was: 0470 12 34 56" in shown.text()
    assert "was: Groceries; Walking the dog" in browser.get(page).text()


# Matching ---------------------------------------------------------------------------------------------------


def test_suggestions_with_reasons_then_propose_confirm_slip_hand_out_and_undo(
    office: BackOffice, store: SQLiteStore, ann: Account
) -> None:
    store.add(help_request("H-1", postcode="3010", help=("dog",), street="Diestsesteenweg 12 bus 3"))
    store.add(volunteer("V-NEAR", name="Ann Janssens"))
    store.add(volunteer("V-FAR", postcode="3001", name="Bart Claes"))
    store.add(volunteer("V-FRENCH", languages=("en",)))
    browser, page = signed_in(office, ann, "en"), "/staff/requests/H-1"

    suggested = browser.get(page).soup.select("ol.suggestions li")

    assert [li.a.text for li in suggested] == ["V-NEAR", "V-FAR"], "only those who speak Dutch and walk dogs"
    assert "same neighbourhood (Kessel-Lo)" in suggested[0].text and "speaks Dutch" in suggested[0].text
    assert (
        "other neighbourhood (Heverlee)" in suggested[1].text and suggested[0].a["href"] == "/staff/volunteers/V-NEAR"
    )
    assert "zelfde wijk (Kessel-Lo)" in signed_in(office, ann, "nl").get(page).soup.select_one("ol.suggestions li").text

    unconfirmed = send(browser, f"{page}/confirm", volunteer="V-NEAR")
    assert unconfirmed.status == 409 and summary(unconfirmed) == [("#match", "Propose V-NEAR for H-1 first.")]
    proposed = done(browser, send(browser, f"{page}/propose", volunteer="V-NEAR"), page, "proposed")
    assert [li.a.text for li in proposed.soup.select("ol.suggestions li")] == ["V-FAR"]
    assert proposed.soup.select_one('form[action="/staff/requests/H-1/confirm"] input[name=volunteer]')["value"] == (
        "V-NEAR"
    )
    twice = send(browser, f"{page}/propose", volunteer="V-NEAR")
    assert twice.status == 409 and "already proposed or matched" in summary(twice)[0][1]
    no_slip = browser.get(f"{page}/slip")
    assert no_slip.status == 409 and no_slip.soup.h1.text == "No task slip yet"

    matched = done(browser, send(browser, f"{page}/confirm", volunteer="V-NEAR"), page, "confirmed")
    record = store.get("H-1", now=NOW)
    assert record is not None and record.status == "matched"
    assert matched.soup.select_one('a[href="/staff/requests/H-1/slip"]') and matched.soup.select_one(
        'a[href="/staff/requests/H-1/handout"]')  # fmt: skip
    assert not matched.soup.select("ol.suggestions"), "matched: no more suggestions"

    slip = browser.get(f"{page}/slip")
    assert slip.status == 200 and slip.soup.h1.text == "A task for Ann"
    sheet = slip.soup.select_one("article.slip-sheet").text
    assert "Diestsesteenweg 12 bus 3" in sheet and "0470 12 34 56" in sheet and "Maria" in sheet
    assert "Peeters" not in sheet, "a first name only"
    assert "<style" not in slip.body and " style=" not in slip.body
    css = (PROJECT_DIR / "theme" / "static" / "css" / "staff.css").read_text()
    assert "@media print" in css and "@page slip { size: A5;" in css and ".slip-sheet { page: slip;" in css
    handout = browser.get(f"{page}/handout")
    assert handout.status == 200 and handout.soup.select_one("pre.handout").text == handout_text(
        record, load_texts("en"), CITY)  # fmt: skip
    assert "Diestsesteenweg (Kessel-Lo)" in handout.text() and "Diestsesteenweg 12" not in handout.text()
    assert [(e.action, e.filter, e.rows, e.who) for e in store.log_entries()] == [
        ("slip", "one help request", 1, "ann.claes"), ("handout", "one help request", 1, "ann.claes"),
    ]  # fmt: skip

    silent = send(browser, f"{page}/undo", volunteer="V-NEAR", reason="")
    assert silent.status == 422 and summary(silent) == [
        ("#undo-V-NEAR-reason", "Say why you undo it, for example: not free after all.")]  # fmt: skip
    undone = done(browser, send(browser, f"{page}/undo", volunteer="V-NEAR", reason="ill after all"), page, "undone")
    record = store.get("H-1", now=NOW)
    assert record is not None and record.status == "contacted"
    assert "proposal or match with V-NEAR undone, contacted, ill after all" in undone.text()
    assert [li.a.text for li in undone.soup.select("ol.suggestions li")] == ["V-NEAR", "V-FAR"], "free again"
    assert [(e.kind, e.other) for e in store.events("V-NEAR")] == [
        ("proposal", "H-1"), ("confirm", "H-1"), ("match", "H-1"), ("undo", "H-1"),
    ]  # fmt: skip
    actions = [action for _who, action, ref in views(store) if ref == "H-1" and action != "view"]
    assert actions == ["propose", "confirm", "slip", "handout", "undo"]


def test_a_paused_volunteer_is_not_suggested_until_resumed(
    office: BackOffice, store: SQLiteStore, ann: Account
) -> None:
    store.add(help_request("H-1", postcode="3010", help=("dog",)))
    store.add(volunteer("V-1", name="Ann Janssens"))
    browser, page = signed_in(office, ann, "en"), "/staff/volunteers/V-1"
    casework.propose(store, "H-1", "V-1", "ann", NOW)
    casework.add_note(store, "V-1", "ann", "Prefers mornings", None, NOW)

    shown = browser.get(page)
    silent = send(browser, f"{page}/pause", **{"pause-reason": ""})
    paused = done(browser, send(browser, f"{page}/pause", **{"pause-reason": "away until May"}), page, "paused")
    twice = send(browser, f"{page}/pause", **{"pause-reason": "again"})

    terms, texts = shown.soup.select("dl.facts dt"), shown.soup.select("dl.facts dd")
    facts = {term.text: text.text for term, text in zip(terms, texts, strict=True)}
    assert facts["Suggestions"] == "Active: suggested" and facts["Free to help"] == "Evenings; Weekends"
    assert facts["Last matched"] == "no match yet" and facts["Last active"]
    assert "proposed: H-1 (new)" in shown.text() and shown.soup.select_one('#matches a[href="/staff/requests/H-1"]')
    assert "Prefers mornings" in shown.soup.select_one("#notes").text and "Ann Janssens" in shown.text()
    assert silent.status == 422 and summary(silent) == [("#pause-reason", "Say why you pause them, for example: "
                                                                         "away until May.")]  # fmt: skip
    assert "Paused: away until May" in paused.text()
    assert twice.status == 409 and summary(twice) == [("#suggestions", "V-1 is paused already.")]
    store.add(help_request("H-2", postcode="3010", help=("dog",)))
    assert not browser.get("/staff/requests/H-2").soup.select("ol.suggestions li"), "paused: not suggested"
    blocked = send(browser, "/staff/requests/H-2/propose", volunteer="V-1")
    assert blocked.status == 409 and summary(blocked)[0][1] == "V-1 is paused: resume them on their page first."
    done(browser, send(browser, f"{page}/resume"), page, "resumed")
    assert [li.a.text for li in browser.get("/staff/requests/H-2").soup.select("ol.suggestions li")] == ["V-1"]
    noted = send(browser, f"{page}/note", **{"note-text": "Back from holiday"})
    assert done(browser, noted, page, "noted").soup.select("#notes li")[-1].text.endswith("Back from holiday")
    assert [(e.kind, e.reason) for e in store.events("V-1")][-3:] == [
        ("pause", "away until May"), ("resume", ""), ("note", "Back from holiday"),
    ]  # fmt: skip


# Roles ------------------------------------------------------------------------------------------------------


def test_the_call_centre_can_note_and_claim_but_not_propose(office: BackOffice, store: SQLiteStore) -> None:
    store.add(help_request("H-1"))
    store.add(volunteer("V-1", postcode="3000", help=("groceries",)))
    lies = signed_in(office, make_account(store, "lies", "call_centre"), "en")
    page = "/staff/requests/H-1"

    shown = lies.get(page)
    propose = send(lies, f"{page}/propose", volunteer="V-1")

    assert shown.status == 200 and not shown.soup.select("ol.suggestions, form[action$=propose], #correct")
    assert shown.soup.select('form[action$="/claim"]') and shown.soup.select('form[action$="/note"]')
    assert propose.status == 403 and "You cannot do this" in propose.text()
    assert lies.get("/staff/requests").status == 403, "the working list is the coordinators'"
    assert lies.get(f"{page}/slip").status == 403 and lies.get(f"{page}/handout").status == 403
    done(lies, send(lies, f"{page}/claim"), page, "claimed")
    done(lies, send(lies, f"{page}/note", **{"note-text": "Called, will call back"}), page, "noted")
    assert [e.kind for e in store.events("H-1")] == ["claim", "note"]
    assert ("lies", "refused", "H-1") in views(store)


# The audit log, and pages that are not there ------------------------------------------------------------------


def test_every_view_of_a_record_is_audited_and_names_no_personal_data(
    office: BackOffice, store: SQLiteStore, ann: Account
) -> None:
    store.add(help_request("H-1"))
    store.add(volunteer("V-1"))
    browser = signed_in(office, ann, "en")

    answers = [browser.get("/staff/requests/H-1"), browser.get("/staff/volunteers/V-1"),
               send(browser, "/staff/requests/H-1/status", **{"status-new": "closed"})]  # fmt: skip
    moved = browser.get("/staff/requests/V-1")
    missing = [browser.get("/staff/requests/H-NONE"), browser.get("/staff/volunteers/H-1"),
               send(browser, "/staff/requests/H-NONE/claim"), browser.get("/staff/requests/H-NONE/slip"),
               send(browser, "/staff/requests/V-1/claim"), send(browser, "/staff/volunteers/H-1/pause")]  # fmt: skip

    assert [a.status for a in answers] == [200, 200, 422] and all(
        a.headers["cache-control"] == "no-store" for a in answers
    )
    assert moved.status == 303 and moved.location == "/staff/volunteers/V-1"
    assert [a.status for a in missing] == [404] * 6
    assert views(store) == [("ann.claes", "view", "H-1"), ("ann.claes", "view", "V-1"), ("ann.claes", "view", "H-1")]
    kept = " ".join(f"{e.who} {e.action} {e.reference}" for e in store.audit_entries(now=NOW))
    assert "Maria" not in kept and "0470" not in kept


# The HTML checker -------------------------------------------------------------------------------------------


def test_the_w3c_html_checker_finds_no_errors_on_the_case_work_pages(
    office: BackOffice, store: SQLiteStore, clock: Clock, ann: Account, jef: Account, tmp_path: Path
) -> None:
    java = require_vnu()
    store.add(help_request("H-FREE", urgency="today", postcode="3010", help=("dog",), details="Twee\nregels"))
    store.add(help_request("H-OTHER", minutes_ago=30 * 60, for_whom="someone-else", asker_name="Els Peeters",
                           asker_phone="0470 11 22 33", relationship="my mother", agreed="yes"))  # fmt: skip
    store.add(help_request("H-MATCHED", postcode="3010", help=("dog",)))
    for record in (volunteer("V-1"), volunteer("V-2", postcode="3001"), volunteer("V-3")):
        store.add(record)
    casework.pause(store, "V-3", "away", "ann", NOW)
    casework.match(store, "H-MATCHED", "V-1", "ann", NOW)
    casework.propose(store, "H-OTHER", "V-2", "ann", NOW)
    casework.claim(store, "H-OTHER", "jef.peeters", NOW)
    casework.add_note(store, "H-FREE", "ann", "Geen antwoord", NOW + dt.timedelta(minutes=30), NOW)
    clock.advance(minutes=31)
    answers: dict[str, Answer] = {}
    for lang in ("nl", "en"):
        browser = signed_in(office, ann, lang)
        day, time = local(clock.now + dt.timedelta(days=1))
        answers |= {
            f"today-{lang}": browser.get("/staff/"),
            f"worklist-{lang}": browser.get("/staff/requests", "neighbourhood=Kessel-Lo&whose=nobody"),
            f"worklist-empty-{lang}": browser.get("/staff/requests", "kind=pharmacy"),
            f"request-{lang}": browser.get("/staff/requests/H-FREE"),
            f"request-held-{lang}": browser.get("/staff/requests/H-OTHER"),
            f"request-matched-{lang}": browser.get("/staff/requests/H-MATCHED", "done=confirmed"),
            f"request-correct-{lang}": browser.get("/staff/requests/H-FREE", "correct=help"),
            f"note-error-{lang}": send(browser, "/staff/requests/H-FREE/note", **{"note-text": "x", "note-date": day}),
            f"note-time-{lang}": send(
                browser, "/staff/requests/H-FREE/note", **{"note-text": "", "note-date": day, "note-time": time}
            ),
            f"claim-refused-{lang}": send(browser, "/staff/requests/H-OTHER/claim"),
            f"correct-error-{lang}": send(
                browser, "/staff/requests/H-FREE/correct", question="for_whom", c_for_whom="someone-else"
            ),
            f"undo-error-{lang}": send(browser, "/staff/requests/H-MATCHED/undo", volunteer="V-1", reason=""),
            f"volunteer-{lang}": browser.get("/staff/volunteers/V-1"),
            f"volunteer-paused-{lang}": browser.get("/staff/volunteers/V-3", "done=paused"),
            f"pause-error-{lang}": send(browser, "/staff/volunteers/V-2/pause", **{"pause-reason": ""}),
            f"slip-{lang}": browser.get("/staff/requests/H-MATCHED/slip"),
            f"no-slip-{lang}": browser.get("/staff/requests/H-FREE/slip"),
            f"handout-{lang}": browser.get("/staff/requests/H-FREE/handout"),
        }
    expected = {
        "today": 200, "worklist": 200, "worklist-empty": 200, "request": 200, "request-held": 200,
        "request-matched": 200, "request-correct": 200, "note-error": 422, "note-time": 422, "claim-refused": 409,
        "correct-error": 422, "undo-error": 422, "volunteer": 200, "volunteer-paused": 200, "pause-error": 422,
        "slip": 200, "no-slip": 409, "handout": 200,
    }  # fmt: skip
    assert {name: answer.status for name, answer in answers.items()} == {
        f"{name}-{lang}": status for lang in ("nl", "en") for name, status in expected.items()
    }
    for lang in ("nl", "en"):  # one page, one title: each kind of page and each record has its own
        distinct = ["today", "worklist", "request", "request-held", "request-matched", "volunteer", "volunteer-paused",
                    "slip", "handout"]  # fmt: skip
        titles = [answers[f"{name}-{lang}"].soup.title.text for name in distinct]
        assert len(set(titles)) == len(titles), titles
    for answer in answers.values():
        assert len(answer.soup.find_all("h1")) == 1
        assert "<script" not in answer.body and " style=" not in answer.body and "<style" not in answer.body
        assert all(form.has_attr("novalidate") for form in answer.soup.find_all("form"))
        assert all(form.select_one("input[name=csrf]") for form in answer.soup.find_all("form", method="post"))
        if answer.soup.select(".error-summary"):
            assert answer.soup.title.text.startswith(("Fout: ", "Error: "))
            assert answer.soup.main.find(True) == answer.soup.select_one(".error-summary"), "first in <main>"
    assert answers["request-nl"].soup.select_one("#note-title").text == "Belnotitie"
    pages = save_pages(tmp_path / "pages", answers)
    checked = subprocess.run(
        [str(java), "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, pages)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    report = json.loads(checked.stderr or checked.stdout)
    errors = [
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine', '')}: {m['message']}" for m in report["messages"]
    ]
    assert errors == []


# In Chromium ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(leuven_site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SQLiteStore]]:
    """The back office over real HTTP for Chromium, with the built site's stylesheets (as in the core's tests)."""
    store = SQLiteStore(tmp_path_factory.mktemp("casework") / "helpt.sqlite3")
    store.add(help_request("H-URGENT", urgency="today", postcode="3010", help=("dog",), details="Twee\nregels"))
    store.add(help_request("H-OTHER", minutes_ago=30 * 60, for_whom="someone-else", asker_name="Els Peeters",
                           asker_phone="0470 11 22 33", relationship="my mother", agreed="yes"))  # fmt: skip
    store.add(volunteer("V-1", name="Ann Janssens"))
    store.add(volunteer("V-2", postcode="3001"))
    make_account(store, "ann.claes", "coordinator", display_name="Ann Claes")
    make_account(store, "jef.peeters", "coordinator")
    with serve_back_office(BackOffice(CITY, store, secure=False), leuven_site.root) as url:
        yield url, store


def _sign_in(page: Any, url: str, name: str = "ann.claes") -> None:
    page.goto(f"{url}/staff/signin")
    page.get_by_label("Aanmeldnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()


def test_a_coordinator_takes_a_request_from_the_list_to_the_task_slip_without_javascript(
    browser, served: tuple[str, SQLiteStore]
) -> None:
    url, store = served
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, url)
    page.get_by_role("link", name="Werklijst", exact=True).click()
    page.get_by_role("link", name="H-URGENT").click()
    assert page.title() == "Hulpvraag H-URGENT – Backoffice Leuven Helpt"
    page.get_by_role("button", name="Neem deze hulpvraag").click()
    assert page.get_by_role("status").inner_text().startswith("Je hebt deze hulpvraag nu in behandeling")
    page.get_by_role("button", name="Bewaar de notitie").click()
    assert page.title().startswith("Fout: ") and page.get_by_label("Wat het gesprek opleverde").count() == 1
    page.get_by_label("Wat het gesprek opleverde").fill("Belt terug na de middag")
    page.get_by_role("button", name="Bewaar de notitie").click()
    page.get_by_role("button", name="Stel V-1 voor").click()
    page.get_by_role("button", name="Beide akkoord: koppel V-1").click()
    assert page.get_by_role("status").inner_text().startswith("Gekoppeld.")
    page.get_by_role("link", name="De taakfiche voor Ann, om af te drukken (A5)").click()
    assert page.locator("h1").inner_text() == "Een taak voor Ann"
    context.close()
    kinds = [event.kind for event in store.events("H-URGENT")]
    assert kinds == ["claim", "note", "proposal", "confirm", "match"]


def test_axe_finds_no_violations_and_nothing_scrolls_sideways_on_the_case_work_pages(
    browser, served: tuple[str, SQLiteStore]
) -> None:
    url, store = served
    casework.match(store, "H-OTHER", "V-2", "jef.peeters", NOW)
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    sweep = Sweep()

    def check(name: str) -> None:
        sweep.check(page, name)

    _sign_in(page, url)
    for lang in ("nl", "en"):
        for name, path in [("today", "/staff/"), ("worklist", "/staff/requests?whose=nobody"),
                           ("request", "/staff/requests/H-URGENT"), ("matched", "/staff/requests/H-OTHER"),
                           ("correct", "/staff/requests/H-OTHER?correct=help"), ("volunteer", "/staff/volunteers/V-2"),
                           ("slip", "/staff/requests/H-OTHER/slip"), ("handout", "/staff/requests/H-OTHER/handout"),
                           ("no-slip", "/staff/requests/H-URGENT/slip")]:  # fmt: skip
            page.goto(url + path)
            check(f"{name}-{lang}")
        page.goto(f"{url}/staff/requests/H-URGENT")
        page.locator("#note-date").fill("2020-03-16")
        page.locator("#note form button, form[action$='/note'] button").first.click()
        check(f"note-error-{lang}")
        page.goto(f"{url}/staff/requests/H-OTHER?correct=for_whom")
        page.locator("#c-for_whom-self").check()
        page.locator("form[action$='/correct'] button").click()
        check(f"correct-error-{lang}")
        page.locator("header form[action='/staff/language'] button").first.click()
    context.close()
    assert sweep.clean(), (sweep.findings, sweep.overflowing)


@pytest.mark.parametrize("path", ["/staff/", "/staff/requests"])
def test_every_page_gives_the_phone_line_with_its_opening_hours(office: BackOffice, ann: Account, path: str) -> None:
    """The city's promise ("24 hours") must not take the place of the phone line's hours in the footer."""
    office.store.add(help_request("H-AAAA-BBBB", minutes_ago=60 * 30, urgency="today"))
    page = signed_in(office, ann).get(path)
    footer = page.soup.find("footer").get_text(" ", strip=True)
    assert "016/27.27.72" in footer and "08:00" in footer and "20:00" in footer, footer
    assert "(24)" not in footer
