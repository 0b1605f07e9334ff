"""A verified volunteer's personal neighbour card: the blank card's designs with their name, the kinds of help
they offer, and the check code a neighbour can check with the city before opening the door.

The words and layout are the blank card's (printables/card_parts.html with a `volunteer`), A6 for a print
shop or four of the same card on an A4 sheet to print at home. The name is printed in whatever script it is
written in: the cards' font draws Latin, bold cuts of Noto Sans and IBM Plex Sans Arabic (printables/fonts/
names.css, linked by the personal card only) draw Greek, Cyrillic, Arabic, Hebrew and Devanagari
(make_name_fonts.py says why those); Chinese, Japanese and Korean come from a system font if there is one.
The address and phone lines stay fillable fields.
"""

from __future__ import annotations

import gettext
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace

import segno
from jinja2 import Environment

from helpt.forms import HELP_KINDS
from helpt.printing import PRINTABLES_DIR, render_pdf
from helpt.settings import CitySettings
from helpt.verification import CODE_ALPHABET, CODE_LENGTH, display_code

VARIANTS = ("card-a6", "sheet-a4")
_TEMPLATES = {"card-a6": "card.html", "sheet-a4": "sheet-a4.html"}
_KIND_VALUES = frozenset(kind.value for kind in HELP_KINDS)
# The card environment of each (city, catalogs) pair in use: making it compiles the templates again, a fifth
# of a card's render. Keyed by identity and holding both, so an id is never taken for another object's.
_ENVIRONMENTS: dict[tuple[int, int], tuple[CitySettings, Mapping[str, gettext.NullTranslations], Environment]] = {}


@dataclass(frozen=True)
class PersonalCard:
    """What a verified volunteer's card prints. Raises ValueError when a field cannot be printed as it is."""

    first_name: str  # as the coordinator confirmed it, any script
    kinds: tuple[str, ...]  # values of helpt.forms.HELP_KINDS choices the volunteer offered (e.g. "groceries")
    code: str  # the 10 characters, no spaces (display groups them 5+5)
    check_url: str  # the check page with the code filled in; "" when the city switched the web check off
    check_address: str  # the check page's address in words, e.g. "www.leuvenhelpt.be/controle"; "" if off
    lang: str  # one of city.languages

    def __post_init__(self) -> None:
        problems = []
        if not self.first_name.strip():
            problems.append("the first name is empty")
        if len(self.code) != CODE_LENGTH or set(self.code) - set(CODE_ALPHABET):
            problems.append(f"the code {self.code!r} is not {CODE_LENGTH} characters of {CODE_ALPHABET}")
        if not self.kinds or set(self.kinds) - _KIND_VALUES:
            problems.append(f"the kinds of help {self.kinds!r} are not a choice of {sorted(_KIND_VALUES)}")
        if bool(self.check_url) != bool(self.check_address):
            problems.append("the check page needs both its link and its address in words, or neither")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def grouped_code(self) -> str:
        """The code as printed and read aloud: two groups of five."""
        return display_code(self.code)


def _environment(city: CitySettings, catalogs: Mapping[str, gettext.NullTranslations]) -> Environment:
    from helpt_site.cards import card_environment

    key = (id(city), id(catalogs))
    if key not in _ENVIRONMENTS:
        if len(_ENVIRONMENTS) >= 4:  # a process renders for one city; tests load a few
            _ENVIRONMENTS.clear()
        _ENVIRONMENTS[key] = (city, catalogs, card_environment(city, catalogs))
    return _ENVIRONMENTS[key][2]


def personal_card_html(
    city: CitySettings, catalogs: Mapping[str, gettext.NullTranslations], card: PersonalCard, variant: str
) -> str:
    """The card's HTML (`variant` one of VARIANTS), to render with `render_pdf(html, PRINTABLES_DIR)`."""
    if variant not in _TEMPLATES:
        raise ValueError(f"unknown variant {variant!r}; one of {VARIANTS}")
    if card.lang not in city.languages:
        raise ValueError(f"{card.lang!r} is not one of the city's languages {city.languages}")
    # A name typed with combining accents ("e" + "¨") is drawn from the font's own "ë".
    card = replace(card, first_name=unicodedata.normalize("NFC", card.first_name.strip()))
    # Without the web check, the QR code opens the site's home page; the card says to call with the code.
    qr_code = segno.make(card.check_url or city.site_url, error="m").svg_data_uri(scale=4, border=0)
    template = _environment(city, catalogs).get_template(_TEMPLATES[variant])
    return template.render(
        langs=(card.lang,), lang=card.lang, city=city, help_kinds=HELP_KINDS, qr_code=qr_code,
        site_address=city.site_url.removeprefix("https://").rstrip("/"), volunteer=card,
    )  # fmt: skip


def render_personal_card(
    city: CitySettings, catalogs: Mapping[str, gettext.NullTranslations], card: PersonalCard, variant: str
) -> bytes:
    """The card as a tagged PDF (PDF/UA-1), its address and phone lines fillable fields."""
    return render_pdf(personal_card_html(city, catalogs, card, variant), PRINTABLES_DIR, forms=True)
