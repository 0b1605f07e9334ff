"""Helpers for the web back office's tests: a clock to move, and a browser that sends payload 2.0 events.

`Browser` keeps the cookies the back office sets (as HTTP API returns them, in `cookies`) and sends them
back, posts forms urlencoded and base64-encoded as HTTP API delivers them, and by default sends what
Chromium sends with a form post from a page under `Referrer-Policy: no-referrer`: `Origin: null` and
`Sec-Fetch-Site: same-origin`. Nothing here stands in for the back office: every answer is its own.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bs4 import BeautifulSoup

from helpt.staff.web.accounts import new_account, set_password
from helpt.staff.web.app import BackOffice
from helpt.stores import Account, BackOfficeStore

HOST = "www.leuvenhelpt.be"
PASSWORD = "paard batterij nietje correct"  # 29 characters
START = dt.datetime(2020, 3, 16, 9, 0, tzinfo=dt.UTC)
NO_VACANCIES = "no-vacancies-yet"  # an Organisation-id that no vacancy of any test site has


@dataclass
class Clock:
    """The back office's clock, moved by the test."""

    now: dt.datetime = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Answer:
    """One answer of the back office, as the browser reads it."""

    raw: dict

    @property
    def status(self) -> int:
        return int(self.raw["statusCode"])

    @property
    def headers(self) -> dict[str, str]:
        return self.raw["headers"]

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    @property
    def body(self) -> str:
        return self.raw.get("body", "")

    @property
    def set_cookies(self) -> list[str]:
        return list(self.raw.get("cookies", []))

    @property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "html.parser")

    def text(self) -> str:
        return " ".join(self.soup.get_text(" ").split())

    def csrf(self) -> str:
        """The CSRF token of the page's first form."""
        found = self.soup.find("input", attrs={"name": "csrf"})
        assert found is not None, "the page has no form with a CSRF token"
        return str(found["value"])


@dataclass
class Browser:
    office: BackOffice
    host: str = HOST
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=lambda: {"origin": "null", "sec-fetch-site": "same-origin"})

    def get(self, path: str, query: str | Mapping[str, str] = "") -> Answer:
        return self._send("GET", path, query, None, {"sec-fetch-site": "same-origin"})

    def post(
        self, path: str, fields: Mapping[str, str], *, query: str = "", headers: Mapping[str, str] | None = None
    ) -> Answer:
        return self._send("POST", path, query, urlencode(fields), dict(self.headers if headers is None else headers))

    def _send(
        self, method: str, path: str, query: str | Mapping[str, str], body: str | None, headers: dict[str, str]
    ) -> Answer:
        query = query if isinstance(query, str) else urlencode(query)
        event: dict = {
            "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
            "headers": {"host": self.host, "user-agent": "pytest", "accept": "text/html", **headers},
            "requestContext": {"http": {"method": method, "path": path, "sourceIp": "127.0.0.1"}},
            "cookies": [f"{name}={value}" for name, value in self.cookies.items()],
        }  # fmt: skip
        if body is not None:
            event["headers"]["content-type"] = "application/x-www-form-urlencoded"
            event["body"], event["isBase64Encoded"] = base64.b64encode(body.encode()).decode(), True
        answer = Answer(self.office.handle(event))
        for cookie in answer.set_cookies:
            name, value = cookie.split(";", 1)[0].split("=", 1)
            if "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return answer

    def sign_in(self, name: str, password: str = PASSWORD, next_path: str = "") -> Answer:
        page = self.get("/staff/signin", {"next": next_path} if next_path else "")
        fields = {"csrf": page.csrf(), "name": name, "password": password, "next": next_path}
        return self.post("/staff/signin", fields, query=f"lang={self.office.default_language}")


def make_account(
    store: BackOfficeStore, name: str, role: str, *, now: dt.datetime = START, display_name: str = "",
    organisation: str | None = None,
) -> Account:  # fmt: skip
    """An account that has chosen its password (PASSWORD), as after its one-time link. An organisation's account
    names an Organisation-id: `organisation`, else one that no vacancy has (it sees no response)."""
    if organisation is None:
        organisation = NO_VACANCIES if role == "organisation" else ""
    new_account(store, name, role, display_name, now, organisation)
    account = store.get_account(name)
    assert account is not None
    return set_password(store, account, PASSWORD)


def signed_in(office: BackOffice, account: Account, lang: str = "") -> Browser:
    """A browser with a session for this account, started as a sign-in starts one (without the password's
    cost: the role and route tests sign in hundreds of times; sign-in itself is tested on its own)."""
    browser = Browser(office)
    cookie, _session = office.sessions.start(account, lang or office.default_language)
    name, value = cookie.split(";", 1)[0].split("=", 1)
    browser.cookies[name] = value
    return browser


def save_pages(folder: Path, answers: Mapping[str, Answer]) -> list[Path]:
    """Each answer's page as a file, for the HTML checker."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for name, answer in answers.items():
        page = folder / f"{name}.html"
        page.write_text(answer.body, encoding="utf-8")
        pages.append(page)
    return pages
