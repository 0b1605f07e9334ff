"""A real OpenID provider for the tests: panva's oidc-provider (npm, OpenID certified), and a browser's way
through its pages over plain HTTP.

A pytest plugin (test modules name it in `pytest_plugins`): the provider starts once per session, from
tests/oidc_provider.mjs on a free loopback port, with two registered clients, the back office's (OURS) and
another application's (THEIRS), and PKCE (S256) required of every authorization request. Its development
login form takes any name and any password. Without Node.js or `npm ci` its tests are skipped on a
developer's machine, and fail in CI (CI=true).

Test modules also import its helpers, before pytest loads it as a plugin; it holds no test assertions, so
pytest need not rewrite it: PYTEST_DONT_REWRITE.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup

from helpt.http_api import Request, request_from_event
from helpt.staff.web.oidc import OidcSettings

PROJECT_DIR = Path(__file__).resolve().parents[1]
SCRIPT = PROJECT_DIR / "tests" / "oidc_provider.mjs"
REDIRECT_URI = "http://127.0.0.1:8000/staff/auth/callback"  # the local preview's; nothing needs to listen
OURS = {"client_id": "helpt-staff", "client_secret": "back-office-secret", "redirect_uri": REDIRECT_URI}
THEIRS = {"client_id": "other-app", "client_secret": "other-secret", "redirect_uri": "http://127.0.0.1:8001/cb"}
ACCOUNTS = {
    "maria": {"email": "Maria.Peeters@leuven.example", "email_verified": True},
    "unverified": {"email": "someone@elsewhere.example", "email_verified": False},
    "no-address": {},
}
STATE_SECRET = "a-state-secret-of-at-least-32-characters"


@dataclass(frozen=True)
class Provider:
    issuer: str

    def settings(self, client: dict[str, str] = OURS, **changes: Any) -> OidcSettings:
        return OidcSettings(**({"issuer": self.issuer, "state_secret": STATE_SECRET, **client} | changes))


def unavailable(message: str) -> None:
    """Skip on a developer's machine; in CI a provider that should start and does not is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the sign-in tests must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    node = shutil.which("node")
    if node is None or not (PROJECT_DIR / "node_modules" / "oidc-provider").is_dir():
        unavailable("the OpenID provider needs Node.js and `npm ci --ignore-scripts` (make setup): not found")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    issuer = f"http://127.0.0.1:{port}"
    settings = {"port": port, "clients": [OURS, THEIRS], "accounts": ACCOUNTS}
    log = tmp_path_factory.mktemp("oidc-provider") / "provider.log"
    with log.open("wb") as output:
        process = subprocess.Popen([node, str(SCRIPT), json.dumps(settings)], cwd=PROJECT_DIR, stdout=output,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                unavailable(f"the OpenID provider did not start: {log.read_text(errors='replace')[-800:]}")
            time.sleep(0.05)
        yield Provider(issuer)
    finally:
        process.terminate()
        process.wait(timeout=10)


def callback_event(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {"version": "2.0", "rawPath": parts.path, "rawQueryString": parts.query, "headers": {},
            "requestContext": {"http": {"method": "GET", "path": parts.path}}}  # fmt: skip


def sign_in_at_provider(url: str, login: str, redirect_uri: str = REDIRECT_URI) -> Request:
    """Go where `start` sends the browser, fill in the provider's login and consent forms, and return the
    request the provider sends the browser back with."""
    return request_from_event(callback_event(provider_callback_url(url, login, redirect_uri)))


def provider_callback_url(url: str, login: str, redirect_uri: str = REDIRECT_URI) -> str:
    """The address the provider sends the browser back to, after signing in as `login` and consenting."""
    browser = requests.Session()
    answer = browser.get(url, allow_redirects=False, timeout=5)
    for _step in range(12):
        if answer.is_redirect:
            target = urljoin(answer.url, answer.headers["location"])
            if target.startswith(redirect_uri):
                return target
            answer = browser.get(target, allow_redirects=False, timeout=5)
            continue
        assert answer.status_code == 200, answer.text[:500]
        form = BeautifulSoup(answer.text, "html.parser").find("form")
        fields = {field["name"]: field.get("value", "") for field in form.find_all("input") if field.get("name")}
        if "login" in fields:
            fields |= {"login": login, "password": "any password"}
        answer = browser.post(urljoin(answer.url, form["action"]), data=fields, allow_redirects=False, timeout=5)
    raise AssertionError(f"the provider never sent the browser back: {answer.status_code} {answer.text[:300]}")
