"""The back office's route table, and what a view gets to work with.

A route is a method, a path pattern (`/staff/requests/{reference}`), the one action it needs (roles.py) and
a view function. Views register themselves on `routes` when their module is imported::

    from helpt.staff.web.routing import Visit, routes

    @routes.get("/staff/requests/{reference}", action="view")
    def request_page(visit: Visit) -> dict:
        visit.audit("view", visit.params["reference"])
        return visit.page("request.html", title=..., record=...)

    @routes.post("/staff/requests/{reference}/claim", action="claim")
    def claim(visit: Visit) -> dict:
        ...
        return visit.redirect(f"/staff/requests/{reference}")

The application (app.py) does the checks before a view runs, for every route alike: a live session (else
303 to the sign-in page), the role's right to the action (else 403), and on a POST the session's CSRF token
and a same-origin request (else 403). A view only does its own work. `nav=` puts a GET route in the menu
of the roles that may use it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from helpt.http_api import Request
from helpt.staff.texts import Texts
from helpt.staff.web.roles import ACTIONS, allowed
from helpt.stores import Account, StaffSession

if TYPE_CHECKING:
    from helpt.staff.web.app import BackOffice

View = Callable[["Visit"], dict]
_PARAMETER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Route:
    method: str  # GET or POST (HEAD is answered as GET)
    pattern: str  # "/staff/requests/{reference}": a {name} is one path segment
    action: str | None  # what roles.py must allow; None: open to anyone (sign-in, signed links)
    view: View
    nav: str = ""  # a menu label (a message id): listed for the roles that may use the route
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = _PARAMETER.split(self.pattern)
        # Even parts are literal text, odd parts parameter names.
        source = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
        object.__setattr__(self, "regex", re.compile(f"^{source}$"))

    def match(self, path: str) -> dict[str, str] | None:
        found = self.regex.match(path)
        return found.groupdict() if found else None

    def example_path(self, **values: str) -> str:
        """The path with each {name} filled in (by `values`, else a placeholder): for menus and tests."""
        return _PARAMETER.sub(lambda m: values.get(m[1], "X-TEST-ROUTE"), self.pattern)


class Routes:
    """Every route of the back office, in the order added; the first that matches a path answers it."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, pattern: str, action: str | None, view: View, *, nav: str = "") -> Route:
        method = method.upper()
        if method not in ("GET", "POST"):
            raise ValueError(f"{pattern}: a route answers GET or POST, not {method}")
        if not pattern.startswith("/staff/"):
            raise ValueError(f"{pattern}: back office routes live under /staff/")
        if action is not None and action not in ACTIONS:
            raise ValueError(f"{pattern}: {action!r} is not an action of roles.py")
        if nav and (method != "GET" or _PARAMETER.search(pattern)):
            raise ValueError(f"{pattern}: only a GET route without parameters can be in the menu")
        if any(route.method == method and route.pattern == pattern for route in self._routes):
            raise ValueError(f"{method} {pattern} is registered twice")
        route = Route(method, pattern, action, view, nav)
        self._routes.append(route)
        return route

    def get(self, pattern: str, *, action: str | None, nav: str = "") -> Callable[[View], View]:
        return self._decorator("GET", pattern, action, nav)

    def post(self, pattern: str, *, action: str | None) -> Callable[[View], View]:
        return self._decorator("POST", pattern, action, "")

    def _decorator(self, method: str, pattern: str, action: str | None, nav: str) -> Callable[[View], View]:
        def register(view: View) -> View:
            self.add(method, pattern, action, view, nav=nav)
            return view

        return register

    def __iter__(self) -> Iterator[Route]:
        return iter(list(self._routes))

    def find(self, method: str, path: str) -> tuple[Route | None, dict[str, str], tuple[str, ...]]:
        """The route for this request and its parameters; without one, the methods the path does answer."""
        wanted = "GET" if method == "HEAD" else method
        methods: list[str] = []
        for route in self._routes:
            params = route.match(path)
            if params is None:
                continue
            if route.method == wanted:
                return route, params, ()
            methods.append(route.method)
        return None, {}, tuple(dict.fromkeys(methods))


# The one table the application answers from; view modules add to it when imported.
routes = Routes()


@dataclass
class Visit:
    """One request to a route, after the checks: who is asking, in which language, with what."""

    office: BackOffice
    request: Request
    route: Route
    params: dict[str, str]
    lang: str
    texts: Texts
    session: StaffSession | None = None  # None only on the sign-in pages
    account: Account | None = None
    fields: dict[str, list[str]] = field(default_factory=dict)  # a POST's form fields
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def store(self) -> Any:  # the BackOfficeStore
        return self.office.store

    @property
    def role(self) -> str:
        return self.account.role if self.account else ""

    def now(self) -> dt.datetime:
        return self.office.clock()

    def field(self, name: str) -> str:
        """One posted field's first value, or ""."""
        return (self.fields.get(name) or [""])[0]

    def may(self, action: str) -> bool:
        """Whether this staff member's role allows `action`: to show a button only to those who may use it."""
        return allowed(self.role, action)

    def gettext(self, message: str) -> str:
        return self.texts.gettext(message)

    def page(self, template: str, *, title: str, status: int = 200, **context: Any) -> dict:
        """A page in the staff member's language, in the back office's frame (base.html)."""
        return self.office.render(self, template, title=title, status=status, **context)

    def redirect(self, location: str, *, cookies: Sequence[str] = ()) -> dict:
        """303 See Other: after a POST, or to send the browser on."""
        return self.office.redirect(location, cookies=cookies)

    def audit(self, action: str, reference: str = "") -> None:
        """Record in the audit log that this staff member did `action` (on the record `reference`)."""
        self.office.audit(self.account.name if self.account else "", action, reference)
