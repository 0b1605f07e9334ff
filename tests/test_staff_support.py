"""Fixtures and helpers for the staff tool's tests (a pytest plugin: it holds no tests itself).

`staff` runs the `helpt` command line in-process against one store, the way a coordinator would type it,
on each backend the kit ships: SQLite in a temporary folder, and DynamoDB on moto's server and on dynalite
(from dynamodb_servers). Records are built from the forms' valid answers in forms_support, as the web
form would have kept them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import LEUVEN
from dynamodb_servers import REGION, dynamodb_store
from forms_support import VALID

from helpt.staff.cli import main
from helpt.stores import StaffStore
from helpt.stores.dynamodb import DynamoDBStore
from helpt.stores.sqlite import SQLiteStore
from helpt.submissions import Answer, Submission, expiry

BACKENDS = ["sqlite", "dynamodb-moto", "dynamodb-dynalite"]
# Records are made relative to the real clock: the tool decides what has expired with the real time.
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
STAFF_VARIABLES = ("HELPT_STORE", "HELPT_TABLE", "HELPT_SQLITE_PATH", "HELPT_CITY", "HELPT_STAFF_LANG")


def answers_of(slug: str, **changes: Answer) -> dict[str, Answer]:
    """A form's valid answers as the store keeps them (several choices as a tuple), with changes."""
    valid = {name: tuple(value) if isinstance(value, list) else value for name, value in VALID[slug].items()}
    return {**valid, **changes}


def help_request(reference: str, minutes_ago: int = 60, **changes: Any) -> Submission:
    return _record(reference, "help_request", "help-request", minutes_ago, changes)


def volunteer(reference: str, minutes_ago: int = 120, **changes: Any) -> Submission:
    return _record(reference, "volunteer_signup", "volunteer", minutes_ago, changes)


def vacancy_response(reference: str, minutes_ago: int = 30, **changes: Any) -> Submission:
    return _record(reference, "vacancy_response", "vacancy-response", minutes_ago, changes)


def _record(reference: str, form: str, slug: str, minutes_ago: int, changes: dict[str, Any]) -> Submission:
    created_at = NOW - dt.timedelta(minutes=minutes_ago)
    fields = {key: changes.pop(key) for key in ("status", "channel", "expires_at", "lang") if key in changes}
    return Submission(
        reference=reference,
        form=form,
        lang=fields.get("lang", "nl"),
        created_at=created_at,
        expires_at=fields.get("expires_at", expiry(created_at, 90)),
        answers=answers_of(slug, **changes),
        channel=fields.get("channel", "web"),
        status=fields.get("status", "new"),
    )


def expired(record: Submission) -> Submission:
    """The same record, past its expiry (as if DynamoDB's TTL had not got round to deleting it yet)."""
    return dataclasses.replace(record, expires_at=int(NOW.timestamp()) - 60)


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Staff:
    """The `helpt` command line against one store; `store` is the same store, for setting up and checking."""

    backend: str
    store: StaffStore
    options: list[str]
    capsys: pytest.CaptureFixture[str]
    tmp_path: Path

    def __call__(self, *arguments: str, lang: str = "en") -> Result:
        self.capsys.readouterr()
        try:
            code = main([*arguments, "--lang", lang, "--city", str(LEUVEN), *self.options])
        except SystemExit as stop:  # argparse: --help, or a usage error
            code = int(stop.code or 0)
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def add(self, *records: Submission) -> None:
        for record in records:
            assert self.store.add(record)

    @property
    def who(self) -> str:
        """Who the export log should name on this backend."""
        if self.backend == "sqlite":
            return getpass.getuser()
        return "arn:aws:sts::" if self.backend == "dynamodb-moto" else "(AWS identity unknown)"


def open_staff(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> Staff:
    for name in STAFF_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # No built site unless a test makes one: a developer's own preview build must not name the vacancies.
    monkeypatch.setenv("HELPT_SITE_DATA", str(tmp_path / "no-site" / "site.json"))
    if backend == "sqlite":
        path = tmp_path / "data" / "helpt.sqlite3"
        return Staff(backend, SQLiteStore(path), ["--sqlite", str(path)], capsys, tmp_path)
    # The tool builds its own boto3 clients (DynamoDB, and STS for the log) from the environment's credentials.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    store = dynamodb_store(request, backend)
    endpoint = store.client.meta.endpoint_url
    options = ["--dynamodb-table", store.table_name, "--region", REGION, "--endpoint-url", endpoint]
    return Staff(backend, store, options, capsys, tmp_path)


@pytest.fixture(params=BACKENDS)
def staff(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Staff:
    return open_staff(request, request.param, tmp_path, monkeypatch, capsys)


@pytest.fixture(params=BACKENDS[1:])
def dynamodb_staff(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> Staff:
    return open_staff(request, request.param, tmp_path, monkeypatch, capsys)


@pytest.fixture
def local_staff(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Staff:
    """The SQLite store only: for checks of output formats that do not depend on the store."""
    return open_staff(request, "sqlite", tmp_path, monkeypatch, capsys)


def is_dynamodb(store: StaffStore) -> bool:
    return isinstance(store, DynamoDBStore)
