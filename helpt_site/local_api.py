"""The local stand-in for API Gateway: HTTP requests to /api/* become payload 2.0 events for the real
form handler, which keeps submissions in the embedded SQLite store."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from helpt.app import build_intake
from helpt.intake import Intake
from helpt.stores.sqlite import SQLiteStore

# API Gateway accepts bodies up to 10 MB; the handler answers 413 far below that. Reading stops here.
MAX_READ_BYTES = 1024 * 1024


def event_from_http(method: str, target: str, headers: Mapping[str, str], body: bytes, client_ip: str) -> dict:
    """A request as API Gateway HTTP API hands it to Lambda (payload 2.0, body base64-encoded)."""
    parts = urlsplit(target)
    now = dt.datetime.now(dt.UTC)
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": {name.lower(): value for name, value in headers.items()},
        "requestContext": {
            "http": {"method": method, "path": parts.path, "protocol": "HTTP/1.1", "sourceIp": client_ip},
            "requestId": str(uuid.uuid4()),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "body": base64.b64encode(body).decode("ascii"),
        "isBase64Encoded": True,
    }


class LocalApi:
    """The form handler as the preview runs it; `reload()` after each build picks up the new site data."""

    def __init__(self, project_dir: Path, output: Path, city_file: Path, data_dir: Path) -> None:
        self.project_dir, self.output, self.city_file = project_dir, output, city_file
        self.store = SQLiteStore(data_dir / "helpt.sqlite3")
        self.intake: Intake | None = None

    def reload(self) -> None:
        theme = self.project_dir / "theme"
        self.intake = build_intake(
            city_file=self.city_file,
            templates_dir=theme / "templates",
            translations_dir=theme / "translations",
            site_data_file=self.output / ".helpt" / "site.json",
            store=self.store,
        )

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        if self.intake is None:
            self.reload()
        assert self.intake is not None
        return self.intake.handle(event)
