"""Erasure, access and retention (GDPR articles 15 and 17, and the retention in the city settings)."""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from test_staff_support import NOW, Staff, expired, help_request, vacancy_response, volunteer

from helpt.stores import Event

pytest_plugins = ["dynamodb_servers", "test_staff_support"]
FORMS = ("help_request", "volunteer_signup", "vacancy_response")


def references(staff: Staff) -> list[str]:
    return sorted(s.reference for s in staff.store.stream(forms=FORMS, now=NOW))


def log_text(staff: Staff) -> str:
    return json.dumps([entry.__dict__ for entry in staff.store.log_entries()], default=str)


def test_erasure_by_phone_finds_the_number_however_it_was_written(staff: Staff) -> None:
    staff.add(
        help_request("H-1", phone="0470 12 34 56"),
        volunteer("V-1", phone="+32 470 12 34 56"),
        vacancy_response("R-1", phone="0032 470/12.34.56"),
        help_request("H-OTHER", phone="0470 99 99 99"),
    )
    staff.store.quarantine(help_request("H-BOT", phone="+32470123456"))
    staff.store.record_event("H-1", Event(NOW, "status", "closed", reason="private reason"), now=NOW)

    result = staff("erase", "--phone", "+32 470123456", "--yes")

    assert result.code == 0, result.err
    assert "Erased 4 records." in result.out
    assert references(staff) == ["H-OTHER"]
    assert list(staff.store.quarantined(now=NOW)) == []
    assert staff.store.events("H-1") == []
    entry = list(staff.store.log_entries())[-1]
    assert (entry.action, entry.filter, entry.rows) == ("erase", "by phone", 4)
    assert staff.who in entry.who
    # Digits alone would also match a timestamp: look for the number in the ways it was written.
    written = ("470 12 34 56", "470123456", "470/12.34.56")
    assert not [number for number in written if number in log_text(staff)], "the log keeps that, not whose"


def test_erasure_by_e_mail_ignores_case_and_by_reference_takes_one(staff: Staff) -> None:
    staff.add(volunteer("V-1", email="Ann@Example.com"), volunteer("V-2", email="other@example.com"))
    staff.add(help_request("H-1"), help_request("H-2", minutes_ago=5))

    by_email = staff("erase", "--email", "ann@example.COM", "--yes")
    by_reference = staff("erase", "--reference", "H-2", "--yes", lang="nl")

    assert by_email.code == 0 and by_reference.code == 0
    assert "1 inzending gewist." in by_reference.out
    assert references(staff) == ["H-1", "V-2"]
    erasures = [(e.filter, e.rows) for e in staff.store.log_entries() if e.action == "erase"]
    assert erasures == [("by e-mail", 1), ("by reference", 1)]
    assert "Example.com" not in log_text(staff) and "ann@" not in log_text(staff).lower()


def test_erasure_asks_first_and_no_erases_nothing(local_staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    local_staff.add(help_request("H-1"))
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))

    result = local_staff("erase", "--reference", "H-1")

    assert result.code == 1 and "Nothing was erased." in result.out
    assert references(local_staff) == ["H-1"]


def test_erasure_of_nobody_is_logged_and_says_so(staff: Staff) -> None:
    staff.add(help_request("H-1"))

    result = staff("erase", "--email", "nobody@example.com", "--yes")

    assert result.code == 0 and "Nothing found" in result.out
    assert references(staff) == ["H-1"]
    assert [(e.action, e.rows) for e in staff.store.log_entries()][-1] == ("erase", 0)


def test_access_writes_everything_held_about_the_person_and_nothing_about_others(staff: Staff) -> None:
    staff.add(
        help_request("H-1", email="maria@example.com", details="Brood 🍞 en \u200fمرحبا\u200f"),
        volunteer("V-1", email="maria@example.com", minutes_ago=300),
        volunteer("V-OTHER", email="other@example.com"),
    )
    staff.store.quarantine(help_request("H-BOT", email="MARIA@example.com"))
    staff.store.record_event("H-1", Event(NOW, "match", "matched", other="V-OTHER", by="coordinator"), now=NOW)
    json_file, text_file = staff.tmp_path / "maria.json", staff.tmp_path / "maria.txt"

    as_json = staff("access", "--email", "maria@example.com", "--output", str(json_file))
    as_text = staff("access", "--email", "maria@example.com", "--output", str(text_file), lang="nl")

    assert as_json.code == 0 and as_text.code == 0, as_json.err + as_text.err
    data = json.loads(json_file.read_text(encoding="utf-8"))
    assert [item["reference"] for item in data["submissions"]] == ["V-1", "H-1"]
    assert [item["reference"] for item in data["kept_apart_as_automated"]] == ["H-BOT"]
    request = data["submissions"][1]
    assert request["answers"]["details"] == "Brood 🍞 en \u200fمرحبا\u200f", "answers exactly as kept"
    assert request["answers"]["help"] == ["groceries", "dog"]
    assert request["history"] == [{"at": NOW.isoformat(), "what": "match", "status": "matched", "reason": ""}]
    assert data["controller"].startswith("Stad Leuven")
    text = text_file.read_text(encoding="utf-8")
    assert "Wat Leuven Helpt over jou bewaart" in text and "Brood 🍞" in text and "Boodschappen" in text
    for other in ("V-OTHER", "other@example.com", "coordinator"):
        assert other not in json_file.read_text(encoding="utf-8") + text, other
    accesses = [(e.action, e.filter, e.rows) for e in staff.store.log_entries() if e.action == "access"]
    assert accesses == [("access", "by e-mail", 3)] * 2
    assert "maria" not in log_text(staff).lower()


def test_purge_deletes_expired_records_now_and_says_how_many(staff: Staff) -> None:
    staff.add(help_request("H-LIVE"), expired(help_request("H-GONE")), expired(volunteer("V-GONE")))
    staff.store.quarantine(expired(help_request("H-BOT")))

    result = staff("purge", lang="nl")

    assert result.code == 0 and "3 verlopen inzendingen gewist." in result.out
    earlier = NOW.replace(year=NOW.year - 1)
    assert sorted(s.reference for s in staff.store.stream(forms=FORMS, now=earlier)) == ["H-LIVE"], "deleted"
    (entry,) = staff.store.log_entries()
    assert (entry.action, entry.filter, entry.rows) == ("purge", "expired records", 3)
    assert "opruiming" in staff("exports", lang="nl").out


def test_the_export_log_lists_who_did_what(staff: Staff) -> None:
    staff.add(help_request("H-1"))
    staff("export", "--output", str(staff.tmp_path / "x.xlsx"), "--form", "help_request")
    staff("handout", "H-1")

    listed = staff("exports", lang="nl")

    lines = listed.out.strip().splitlines()
    assert len(lines) == 2
    assert "export" in lines[0] and "form=help_request format=xlsx" in lines[0] and "(1)" in lines[0]
    assert "fiche" in lines[1] and "één hulpvraag" in lines[1]
    assert all(staff.who in line for line in lines)


def _for_mother(reference: str, **changes: object) -> object:
    """A daughter (Els) asks for her mother (Maria), who has a landline but no e-mail."""
    answers = {
        "for_whom": "someone-else", "phone": "016 20 30 40", "asker_name": "Els Peeters",
        "asker_phone": "0470 99 88 77", "asker_email": "els@example.com", "relationship": "mijn moeder",
        "agreed": "yes", **changes,
    }  # fmt: skip
    return help_request(reference, **answers)


def test_access_finds_a_request_by_the_askers_details_and_says_so(staff: Staff) -> None:
    staff.add(_for_mother("H-1"), help_request("H-OTHER", phone="0470 11 11 11"))
    as_text, as_json = staff.tmp_path / "els.txt", staff.tmp_path / "els.json"

    by_email = staff("access", "--email", "ELS@example.com", "--output", str(as_text))
    by_phone = staff("access", "--phone", "+32 470 99 88 77", "--output", str(as_json))

    assert by_email.code == 0 and by_phone.code == 0, by_email.err + by_phone.err
    text = as_text.read_text(encoding="utf-8")
    assert "Found: as the person who asked for help for someone else" in text
    assert "Asker's name: Els Peeters" in text and "Asker's phone number: 0470 99 88 77" in text
    assert "Name: Maria Peeters" in text and "Groceries; Walking the dog" in text
    for mothers in ("Kerkstraat", "016 20 30 40", "Postcode"):
        assert mothers not in text, "the mother's address and number are her own data"
    assert "Left out: the other person's contact details" in text
    (item,) = json.loads(as_json.read_text(encoding="utf-8"))["submissions"]
    assert item["found_as"] == ["asker"] and sorted(item["left_out"]) == ["phone", "postcode", "street"]
    assert "street" not in item["answers"] and item["answers"]["asker_email"] == "els@example.com"


def test_access_by_the_persons_own_number_names_who_asked_but_not_how_to_reach_them(staff: Staff) -> None:
    staff.add(_for_mother("H-1"))
    output = staff.tmp_path / "maria.txt"

    result = staff("access", "--phone", "016/20.30.40", "--output", str(output), lang="nl")

    assert result.code == 0, result.err
    text = output.read_text(encoding="utf-8")
    assert "Gevonden: als de persoon die hulp nodig heeft" in text
    assert "Straat en huisnummer: Kerkstraat 1" in text and "Naam aanvrager: Els Peeters" in text
    assert "0470 99 88 77" not in text and "els@example.com" not in text


def test_a_request_stored_before_the_askers_questions_is_found_by_its_only_contact(staff: Staff) -> None:
    old = help_request("H-OLD", for_whom="someone-else", relationship="mijn moeder", agreed="yes")
    for name in ("asker_name", "asker_phone", "asker_email", "health_consent_other"):
        del old.answers[name]
    staff.add(old)
    output = staff.tmp_path / "old.json"

    access = staff("access", "--phone", "0470 12 34 56", "--output", str(output))
    erased = staff("erase", "--phone", "0470123456", "--yes")

    assert access.code == 0 and erased.code == 0
    (item,) = json.loads(output.read_text(encoding="utf-8"))["submissions"]
    assert item["found_as"] == ["person"] and item["left_out"] == []
    assert "Erased 1 record." in erased.out and references(staff) == []


def test_the_access_report_reads_each_event_once_from_its_own_side(local_staff: Staff) -> None:
    local_staff.add(help_request("H-1", email="maria@example.com"), volunteer("V-1", email="maria@example.com"))
    for reference, event in (
        ("H-1", Event(NOW, "match", "matched", other="V-1")),
        ("V-1", Event(NOW, "match", other="H-1")),
        ("H-1", Event(NOW, "status", "done")),
    ):
        local_staff.store.record_event(reference, event, now=NOW)
    output = local_staff.tmp_path / "maria.txt"

    local_staff("access", "--email", "maria@example.com", "--output", str(output), lang="nl")

    text = output.read_text(encoding="utf-8")
    volunteer_part, request_part = text.split("Hulpvraag H-1")
    assert "gekoppeld aan een hulpvraag" in volunteer_part
    assert "vrijwilliger" not in volunteer_part.split("Geschiedenis")[1], "a volunteer is not matched with one"
    assert request_part.count("gekoppeld aan een vrijwilliger") == 1
    assert "gekoppeld aan een vrijwilliger gekoppeld" not in request_part, "the status is not said twice"
    assert "status: afgerond" in request_part and "Status: afgerond" in request_part


def test_erasure_shows_form_name_and_date_of_each_record_before_asking(
    local_staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_staff.add(_for_mother("H-1"), volunteer("V-1", phone="0470 99 88 77"))
    monkeypatch.setattr("sys.stdin", io.StringIO("n\nn\n"))
    day = (NOW - dt.timedelta(minutes=60)).astimezone(ZoneInfo("Europe/Brussels")).strftime("%Y-%m-%d")

    by_phone = local_staff("erase", "--phone", "0470 99 88 77")
    by_reference = local_staff("erase", "--reference", "H-1", lang="nl")
    nothing = local_staff("erase", "--reference", "H-NONE", "--yes")

    lines = by_phone.out.splitlines()
    assert any(
        "H-1  Help request  " + day in line
        and "Maria Peeters (asked for by Els Peeters)" in line
        and "Found: as the person who asked for help for someone else" in line
        for line in lines
    ), by_phone.out
    assert any(line.startswith("  V-1  Volunteer  ") and "Ann Janssens" in line for line in lines)
    assert "erased whole, with the details of the person who needs help" in by_phone.out
    assert "H-1  Hulpvraag  " + day in by_reference.out and "Maria Peeters" in by_reference.out
    assert nothing.code == 0 and "there is no record with reference H-NONE" in nothing.out
    assert references(local_staff) == ["H-1", "V-1"]


@pytest.mark.parametrize("output_name", ["maria.txt", "maria.json"])
def test_the_access_report_of_case_work_names_no_staff_and_no_volunteer(local_staff: Staff, output_name: str) -> None:
    local_staff.add(help_request("H-1", email="maria@example.com"), volunteer("V-7"))
    for event in (
        Event(NOW, "claim", other="ann.claes", by="ann.claes"),
        Event(NOW, "claim", other="bart.peeters", reason="handed over by ann.claes", by="ann.claes"),
        Event(NOW, "note", reason="Geen antwoord, terugbellen", other=NOW.isoformat(), by="bart.peeters"),
        Event(NOW, "proposal", other="V-7", by="bart.peeters"),
        Event(NOW, "undo", "contacted", reason="V-7 Jan is ziek", other="V-7", by="bart.peeters"),
        Event(NOW, "confirm", "matched", other="V-7", by="bart.peeters"),
        Event(NOW, "match", "matched", other="V-7", by="bart.peeters"),
    ):
        local_staff.store.record_event("H-1", event, now=NOW)
    output = local_staff.tmp_path / output_name

    local_staff("access", "--email", "maria@example.com", "--output", str(output), lang="nl")

    text = output.read_text(encoding="utf-8")
    for never in ("ann.claes", "bart.peeters", "V-7", "Jan is ziek", "handed over"):
        assert never not in text, never
    assert "Geen antwoord, terugbellen" in text, "a note about the person is theirs to read"
    if output_name.endswith(".txt"):
        assert text.count("gekoppeld aan een vrijwilliger") == 1
