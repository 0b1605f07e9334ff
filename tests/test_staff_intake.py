"""`helpt intake`: a request taken by phone, typed in by staff, driven here through stdin as a person would.

The tool runs as its own process (`python -m helpt.staff`) with the answers piped in, one line per prompt;
what it printed is read back, and so is the record it kept.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from conftest import LEUVEN
from test_staff_support import STAFF_VARIABLES, Staff

pytest_plugins = ["dynamodb_servers", "test_staff_support"]

# One line per prompt. A mistake in the postcode and in a choice, each corrected after the message.
CALL = [
    "  Maria Peeters ",  # name (trimmed, as the web trims one-line answers)
    "0470 12 34 56",  # phone
    "",  # e-mail: skipped
    "Kerkstraat 1",  # street
    "9999",  # postcode outside the city: the form's message, asked again
    "3000",
    "1 9",  # help: there is no 9
    "1 2",  # groceries, pharmacy
    "Brood, melk en =1+1",  # tell us more
    "2",  # urgency: in the next few days
    "1",  # for myself (so the questions about someone else are not asked)
    "1",  # language: Nederlands
    "x",  # consent read aloud: not y or n
    "y",
    "j",  # explicit consent for medicines (asked because of the pharmacy)
    "ja",  # save
]
MESSAGES = {
    "nl": ("We kunnen alleen helpen in Leuven", "Kies een van de antwoorden die je ziet", "Typ j voor ja"),
    "en": ("We can only help in Leuven", "Choose one of the options shown", "Type y for yes"),
}


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


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_phone_request_is_kept_like_a_web_one_after_corrections(local_staff: Staff, lang: str) -> None:
    before = dt.datetime.now(dt.UTC)

    result = run_intake(local_staff, CALL, lang)

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    for message in MESSAGES[lang]:
        assert message in result.stdout, message
    question = "Waarvoor heb je hulp nodig?" if lang == "nl" else "What do you need help with?"
    assert result.stdout.count(question) >= 2, "asked again after the wrong number"
    assert "How do you know" not in result.stdout and "Hoe ken je" not in result.stdout
    reference = re.search(r"\b(H-[A-Z2-7]{4}-[A-Z2-7]{4})\b", result.stdout.rsplit("\n", 3)[-2]).group(1)
    record = local_staff.store.get(reference)
    assert record is not None
    assert (record.form, record.channel, record.status, record.lang) == ("help_request", "phone", "new", lang)
    assert record.answers["name"] == "Maria Peeters" and record.answers["postcode"] == "3000"
    assert record.answers["help"] == ("groceries", "pharmacy")
    assert record.answers["details"] == "Brood, melk en =1+1"
    assert record.answers["consent"] == "yes" and record.answers["health_consent"] == "yes"
    assert record.answers["consent_read_aloud"] == "yes"
    assert record.answers["relationship"] == "" and record.answers["agreed"] == ""
    assert before <= record.created_at <= dt.datetime.now(dt.UTC)
    assert record.expires_at == int((record.created_at + dt.timedelta(days=90)).timestamp())


def test_asking_for_someone_else_asks_how_they_know_them(local_staff: Staff) -> None:
    lines = [*CALL[:4], "3010", "3", "", "1", "2", "mijn buurvrouw", "n", "y", "1", "y", "y"]

    result = run_intake(local_staff, lines, "en")

    assert result.returncode == 0, result.stdout[-2000:]
    assert "How do you know the person who needs help?" in result.stdout
    assert "Ask the person first" in result.stdout, "the form's message when they do not know yet"
    (record,) = local_staff.store.stream(forms=("help_request",))
    assert record.answers["relationship"] == "mijn buurvrouw" and record.answers["agreed"] == "yes"
    assert "health_consent" in record.answers and record.answers["health_consent"] == ""


def test_without_consent_or_with_stop_nothing_is_saved(local_staff: Staff) -> None:
    refused = run_intake(local_staff, [*CALL[:12], "n", "stop"], "en")
    ended = run_intake(local_staff, CALL[:3], "nl")

    assert refused.returncode == 1 and "Without this agreement" in refused.stdout
    assert "Stopped: nothing was saved." in refused.stdout
    assert ended.returncode == 1 and "Gestopt: er werd niets bewaard." in ended.stdout
    assert list(local_staff.store.stream(forms=("help_request",))) == []


def test_a_phone_request_on_dynamodb(dynamodb_staff: Staff) -> None:
    result = run_intake(dynamodb_staff, CALL, "en")

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    (record,) = dynamodb_staff.store.stream(forms=("help_request",))
    assert record.channel == "phone" and record.answers["consent_read_aloud"] == "yes"
