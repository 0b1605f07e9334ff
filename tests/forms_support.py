"""Helpers for the form tests: valid answers for each form, and hand-built payload 2.0 events."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from urllib.parse import urlencode

from helpt.app import build_intake
from helpt.intake import Intake
from helpt.stores.sqlite import SQLiteStore
from helpt_site.build import PROJECT_DIR

Fields = dict[str, str | list[str]]

VALID: dict[str, Fields] = {
    "help-request": {
        "name": "Maria Peeters", "phone": "0470 12 34 56", "email": "", "street": "Kerkstraat 1",
        "postcode": "3000", "help": ["groceries", "dog"], "details": "Brood en melk", "urgency": "days",
        "for_whom": "self", "asker_name": "", "asker_phone": "", "asker_email": "", "relationship": "",
        "agreed": "", "language": "nl", "consent": "yes", "health_consent": "", "health_consent_other": "",
    },
    "volunteer": {
        "name": "Ann Janssens", "email": "ann@example.com", "phone": "+32 470 12 34 56", "postcode": "3010",
        "help": ["dog", "call"], "availability": ["evenings", "weekends"], "languages": ["nl", "en"],
        "other_languages": "Turks", "adult": "yes", "safety": "yes", "consent": "yes",
    },
    "vacancy-response": {
        "vacancy": "food-parcels", "name": "Jan De Smet", "email": "jan@example.com", "phone": "",
        "message": "Ik kan op dinsdag helpen.\nVanaf 9 uur.", "consent": "yes",
    },
}  # fmt: skip


def form_body(fields: Fields, lang: str = "nl") -> str:
    pairs = [("lang", lang)]
    for name, value in fields.items():
        pairs += [(name, item) for item in value] if isinstance(value, list) else [(name, value)]
    return urlencode(pairs)


def event(
    slug: str,
    body: str | bytes = "",
    *,
    method: str = "POST",
    content_type: str = "application/x-www-form-urlencoded",
    encode: bool = True,
    query: str = "",
    accept: str = "text/html",
    path: str = "",
) -> dict:
    """An API Gateway HTTP API (payload 2.0) event; urlencoded bodies arrive base64-encoded, as there."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path or f"/api/{slug}",
        "rawQueryString": query,
        "headers": {"content-type": content_type, "accept": accept, "user-agent": "pytest"},
        "requestContext": {"http": {"method": method, "path": path or f"/api/{slug}", "sourceIp": "127.0.0.1"}},
        "body": base64.b64encode(raw).decode("ascii") if encode else raw.decode("utf-8"),
        "isBase64Encoded": encode,
    }


def json_event(slug: str, fields: Fields, lang: str = "nl", accept: str = "application/json") -> dict:
    return event(slug, json.dumps({"lang": lang, **fields}), content_type="application/json", accept=accept)


def broken_store(folder: Path) -> SQLiteStore:
    """A store whose database has gone: its data folder was replaced by a file after it opened."""
    store = SQLiteStore(folder / "data" / "helpt.sqlite3")
    shutil.rmtree(folder / "data")
    (folder / "data").write_text("not a folder")
    return store


def make_intake(site_root: Path, store: SQLiteStore) -> Intake:
    theme = PROJECT_DIR / "theme"
    return build_intake(
        city_file=PROJECT_DIR / "city.toml",
        templates_dir=theme / "templates",
        translations_dir=theme / "translations",
        site_data_file=site_root / ".helpt" / "site.json",
        store=store,
    )
