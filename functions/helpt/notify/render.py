"""Messages in words: each kind's template (notify/templates/<kind>.j2) rendered in the recipient's language.

A kind's template has blocks `subject`, `text` (plain text), `html` (simple HTML) and, for the kinds a
volunteer may get by phone, `sms`; `_footer.j2` ends every message with the city's name, phone line and hours,
and, when the message has an `unsubscribe` link (residents and volunteers), how to stop the messages. Strings
are English message ids translated through the theme's Babel catalog (`invoke i18n-update` extracts them,
helpt_site.catalogs), so a city translates its messages where it translates its pages.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape

from helpt.i18n import load_catalogs
from helpt.notify import Message
from helpt.settings import CitySettings
from helpt.templating import opening_hours

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SMS_KINDS = ("volunteer_welcome", "volunteer_proposal", "volunteer_confirmed")
# Jinja options the catalog extraction must share (helpt_site.catalogs), or the message ids would differ.
JINJA_EXTENSIONS = ("jinja2.ext.i18n",)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str  # "" for a kind without an SMS form


def clean(value: object) -> str:
    """A value as a template may show it: no control characters, no lone surrogates, at most 500 characters."""
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub(" ", text)[:500]


class Renderer:
    """Renders messages for one city; a Jinja environment per language, made once."""

    def __init__(self, city: CitySettings, translations_dir: Path, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.city = city
        self.catalogs = load_catalogs(translations_dir, city.languages)
        self.templates_dir = templates_dir
        self._environments: dict[str, Environment] = {}

    def environment(self, lang: str) -> Environment:
        if lang not in self._environments:
            env = Environment(
                loader=FileSystemLoader(self.templates_dir),
                extensions=list(JINJA_EXTENSIONS),
                autoescape=False,  # the html blocks turn it on for themselves
                undefined=StrictUndefined,
                keep_trailing_newline=True,
            )
            env.policies["ext.i18n.trimmed"] = True
            env.install_gettext_translations(self.catalogs[lang], newstyle=True)  # type: ignore[attr-defined]
            self._environments[lang] = env
        return self._environments[lang]

    def render(self, message: Message) -> Rendered:
        """The message's subject, text, HTML and SMS text in its language (the city's default if unknown)."""
        lang = message.lang if message.lang in self.city.languages else self.city.default_language
        env = self.environment(lang)
        catalog: gettext.NullTranslations = self.catalogs[lang]
        values = {name: clean(value) for name, value in message.values.items()}
        context: dict[str, Any] = {
            "unsubscribe": "",
            **values,
            "reference": clean(message.reference),
            "city_name": self.city.name,
            "site_name": self.city.site_name[lang],
            "phone": self.city.phone,
            "hours": opening_hours(self.city, catalog, lang),
            "lang": lang,
        }
        kind = env.get_template(f"{message.kind}.j2")
        footer = env.get_template("_footer.j2")

        def block(template: Any, name: str) -> str:
            if name not in template.blocks:
                return ""
            return "".join(template.blocks[name](template.new_context(context)))

        subject = " ".join(block(kind, "subject").split())
        text = _BLANK_LINES.sub("\n\n", (block(kind, "text").strip() + "\n\n" + block(footer, "text").strip()))
        head = f'<head><meta charset="utf-8"><title>{escape(subject)}</title></head>'
        html = (
            f'<!DOCTYPE html>\n<html lang="{lang}">\n{head}'
            f"\n<body>\n{block(kind, 'html').strip()}\n{block(footer, 'html').strip()}\n</body>\n</html>\n"
        )
        sms = ""
        if message.kind in SMS_KINDS:
            sms = " ".join(block(kind, "sms").split()) + " " + " ".join(block(footer, "sms").split())
        return Rendered(subject=subject, text=text + "\n", html=html, sms=sms)
