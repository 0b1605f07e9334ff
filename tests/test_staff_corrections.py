"""`helpt correct` and the operation under it: a stored record's answers corrected, checked as the form
checks them, and each correction kept in the record's history with the answer it replaced."""

from __future__ import annotations

import io

import pytest
from test_staff_support import NOW, Staff, expired, help_request, volunteer

from helpt.settings import load_city
from helpt.staff.corrections import Change, CorrectionRefused, correct

pytest_plugins = ["dynamodb_servers", "test_staff_support"]
ASKER = ("asker_name", "asker_phone", "asker_email", "relationship", "agreed", "health_consent_other")


def for_someone_else(reference: str, **changes: object) -> object:
    answers = {
        "for_whom": "someone-else", "phone": "", "asker_name": "Els Peeters", "asker_phone": "0470 99 88 77",
        "relationship": "mijn moeder", "agreed": "yes", **changes,
    }  # fmt: skip
    return help_request(reference, **answers)


def stored_before_the_asker_questions(reference: str, **changes: object) -> object:
    """A request for someone else as the form kept it before it asked the asker about herself."""
    record = help_request(reference, for_whom="someone-else", relationship="mijn moeder", agreed="yes", **changes)
    for name in ASKER[:3] + ASKER[-1:]:
        del record.answers[name]
    return record


def test_a_correction_replaces_the_answers_and_is_kept_in_the_history(staff: Staff) -> None:
    staff.add(help_request("H-1"), help_request("H-2"))

    pharmacy = ["--set", "help=groceries,pharmacy", "--set", "health_consent=yes"]  # the form needs both

    result = staff("correct", "H-1", "--set", "phone=0471 11 22 33 ", *pharmacy)

    assert result.code == 0, result.err
    assert "Phone number: 0470 12 34 56 \u2192 0471 11 22 33" in result.out
    record = staff.store.get("H-1")
    assert record.answers["phone"] == "0471 11 22 33" and record.answers["help"] == ("groceries", "pharmacy")
    assert record.answers["street"] == "Kerkstraat 1", "the other answers stay"
    assert staff.store.get("H-2").answers["phone"] == "0470 12 34 56"
    history = [(e.kind, e.other, e.reason) for e in staff.store.events("H-1")]
    assert history == [
        ("correction", "phone", "0470 12 34 56"),
        ("correction", "help", "groceries; dog"),
        ("correction", "health_consent", ""),
    ]
    assert all(staff.who in event.by for event in staff.store.events("H-1"))
    shown = staff("show", "H-1").out
    assert "corrected Phone number on " in shown and f"by {staff.store.events('H-1')[0].by}" in shown
    assert "was: 0470 12 34 56" in shown and "was: Groceries; Walking the dog" in shown
    assert "corrected Consent for medicines, by the person on " in shown and "was: (empty)" in shown


def test_a_correction_is_checked_like_the_form_and_refused_whole(staff: Staff) -> None:
    staff.add(help_request("H-1"))

    outside = staff("correct", "H-1", "--set", "phone=0471 11 22 33", "--set", "postcode=9999")
    not_a_choice = staff("correct", "H-1", "--set", "urgency=tomorrow", lang="nl")
    no_contact = staff("correct", "H-1", "--set", "phone=")

    assert outside.code == 1 and "Postcode: Leuven can only help in 3000" in outside.err
    assert "016/27.27.72" not in outside.err, "staff are on that line"
    assert not_a_choice.code == 1 and "Kies een van de antwoorden die je ziet" in not_a_choice.err
    assert no_contact.code == 1 and "Enter a phone number or an e-mail address" in no_contact.err
    assert staff.store.get("H-1").answers["phone"] == "0470 12 34 56", "nothing of a refused correction"
    assert staff.store.events("H-1") == []


def test_help_for_someone_else_after_all_needs_the_askers_answers(local_staff: Staff) -> None:
    local_staff.add(help_request("H-1"))
    asker = ["asker_name=Els Peeters", "asker_phone=0470 99 88 77", "relationship=mijn moeder", "agreed=yes"]

    refused = local_staff("correct", "H-1", "--set", "for_whom=someone-else")
    accepted = local_staff("correct", "H-1", "--set", "for_whom=someone-else", *(f"--set={s}" for s in asker))

    assert refused.code == 1 and "Asker's name: Enter your name" in refused.err
    assert accepted.code == 0, accepted.err
    answers = local_staff.store.get("H-1").answers
    assert (answers["for_whom"], answers["asker_name"], answers["agreed"]) == ("someone-else", "Els Peeters", "yes")


def test_help_for_oneself_after_all_empties_the_askers_answers_into_the_history(staff: Staff) -> None:
    staff.add(for_someone_else("H-1", phone="0470 12 34 56"))

    result = staff("correct", "H-1", "--set", "for_whom=self")

    assert result.code == 0, result.err
    answers = staff.store.get("H-1").answers
    assert [answers[name] for name in ASKER[:4]] == ["", "", "", ""]
    corrected = {event.other: event.reason for event in staff.store.events("H-1")}
    assert corrected == {
        "for_whom": "someone-else", "asker_name": "Els Peeters", "asker_phone": "0470 99 88 77",
        "relationship": "mijn moeder", "agreed": "yes",
    }, "each answer that went is in the history, with what it was"  # fmt: skip


def test_a_record_stored_before_the_askers_questions_can_still_be_corrected(staff: Staff) -> None:
    staff.add(stored_before_the_asker_questions("H-OLD"))

    result = staff("correct", "H-OLD", "--set", "street=Kerkstraat 2")

    assert result.code == 0, result.err
    record = staff.store.get("H-OLD")
    assert record.answers["street"] == "Kerkstraat 2" and "asker_name" not in record.answers
    assert [(e.other, e.reason) for e in staff.store.events("H-OLD")] == [("street", "Kerkstraat 1")]


def test_correcting_interactively_picks_a_question_by_number(
    local_staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_staff.add(help_request("H-1"))
    # 5 is the phone number; first a number with letters in it, then the right one; Enter: done; save.
    monkeypatch.setattr("sys.stdin", io.StringIO("5\n0471 AB\n0471 11 22 33\n\ny\n"))

    result = local_staff("correct", "H-1", lang="nl")

    assert result.code == 0, result.err
    assert "  5. Telefoonnummer: 0470 12 34 56" in result.out
    assert "Vul een telefoonnummer in met alleen cijfers" in result.out, "checked as the form checks it"
    assert "Telefoonnummer: 0470 12 34 56 \u2192 0471 11 22 33" in result.out
    assert local_staff.store.get("H-1").answers["phone"] == "0471 11 22 33"


def test_stopping_an_interactive_correction_changes_nothing(
    local_staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_staff.add(help_request("H-1"))
    monkeypatch.setattr("sys.stdin", io.StringIO("5\n0471 11 22 33\n\nn\n"))

    result = local_staff("correct", "H-1")

    assert result.code == 1 and "Stopped: nothing was changed." in result.out
    assert local_staff.store.get("H-1").answers["phone"] == "0470 12 34 56"
    assert local_staff.store.events("H-1") == []


def test_unknown_questions_and_records_are_named(local_staff: Staff) -> None:
    local_staff.add(help_request("H-1"), expired(help_request("H-OLD")))

    unknown = local_staff("correct", "H-1", "--set", "colour=red")
    gone = local_staff("correct", "H-OLD", "--set", "street=Kerkstraat 2")
    same = local_staff("correct", "H-1", "--set", "street=Kerkstraat 1")

    assert unknown.code == 1 and "colour is not a question of this form" in unknown.err and "postcode" in unknown.err
    assert gone.code == 1 and "H-OLD" in gone.err
    assert same.code == 0 and "Nothing to change" in same.out
    assert local_staff.store.events("H-1") == []


def test_the_operation_is_importable_for_the_back_office(staff: Staff) -> None:
    staff.add(volunteer("V-1"))

    changes = correct(staff.store, "V-1", {"postcode": "3000"}, city=load_city(), who="back office", now=NOW)

    assert changes == [Change("postcode", "3010", "3000")]
    assert staff.store.get("V-1", now=NOW).answers["postcode"] == "3000"
    (event,) = staff.store.events("V-1")
    assert (event.kind, event.other, event.reason, event.by) == ("correction", "postcode", "3010", "back office")
    with pytest.raises(CorrectionRefused) as refused:
        correct(staff.store, "V-1", {"email": "not an address"}, city=load_city(), who="back office", now=NOW)
    assert [problem.field for problem in refused.value.problems] == ["email"]
