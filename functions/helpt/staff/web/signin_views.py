"""Signing in and out: with a name and password (local accounts), or the city's identity provider (oidc=).

GET/POST /staff/signin            name + password
GET/POST /staff/signin/link       a one-time link from `helpt accounts add`: choose a password, and you are in
POST     /staff/signout           the session is deleted
POST     /staff/language          the back office's language, kept in the session
GET      /staff/auth/start        to the city's identity provider (only with oidc=)
GET      /staff/auth/callback     back from it: the e-mail address it vouches for must be an active account

The sign-in forms have no session to hold a CSRF token yet: they carry a random form token that must match
a cookie of the same browser (so no other site can sign someone in under an account of its choosing).
Each sign-in starts a new session with a new token, and ends the one the browser had.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from urllib.parse import quote, urlencode

from helpt.staff.texts import N_
from helpt.staff.web.accounts import (
    PASSWORD_LIMITS,
    PASSWORDS_DIFFER,
    UNKNOWN_ACCOUNT,
    account_from_link,
    account_name,
    password_problem,
    set_password,
    sign_in,
)
from helpt.staff.web.roles import OWN_SESSION
from helpt.staff.web.routing import Visit, routes
from helpt.staff.web.sessions import clear_cookie, cookie_name, new_token, set_cookie
from helpt.stores import Account

logger = logging.getLogger("helpt.staff.web.signin")

FORM_COOKIE = "helpt-signin"
STATE_COOKIE = "helpt-oidc"
STATE_SECONDS = 600  # time to sign in at the provider
NOT_SIGNED_IN = N_(
    "We could not sign you in with this name and password. Check both and try again. After %(limit)d tries in "
    "a row, wait %(minutes)d minutes before you try again."
)
NO_CITY_ACCESS = N_("Signing in with the city's account did not work, or that account has no access to the back "
                    "office. Try again, or ask a coordinator.")  # fmt: skip
_OPEN_PATHS = ("/staff/signin", "/staff/auth/")


def safe_next(path: str) -> str:
    """Where to go after signing in: a back office path of this site, never another site or a sign-in page.

    >>> safe_next("/staff/requests/H-ABCD-EFGH"), safe_next("https://evil.example/"), safe_next("//evil.example")
    ('/staff/requests/H-ABCD-EFGH', '/staff/', '/staff/')
    """
    bad = not path.startswith("/staff/") or "//" in path or "\\" in path or any(ord(c) < 0x21 for c in path)
    return "/staff/" if bad or path.startswith(_OPEN_PATHS) else path


# Name and password ------------------------------------------------------------------------------------------


@routes.get("/staff/signin", action=None)
def signin_page(visit: Visit) -> dict:
    next_path = safe_next(visit.request.query_value("next"))
    if visit.session is not None:
        return visit.redirect(next_path)
    notice = N_("You are signed out.") if visit.request.query_value("out") else ""
    return _signin_form(visit, next_path, notice=notice)


@routes.post("/staff/signin", action=None)
def signin(visit: Visit) -> dict:
    if not visit.office.passwords:  # only the city's sign-in here: a password is not a way in
        return visit.office.error_page(404, visit.lang)
    if not _form_token_matches(visit):
        return visit.office.error_page(403, visit.lang)
    name, password, next_path = visit.field("name"), visit.field("password"), safe_next(visit.field("next"))
    problems = {}
    if not name.strip():
        problems["f-name"] = N_("Enter your sign-in name, for example ann.claes.")
    if not password:
        problems["f-password"] = N_("Enter your password.")
    if problems:
        return _signin_form(visit, next_path, name=name, problems=problems, status=422)
    office = visit.office
    attempt = sign_in(office.store, name, password, office.city.staff, visit.now())
    office.audit(attempt.who, attempt.outcome)
    if attempt.account is None:
        return _signin_form(visit, next_path, name=name, problems={"f-name": NOT_SIGNED_IN}, status=422)
    return _start_session(visit, attempt.account, next_path)


def _signin_form(
    visit: Visit, next_path: str, *, name: str = "", problems: dict[str, str] | None = None, status: int = 200,
    notice: str = "",
) -> dict:  # fmt: skip
    _ = visit.gettext
    staff = visit.office.city.staff
    values = {"limit": staff.failed_signin_limit, "minutes": staff.lockout_minutes}
    errors = [(anchor, _(message) % values) for anchor, message in (problems or {}).items()]
    token, cookies = _form_token(visit)
    return visit.page(
        "signin.html", title=_("Sign in"), status=status, errors=errors, name=name, next_path=next_path,
        form_token=token, cookies=cookies, notice=_(notice) if notice else "", oidc=visit.office.oidc is not None,
        passwords=visit.office.passwords,
        language_links=_language_links(visit, "/staff/signin", next=next_path),
        oidc_start="/staff/auth/start?" + urlencode({"next": next_path}),
    )  # fmt: skip


# The one-time link ------------------------------------------------------------------------------------------


@routes.get("/staff/signin/link", action=None)
def link_page(visit: Visit) -> dict:
    if not visit.office.passwords:
        return visit.office.error_page(404, visit.lang)
    token = visit.request.query_value("token")
    account = account_from_link(visit.store, token, visit.now())
    if account is None:
        return _link_gone(visit)
    return _password_form(visit, account, token)


@routes.post("/staff/signin/link", action=None)
def choose_password(visit: Visit) -> dict:
    if not visit.office.passwords:
        return visit.office.error_page(404, visit.lang)
    if not _form_token_matches(visit):
        return visit.office.error_page(403, visit.lang)
    token = visit.field("token")
    account = account_from_link(visit.store, token, visit.now())
    if account is None:
        return _link_gone(visit)
    password, again = visit.field("password"), visit.field("again")
    problem = password_problem(password, again)
    if problem:
        anchor = "f-again" if problem == PASSWORDS_DIFFER else "f-password"
        return _password_form(visit, account, token, {anchor: problem}, status=422)
    account = set_password(visit.store, account, password)
    visit.office.audit(account.name, "password_set")
    visit.office.audit(account.name, "signin")
    return _start_session(visit, account, "/staff/")


def _password_form(
    visit: Visit, account: Account, token: str, problems: dict[str, str] | None = None, status: int = 200
) -> dict:
    _ = visit.gettext
    errors = [(anchor, _(message) % PASSWORD_LIMITS) for anchor, message in (problems or {}).items()]
    form_token, cookies = _form_token(visit)
    return visit.page(
        "set_password.html", title=_("Choose your password"), status=status, errors=errors, account=account,
        token=token, form_token=form_token, cookies=cookies, min_length=PASSWORD_LIMITS["min"],
        language_links=_language_links(visit, "/staff/signin/link", token=token),
    )  # fmt: skip


def _link_gone(visit: Visit) -> dict:
    # A used or expired link that is tried again may be someone else's copy of it: worth a line in the log.
    visit.office.audit(UNKNOWN_ACCOUNT, "signin_link_refused")
    _ = visit.gettext
    advice = N_("It was used already, or it is more than a day old. Ask a coordinator for a new link.")
    return visit.page("error.html", title=_("This sign-in link does not work any more"), advice=advice, status=410)


# Sign-out and language --------------------------------------------------------------------------------------


@routes.post("/staff/signout", action=OWN_SESSION)
def signout(visit: Visit) -> dict:
    assert visit.session is not None  # the application lets no one here without one
    cookie = visit.office.sessions.end(visit.session)
    visit.audit("signout")
    return visit.redirect(f"/staff/signin?out=1&lang={visit.lang}", cookies=[cookie])


@routes.post("/staff/language", action=OWN_SESSION)
def language(visit: Visit) -> dict:
    assert visit.session is not None
    wanted = visit.field("lang")
    if wanted in visit.office.languages:
        visit.office.sessions.change_language(visit.session, wanted)
    return visit.redirect(safe_next(visit.field("next")))


# The city's identity provider (OpenID Connect, oidc.py) ------------------------------------------------------


@routes.get("/staff/auth/start", action=None)
def oidc_start(visit: Visit) -> dict:
    oidc = visit.office.oidc
    if oidc is None:
        return visit.office.error_page(404, visit.lang)
    next_path = safe_next(visit.request.query_value("next"))
    try:
        url, state = oidc.start(visit.request, next_path)
    except Exception:  # the provider cannot be reached or answers nonsense: say so on the sign-in page
        logger.exception("sign-in with the identity provider could not start")
        return _signin_form(visit, next_path, problems={"oidc": NO_CITY_ACCESS}, status=503)
    kept = base64.urlsafe_b64encode(json.dumps({"next": next_path, "state": state}).encode()).decode()
    # Lax, not Strict: the provider sends the browser back from its own site, and Strict would not come along.
    cookie = set_cookie(STATE_COOKIE, kept, secure=visit.office.secure, same_site="Lax", max_age=STATE_SECONDS)
    return visit.redirect(url, cookies=[cookie])


@routes.get("/staff/auth/callback", action=None)
def oidc_callback(visit: Visit) -> dict:
    oidc, secure = visit.office.oidc, visit.office.secure
    if oidc is None:
        return visit.office.error_page(404, visit.lang)
    forget = clear_cookie(STATE_COOKIE, secure=secure, same_site="Lax")
    kept = _read_state(visit.cookies.get(cookie_name(STATE_COOKIE, secure=secure), ""))
    try:
        email = oidc.finish(visit.request, kept["state"]) if kept else None
    except Exception:  # the provider's token endpoint failed: the same answer as a refusal, and a log line
        logger.exception("sign-in with the identity provider could not finish")
        email = None
    account = visit.store.get_account(account_name(email)) if email else None
    if account is None or not account.active:
        visit.office.audit(account.name if account else UNKNOWN_ACCOUNT, "signin_failed")
        page = _signin_form(visit, kept["next"] if kept else "/staff/", problems={"oidc": NO_CITY_ACCESS}, status=403)
        return {**page, "cookies": [*page.get("cookies", []), forget]}
    visit.office.audit(account.name, "signin")
    # The provider's redirect is a cross-site navigation: a SameSite=Strict cookie set now is not sent on a
    # redirect that follows it. A page of our own that moves on (no script) makes the next request same-site.
    session_cookies = _new_session(visit, account)
    return visit.page(
        "signed_in.html", title=visit.gettext("Signed in"), next_path=safe_next(kept["next"] if kept else ""),
        cookies=[*session_cookies, forget],
    )  # fmt: skip


def _read_state(value: str) -> dict[str, str] | None:
    try:
        kept = json.loads(base64.urlsafe_b64decode(value.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        return None
    valid = isinstance(kept, dict) and all(isinstance(kept.get(key), str) for key in ("next", "state"))
    return kept if valid else None


# Shared -----------------------------------------------------------------------------------------------------


def _start_session(visit: Visit, account: Account, next_path: str) -> dict:
    return visit.redirect(safe_next(next_path), cookies=_new_session(visit, account))


def _new_session(visit: Visit, account: Account) -> list[str]:
    """A new session (never the one the browser came with), and the form token's cookie is spent."""
    if visit.session is not None:
        visit.office.sessions.end(visit.session)
    cookie, _session = visit.office.sessions.start(account, visit.lang)
    return [cookie, clear_cookie(FORM_COOKIE, secure=visit.office.secure)]


def _form_token(visit: Visit) -> tuple[str, list[str]]:
    """The browser's form token, or a new one with the cookie that gives it to the browser."""
    token = visit.cookies.get(cookie_name(FORM_COOKIE, secure=visit.office.secure), "")
    if len(token) >= 32:
        return token, []
    token = new_token()
    return token, [set_cookie(FORM_COOKIE, token, secure=visit.office.secure)]


def _form_token_matches(visit: Visit) -> bool:
    kept = visit.cookies.get(cookie_name(FORM_COOKIE, secure=visit.office.secure), "")
    sent = visit.field("csrf")
    return len(kept) >= 32 and hmac.compare_digest(sent.encode(), kept.encode())


def _language_links(visit: Visit, path: str, **query: str) -> list[tuple[str, str]]:
    """Links to this page in the other languages (before signing in, there is no session to keep a choice)."""
    return [
        (other, f"{path}?{urlencode({**query, 'lang': other}, quote_via=quote)}")
        for other in visit.office.languages
        if other != visit.lang
    ]
