"""The local stand-in for API Gateway: HTTP requests to /api/* become payload 2.0 events for the real
form handler, which keeps submissions in the embedded SQLite store, and requests to /staff/* events for the
back office, over the same store. Like API Gateway, it refuses a request whose body it cannot frame (no
usable length) before a handler sees it, and moves the Cookie header into the event's `cookies`."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import uuid
from collections.abc import Mapping
from email.message import Message
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from helpt.app import build_intake
from helpt.intake import MAX_BODY_BYTES, Intake
from helpt.notify.links import Links, secret_from_environment
from helpt.notify.queue import LocalNotifier
from helpt.staff.web.file_answers import BodyChunks, body_chunks, body_length
from helpt.stores.sqlite import SQLiteStore

# A body over the handler's limit is not read at all: the handler answers 413 to this stand-in instead,
# in the visitor's language, exactly as it would to the real one (it only looks at the size).
OVERSIZE_STAND_IN = b"\0" * (MAX_BODY_BYTES + 1)
_DIGITS = re.compile(r"[0-9]+")
_LONGEST_LENGTH = 15  # digits: a petabyte, far past any limit; a longer one is not even converted


class BadFraming(ValueError):
    """The request's headers do not say, in a way to trust, how long its body is: it is refused unread."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def declared_length(headers: Message) -> int:
    """The body's length from Content-Length, 0 without one. Raises BadFraming for a length that is not a
    plain number (negative, "abc", two different ones) and for Transfer-Encoding (chunked bodies have no
    length to check before reading them, and no browser sends a form that way)."""
    coding = headers.get("Transfer-Encoding")
    if coding is not None:
        if coding.strip().lower() == "chunked":
            raise BadFraming(HTTPStatus.LENGTH_REQUIRED, "chunked body: send it with a Content-Length")
        raise BadFraming(HTTPStatus.NOT_IMPLEMENTED, "unknown Transfer-Encoding")
    values = {value.strip() for value in headers.get_all("Content-Length") or []}
    if not values:
        return 0
    if len(values) > 1:
        raise BadFraming(HTTPStatus.BAD_REQUEST, "more than one Content-Length")
    (value,) = values
    if not _DIGITS.fullmatch(value):
        raise BadFraming(HTTPStatus.BAD_REQUEST, "Content-Length is not a number of bytes")
    return int(value) if len(value) <= _LONGEST_LENGTH else 10**_LONGEST_LENGTH


def event_from_http(method: str, target: str, headers: Mapping[str, str], body: bytes, client_ip: str) -> dict:
    """A request as API Gateway HTTP API hands it to Lambda (payload 2.0, body base64-encoded, cookies apart)."""
    parts = urlsplit(target)
    now = dt.datetime.now(dt.UTC)
    lowered = {name.lower(): value for name, value in headers.items()}
    cookies = [part.strip() for part in lowered.pop("cookie", "").split(";") if part.strip()]
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "cookies": cookies,
        "headers": lowered,
        "requestContext": {
            "http": {"method": method, "path": parts.path, "protocol": "HTTP/1.1", "sourceIp": client_ip},
            "requestId": str(uuid.uuid4()),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "body": base64.b64encode(body).decode("ascii"),
        "isBase64Encoded": True,
    }


STAFF_PREFIX = "/staff"


class LocalApi:
    """The form handler and the back office as the preview runs them; `reload()` after each build picks up the
    new site data and settings."""

    def __init__(self, project_dir: Path, output: Path, city_file: Path, data_dir: Path, *, site_url: str = "") -> None:
        self.project_dir, self.output, self.city_file = project_dir, output, city_file
        # The links in messages (answers to a proposal, unsubscribing) open on this preview (`site_url`, where it
        # is served) and are signed with the secret kept in data_dir, which `helpt` uses too: a link in the
        # outbox still works after a restart, whichever of the two wrote it.
        self.site_url, self.link_secret = site_url, secret_from_environment(os.environ, data_dir)
        self.store = SQLiteStore(data_dir / "helpt.sqlite3")
        # What the form handler and the back office hand their messages to; the preview's sender thread
        # (helpt.notify.local, started by helpt_site.devserver) sends them into data_dir/outbox.
        self.notifier = LocalNotifier(self.store)
        self.intake: Intake | None = None
        self.back_office: Any = None  # helpt.staff.web.app.BackOffice, imported when first asked for

    def reload(self) -> None:
        theme = self.project_dir / "theme"
        self.intake = build_intake(
            city_file=self.city_file,
            templates_dir=theme / "templates",
            translations_dir=theme / "translations",
            site_data_file=self.output / ".helpt" / "site.json",
            store=self.store,
            notifier=self.notifier,
            links=self.links(),
        )

        self.back_office = None

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        if is_staff_path(event["rawPath"]):
            return self._back_office().handle(event)
        if self.intake is None:
            self.reload()
        assert self.intake is not None
        return self.intake.handle(event)

    def is_check_path(self, path: str) -> bool:
        """Whether `path` is a card check page, which the form handler answers (as CloudFront sends it on)."""
        if self.intake is None:
            try:
                self.reload()
            except OSError:  # no site built yet: no check page either
                return False
        assert self.intake is not None
        return self.intake.card_check.handles(path) is not None

    def _back_office(self) -> Any:
        if self.back_office is None:
            from helpt.settings import load_city
            from helpt.staff.vacancies import load_vacancies
            from helpt.staff.web.app import BackOffice
            from helpt.staff.web.oidc import oidc_from_environment

            # Plain HTTP on the loopback address: no Secure cookie; the city's sign-in only when configured.
            self.back_office = BackOffice(
                load_city(self.city_file), self.store, secure=False, oidc=oidc_from_environment(os.environ),
                vacancies=load_vacancies(self.output / ".helpt" / "site.json"), notifier=self.notifier,
                links=self.links(),
            )  # fmt: skip
        return self.back_office

    def links(self) -> Links:
        """The signed links of the preview: to where it is served, else to the city's site address."""
        from helpt.settings import load_city

        return Links(self.link_secret, self.site_url or load_city(self.city_file).site_url)


def answer_length(answer: dict[str, Any]) -> int:
    """The answer's body in bytes, for Content-Length: an inline body (text, or base64 as HTTP API decodes
    it), or the file a back office download names (helpt.staff.web.file_answers)."""
    return body_length(answer)


def answer_chunks(answer: dict[str, Any]) -> BodyChunks:
    """The answer's body a piece at a time: a download's file is never read whole into memory, and is
    deleted once sent, or when the sending stops (close the iterator)."""
    return body_chunks(answer)


def is_staff_path(path: str) -> bool:
    """/staff and everything under it, never /staffing or /en/staff-page."""
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")
