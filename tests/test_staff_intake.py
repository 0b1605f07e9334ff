"""`helpt intake`: a request taken by phone, typed in by staff, driven here through stdin as a person would.

The tool runs as its own process (`python -m helpt.staff`) with the answers piped in, one line per prompt;
what it printed is read back, and so is the record it kept.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys

import pytest
from conftest import LEUVEN
from test_staff_support import STAFF_VARIABLES, Staff, help_request

from helpt.submissions import Submission

pytest_plugins = ["dynamodb_servers", "test_staff_support"]

# One line per prompt, for a caller who asks for herself. A mistake in the postcode and in a choice, each
# corrected after the message.
CALL = [
    "1",  # for myself (so the asker's own questions are not asked)
    "  Maria Peeters ",  # name (trimmed, as the web trims one-line answers)
    "Kerkstraat 1",  # street
    "9999",  # postcode outside the city: a message for the worker, asked again
    "3000",
    "0470 12 34 56",  # phone
    "",  # e-mail: skipped
    "1",  # language: Nederlands
    "1 9",  # help: there is no 9
    "1 2",  # groceries, pharmacy
    "Brood, melk en =1+1",  # tell us more
    "2",  # urgency: in the next few days
    "x",  # consent read aloud: not y or n
    "y",
    "j",  # explicit consent for medicines, by the caller herself (asked because of the pharmacy)
    "ja",  # save
]
SUMMARY = len(CALL) - 1  # the line that answers "save this request?"
MESSAGES = {
    "nl": ("Leuven kan alleen helpen in 3000", "Kies een van de antwoorden die je ziet", "Typ j voor ja"),
    "en": ("Leuven can only help in 3000", "Choose one of the options shown", "Type y for yes"),
}
CONSENT = {
    "nl": "Daarna wist de stad ze. Ga je akkoord?\u201d",
    "en": "then deletes them. Do you agree?\u201d",
}
# For someone else: the person has no phone or e-mail; the asker (her daughter) forgets her own number at
# first, is asked for it once every question was asked, and answers; her mother needs the pharmacy.
FOR_SOMEONE_ELSE = [
    "2", "Maria Peeters", "Kerkstraat 1", "3010", "", "", "1",
    "Els Peeters", "", "",  # the asker's name, phone, e-mail
    "mijn moeder", "n", "y",  # how they know each other; the person agrees (not yet, then yes)
    "2 3", "", "1", "y", "y",  # pharmacy and the dog; today; consent; consent for medicines, for her
    "0470 99 88 77",  # the asker's phone, asked for at the end
    "y",
]  # fmt: skip


def run_intake(staff: Staff, lines: list[str], lang: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in STAFF_VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "helpt.staff", "intake", "--lang", lang, "--city", str(LEUVEN), *staff.options],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


def saved(staff: Staff, result: subprocess.CompletedProcess[str]) -> Submission:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    reference = re.search(r"\b(H-[A-Z2-7]{4}-[A-Z2-7]{4})\b", result.stdout.rsplit("\n", 3)[-2]).group(1)
    record = staff.store.get(reference)
    assert record is not None
    return record


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_phone_request_is_kept_like_a_web_one_after_corrections(local_staff: Staff, lang: str) -> None:
    before = dt.datetime.now(dt.UTC)

    result = run_intake(local_staff, CALL, lang)

    record = saved(local_staff, result)
    for message in MESSAGES[lang]:
        assert message in result.stdout, message
    question = "Waarvoor heb je hulp nodig?" if lang == "nl" else "What do you need help with?"
    assert result.stdout.count(question) >= 2, "asked again after the wrong number"
    assert "016/27.27.72" not in result.stdout, "the worker is not told to call the line they are on"
    assert CONSENT[lang] in result.stdout, "the consent read aloud ends with a question to the caller"
    assert "Ik ga akkoord?" not in result.stdout and "I agree?" not in result.stdout
    for asker_question in ("Your name", "Je naam", "How do you know", "Hoe ken je", "About you", "Over jou"):
        assert asker_question not in result.stdout, asker_question
    assert (record.form, record.channel, record.status, record.lang) == ("help_request", "phone", "new", lang)
    assert record.answers["name"] == "Maria Peeters" and record.answers["postcode"] == "3000"
    assert record.answers["for_whom"] == "self" and record.answers["help"] == ("groceries", "pharmacy")
    assert record.answers["details"] == "Brood, melk en =1+1"
    assert record.answers["consent"] == "yes" and record.answers["health_consent"] == "yes"
    assert record.answers["consent_read_aloud"] == "yes"
    for empty in ("asker_name", "asker_phone", "asker_email", "relationship", "agreed", "health_consent_other"):
        assert record.answers[empty] == "", empty
    assert before <= record.created_at <= dt.datetime.now(dt.UTC)
    assert record.expires_at == int((record.created_at + dt.timedelta(days=90)).timestamp())


def test_for_someone_else_the_asker_is_asked_about_herself_and_gives_the_medicine_consent(
    local_staff: Staff,
) -> None:
    result = run_intake(local_staff, FOR_SOMEONE_ELSE, "en")

    record = saved(local_staff, result)
    out = result.stdout
    assert "== About you: only if you ask for someone else ==" in out
    assert "How do you know the person who needs help?" in out
    assert "Ask the person first" in out, "the form's message when they do not know yet"
    assert "Enter your own phone number or e-mail address" in out, "asked once every question was asked"
    assert "Medicines for someone else" in out and "Medicines for yourself" not in out
    answers = record.answers
    assert (answers["name"], answers["phone"], answers["email"]) == ("Maria Peeters", "", "")
    assert (answers["asker_name"], answers["asker_phone"]) == ("Els Peeters", "0470 99 88 77")
    assert (answers["relationship"], answers["agreed"]) == ("mijn moeder", "yes")
    assert answers["health_consent_other"] == "yes" and answers["health_consent"] == ""
    assert "Asker's phone number: 0470 99 88 77" in out, "the summary says whose number it is"


def test_at_the_summary_one_answer_is_changed_and_the_others_kept(local_staff: Staff) -> None:
    # n at the summary: the numbered questions; 4 is the postcode; then the summary again, and save.
    lines = [*CALL[:SUMMARY], "n", "4", "3010", "y"]

    result = run_intake(local_staff, lines, "nl")

    record = saved(local_staff, result)
    assert "  4. Postcode: 3000" in result.stdout
    assert result.stdout.count("Deze hulpvraag bewaren?") == 2, "the summary again after the change"
    assert "niets bewaard" not in result.stdout
    assert record.answers["postcode"] == "3010"
    assert record.answers["name"] == "Maria Peeters" and record.answers["details"] == "Brood, melk en =1+1"
    assert record.answers["health_consent"] == "yes" and record.answers["consent_read_aloud"] == "yes"


def test_changing_for_whom_at_the_summary_asks_what_that_case_needs(local_staff: Staff) -> None:
    # For herself with pharmacy, then at the summary: the help is for someone else after all.
    asker = ["Els Peeters", "0470 99 88 77", "", "mijn moeder", "y", "y"]  # ..., agreed, medicines for her
    lines = [*CALL[:SUMMARY], "n", "1", "2", *asker, "y"]

    result = run_intake(local_staff, lines, "en")

    record = saved(local_staff, result)
    assert record.answers["for_whom"] == "someone-else"
    assert record.answers["asker_name"] == "Els Peeters" and record.answers["relationship"] == "mijn moeder"
    assert record.answers["health_consent_other"] == "yes"
    assert record.answers["health_consent"] == "", "her own consent does not stand for her mother's"
    assert record.answers["street"] == "Kerkstraat 1", "every other answer kept"


def test_stop_asks_first_and_no_carries_on_with_every_answer_kept(local_staff: Staff) -> None:
    # stop at the phone question, after four answers: not confirmed, so the intake goes on.
    lines = [*CALL[:5], "stop", "n", *CALL[5:]]

    result = run_intake(local_staff, lines, "en")

    record = saved(local_staff, result)
    assert "Nothing is saved yet: the 4 answers typed so far will be lost." in result.stdout
    assert record.answers["street"] == "Kerkstraat 1" and record.answers["phone"] == "0470 12 34 56"


def test_only_a_confirmed_stop_or_the_end_of_input_saves_nothing(local_staff: Staff) -> None:
    refused = run_intake(local_staff, [*CALL[:12], "n", "stop", "y"], "en")
    at_summary = run_intake(local_staff, [*CALL[:SUMMARY], "stop", "j"], "nl")
    ended = run_intake(local_staff, CALL[:3], "nl")

    assert refused.returncode == 1 and "Without this agreement" in refused.stdout
    assert "Stopped: nothing was saved." in refused.stdout
    assert at_summary.returncode == 1 and "Er is nog niets bewaard: de 11 antwoorden" in at_summary.stdout
    assert "Gestopt: er werd niets bewaard." in at_summary.stdout
    assert ended.returncode == 1 and "Gestopt: er werd niets bewaard." in ended.stdout
    assert list(local_staff.store.stream(forms=("help_request",))) == []


def test_the_same_call_twice_is_two_requests(local_staff: Staff) -> None:
    # Two callers can ask the same on the same day (two neighbours, the same shopping): never merged.
    first = saved(local_staff, run_intake(local_staff, CALL, "en"))
    second = saved(local_staff, run_intake(local_staff, CALL, "en"))

    assert first.reference != second.reference
    assert len(list(local_staff.store.stream(forms=("help_request",)))) == 2


def test_a_phone_request_on_dynamodb(dynamodb_staff: Staff) -> None:
    result = run_intake(dynamodb_staff, FOR_SOMEONE_ELSE, "en")

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    (record,) = dynamodb_staff.store.stream(forms=("help_request",))
    assert record.channel == "phone" and record.answers["consent_read_aloud"] == "yes"
    assert record.answers["asker_phone"] == "0470 99 88 77"


def test_a_reference_already_taken_is_drawn_again(local_staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    local_staff.add(help_request("H-AAAA-AAAA"))
    draws = iter(["H-AAAA-AAAA", "H-BBBB-BBBB"])  # the first draw meets the record already there
    monkeypatch.setattr("helpt.staff.answer_commands.new_reference", lambda form: next(draws))
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(CALL) + "\n"))

    result = local_staff("intake")

    assert result.code == 0, result.out[-2000:]
    assert "Give the caller this reference: H-BBBB-BBBB" in result.out
    assert local_staff.store.get("H-BBBB-BBBB").channel == "phone"
    assert local_staff.store.get("H-AAAA-AAAA").channel == "web", "the other record is untouched"


def test_a_store_that_does_not_answer_keeps_the_answers_on_screen(
    local_staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    unreachable = ["--dynamodb-table", "helpt", "--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:9"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join([*CALL, "n"]) + "\n"))

    result = local_staff("intake", *unreachable)

    assert result.code == 1
    assert "The store did not answer as expected" in result.out
    assert "Nothing was saved yet. Try to save again?" in result.out, "asked, rather than dropping the answers"
    assert "Stopped: nothing was saved." in result.out
    assert "Street and house number: Kerkstraat 1" in result.out, "the request is still on the screen"
