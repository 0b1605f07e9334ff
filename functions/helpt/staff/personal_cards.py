"""A verified volunteer's personal card, from their verification: for the back office, `helpt card` and the
volunteer's own link. The card itself (words, layout, fonts) is helpt.personal_card's, over printables/.

WeasyPrint needs Pango, which AWS Lambda's Python runtime does not have: where it cannot be imported, making a
card raises CardUnavailable, and the page says where a card can be made instead.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

from helpt.i18n import load_catalogs
from helpt.settings import CitySettings
from helpt.verification import Verification, check_path


class CardUnavailable(RuntimeError):
    """This machine cannot render PDFs (no WeasyPrint, or no Pango under it)."""


def card_of(verification: Verification, city: CitySettings, lang: str):  # -> helpt.personal_card.PersonalCard
    """What the card of this verification says in `lang`: the check page's address, with the code filled in
    for the QR code, only where the city keeps the web check on."""
    from helpt.personal_card import PersonalCard

    path = check_path(lang, city.default_language)
    site = city.site_url.rstrip("/")
    return PersonalCard(
        first_name=verification.first_name, kinds=verification.kinds, code=verification.code,
        check_url=f"{site}{path}?code={verification.code}" if city.web_card_check else "",
        check_address=(site.removeprefix("https://") + path.rstrip("/")) if city.web_card_check else "",
        lang=lang,
    )  # fmt: skip


def personal_card_pdf(
    city: CitySettings, verification: Verification, variant: str, lang: str, theme_translations: Path
) -> bytes:
    """The personal card as a PDF: `variant` "card-a6" or "sheet-a4"."""
    try:
        from helpt.personal_card import render_personal_card
    except (ImportError, OSError) as error:
        raise CardUnavailable(str(error)) from error
    try:
        catalogs = _catalogs(theme_translations, city.languages)
        return render_personal_card(city, catalogs, card_of(verification, city, lang), variant)
    except (ImportError, OSError) as error:  # WeasyPrint is imported on first use
        raise CardUnavailable(str(error)) from error


def card_file_name(city: CitySettings, reference: str, variant: str, lang: str) -> str:
    """ASCII, for the download's header: leuven-personal-card-a6-V-ABCD-EFGH-nl.pdf."""
    kind = variant.removeprefix("card-")
    city_name = city.name.lower().replace(" ", "-")
    return f"{city_name}-personal-{'card-' if kind == 'a6' else ''}{kind}-{reference}-{lang}.pdf"


@functools.cache
def _catalogs(translations: Path, languages: tuple[str, ...]) -> dict[str, gettext.NullTranslations]:
    return load_catalogs(translations, languages)
