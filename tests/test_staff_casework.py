"""Case work as coordinators do it: the working list, claims, call notes, matches in two steps, pausing
volunteers, and suggestions that spread the work; on SQLite, moto and dynalite, through the core operations
(which the web back office calls) and through `helpt`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from conftest import LEUVEN
from test_staff_support import NOW, Staff, answers_of, help_request, volunteer

from helpt.settings import load_city
from helpt.staff import casework
from helpt.staff.casework_commands import promise_hours
from helpt.staff.problems import StaffProblem
from helpt.staff.suggestions import VolunteerPool, free_today, reason_text, suggest
from helpt.staff.texts import load_texts
from helpt.staff.worklist import Filters, working_list
from helpt.stores import Event
from helpt.submissions import Submission, expiry

pytest_plugins = ["dynamodb_servers", "test_staff_support"]
CITY = load_city(LEUVEN)
CITY_ZONE = ZoneInfo(CITY.timezone)
LATER = NOW + dt.timedelta(minutes=1)


def listed(store: object, now: dt.datetime = LATER, **filters: object) -> list[str]:
    records = store.records(form="help_request", now=now)  # type: ignore[attr-defined]
    return [item.request.reference for item in working_list(records, now=now, city=CITY, filters=Filters(**filters))]


def volunteers_of(store: object, now: dt.datetime = LATER) -> list[tuple[Submission, list[Event]]]:
    return list(store.records(form="volunteer_signup", now=now))  # type: ignore[attr-defined]


# The working list -------------------------------------------------------------------------------------------


def test_contacted_and_matched_stay_on_the_list_until_done_or_closed(staff: Staff) -> None:
    staff.add(*(help_request(f"H-{n}", minutes_ago=100 - n) for n in range(1, 6)), volunteer("V-1"))
    casework.set_status(staff.store, "H-1", "contacted", "", "ann", NOW)
    casework.match(staff.store, "H-2", "V-1", "ann", NOW)
    casework.set_status(staff.store, "H-3", "done", "", "ann", NOW)
    casework.set_status(staff.store, "H-4", "closed", "found help nearby", "ann", NOW)

    assert listed(staff.store) == ["H-1", "H-2", "H-5"], "oldest first at the same urgency"
    assert listed(staff.store, status="contacted") == ["H-1"]
    result = staff("worklist", "--status", "matched")
    assert result.code == 0, result.err
    assert result.out.startswith("1 open help request | ") and "H-2" in result.out and "H-1" not in result.out


def test_call_backs_due_come_first_then_urgent_then_by_urgency_and_later_call_backs_last(staff: Staff) -> None:
    staff.add(
        help_request("H-OLD-WEEK", minutes_ago=900, urgency="week"),
        help_request("H-DAYS", minutes_ago=600, urgency="days"),
        help_request("H-TODAY-CONTACTED", minutes_ago=500, urgency="today", status="contacted"),
        help_request("H-TODAY", minutes_ago=30, urgency="today"),
        help_request("H-CALL-SOON", minutes_ago=800, urgency="regular"),
        help_request("H-CALL-LATER", minutes_ago=700, urgency="today"),
    )
    casework.add_note(staff.store, "H-CALL-SOON", "ann", "No answer", NOW + dt.timedelta(hours=1), NOW)
    casework.add_note(staff.store, "H-CALL-LATER", "ann", "Call after work", NOW + dt.timedelta(hours=5), NOW)
    two_hours_on = NOW + dt.timedelta(hours=2)

    order = listed(staff.store, now=two_hours_on)

    assert order == ["H-CALL-SOON", "H-TODAY", "H-TODAY-CONTACTED", "H-DAYS", "H-OLD-WEEK", "H-CALL-LATER"]
    records = staff.store.records(form="help_request", now=two_hours_on)
    items = {i.request.reference: i for i in working_list(records, now=two_hours_on, city=CITY)}
    assert items["H-CALL-SOON"].call_back_due and items["H-CALL-LATER"].call_back_later == NOW + dt.timedelta(hours=5)
    casework.set_status(staff.store, "H-CALL-SOON", "contacted", "", "ann", two_hours_on)
    assert listed(staff.store, now=two_hours_on)[0] == "H-TODAY", "worked on once due: the call-back is answered"


def test_overdue_means_waiting_longer_than_the_promise_without_a_first_contact(local_staff: Staff) -> None:
    staff = local_staff
    staff.add(help_request("H-WAITING", minutes_ago=25 * 60), help_request("H-CALLED", minutes_ago=26 * 60))
    staff.add(help_request("H-FRESH", minutes_ago=60))
    casework.set_status(staff.store, "H-CALLED", "contacted", "", "ann", NOW)
    records = list(staff.store.records(form="help_request", now=NOW))

    overdue = {i.request.reference for i in working_list(records, now=NOW, city=CITY) if i.overdue}
    within_48 = {i.request.reference for i in working_list(records, now=NOW, city=CITY, promise_hours=48) if i.overdue}

    assert overdue == {"H-WAITING"} and within_48 == set()
    out = staff("worklist").out
    assert "waiting over 24 h: 1" in out and re.search(r"^H-WAITING .*OVERDUE", out, re.MULTILINE)
    patient = dataclasses.replace(CITY, staff=dataclasses.replace(CITY.staff, promise_hours=48))
    assert promise_hours(CITY) == 24 and promise_hours(patient) == 48, "the city setting staff.promise_hours"


def test_the_filters(local_staff: Staff) -> None:
    staff = local_staff
    staff.add(
        help_request("H-KL-DOG", postcode="3010", help=("dog",)),
        help_request("H-LEUVEN-EN", postcode="3000", help=("groceries",), language="en"),
        help_request("H-KL-LETTER", postcode="3010", help=("letter",)),
    )
    casework.claim(staff.store, "H-KL-DOG", staff.who, NOW)
    casework.claim(staff.store, "H-LEUVEN-EN", "jef", NOW)

    assert listed(staff.store, neighbourhood="kessel-lo") == ["H-KL-DOG", "H-KL-LETTER"]
    assert listed(staff.store, help="dog") == ["H-KL-DOG"] and listed(staff.store, language="en") == ["H-LEUVEN-EN"]
    assert listed(staff.store, claimed_by="jef") == ["H-LEUVEN-EN"]
    assert listed(staff.store, unclaimed=True) == ["H-KL-LETTER"]
    mine, nobodys = staff("worklist", "--mine").out, staff("worklist", "--unclaimed", "--kind", "letter").out
    assert "H-KL-DOG" in mine and "H-LEUVEN-EN" not in mine and f"claimed by: {staff.who}" in mine
    assert "H-KL-LETTER" in nobodys and "H-KL-DOG" not in nobodys
    assert staff("worklist", "--mine", "--unclaimed").code == 2, "one or the other"


# Claims -----------------------------------------------------------------------------------------------------


def test_two_coordinators_cannot_hold_the_same_request(staff: Staff) -> None:
    staff.add(help_request("H-1"))

    assert casework.claim(staff.store, "H-1", "ann", NOW).claimed_by == "ann"
    with pytest.raises(StaffProblem) as refused:
        casework.claim(staff.store, "H-1", "jef", NOW)
    with pytest.raises(StaffProblem):
        casework.release(staff.store, "H-1", "jef", NOW)
    casework.claim(staff.store, "H-1", "ann", NOW)  # again: nothing changes
    handed = casework.hand_over(staff.store, "H-1", "ann", "jef", LATER)
    with pytest.raises(StaffProblem):
        casework.hand_over(staff.store, "H-1", "ann", "piet", LATER)
    released = casework.release(staff.store, "H-1", "jef", LATER)

    assert "H-1 is being handled by ann" in str(refused.value)
    assert handed.claimed_by == "jef" and released.claimed_by == ""
    assert [(e.kind, e.other, e.reason, e.by) for e in staff.store.events("H-1")] == [
        ("claim", "ann", "", "ann"), ("claim", "jef", "handed over by ann", "ann"), ("claim", "", "", "jef"),
    ]  # fmt: skip
    assert casework.claim(staff.store, "H-1", "piet", LATER).claimed_by == "piet"


class _ColleagueAtTheSameMoment:
    """The store, with a colleague's claim written right after each claim of ours (two people, one moment)."""

    def __init__(self, store: object) -> None:
        self.store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def record_event(self, reference: str, event: Event, *, now: dt.datetime | None = None) -> bool:
        written = self.store.record_event(reference, event, now=now)  # type: ignore[attr-defined]
        if event.kind == "claim":
            self.store.record_event(reference, dataclasses.replace(event, other="jef", by="jef"), now=now)  # type: ignore[attr-defined]
        return written


def test_of_two_claims_at_the_same_moment_the_loser_is_told_at_once(local_staff: Staff) -> None:
    local_staff.add(help_request("H-1"))

    with pytest.raises(StaffProblem, match="H-1 is being handled by jef"):
        casework.claim(_ColleagueAtTheSameMoment(local_staff.store), "H-1", "ann", NOW)  # type: ignore[arg-type]

    assert casework.state_of(local_staff.store, local_staff.store.get("H-1")).claimed_by == "jef"


def test_claim_release_and_take_over_on_the_command_line(local_staff: Staff) -> None:
    staff = local_staff
    staff.add(help_request("H-1"))
    casework.claim(staff.store, "H-1", "jef.peeters", NOW)

    refused = staff("claim", "H-1", lang="nl")
    taken = staff("claim", "H-1", "--from", "jef.peeters")
    handed = staff("release", "H-1", "--to", "ann.claes")
    shown = staff("show", "H-1").out

    assert refused.code == 1 and "jef.peeters" in refused.err
    assert taken.code == 0 and "You took H-1 over from jef.peeters." in taken.out
    assert handed.code == 0 and "Claimed by: ann.claes" in shown
    assert f"handed over by jef.peeters to {staff.who}" in shown and f"handed over by {staff.who} to ann.claes" in shown


# Call notes and statuses ------------------------------------------------------------------------------------


def test_a_note_with_a_call_back_is_kept_and_checked(staff: Staff) -> None:
    staff.add(help_request("H-1"))
    at_two = NOW + dt.timedelta(hours=3)

    state = casework.add_note(staff.store, "H-1", "ann", "  Geen antwoord, 🙂 later  ", at_two, NOW)
    for text, when in [("x" * 1001, None), ("bell\x07", None), ("  ", None), ("ok", NOW - dt.timedelta(minutes=1))]:
        with pytest.raises(StaffProblem):
            casework.add_note(staff.store, "H-1", "ann", text, when, NOW)
    casework.add_note(staff.store, "H-1", "ann", "Line one\nline two\t" + "x" * 980, None, LATER)

    assert (state.note, state.call_back_at) == ("Geen antwoord, 🙂 later", at_two)
    events = staff.store.events("H-1")
    assert [(e.kind, e.other) for e in events] == [("note", at_two.astimezone(dt.UTC).isoformat()), ("note", "")]
    assert casework.state_of(staff.store, staff.store.get("H-1")).call_back_at is None, "the latest note counts"


def test_notes_on_the_command_line_and_in_the_history(local_staff: Staff) -> None:
    staff = local_staff
    staff.add(help_request("H-1"))

    noted = staff("note", "H-1", "Geen antwoord", "--call-back", "2999-03-16 14:00", lang="nl")
    past = staff("note", "H-1", "Geen antwoord", "--call-back", "2020-03-16 14:00")
    wrong = staff("note", "H-1", "Geen antwoord", "--call-back", "tomorrow")
    shown = staff("show", "H-1").out

    assert noted.code == 0 and "2999-03-16 14:00" in noted.out
    assert past.code == 1 and "later than now" in past.err and wrong.code == 2
    assert "Call back: 2999-03-16 14:00" in shown and "note: Geen antwoord, call back 2999-03-16 14:00" in shown


def test_closing_needs_a_reason_and_reasons_are_checked(staff: Staff) -> None:
    staff.add(help_request("H-1"))
    for reason in ("", "a\x00b"):
        with pytest.raises(StaffProblem):
            casework.set_status(staff.store, "H-1", "closed", reason, "ann", NOW)
    casework.set_status(staff.store, "H-1", "closed", " moved away ", "ann", NOW)
    assert [(e.status, e.reason) for e in staff.store.events("H-1")] == [("closed", "moved away")]


# Matches in two steps ---------------------------------------------------------------------------------------


def test_propose_then_confirm_then_undo(staff: Staff) -> None:
    staff.add(help_request("H-1", status="contacted"), volunteer("V-1", help=("groceries",)), volunteer("V-2"))
    staff.add(volunteer("V-3"))

    proposed = casework.propose(staff.store, "H-1", "V-1", "ann", NOW)
    casework.propose(staff.store, "H-1", "V-2", "ann", NOW)
    with pytest.raises(StaffProblem, match="Propose V-3"):
        casework.confirm(staff.store, "H-1", "V-3", "ann", NOW)
    confirmed = casework.confirm(staff.store, "H-1", "V-1", "ann", LATER)

    assert proposed.proposals == ("V-1",) and proposed.status == "contacted", "a proposal: the status stays"
    assert confirmed.fits and confirmed.request.status == "matched" and confirmed.volunteer.reference == "V-1"
    assert casework.matched_volunteer(staff.store, confirmed.request) == "V-1"
    assert [e.kind for e in staff.store.events("V-1")] == ["proposal", "confirm", "match"]
    assert "V-1" in staff.store.last_matched(now=LATER), "the stores' last_matched still counts matches"
    state = casework.state_of(staff.store, confirmed.request)
    assert (state.proposals, state.confirmed) == (("V-2",), ("V-1",))

    with pytest.raises(StaffProblem):
        casework.undo(staff.store, "H-1", "V-1", "  ", "ann", LATER)
    casework.undo(staff.store, "H-1", "V-1", "wrong person", "ann", LATER)

    after = casework.state_of(staff.store, staff.store.get("H-1"))
    assert staff.store.get("H-1").status == "contacted" and after.confirmed == () and after.proposals == ("V-2",)
    assert casework.state_of(staff.store, staff.store.get("V-1")).last_matched is None, "undone: not matched"
    assert staff.store.events("V-1")[-1] == Event(LATER, "undo", reason="wrong person", other="H-1", by="ann")
    with pytest.raises(StaffProblem, match="nothing to undo"):
        casework.undo(staff.store, "H-1", "V-1", "again", "ann", LATER)


def test_matching_refuses_what_cannot_be(staff: Staff) -> None:
    staff.add(help_request("H-1"), help_request("H-DONE", status="done"), volunteer("V-1"), volunteer("V-2"))
    staff.add(volunteer("V-CLOSED", status="closed"))
    casework.match(staff.store, "H-1", "V-1", "ann", NOW)

    for request, volunteer_ref, message in [
        ("H-1", "V-1", "already proposed or matched"), ("H-1", "V-2", "undo that match first"),
        ("H-DONE", "V-2", "done or closed"), ("H-1", "V-CLOSED", "closed"), ("V-1", "H-1", "not a help request"),
    ]:  # fmt: skip
        with pytest.raises(StaffProblem, match=message):
            casework.propose(staff.store, request, volunteer_ref, "ann", NOW)


def test_the_two_steps_on_the_command_line(local_staff: Staff) -> None:
    staff = local_staff
    staff.add(help_request("H-1"), volunteer("V-1", name="Ann Janssens"))

    proposed = staff("propose", "H-1", "V-1", lang="nl")
    confirmed = staff("confirm", "H-1", "V-1")
    slip = staff("slip", "H-1", "--output", str(staff.tmp_path / "slip.pdf"))
    no_reason = staff("undo", "H-1", "V-1")
    undone = staff("undo", "H-1", "V-1", "--reason", "kan toch niet")
    shown = staff("show", "H-1").out

    assert proposed.code == 0 and "helpt confirm H-1 V-1" in proposed.out
    assert confirmed.code == 0 and "V-1 takes H-1" in confirmed.out and slip.code == 0, slip.err
    assert no_reason.code == 2 and undone.code == 0 and "back to contacted" in undone.out
    assert "Status: contacted" in shown
    history = shown.split("History:")[1]
    assert "proposed V-1" in history and "match confirmed with V-1 (both agreed), matched" in history
    assert "matched with V-1" not in history, "the match recorded with its confirmation is shown once"
    assert "proposal or match with V-1 undone, contacted, kan toch niet" in history
    assert "proposed for H-1" in staff("show", "V-1").out


# Pausing volunteers -----------------------------------------------------------------------------------------


def test_a_paused_volunteer_is_never_suggested_until_resumed(staff: Staff) -> None:
    staff.add(help_request("H-1", postcode="3010"), volunteer("V-1", postcode="3010"), volunteer("V-2"))
    request = staff.store.get("H-1")

    casework.pause(staff.store, "V-1", "away until May", "ann", NOW)
    with pytest.raises(StaffProblem, match="paused already"):
        casework.pause(staff.store, "V-1", "again", "ann", NOW)
    with pytest.raises(StaffProblem, match="paused"):
        casework.propose(staff.store, "H-1", "V-1", "ann", NOW)
    paused = [s.volunteer.reference for s in suggest(request, volunteers_of(staff.store), now=LATER, city=CITY)]
    casework.resume(staff.store, "V-1", "ann", LATER)
    resumed = [s.volunteer.reference for s in suggest(request, volunteers_of(staff.store), now=LATER, city=CITY)]

    assert paused == ["V-2"] and resumed == ["V-1", "V-2"]
    with pytest.raises(StaffProblem, match="not paused"):
        casework.resume(staff.store, "V-1", "ann", LATER)


def test_pause_and_resume_on_the_command_line(local_staff: Staff) -> None:
    local_staff.add(volunteer("V-1"))
    assert local_staff("pause", "V-1").code == 2, "a reason is needed"
    assert local_staff("pause", "V-1", "--reason", "ziek", lang="nl").code == 0
    assert "Paused: ziek" in local_staff("show", "V-1").out
    assert local_staff("resume", "V-1").out.strip() == "V-1 is suggested again."
    history = local_staff("show", "V-1").out.split("History:")[1]
    assert ": paused, ziek" in history and ": suggested again" in history and "Paused:" not in history


# Suggestions ------------------------------------------------------------------------------------------------

TUESDAY_3PM = dt.datetime(2020, 3, 17, 14, 0, tzinfo=dt.UTC)  # 15:00 in Leuven
SATURDAY_11PM = dt.datetime(2020, 3, 21, 22, 30, tzinfo=dt.UTC)


def test_free_today_goes_by_the_weekday_and_time_in_the_city() -> None:
    local = TUESDAY_3PM.astimezone(CITY_ZONE)
    assert free_today(("weekday-mornings", "weekday-afternoons", "weekends"), local) == ("weekday-afternoons",)
    assert free_today(("evenings", "weekends"), SATURDAY_11PM.astimezone(CITY_ZONE)) == ()


def test_suggestions_weigh_availability_load_neighbourhood_and_last_match_and_say_why() -> None:
    request = help_request("H-1", postcode="3010", urgency="today", help=("groceries",))
    morning = volunteer("V-MORNING", postcode="3010", availability=("weekday-mornings",), help=("groceries",))
    far = volunteer("V-FAR", postcode="3000", availability=("evenings",), help=("groceries", "dog"))
    busy = volunteer("V-BUSY", postcode="3010", availability=("evenings",), help=("groceries",))
    recent = volunteer("V-RECENT", postcode="3010", availability=("weekday-afternoons",), help=("groceries",))
    new = volunteer("V-NEW", postcode="3010", availability=("evenings",), help=("groceries",), minutes_ago=5)
    english = volunteer("V-EN", postcode="3010", languages=("en",), help=("groceries",))
    three_days_ago = TUESDAY_3PM - dt.timedelta(days=3)
    pairs = [
        (morning, []), (far, []), (busy, [Event(three_days_ago, "proposal", other="H-9")]),
        (recent, [Event(three_days_ago, "confirm", other="H-8")]), (new, []), (english, []),
    ]  # fmt: skip

    pool = VolunteerPool(pairs, CITY, open_requests={"H-1", "H-9"})  # H-8 is done

    found = suggest(request, pool, now=TUESDAY_3PM, city=CITY, limit=10)

    assert [s.volunteer.reference for s in found] == ["V-NEW", "V-RECENT", "V-FAR", "V-BUSY", "V-MORNING"]
    english_texts, dutch_texts = load_texts("en"), load_texts("nl")
    why = {s.volunteer.reference: [reason_text(r, english_texts) for r in s.reasons] for s in found}
    assert why["V-NEW"] == [
        "same neighbourhood (Kessel-Lo)", "speaks Dutch", "offers groceries", "free today: evenings", "no match yet"
    ]  # fmt: skip
    assert why["V-RECENT"][-1] == "last matched 3 days ago" and why["V-FAR"][0] == "other neighbourhood (Leuven)"
    assert "proposed or matched for 1 open request" in why["V-BUSY"] and "not free today" in why["V-MORNING"]
    dutch = [reason_text(r, dutch_texts) for r in found[0].reasons]
    assert dutch[1:4] == ["spreekt Nederlands", "biedt boodschappen", "vandaag vrij: ’s avonds"]
    later = dataclasses.replace(request, answers={**request.answers, "urgency": "days"})
    days = {s.volunteer.reference: s for s in suggest(later, pool, now=TUESDAY_3PM, city=CITY, limit=10)}
    assert reason_text(days["V-NEW"].reasons[3], english_texts) == "free evenings", "not urgent: any time, noted"
    assert next(iter(days)) == "V-MORNING", "not urgent: mornings will do, and they signed up first"


def test_a_finished_request_is_no_longer_a_task_of_its_volunteer() -> None:
    request = help_request("H-1")
    done, other = volunteer("V-DONE"), volunteer("V-OTHER")
    pairs = [
        (done, [Event(NOW - dt.timedelta(days=10), "confirm", other="H-DONE")]),
        (other, [Event(NOW - dt.timedelta(days=9), "confirm", other="H-ALSO-DONE")]),
    ]

    counted = suggest(request, pairs, now=NOW, city=CITY)
    finished = suggest(request, VolunteerPool(pairs, CITY, open_requests={"H-1"}), now=NOW, city=CITY)

    assert [s.volunteer.reference for s in counted] == ["V-DONE", "V-OTHER"], "both busy: matched longest ago first"
    assert [s.volunteer.reference for s in finished] == ["V-DONE", "V-OTHER"]
    assert [len(s.reasons) for s in counted] == [6, 6] and [len(s.reasons) for s in finished] == [5, 5]


# Spreading the work: Leuven's first week --------------------------------------------------------------------

POSTCODES = ("3000", "3000", "3001", "3010", "3010", "3012", "3018")
KINDS = ("groceries", "groceries", "pharmacy", "dog", "call", "letter", "other")
TIMES = ("weekday-mornings", "weekday-afternoons", "evenings", "weekends")


def leuven_week(volunteers: int, requests: int, urgent: int, now: dt.datetime) -> list[Submission]:
    """Seeded records like Leuven's first week: about 8 volunteers to a request, mostly Dutch."""
    pick, records = random.Random(2020), []
    for n in range(volunteers):
        spoken = pick.choices([("nl",), ("nl", "en"), ("en",)], weights=(75, 20, 5))[0]
        answers = answers_of(
            "volunteer", postcode=pick.choice(POSTCODES), help=tuple(set(pick.sample(KINDS, pick.randint(1, 4)))),
            availability=tuple(pick.sample(TIMES, pick.randint(1, 3))), languages=spoken,
        )  # fmt: skip
        records.append(_submission(f"V-{n:04d}", "volunteer_signup", now - dt.timedelta(minutes=5000 - n), answers))
    for n in range(requests):
        answers = answers_of(
            "help-request", postcode=pick.choice(POSTCODES), help=tuple(set(pick.sample(KINDS, pick.randint(1, 2)))),
            urgency="today" if n < urgent else pick.choice(("days", "week", "regular")),
            language=pick.choices(("nl", "en"), weights=(85, 15))[0],
        )  # fmt: skip
        records.append(_submission(f"H-{n:04d}", "help_request", now - dt.timedelta(minutes=2000 - 7 * n), answers))
    return records


def _submission(reference: str, form: str, created_at: dt.datetime, answers: dict) -> Submission:
    return Submission(reference, form, "nl", created_at, expiry(created_at, 90), answers)


def test_taking_the_first_suggestion_each_time_spreads_the_work(local_staff: Staff) -> None:
    # A Tuesday morning in the city, after the records came in.
    now = (NOW + dt.timedelta(days=(1 - NOW.weekday()) % 7 + 7)).replace(hour=8, minute=30)
    store = local_staff.store
    local_staff.add(*leuven_week(1000, 121, urgent=28, now=now))
    shown: Counter[str] = Counter()
    pool = VolunteerPool(volunteers_of(store, now), CITY)
    for item in working_list(store.records(form="help_request", now=now), now=now, city=CITY):
        found = suggest(item.request, pool, now=now, city=CITY, limit=3, spread=True)
        shown.update(s.volunteer.reference for s in found)

    proposed: Counter[str] = Counter()
    for item in working_list(store.records(form="help_request", now=now), now=now, city=CITY):
        # Read again for each request, as the coordinator's next page would.
        found = suggest(item.request, volunteers_of(store, now), now=now, city=CITY, limit=5)
        assert found, item.request.reference
        casework.propose(store, item.request.reference, found[0].volunteer.reference, "ann", now)
        proposed[found[0].volunteer.reference] += 1

    assert len(proposed) >= 100 and max(proposed.values()) <= 2, (len(proposed), proposed.most_common(3))
    assert len(shown) >= 300 and max(shown.values()) <= 3, (len(shown), shown.most_common(3))
    print(f"\nproposed: {len(proposed)} volunteers, at most {max(proposed.values())} each; "
          f"shown on the list: {len(shown)} volunteers, at most {max(shown.values())} times each")  # fmt: skip
