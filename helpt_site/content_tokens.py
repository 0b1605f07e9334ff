"""Placeholders such as `{{ phone_link }}` in Markdown content, filled in from the city settings.

Content written with placeholders carries no city's phone number or address, so another city can copy the
pages as they are. Substitution happens on the rendered HTML, so values are escaped here.
"""

from __future__ import annotations

import gettext
import re

from babel.lists import format_list
from markupsafe import Markup, escape

from helpt.settings import CitySettings
from helpt.templating import opening_hours

TOKEN = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def token_values(city: CitySettings, lang: str, catalog: gettext.NullTranslations, *, html: bool) -> dict[str, str]:
    """What each placeholder stands for in one language: escaped HTML with links, or plain text."""
    neighbourhoods = [f"{code} {hood.name}" for hood in city.neighbourhoods for code in hood.postcodes]
    plain = {
        "city": city.name,
        "site_name": city.site_name[lang],
        "phone": city.phone,
        "hours": opening_hours(city, catalog, lang),
        "help_email": city.help_email,
        "info_email": city.info_email,
        "neighbourhoods": format_list(neighbourhoods, locale=lang),
        "retention_days": str(city.retention_days),
        "controller": city.controller,
        "dpo_email": city.dpo_email,
    }
    links = {
        "phone_link": (city.phone_uri, city.phone),
        "help_email_link": (f"mailto:{city.help_email}", city.help_email),
        "info_email_link": (f"mailto:{city.info_email}", city.info_email),
        "dpo_email_link": (f"mailto:{city.dpo_email}", city.dpo_email),
    }
    if not html:
        return plain | {name: text for name, (_href, text) in links.items()}
    return {name: str(escape(value)) for name, value in plain.items()} | {
        name: str(Markup('<a href="{}">{}</a>').format(href, text)) for name, (href, text) in links.items()
    }


def substitute(text: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """Fill in placeholders; return the text and the names of placeholders that do not exist.

    >>> substitute("Bel {{ phone }} of {{ fax }}", {"phone": "016"})
    ('Bel 016 of {{ fax }}', ['fax'])
    """
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        unknown.append(name)
        return match.group(0)

    return TOKEN.sub(replace, text), unknown
