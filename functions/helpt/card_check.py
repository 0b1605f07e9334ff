"""The site's check page for a personal card's code: GET /<check page>/?code=KFM7XRT9AC.

A plain form with one field, `code`, so the address works typed, bookmarked or opened from the card's QR
code, with JavaScript off. The answer is one of two: "this card belongs to a volunteer the city knows, first
name X, valid until Y", or "we do not know this code: do not open the door, call <phone>". A withdrawn or
expired verification is an unknown code. The route reads the rate counts and the one code item, nothing
else; it logs the outcome only (never the code, the address or anything else of the caller).

Rate limits are kept in the store, so they hold across Lambda instances and on the local preview alike, and
do not depend on a WAF being switched on: CHECKS_PER_CLIENT an hour per client address (kept as an HMAC of
the address, gone after the hour), CHECKS_PER_HOUR for every client together. Either reached: 429, with the
phone number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
from typing import TYPE_CHECKING, Any

from helpt.http_api import Request, response
from helpt.verification import CHECKS_PER_CLIENT, CHECKS_PER_HOUR, RATE_WINDOW_SECONDS, normalise_code, valid_until

if TYPE_CHECKING:
    from helpt.pages import PageRenderer
    from helpt.settings import CitySettings

logger = logging.getLogger("helpt.card_check")

CODE_FIELD = "code"
# Set by CloudFront (ip:port), which overwrites any a client sends. Trusted only where the function is reached
# through CloudFront alone (HELPT_CLIENT_HEADER in template.yaml); elsewhere a client could send its own.
CLIENT_HEADER = "cloudfront-viewer-address"
CLIENT_HEADER_VARIABLE = "HELPT_CLIENT_HEADER"
EVERYONE = "check:everyone"


def check_paths(site: dict[str, Any]) -> dict[str, str]:
    """Each check page's path ("/controle/") -> its language, from the build's site data; {} when off."""
    return {"/" + record["url"].lstrip("/"): lang for lang, record in site.get("check_pages", {}).items()}


def check_lang(path: str, paths: dict[str, str]) -> str | None:
    """The language of the check page at `path` (with or without index.html), or None."""
    if path.endswith("/index.html"):
        path = path.removesuffix("index.html")
    return paths.get(path if path.endswith("/") else path + "/")


class CardCheckPage:
    """Answers the check pages; one per form handler."""

    def __init__(
        self, city: CitySettings, renderer: PageRenderer, store: Any, secret: bytes, *, client_header: str = ""
    ) -> None:
        self.city, self.renderer, self.store, self.secret = city, renderer, store, secret
        self.client_header = client_header.lower()  # "": the connection's own address
        self.paths = check_paths(renderer.site) if city.web_card_check else {}

    def handles(self, path: str) -> str | None:
        return check_lang(path, self.paths)

    def answer(self, request: Request, lang: str, now: dt.datetime) -> dict:
        if request.method not in ("GET", "HEAD"):
            return response(405, self.renderer.check_page(lang, outcome="", typed=""), allow="GET")
        typed = request.query_value(CODE_FIELD)
        if CODE_FIELD not in request.query:
            return response(200, self.renderer.check_page(lang, outcome="", typed=""))
        if not typed.strip():
            return response(200, self.renderer.check_page(lang, outcome="empty", typed=""))
        typed = typed[:64]  # shown back in the field; a longer one is no code anyway
        try:
            if not self._take(request, now):
                self._log("limited")
                page = self.renderer.check_page(lang, outcome="limited", typed=typed)
                return response(429, page, retry_after=str(RATE_WINDOW_SECONDS))
            code = normalise_code(typed)
            found = self.store.card_check(code, now=now) if code else None
        except Exception as error:  # the store failed: say so, and give the phone line
            self._log("unavailable", error=type(error).__name__)
            return response(503, self.renderer.check_page(lang, outcome="unavailable", typed=typed))
        self._log("known" if found else "unknown")
        if found is None:
            return response(200, self.renderer.check_page(lang, outcome="unknown", typed=typed))
        until = valid_until(found.expires_at, self.city.timezone)
        return response(200, self.renderer.check_page(
            lang, outcome="known", typed=typed, first_name=found.first_name, neighbourhood=found.neighbourhood,
            valid_until=until,
        ))  # fmt: skip

    def _take(self, request: Request, now: dt.datetime) -> bool:
        """Count this check for the client and for everyone; False when either limit is reached."""
        window = int(now.timestamp()) // RATE_WINDOW_SECONDS * RATE_WINDOW_SECONDS
        ends = window + RATE_WINDOW_SECONDS
        address = client_address(request, self.client_header)
        client = hmac.new(self.secret, address.encode(), hashlib.sha256).hexdigest()
        if not self.store.take_rate(f"check:{client}", window=window, limit=CHECKS_PER_CLIENT, expires_at=ends):
            return False
        return self.store.take_rate(EVERYONE, window=window, limit=CHECKS_PER_HOUR, expires_at=ends)

    def _log(self, outcome: str, **details: str) -> None:
        logger.info(json.dumps({"check": outcome, **details}))


def client_address(request: Request, header: str = "") -> str:
    """The visitor's address: the `header` CloudFront sets (ip:port) where it is trusted, else the connection's
    own (the local preview). An IPv6 address counts by its /64, which a household's router hands out whole:
    one home cannot get round the limit by changing its address.

    >>> viewer = Request("GET", "/", {}, {CLIENT_HEADER: "2001:db8:1:2:a:b:c:d:443"}, b"", "10.0.0.1")
    >>> client_address(viewer, CLIENT_HEADER), client_address(viewer)
    ('2001:db8:1:2::/64', '10.0.0.1')
    >>> client_address(Request("GET", "/", {}, {CLIENT_HEADER: "198.51.100.10:46532"}, b""), CLIENT_HEADER)
    '198.51.100.10'
    """
    viewer = request.headers.get(header, "") if header else ""
    text = viewer.rsplit(":", 1)[0].strip("[]") if viewer else request.client
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
