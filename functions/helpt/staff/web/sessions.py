"""Signed-in browsers: a random token in a cookie, only its SHA-256 in the store, and two time-outs.

The cookie is `__Host-helpt-staff` (Secure, HttpOnly, SameSite=Strict, Path=/) over HTTPS: the `__Host-`
prefix makes the browser refuse it from any other host or path, so a sibling subdomain cannot plant one.
That prefix needs Secure, which plain HTTP cannot have: the local preview uses `helpt-staff`, with Path=/staff.
No Max-Age: the cookie goes when the browser closes, and the store decides how long a session lives
(`[staff]` session_idle_minutes and session_max_hours). Someone who reads the store gets hashes, not sessions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

from helpt.settings import StaffSettings
from helpt.stores import Account, BackOfficeStore, StaffSession

SESSION_COOKIE = "helpt-staff"
# Moving `last_seen` costs a write: once a minute is precise enough for a 30-minute idle time-out.
TOUCH_EVERY = dt.timedelta(minutes=1)


def cookie_name(base: str, *, secure: bool) -> str:
    """`__Host-<base>` over HTTPS; the plain name on the local preview."""
    return f"__Host-{base}" if secure else base


def set_cookie(base: str, value: str, *, secure: bool, same_site: str = "Strict", max_age: int | None = None) -> str:
    """A Set-Cookie value. Over HTTPS Path=/ (the `__Host-` prefix demands it); locally the back office's path.

    >>> set_cookie("helpt-staff", "abc", secure=True)
    '__Host-helpt-staff=abc; Secure; HttpOnly; SameSite=Strict; Path=/'
    >>> set_cookie("helpt-staff", "abc", secure=False)
    'helpt-staff=abc; HttpOnly; SameSite=Strict; Path=/staff'
    """
    parts = [f"{cookie_name(base, secure=secure)}={value}"]
    parts += ["Secure"] if secure else []
    parts += ["HttpOnly", f"SameSite={same_site}", "Path=/" if secure else "Path=/staff"]
    parts += [f"Max-Age={max_age}"] if max_age is not None else []
    return "; ".join(parts)


def clear_cookie(base: str, *, secure: bool, same_site: str = "Strict") -> str:
    """A Set-Cookie value that makes the browser forget the cookie (same name, path and attributes)."""
    return set_cookie(base, "", secure=secure, same_site=same_site, max_age=0)


def cookies_of(event: Mapping[str, Any]) -> dict[str, str]:
    """The request's cookies: payload 2.0 moves them from the Cookie header into `cookies`; read both."""
    pairs = list(event.get("cookies") or [])
    headers = {str(name).lower(): str(value) for name, value in (event.get("headers") or {}).items()}
    pairs += [headers["cookie"]] if "cookie" in headers else []
    found: dict[str, str] = {}
    for pair in pairs:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(str(pair))
        except CookieError:  # a malformed cookie (ours or another site's on the same host) is ignored
            continue
        for name, morsel in jar.items():
            found.setdefault(name, morsel.value)  # the first wins, as browsers send the most specific first
    return found


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256, hex.

    >>> token_hash("x")[:16]
    '2d711642b726b044'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """32 random bytes, URL-safe: a session cookie, a CSRF token, a one-time sign-in link."""
    return secrets.token_urlsafe(32)


class Sessions:
    """Starting, finding and ending sessions in the store, by the city's time-outs."""

    def __init__(
        self, store: BackOfficeStore, settings: StaffSettings, *, secure: bool, clock: Callable[[], dt.datetime]
    ) -> None:
        self.store, self.secure, self.clock = store, secure, clock
        self.idle = dt.timedelta(minutes=settings.session_idle_minutes)
        self.max_age = dt.timedelta(hours=settings.session_max_hours)

    @property
    def cookie(self) -> str:
        return cookie_name(SESSION_COOKIE, secure=self.secure)

    def start(self, account: Account, lang: str) -> tuple[str, StaffSession]:
        """A new session for this account (a new token on every sign-in: an old one can never be taken over),
        and the Set-Cookie value that hands its token to the browser."""
        token, now = new_token(), _unix(self.clock())
        session = StaffSession(
            id_hash=token_hash(token), account=account.name, role=account.role, created_at=now, last_seen=now,
            csrf_token=new_token(), lang=lang,
        )  # fmt: skip
        self._put(session)
        return set_cookie(SESSION_COOKIE, token, secure=self.secure), session

    def current(self, cookies: Mapping[str, str]) -> StaffSession | None:
        """The live session the browser's cookie names, its `last_seen` moved to now; None when there is no
        cookie, no such session, or it has been idle or alive too long (then it is deleted)."""
        token = cookies.get(self.cookie, "")
        if not token:
            return None
        now = self.clock()
        session = self.store.get_session(token_hash(token), now=now)
        if session is None:
            return None
        seconds = _unix(now)
        if seconds - session.last_seen > self.idle.total_seconds() or (
            seconds - session.created_at > self.max_age.total_seconds()
        ):
            self.store.delete_session(session.id_hash)
            return None
        if seconds - session.last_seen >= TOUCH_EVERY.total_seconds():
            session = dataclasses.replace(session, last_seen=seconds)
            self._put(session)
        return session

    def change_language(self, session: StaffSession, lang: str) -> StaffSession:
        session = dataclasses.replace(session, lang=lang)
        self._put(session)
        return session

    def end(self, session: StaffSession) -> str:
        """Sign out: the session is deleted (its cookie is worthless from now on); returns the Set-Cookie value
        that makes the browser forget it."""
        self.store.delete_session(session.id_hash)
        return clear_cookie(SESSION_COOKIE, secure=self.secure)

    def _put(self, session: StaffSession) -> None:
        # Gone from the store at the first of the two time-outs, even if nobody asks for it again.
        ends = min(session.created_at + self.max_age.total_seconds(), session.last_seen + self.idle.total_seconds())
        self.store.put_session(session, expires_at=int(ends))


def _unix(moment: dt.datetime) -> int:
    return int(moment.timestamp())
