"""The printable neighbour cards: rendered from printables/ into every build, from a cache when unchanged.

Each variant exists in each of the city's languages (the bilingual card holds all of them). The cache key
is a hash of everything a card is made from (templates, CSS, font, city settings, catalogs, the form
definitions that give the kinds of help, and the versions of WeasyPrint and segno), so a build in which
none of those changed renders no PDF at all.
"""

from __future__ import annotations

import gettext
import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

import helpt.forms
from helpt.forms import HELP_KINDS, N_
from helpt.printing import PRINTABLES_DIR, pdf_page_to_png, render_pdf
from helpt.settings import CitySettings
from helpt.templating import configure_environment, opening_hours

CARDS_FOLDER = "cards"
MANIFEST = "cards.json"  # in the cache's folder for a key: the cards it holds, written last
PREVIEW_WIDTH_PX = 280
PREVIEW_COLOURS = 16


@dataclass(frozen=True)
class Variant:
    name: str
    template: str
    title: str  # message id: the link text on the card page and the PDF's title
    bilingual: bool = False


VARIANTS = (
    Variant("card-a6", "card.html", N_("Neighbour card, A6, for a print shop (3 mm bleed, crop marks)")),
    Variant("sheet-a4", "sheet-a4.html", N_("Four neighbour cards on one A4 sheet, to print at home")),
    Variant("poster-a4", "poster-a4.html", N_("Poster for the hallway of your building, A4")),
    Variant("card-bilingual", "card.html", N_("Neighbour card in every language of the site, A5"), True),
)


@dataclass(frozen=True)
class CardFile:
    """One rendered card, as the card page lists it."""

    variant: str
    lang: str
    title: str
    pdf: str  # path under the output folder
    preview: str
    pdf_bytes: int
    pages: int


def cache_key(city: CitySettings, translations_dir: Path) -> str:
    """A hash of everything the cards are made from."""
    digest = hashlib.sha256()
    sources = sorted(path for path in PRINTABLES_DIR.rglob("*") if path.is_file())
    sources += [*sorted(translations_dir.rglob("*.po")), city.source, Path(helpt.forms.__file__), Path(__file__)]
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for package in ("weasyprint", "segno", "pypdfium2"):
        digest.update(f"{package}={version(package)}".encode())
    return digest.hexdigest()[:16]


def card_environment(city: CitySettings, catalogs: Mapping[str, gettext.NullTranslations]) -> Environment:
    env = Environment(
        loader=FileSystemLoader(PRINTABLES_DIR), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    configure_environment(env, city, catalogs)

    @pass_context
    def say(context: Context, message: str, **params: str) -> Markup:
        """A string in the document's language, or in each of its languages (a bilingual card)."""
        texts = [catalogs[lang].gettext(message) % params if params else catalogs[lang].gettext(message)
                 for lang in context["langs"]]  # fmt: skip
        if len(texts) == 1:
            return escape(texts[0])
        first, *others = texts
        # The space before each span keeps the languages apart where tags are stripped (alt texts, PDF text).
        spans = (Markup(' <span class="second-lang" lang="{}">{}</span>').format(lang, text)
                 for lang, text in zip(context["langs"][1:], others, strict=True))  # fmt: skip
        return escape(first) + Markup("").join(spans)

    @pass_context
    def say_hours(context: Context) -> Markup:
        return Markup(" / ").join(escape(opening_hours(city, catalogs[lang], lang)) for lang in context["langs"])

    env.globals.update(say=say, say_hours=say_hours)
    return env


def render_cards(
    city: CitySettings,
    catalogs: Mapping[str, gettext.NullTranslations],
    translations_dir: Path,
    output: Path,
    cache_dir: Path,
) -> tuple[dict[str, list[CardFile]], int]:
    """Put every card and its preview into `output/cards/`; return them by language and how many were
    rendered (0 when all came from the cache)."""
    rendered = render_into_cache(city, catalogs, translations_dir, cache_dir)
    key_dir = cache_dir / cache_key(city, translations_dir)
    cards = [CardFile(**entry) for entry in json.loads((key_dir / MANIFEST).read_text(encoding="utf-8"))]
    (output / CARDS_FOLDER).mkdir(parents=True, exist_ok=True)
    for card in cards:
        for name in (card.pdf, card.preview):
            shutil.copyfile(key_dir / Path(name).name, output / name)
    by_lang: dict[str, list[CardFile]] = {lang: [] for lang in city.languages}
    for card in cards:
        for lang in city.languages if card.lang == "all" else [card.lang]:
            by_lang[lang].append(card)
    return by_lang, rendered


def render_into_cache(
    city: CitySettings, catalogs: Mapping[str, gettext.NullTranslations], translations_dir: Path, cache_dir: Path
) -> int:
    """Render every card into the cache unless it holds them already; return how many were rendered."""
    key_dir = cache_dir / cache_key(city, translations_dir)
    return 0 if (key_dir / MANIFEST).is_file() else _render_all(city, catalogs, key_dir)


def _render_all(city: CitySettings, catalogs: Mapping[str, gettext.NullTranslations], key_dir: Path) -> int:
    import pypdfium2  # here, not for every build: most builds take the cards from the cache
    import segno

    env = card_environment(city, catalogs)
    site_address = city.site_url.removeprefix("https://").rstrip("/")
    qr_code = segno.make(city.site_url, error="m").svg_data_uri(scale=4, border=0)
    staging = key_dir.with_name(key_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    cards = []
    for variant in VARIANTS:
        for langs in [city.languages] if variant.bilingual else [(lang,) for lang in city.languages]:
            lang = "all" if variant.bilingual else langs[0]
            title = " / ".join(catalogs[one].gettext(variant.title) for one in langs)
            html = env.get_template(variant.template).render(
                langs=langs, lang=langs[0], title=f"{title} – {city.site_name[langs[0]]}", city=city,
                help_kinds=HELP_KINDS, qr_code=qr_code, site_address=site_address,
            )  # fmt: skip
            pdf = render_pdf(html, PRINTABLES_DIR, forms=True)
            stem = f"{city.name.lower()}-{variant.name}-{lang}".replace(" ", "-")
            (staging / f"{stem}.pdf").write_bytes(pdf)
            (staging / f"{stem}.png").write_bytes(
                pdf_page_to_png(pdf, width_px=PREVIEW_WIDTH_PX, colours=PREVIEW_COLOURS)
            )
            pages = len(pypdfium2.PdfDocument(pdf))
            cards.append(CardFile(variant.name, lang, variant.title, f"{CARDS_FOLDER}/{stem}.pdf",
                                  f"{CARDS_FOLDER}/{stem}.png", len(pdf), pages))  # fmt: skip
    (staging / MANIFEST).write_text(json.dumps([asdict(card) for card in cards], indent=1), encoding="utf-8")
    shutil.rmtree(key_dir, ignore_errors=True)
    staging.rename(key_dir)
    return len(cards)
