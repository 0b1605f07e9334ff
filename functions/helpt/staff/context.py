"""What every command works with: the city's settings, the store, the language, and who is working.

The store is the local SQLite file unless DynamoDB is named (on the command line, or HELPT_STORE=dynamodb
with HELPT_TABLE and AWS_REGION as the form handlers use). Staff use their own AWS credentials, from the
usual places (environment, ~/.aws, SSO); the tool never asks for or stores them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from helpt.settings import DEFAULT_SETTINGS_FILE, CitySettings
from helpt.staff.identity import aws_identity, os_user
from helpt.staff.texts import Texts
from helpt.staff.vacancies import Vacancies, load_vacancies
from helpt.stores import LogEntry, StaffStore

if TYPE_CHECKING:
    from helpt.notify import Notifier
    from helpt.notify.links import Links

PROJECT_DIR = Path(__file__).resolve().parents[3]
# Where the vacancies' titles and organisations come from: the site data of a build (HELPT_SITE_DATA names
# another file); the preview's build first, then the publishing build's.
SITE_DATA_FILES = tuple(PROJECT_DIR / folder / ".helpt" / "site.json" for folder in ("output", ".build/publish"))


@dataclass(frozen=True)
class StoreChoice:
    """Which store to open: SQLite at `sqlite_path`, or the DynamoDB `table`."""

    sqlite_path: Path | None = None
    table: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    # On AWS, the back office function that adds export-log and audit entries (helpt.stores.log_function).
    log_function: str | None = None

    @property
    def is_dynamodb(self) -> bool:
        return self.table is not None


def city_file(given: str | None, environ: Mapping[str, str]) -> Path:
    """--city, else $HELPT_CITY, else city.toml in the current folder, else the project's city.toml."""
    if given:
        return Path(given)
    if environ.get("HELPT_CITY"):
        return Path(environ["HELPT_CITY"])
    here = Path(DEFAULT_SETTINGS_FILE)
    return here if here.is_file() else PROJECT_DIR / DEFAULT_SETTINGS_FILE


def store_choice(
    *, sqlite: str | None, table: str | None, region: str | None, endpoint_url: str | None, environ: Mapping[str, str]
) -> StoreChoice:
    """The command line first, then the same environment variables the form handlers read."""
    if table is None and environ.get("HELPT_STORE") == "dynamodb":
        table = environ.get("HELPT_TABLE")
    if table is not None:
        region = region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
        log_function = environ.get("HELPT_LOG_FUNCTION") or None
        return StoreChoice(table=table, region=region, endpoint_url=endpoint_url, log_function=log_function)
    from helpt.stores.sqlite import PATH_VARIABLE, default_path

    path = sqlite or environ.get(PATH_VARIABLE)
    return StoreChoice(sqlite_path=Path(path) if path else default_path())


def open_store(choice: StoreChoice) -> StaffStore:
    if choice.is_dynamodb:
        from helpt.stores.dynamodb import DynamoDBStore  # boto3 only when DynamoDB is used

        store = DynamoDBStore(str(choice.table), region=str(choice.region), endpoint_url=choice.endpoint_url)
        if choice.log_function:
            from helpt.stores.log_function import lambda_invoker

            store.log_via = lambda_invoker(choice.log_function, region=choice.region)
        return store
    from helpt.stores.sqlite import SQLiteStore

    return SQLiteStore(Path(str(choice.sqlite_path)))


@dataclass
class StaffContext:
    """Everything a command needs; the store is opened only when a command first uses it."""

    city: CitySettings
    texts: Texts
    choice: StoreChoice
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    # Makes the notifier over the store once a command needs one (`helpt propose`, `confirm`, `digest`); none:
    # nothing is sent (helpt.notify.triggers).
    notifier_factory: Callable[[StaffStore], Notifier | None] | None = None

    @cached_property
    def notifier(self) -> Notifier | None:
        return self.notifier_factory(self.store) if self.notifier_factory else None

    @cached_property
    def links(self) -> Links:
        """The signed links in messages: the same secret as the back office's (HELPT_LINK_SECRET, or on the
        preview the one kept beside the SQLite file), so that the links the command line sends work there."""
        from helpt.notify.links import Links, secret_from_environment

        folder = self.choice.sqlite_path.parent if self.choice.sqlite_path else None
        return Links(secret_from_environment(os.environ, folder), self.city.site_url)

    @cached_property
    def store(self) -> StaffStore:
        return open_store(self.choice)

    @cached_property
    def who(self) -> str:
        """The staff member, as the export log and a record's history name them."""
        if self.choice.is_dynamodb:
            return aws_identity(str(self.choice.region), self.choice.endpoint_url)
        return os_user()

    @cached_property
    def vacancies(self) -> Vacancies:
        """The site's vacancies (titles, organisations); none when no build is found."""
        named = os.environ.get("HELPT_SITE_DATA")
        found = Path(named) if named else next((path for path in SITE_DATA_FILES if path.is_file()), None)
        return load_vacancies(found)

    def now(self) -> dt.datetime:
        return self.clock()

    def log(self, action: str, description: str, rows: int) -> None:
        """Record in the store's export log what was taken out or erased (no personal data)."""
        self.store.log(LogEntry(at=self.now(), who=self.who, action=action, filter=description, rows=rows))
