"""The staff tool's words in the staff member's language: its own strings, and the forms' labels.

Two gettext catalogs: the tool's own (`helpt_staff`, in `staff/translations/`) and the theme's, which holds
every form label, choice and validation message, so the tool names a question exactly as the web form does.
Both are read from their `.po` files and compiled in memory: the tool must work in a fresh checkout, before
any site build has compiled the theme's `.mo` files. English needs no catalog: the message ids are English.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from helpt.i18n import DOMAIN as THEME_DOMAIN
from helpt.i18n import SOURCE_LANGUAGE

STAFF_DOMAIN = "helpt_staff"
STAFF_TRANSLATIONS = Path(__file__).resolve().parent / "translations"
THEME_TRANSLATIONS = Path(__file__).resolve().parents[3] / "theme" / "translations"


def N_(message: str) -> str:
    """Mark a string for the tool's catalog; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Texts:
    """Translations for one language. `gettext` is the tool's own strings, `form` the theme's."""

    lang: str
    staff: gettext.NullTranslations
    theme: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self.staff.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.staff.ngettext(singular, plural, count)

    def form(self, message: str) -> str:
        """A form label, choice or message, as the web form shows it in this language."""
        return self.theme.gettext(message) if message else ""


def available_languages(city_languages: tuple[str, ...]) -> tuple[str, ...]:
    """The languages the tool can speak for this city: the city's, where the tool has a catalog, and English."""
    spoken = [lang for lang in city_languages if lang == SOURCE_LANGUAGE or _po(STAFF_TRANSLATIONS, STAFF_DOMAIN, lang)]
    return tuple(dict.fromkeys([*spoken, SOURCE_LANGUAGE]))


def load_texts(lang: str, theme_translations: Path = THEME_TRANSLATIONS) -> Texts:
    """Both catalogs for `lang` (English: the message ids themselves)."""
    return Texts(
        lang=lang,
        staff=_catalog(STAFF_TRANSLATIONS, STAFF_DOMAIN, lang),
        theme=_catalog(theme_translations, THEME_DOMAIN, lang),
    )


def _po(directory: Path, domain: str, lang: str) -> Path | None:
    path = directory / lang / "LC_MESSAGES" / f"{domain}.po"
    return path if path.is_file() else None


def _catalog(directory: Path, domain: str, lang: str) -> gettext.NullTranslations:
    po_file = _po(directory, domain, lang)
    if po_file is None:
        # The Lambda bundle carries the theme's catalogs compiled (helpt/bundle/translations/*.mo), not as .po.
        mo_file = directory / lang / "LC_MESSAGES" / f"{domain}.mo"
        if mo_file.is_file():
            with mo_file.open("rb") as stream:
                return Translations(stream, domain=domain)
        return gettext.NullTranslations()
    with po_file.open("rb") as stream:
        catalog = read_po(stream, locale=lang, domain=domain)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=domain)
