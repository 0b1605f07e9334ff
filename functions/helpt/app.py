"""Putting the form handler together from files: city settings, templates, catalogs, site data, a store.

The Lambda function and the local preview both build their handler here; only where the files are and
which store is used differ.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpt.card_check import CLIENT_HEADER_VARIABLE
from helpt.i18n import load_catalogs
from helpt.intake import Intake
from helpt.pages import PageRenderer
from helpt.settings import load_city
from helpt.stores import SubmissionStore

if TYPE_CHECKING:
    from helpt.notify import Notifier
    from helpt.notify.links import Links


def build_intake(
    *, city_file: Path, templates_dir: Path, translations_dir: Path, site_data_file: Path, store: SubmissionStore,
    notifier: Notifier | None = None, links: Links | None = None, client_header: str = "",
) -> Intake:  # fmt: skip
    """The form handler; with a `notifier` (and the `links` to sign), a new submission queues its messages."""
    from helpt.staff.vacancies import vacancies_from_site_data

    city = load_city(city_file)
    catalogs = load_catalogs(translations_dir, city.languages)
    site = json.loads(site_data_file.read_text(encoding="utf-8"))
    return Intake(
        city, PageRenderer(templates_dir, city, catalogs, site), store, notifier=notifier, links=links,
        vacancies=vacancies_from_site_data(site), client_header=client_header,
    )  # fmt: skip


def store_from_environment(environ: Mapping[str, str], *, fail_fast: bool = False) -> SubmissionStore:
    """HELPT_STORE=dynamodb (with HELPT_TABLE and AWS_REGION) on AWS; else SQLite (HELPT_SQLITE_PATH or the
    project's data/helpt.sqlite3). `fail_fast`: the form handler's DynamoDB client, which gives up in seconds
    (helpt.stores.dynamodb CLIENT_CONFIG); the others wait longer for their pages of records."""
    if environ.get("HELPT_STORE", "sqlite") == "dynamodb":
        from helpt.stores.dynamodb import CLIENT_CONFIG, PATIENT_CONFIG, DynamoDBStore  # boto3 only where used

        region = environ.get("AWS_REGION", "eu-west-1")
        return DynamoDBStore(
            environ["HELPT_TABLE"], region=region, config=CLIENT_CONFIG if fail_fast else PATIENT_CONFIG
        )
    from helpt.stores.sqlite import PATH_VARIABLE, SQLiteStore, default_path

    return SQLiteStore(Path(environ[PATH_VARIABLE]) if PATH_VARIABLE in environ else default_path())


def intake_from_environment(environ: Mapping[str, str] = os.environ) -> Intake:
    """The handler as deployed: HELPT_BUNDLE_DIR holds city.toml, templates/, translations/, site.json."""
    from helpt.notify.links import Links, secret_from_environment
    from helpt.notify.queue import notifier_from_environment

    bundle = Path(environ.get("HELPT_BUNDLE_DIR", Path(__file__).resolve().parent / "bundle"))
    city_file = Path(environ.get("HELPT_CITY", bundle / "city.toml"))
    store = store_from_environment(environ, fail_fast=True)
    return build_intake(
        city_file=city_file,
        templates_dir=bundle / "templates",
        translations_dir=bundle / "translations",
        site_data_file=bundle / "site.json",
        store=store,
        notifier=notifier_from_environment(environ, store),
        links=Links(secret_from_environment(environ), load_city(city_file).site_url),
        client_header=environ.get(CLIENT_HEADER_VARIABLE, ""),
    )


def digest_handler(event: dict[str, Any], context: object, environ: Mapping[str, str] = os.environ) -> dict:
    """What the morning schedule (EventBridge) calls: the "staff_digest" of requests waiting longer than the
    city promises, to the help mailbox (helpt.notify.triggers.run_digest, as `helpt digest` does)."""
    import datetime as dt

    from helpt.notify.queue import notifier_from_environment
    from helpt.notify.triggers import run_digest

    bundle = Path(environ.get("HELPT_BUNDLE_DIR", Path(__file__).resolve().parent / "bundle"))
    city = load_city(Path(environ.get("HELPT_CITY", bundle / "city.toml")))
    store = store_from_environment(environ)
    overdue = run_digest(store, city, notifier_from_environment(environ, store), dt.datetime.now(dt.UTC))
    return {"overdue": len(overdue)}
