"""The `helpt` command line itself: help for every command in both languages, the installed command, the
tool's own catalog, and what it says when the settings or the store are wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import LEUVEN
from test_staff_support import Staff, help_request

from helpt.staff.catalog import extract
from helpt.staff.command_help import COMMANDS
from helpt.staff.texts import STAFF_DOMAIN, STAFF_TRANSLATIONS

pytest_plugins = ["dynamodb_servers", "test_staff_support"]


@pytest.mark.parametrize(
    ("lang", "example", "usage"), [("nl", "Voorbeeld:", "Gebruik: "), ("en", "Example:", "Usage: ")]
)
def test_every_command_has_help_with_an_example_in_the_staff_language(
    local_staff: Staff, lang: str, example: str, usage: str
) -> None:
    main_help = local_staff("--help", lang=lang)
    assert main_help.code == 0 and set(COMMANDS) <= set(main_help.out.split())
    for command in COMMANDS:
        result = local_staff(command, "--help", lang=lang)
        assert result.code == 0, command
        assert result.out.startswith(usage + f"helpt {command}"), command
        assert f"{example}\n  helpt {command}" in result.out, command
    assert "Schrijft de inzendingen die je kiest" in local_staff("export", "--help", lang="nl").out


def test_the_installed_command_runs(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "helpt"
    result = subprocess.run(
        [str(command), "exports", "--lang", "en", "--sqlite", str(tmp_path / "h.sqlite3")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Nothing was exported or erased yet."


def test_every_string_of_the_tool_is_translated() -> None:
    extracted = {message.id for message in extract() if message.id}
    for po_file in sorted(STAFF_TRANSLATIONS.glob(f"*/LC_MESSAGES/{STAFF_DOMAIN}.po")):
        with po_file.open("rb") as stream:
            catalog = read_po(stream)
        kept = {message.id for message in catalog if message.id}
        assert kept == extracted, f"{po_file}: run .venv/bin/python -m helpt.staff.catalog"
        untranslated = [
            message.id
            for message in catalog
            if message.id
            and (message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]))
        ]
        assert untranslated == [], po_file
    assert len(extracted) > 150


def test_a_broken_settings_file_is_reported_not_raised(tmp_path: Path, local_staff: Staff) -> None:
    broken = tmp_path / "city.toml"
    broken.write_text("[city]\nname = 'Nowhere'\n", encoding="utf-8")

    result = local_staff("worklist", "--city", str(broken))

    assert result.code == 1 and "problem(s) in the city settings" in result.err


def test_an_unreachable_table_is_a_short_message(local_staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    options = ["--dynamodb-table", "helpt", "--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:9"]

    result = local_staff("worklist", *options)

    assert result.code == 1
    assert "DynamoDB store" in result.err and "Traceback" not in result.err


def test_a_table_needs_a_region(local_staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)

    result = local_staff("worklist", "--dynamodb-table", "helpt", lang="nl")

    assert result.code == 1 and "--region eu-west-1" in result.err


def test_the_store_and_language_can_come_from_the_environment(
    dynamodb_staff: Staff, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from helpt.staff.cli import main

    dynamodb_staff.add(help_request("H-ENV"))
    monkeypatch.setenv("HELPT_STORE", "dynamodb")
    monkeypatch.setenv("HELPT_TABLE", dynamodb_staff.store.table_name)  # type: ignore[attr-defined]
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_staff.options[-1])  # boto3 reads it itself
    monkeypatch.setenv("HELPT_STAFF_LANG", "en")
    capsys.readouterr()

    assert main(["show", "H-ENV", "--city", str(LEUVEN)]) == 0

    shown = capsys.readouterr().out
    assert shown.startswith("Help request H-ENV") and "Maria Peeters" in shown


def test_a_file_that_cannot_be_written_is_a_short_message(local_staff: Staff) -> None:
    local_staff.add(help_request("H-1"))
    blocked = local_staff.tmp_path / "not-a-folder"
    blocked.write_text("a file where a folder should be")

    result = local_staff("export", "--output", str(blocked / "export.csv"), lang="nl")

    assert result.code == 1 and "Kon" in result.err and "Traceback" not in result.err
    assert list(local_staff.store.log_entries()) == [], "nothing exported, nothing logged"


@pytest.mark.parametrize(
    ("arguments", "dutch"),
    [
        (["show", "H-1", "--foo"], "onbekende argumenten: --foo"),
        (["access", "--email", "a@example.com"], "deze argumenten zijn nodig: --output"),
        (["access", "--output", "x.txt"], "een van de argumenten --email --phone is nodig"),
        (["status", "H-1", "klaar"], "ongeldige keuze: 'klaar' (kies uit 'new'"),
        (["status", "H-1", "new", "--reason"], "argument --reason: verwacht één waarde"),
        (["worklist", "--suggestions", "veel"], "ongeldige waarde (int): 'veel'"),
        (["erase", "--email", "a@example.com", "--phone", "0470"], "niet samen met argument --email"),
    ],
)
def test_mistakes_in_a_command_are_said_in_the_staff_language(
    local_staff: Staff, arguments: list[str], dutch: str
) -> None:
    result = local_staff(*arguments, lang="nl")

    assert result.code == 2
    assert result.err.startswith("Gebruik: helpt"), result.err
    last = result.err.splitlines()[-1]
    assert last.startswith("helpt") and ": fout: " in last and dutch in last, result.err
    # ("argument" is Dutch too.)
    for english in ("unrecognized", "required", "invalid", "choose", "expected", "allowed", "usage", "error"):
        assert english not in last, last


def test_argparse_still_says_each_message_the_catalog_translates() -> None:
    import argparse
    import inspect

    from helpt.staff.argparse_words import MESSAGES

    source = inspect.getsource(argparse)
    assert [message for message in MESSAGES if repr(message) not in source and f'"{message}"' not in source] == []
