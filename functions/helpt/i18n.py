"""Languages and translated strings, shared by the site build and the Lambda handlers.

Theme, form and card strings are written in English in the templates (the message ids) and translated
through Babel gettext catalogs in `theme/translations/<lang>/LC_MESSAGES/messages.po`, compiled to `.mo`
by the build. English needs no catalog: the message ids are English.
"""

from __future__ import annotations

import datetime as dt
import gettext
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.support import Translations

SOURCE_LANGUAGE = "en"
DOMAIN = "messages"


class MissingCatalogError(LookupError):
    """A configured language has no compiled catalog."""


def load_catalogs(translations_dir: Path, languages: tuple[str, ...]) -> dict[str, gettext.NullTranslations]:
    """Load the compiled catalog of each language; the source language may go without one."""
    catalogs: dict[str, gettext.NullTranslations] = {}
    for lang in languages:
        mo_file = translations_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo_file.is_file():
            with mo_file.open("rb") as stream:
                catalogs[lang] = Translations(stream, domain=DOMAIN)
        elif lang == SOURCE_LANGUAGE:
            catalogs[lang] = gettext.NullTranslations()
        else:
            raise MissingCatalogError(
                f"No compiled catalog for language {lang!r} ({mo_file}). "
                f"Add theme/translations/{lang}/LC_MESSAGES/{DOMAIN}.po and build again."
            )
    return catalogs


def language_name(lang: str) -> str:
    """The language's name in that language, as a language switcher shows it.

    >>> language_name("nl"), language_name("en"), language_name("fr")
    ('Nederlands', 'English', 'Français')
    """
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def format_date(value: dt.date, lang: str) -> str:
    """A date written out in the given language.

    >>> format_date(dt.date(2027, 12, 31), "nl"), format_date(dt.date(2027, 12, 31), "en")
    ('31 december 2027', 'December 31, 2027')
    """
    return babel_format_date(value, format="long", locale=lang)
