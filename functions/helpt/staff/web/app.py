"""The web back office at /staff/: payload 2.0 events in, pages out, with the same checks on every route.

    office = BackOffice(city, store, secure=True)        # on AWS; secure=False on the plain-HTTP preview
    answer = office.handle(event)

Before any view runs, for every request under /staff/ except the sign-in pages and the
signed links in messages (answer_views.py: the link itself is the proof):
- a live session (cookie, idle and absolute time-out, active account), else 303 to /staff/signin?next=<path>,
  whatever the path: someone signed out learns nothing, not even whether a page exists;
- the account's role allows the route's action (roles.py), else a 403 page;
- a POST carries the session's CSRF token (field `csrf`) and comes from this site, else a 403 page.
Every answer is `Cache-Control: no-store` with the site's security headers (pages.py).

Adding pages: write a module of views that register on `helpt.staff.web.routing.routes` (its docstring shows
how; `from helpt.staff.web.app import routes` works too) and name it in VIEW_MODULES below. The case-work
views live in `casework_views.py`, loaded when it exists. A route needs an action from roles.py: the test
that walks every route with every role covers it by itself.

Signing in with the city's identity provider: pass `oidc=`, an object with
`start(request, next_path) -> (redirect_url, state_cookie_value)` and
`finish(request, state_cookie_value) -> email | None` (see OpenIDSignIn); signin_views.py does the rest.
"""

from __future__ import annotations

import datetime as dt
import hmac
import importlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from helpt.http_api import BadRequest, Request, parse_form, request_from_event
from helpt.notify import Notifier
from helpt.notify.links import Links
from helpt.settings import CitySettings
from helpt.staff.texts import N_, THEME_TRANSLATIONS, Texts, available_languages, load_texts
from helpt.staff.vacancies import Vacancies
from helpt.staff.web.pages import StaffPages, staff_response
from helpt.staff.web.roles import ROLE_NAMES, allowed
from helpt.staff.web.routing import Route, Visit, routes
from helpt.staff.web.sessions import Sessions, cookies_of
from helpt.stores import Account, AuditEntry, BackOfficeStore, StaffSession

__all__ = ["BackOffice", "OpenIDSignIn", "Route", "Visit", "routes"]

logger = logging.getLogger("helpt.staff.web")

# The modules whose views make up the back office; one that does not exist (yet) is skipped.
VIEW_MODULES = (
    "signin_views",
    "dashboard_views",
    "casework_views",
    "request_views",
    "correct_views",
    "volunteer_views",
    "print_views",
    "intake_views",
    "find_views",
    "log_views",
    "export_views",
    "responses_views",
    "privacy_views",
    "figures_views",
    "answer_views",
    "verify_views",
)
SIGNIN_PATH = "/staff/signin"
HOME_PATH = "/staff/"
MAX_BODY_BYTES = 64 * 1024
_MESSAGES = {  # the error page's title and what to do, by status (error.html translates them)
    400: (N_("We could not read what was sent"), N_("Go back to the page, and try again.")),
    403: (N_("You cannot do this"), N_("Your role does not allow it, or the page was open too long. Go back, "
                                       "reload the page and try again, or ask a coordinator.")),
    404: (N_("This page does not exist"), N_("Check the address, or go back to the start page.")),
    405: (N_("This page does not exist"), N_("Check the address, or go back to the start page.")),
    413: (N_("What you sent is too long"), N_("Go back and shorten it, then try again.")),
    500: (N_("Sorry, there is a problem with the back office"), N_("Something went wrong on our side. Try again "
                                                                   "in a few minutes.")),
}  # fmt: skip


class OpenIDSignIn(Protocol):
    """Sign-in with the city's identity provider (OpenID Connect), written in oidc.py."""

    def start(self, request: Request, next_path: str) -> tuple[str, str]:
        """Where to send the browser, and what to keep in its state cookie until it comes back."""

    def finish(self, request: Request, state_cookie_value: str) -> str | None:
        """The e-mail address the provider vouches for, from the callback request; None if it does not."""


def load_views(names: Sequence[str] = VIEW_MODULES) -> None:
    """Import the view modules, so that their routes are in the table (once: Python keeps modules)."""
    for name in names:
        module = f"helpt.staff.web.{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as missing:
            if missing.name != module:  # a module that is there but imports something missing is a bug
                raise


class BackOffice:
    """The back office for one city and store: one instance per process, reused across requests."""

    def __init__(
        self,
        city: CitySettings,
        store: BackOfficeStore,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        secure: bool,
        oidc: OpenIDSignIn | None = None,
        passwords: bool = True,
        theme_translations: Path = THEME_TRANSLATIONS,
        vacancies: Vacancies | None = None,
        notifier: Notifier | None = None,
        links: Links | None = None,
    ) -> None:
        load_views()
        # Who hears about proposals and matches (helpt.notify.triggers): no notifier, nobody. The links'
        # secret signs the answer and unsubscribe links, and checks them when they come back to /staff/.
        self.notifier = notifier
        self.links = links or Links(secrets.token_urlsafe(32).encode("ascii"), city.site_url)
        self.city, self.store, self.clock, self.secure, self.oidc = city, store, clock, secure, oidc
        # The site's vacancies (titles, organisations): from the build's site data, none without a build.
        self.vacancies = vacancies if vacancies is not None else Vacancies()
        # Name-and-password sign-in (local accounts). Off where the city's sign-in is the way in (on AWS),
        # so that nobody gets around its MFA, or around leaving the city's directory, with a local password.
        self.passwords = passwords
        self.theme_translations = theme_translations
        self.routes = routes
        self.sessions = Sessions(store, city.staff, secure=secure, clock=clock)
        self.pages = StaffPages(city)
        self.languages = available_languages(city.languages)
        self._texts: dict[str, Texts] = {}

    def handle(self, event: dict[str, Any]) -> dict:
        started = time.perf_counter()
        request = request_from_event(event)
        try:
            answer = self._answer(request, cookies_of(event))
        except Exception:  # a bug must not show a stack trace, nor anything the page would have shown
            logger.exception("back office failed")
            answer = self.error_page(500, self.default_language)
        if request.method == "HEAD":
            answer = {**answer, "body": ""}
        # The route's pattern, never the path: a path holds a reference, a query may hold a name or a number.
        route, _params, _methods = self.routes.find(request.method, request.path)
        logger.info(json.dumps({"route": route.pattern if route else "?", "status": answer["statusCode"],
                                "ms": round((time.perf_counter() - started) * 1000, 1)}))  # fmt: skip
        return answer

    def _answer(self, request: Request, cookies: Mapping[str, str]) -> dict:
        if request.path == "/staff":
            return self.redirect("/staff/")
        route, params, methods = self.routes.find(request.method, request.path)
        session = self.sessions.current(cookies)
        account = self.store.get_account(session.account) if session else None
        if session and (account is None or not account.active):
            self.store.delete_session(session.id_hash)  # access withdrawn: this session is over
            session, account = None, None
        lang = self.language(session.lang if session else request.query_value("lang"))
        if route is not None and route.action is None:  # the sign-in pages: no session needed
            return self._run(route, params, request, lang, session, account, cookies)
        if session is None or account is None:
            return self.redirect(f"{SIGNIN_PATH}?next={quote(request.path, safe='/')}")
        if route is None:
            status = 405 if methods else 404
            return self.error_page(status, lang, session, account, **({"allow": ", ".join(methods)} if methods else {}))
        if not allowed(account.role, str(route.action)):
            if request.path == HOME_PATH and self.home(account.role) != HOME_PATH:
                return self.redirect(self.home(account.role))  # where sign-in sends everybody: not a refusal
            self.audit(account.name, "refused", params.get("reference", ""))
            return self.error_page(403, lang, session, account)
        return self._run(route, params, request, lang, session, account, cookies)

    def home(self, role: str) -> str:
        """Where a role starts: "Today" (/staff/), or for a role without it (a care organisation) the first page
        of its menu. Sign-in and every "back to the start" link go to /staff/, which sends such a role on."""
        if allowed(role, "dashboard"):
            return HOME_PATH
        menu = (r.pattern for r in self.routes if r.nav and r.method == "GET" and r.action and allowed(role, r.action))
        return next(menu, HOME_PATH)

    def _run(
        self, route: Route, params: dict[str, str], request: Request, lang: str, session: StaffSession | None,
        account: Account | None, cookies: Mapping[str, str],
    ) -> dict:  # fmt: skip
        fields: dict[str, list[str]] = {}
        if route.method == "POST":
            if len(request.body) > MAX_BODY_BYTES:
                return self.error_page(413, lang, session, account)
            try:
                fields = parse_form(request)
            except BadRequest:
                return self.error_page(400, lang, session, account)
            if not self.same_origin(request):
                return self.error_page(403, lang, session, account)
            # The sign-in pages check their own form token (there is no session yet to hold one).
            if route.action is not None and not _token_matches((fields.get("csrf") or [""])[0], session):
                return self.error_page(403, lang, session, account)
        visit = Visit(self, request, route, params, lang, self.texts(lang), session, account, fields, dict(cookies))
        return route.view(visit)

    def same_origin(self, request: Request) -> bool:
        """Whether a POST comes from a page of this site, as far as the browser says.

        Sec-Fetch-Site, when sent, must be same-origin. An Origin header must be this site's, except "null":
        under `Referrer-Policy: no-referrer` (ours) browsers send `Origin: null` with every form post, their
        own site's included; the CSRF token decides then."""
        fetch_site = request.headers.get("sec-fetch-site")
        if fetch_site is not None and fetch_site != "same-origin":
            return False
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            return True
        return origin.rstrip("/").lower() in self._origins(request)

    def _origins(self, request: Request) -> set[str]:
        # Behind CloudFront the function sees the API's host, the browser the site's: both are this site.
        scheme = "https" if self.secure else "http"
        hosts = {request.headers.get("host", ""), request.headers.get("x-forwarded-host", "")} - {""}
        site = urlsplit(self.city.site_url)
        return {f"{scheme}://{host}".lower() for host in hosts} | {f"{site.scheme}://{site.netloc}".lower()}

    # What views and templates use -------------------------------------------------------------------------

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def language(self, wanted: str) -> str:
        return wanted if wanted in self.languages else self.default_language

    def texts(self, lang: str) -> Texts:
        if lang not in self._texts:
            self._texts[lang] = load_texts(lang, self.theme_translations)
        return self._texts[lang]

    def render(self, visit: Visit, template: str, *, title: str, status: int = 200, **context: Any) -> dict:
        cookies = context.pop("cookies", ())
        frame = self._frame(visit.lang, visit.session, visit.account, visit.request.path)
        body = self.pages.render(template, self.texts(visit.lang), title=title, status=status, **{**frame, **context})
        return staff_response(status, body, secure=self.secure, cookies=cookies)

    def redirect(self, location: str, *, cookies: Sequence[str] = ()) -> dict:
        return staff_response(303, "", secure=self.secure, cookies=cookies, location=location)

    def error_page(
        self, status: int, lang: str, session: StaffSession | None = None, account: Account | None = None,
        **headers: str,
    ) -> dict:  # fmt: skip
        title, advice = _MESSAGES[status]
        texts = self.texts(lang)
        frame = self._frame(lang, session, account, "/staff/")
        body = self.pages.render("error.html", texts, title=texts.gettext(title), advice=advice, status=status,
                                 **frame)  # fmt: skip
        return staff_response(status, body, secure=self.secure, **headers)

    def audit(self, who: str, action: str, reference: str = "") -> None:
        """Add to the audit log; it is kept as long as the records it is about (the city's retention)."""
        now = self.clock()
        expires_at = int((now + dt.timedelta(days=self.city.retention_days)).timestamp())
        self.store.audit(AuditEntry(at=now, who=who, action=action, reference=reference, expires_at=expires_at))

    def _frame(self, lang: str, session: StaffSession | None, account: Account | None, here: str) -> dict[str, Any]:
        """Who is signed in, their menu and the language switch, for base.html; nothing when nobody is."""
        if session is None or account is None:
            return {}
        _ = self.texts(lang).gettext
        nav = [
            (route.pattern, _(route.nav), route.pattern == here)
            for route in self.routes
            if route.nav and route.method == "GET" and route.action and allowed(account.role, route.action)
        ]
        return {
            "user": {"name": account.display_name or account.name, "role": _(ROLE_NAMES.get(account.role, "?"))},
            "nav": nav,
            "csrf": session.csrf_token,
            "here": here,
            "other_languages": [other for other in self.languages if other != lang],
        }


def _token_matches(sent: str, session: StaffSession | None) -> bool:
    return bool(session and sent) and hmac.compare_digest(sent.encode(), str(session.csrf_token).encode())
