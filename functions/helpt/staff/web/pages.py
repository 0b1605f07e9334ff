"""What the back office sends back: pages rendered from `web/templates/`, and the headers on every answer.

Templates get `_` (the staff catalog in the staff member's language) and the frame's facts: the site's
name, the city's phone line, who is signed in, the menu, the CSRF token for forms. Every answer carries
`Cache-Control: no-store` (staff pages hold personal data) and the site's security headers, which
template.yaml's CloudFront policy also sets: a Content-Security-Policy without inline script or style,
no framing, no referrer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from helpt.i18n import language_name
from helpt.settings import CitySettings
from helpt.staff.texts import Texts
from helpt.templating import opening_hours

TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLESHEETS = ("/theme/css/site.css", "/theme/css/staff.css")

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=63072000; includeSubDomains"


def staff_response(status: int, body: str = "", *, secure: bool, cookies: Sequence[str] = (), **headers: str) -> dict:
    """A payload 2.0 answer with the security headers; Set-Cookie values go in `cookies`, as HTTP API wants."""
    answer: dict[str, Any] = {
        "statusCode": status,
        "headers": {
            "content-type": "text/html; charset=utf-8",
            **SECURITY_HEADERS,
            **({"strict-transport-security": HSTS} if secure else {}),
            **{name.replace("_", "-"): value for name, value in headers.items()},
        },
        "body": body,
        "isBase64Encoded": False,
    }
    if cookies:
        answer["cookies"] = list(cookies)
    return answer


class StaffPages:
    """Renders the back office's templates for one city."""

    def __init__(self, city: CitySettings, templates: Path = TEMPLATES) -> None:
        self.city = city
        self.environment = Environment(
            loader=FileSystemLoader(templates), autoescape=True, undefined=StrictUndefined, trim_blocks=True,
            lstrip_blocks=True,
        )  # fmt: skip

    def render(self, template: str, texts: Texts, **context: Any) -> str:
        """A page in `texts.lang`. `context` is the template's own, on top of the frame's (see frame())."""
        return self.environment.get_template(template).render({**self.frame(texts), **context})

    def frame(self, texts: Texts) -> dict[str, Any]:
        """What base.html needs on every page, whoever is signed in."""
        lang = texts.lang
        site_name = self.city.site_name.get(lang, self.city.name)
        return {
            "_": texts.gettext,
            "ngettext": texts.ngettext,
            "lang": lang,
            "site_name": site_name,
            "office_name": texts.gettext("%(site)s back office") % {"site": site_name},
            "stylesheets": STYLESHEETS,
            "phone": self.city.phone,
            "phone_uri": self.city.phone_uri,
            "hours": opening_hours(self.city, texts.theme, lang),
            "language_name": language_name,
            # Set by the application for a signed-in staff member; empty on the sign-in pages.
            "user": None,
            "nav": (),
            "csrf": "",
            "here": "/staff/",
            "other_languages": (),
            "language_links": (),  # before signing in: links to the page in the other languages
            "errors": (),
        }


def download_response(
    filename: str, content_type: str, body: bytes | str, *, secure: bool, cookies: Sequence[str] = ()
) -> dict:
    """A file to save (an access report, an export): `attachment`, never cached, with the security headers.

    `filename` is ASCII (a reference, a date): it goes into the header as it is."""
    import base64

    data = body.encode("utf-8") if isinstance(body, str) else body
    disposition = f'attachment; filename="{filename}"'
    answer = staff_response(200, "", secure=secure, cookies=cookies, content_disposition=disposition)
    answer["headers"]["content-type"] = content_type
    answer["body"] = base64.b64encode(data).decode("ascii")
    answer["isBase64Encoded"] = True
    return answer
