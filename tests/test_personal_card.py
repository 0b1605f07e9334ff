"""A verified volunteer's personal card as real PDFs: the name whole in every script and drawn from real glyphs,
the kinds offered and no others, the check code, phone and check page, size, tags, language, the room left
at the cuts, and the blank cards' new safety line."""

from __future__ import annotations

import re
from functools import cache
from io import BytesIO

import pypdfium2
import pytest
import segno
from conftest import LEUVEN, BuiltSite
from fontTools.ttLib import TTFont
from pdf_support import A4_PT, A6_PT, MM_PT, font_sizes, reader, size

from helpt.forms import HELP_KINDS
from helpt.i18n import load_catalogs
from helpt.personal_card import VARIANTS, PersonalCard, personal_card_html, render_personal_card
from helpt.printing import FONTS_DIR
from helpt.settings import load_city
from helpt_site.build import PROJECT_DIR
from helpt_site.catalogs import compile_catalogs

CITY = load_city(LEUVEN)
TRANSLATIONS = PROJECT_DIR / "theme" / "translations"
CODE = "KFM7XRT9AC"
CHECK_URL = f"https://www.leuvenhelpt.be/controle/?code={CODE}"
CHECK_ADDRESS = "www.leuvenhelpt.be/controle"
OFFERED = ("groceries", "dog", "letter")
NAMES = {
    "latin-extended": "Zoë Wąsik-Quaix",
    "greek": "Ελένη Παπαδοπούλου",
    "cyrillic": "Анна-Мария Шевченко",
    "arabic": "فاطمة الزهراء",
    "hebrew": "נועה כהן",
}
DEVANAGARI = "प्रिया शर्मा"
# The longest first name the back office takes (helpt.verification.NAME_LIMIT) with every kind of help.
ATKINSON_CHARS = set(TTFont(FONTS_DIR / "atkinson-hyperlegible-plain-digits-700.woff").getBestCmap())
LONGEST = "Maximiliana Josephina Bernadette Wąsik-Quaix-Van den Bossche"


@cache
def catalogs() -> dict:
    compile_catalogs(TRANSLATIONS)
    return load_catalogs(TRANSLATIONS, CITY.languages)


def personal(name: str = NAMES["latin-extended"], lang: str = "en", **changes: object) -> PersonalCard:
    fields = {"first_name": name, "kinds": OFFERED, "code": CODE, "check_url": CHECK_URL,
              "check_address": CHECK_ADDRESS, "lang": lang} | changes  # fmt: skip
    return PersonalCard(**fields)  # type: ignore[arg-type]


@cache
def rendered(variant: str, card: PersonalCard) -> bytes:
    return render_personal_card(CITY, catalogs(), card, variant)


def page_text(pdf: bytes, page: int) -> str:
    """A page's text (pypdf, as a copy or a screen reader gets it), lines joined by spaces."""
    return " ".join(reader(pdf).pages[page].extract_text().split())


def drawn_characters(pdf: bytes, page: int) -> dict[str, set[str]]:
    """Each embedded font of a page and the characters its glyphs stand for (its ToUnicode map), counting only
    glyphs that the embedded font program really has and that are not .notdef."""
    drawn = {}
    for font in reader(pdf).pages[page]["/Resources"]["/Font"].values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        program = TTFont(BytesIO(descendant["/FontDescriptor"]["/FontFile2"].get_data()))
        glyph_order = program.getGlyphOrder()
        chars = set()
        cmap = font["/ToUnicode"].get_data().decode("latin-1")
        for glyph, unicode in re.findall(r"<([0-9a-f]{4})>\s*<([0-9a-f]*)>", cmap, re.I):
            glyph_id = int(glyph, 16)
            if glyph_id == 0 or glyph_id >= len(glyph_order) or not unicode:
                continue
            if program["glyf"][glyph_order[glyph_id]].numberOfContours == 0 and unicode != "0020":
                continue  # an empty glyph: nothing would be drawn
            chars |= set(bytes.fromhex(unicode).decode("utf-16-be"))
        drawn[str(font["/BaseFont"])] = chars
    return drawn


def label(kind: str, lang: str) -> str:
    return catalogs()[lang].gettext(next(choice.label for choice in HELP_KINDS if choice.value == kind))


@pytest.mark.parametrize("script", NAMES)
def test_the_name_comes_out_whole_in_its_script_from_real_glyphs(script: str) -> None:
    name = NAMES[script]
    pdf = rendered("card-a6", personal(name))
    assert name in page_text(pdf, 0)
    drawn = drawn_characters(pdf, 0)
    by_font = {char: [font for font, chars in drawn.items() if char in chars] for char in set(name) - {" "}}
    assert all(by_font.values()), f"drawn from no real glyph: {[char for char, fonts in by_font.items() if not fonts]}"
    # What Atkinson lacks is drawn from the script's own cut (Atkinson has a few Greek letters, such as π).
    expected = {"latin-extended": "Atkinson-Hyperlegible", "greek": "Names-Noto-Sans", "cyrillic": "Names-Noto-Sans",
                "arabic": "Names-Arabic", "hebrew": "Names-Noto-Sans-Hebrew"}[script]  # fmt: skip
    for char, fonts in by_font.items():
        if ord(char) not in ATKINSON_CHARS:
            assert any(font.endswith(f"+{expected}-Bold") for font in fonts), (char, fonts)


def test_a_devanagari_name_is_drawn_from_real_glyphs() -> None:
    """Its conjuncts are drawn right; the PDF's text layer (WeasyPrint's one text per glyph) reorders some of
    their letters, so only the glyphs are checked here."""
    drawn = drawn_characters(rendered("card-a6", personal(DEVANAGARI)), 0)
    devanagari = next(chars for font, chars in drawn.items() if font.endswith("+Names-Noto-Sans-Devanagari-Bold"))
    assert set(DEVANAGARI) - {" "} <= devanagari


def test_a_name_no_shipped_font_draws_still_renders_and_keeps_its_characters() -> None:
    """Chinese, Japanese and Korean are not shipped (printables/fonts/make_name_fonts.py): without a system
    font they print as empty boxes, but the card renders and its text still holds the name."""
    pdf = rendered("card-a6", personal("美玲"))
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert "I am 美玲." in document[0].get_textpage().get_text_range()
    finally:
        document.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_the_card_says_who_what_and_how_to_check_in_its_language(variant: str, lang: str) -> None:
    copies = 4 if variant == "sheet-a4" else 1
    pdf = rendered(variant, personal(lang=lang))
    front, back = page_text(pdf, 0), page_text(pdf, 1)
    greeting = {"nl": "Ik ben Zoë Wąsik-Quaix.", "en": "I am Zoë Wąsik-Quaix."}[lang]
    assert front.count(greeting) == copies
    for kind in (choice.value for choice in HELP_KINDS):
        assert front.count(label(kind, lang)) == (copies if kind in OFFERED else 0), kind
    assert back.count("KFM7X RT9AC") == copies
    assert back.count(CITY.phone) == copies, "the city's phone number, to give the code"
    assert back.count(CHECK_ADDRESS) == copies
    safety = {"nl": "Controleer de code voor u de deur opendoet.", "en": "Check the code before you open the door."}
    assert back.count(safety[lang]) == copies
    assert {"nl": "Blijf veilig", "en": "Stay safe"}[lang] in back
    fields = reader(pdf).get_fields() or {}
    suffixes = [f"-{number}" for number in range(1, 5)] if copies == 4 else [""]
    assert set(fields) == {f"{field}{suffix}" for field in ("address", "phone") for suffix in suffixes}, (
        "the name and kinds are printed; only the address and phone are left to fill in"
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_pdf_is_tagged_with_its_language_title_and_legible_sizes(variant: str) -> None:
    for lang, site_name in (("nl", "Leuven Helpt"), ("en", "Leuven Helps")):
        pdf = rendered(variant, personal(lang=lang))
        root = reader(pdf).trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        assert root["/Lang"] == lang
        title = {"nl": "Persoonlijk buurtkaartje", "en": "Personal neighbour card"}[lang]
        assert reader(pdf).metadata.title == f"{title} – {site_name}"
        assert min(font_sizes(pdf)) >= 12  # type: ignore[arg-type]  # (reader() takes the bytes too)


def test_the_a6_has_3_mm_bleed_and_the_sheet_is_a4_fronts_then_backs() -> None:
    card = reader(rendered("card-a6", personal()))
    assert len(card.pages) == 2
    for page in card.pages:
        assert size(page.trimbox) == pytest.approx(A6_PT, abs=0.1)
        assert size(page.bleedbox) == pytest.approx((A6_PT[0] + 6 * MM_PT, A6_PT[1] + 6 * MM_PT), abs=0.1)
    sheet = reader(rendered("sheet-a4", personal()))
    assert [size(page.mediabox) for page in sheet.pages] == [pytest.approx(A4_PT, abs=0.1)] * 2


@pytest.mark.parametrize(("name", "lang"), [(LONGEST, "nl"), (LONGEST, "en"), ("Wąsik" * 12, "nl")])
def test_on_the_sheet_no_text_is_within_5_mm_of_a_cut_even_for_the_longest_name(name: str, lang: str) -> None:
    """Four A6 cards fill the sheet: the cuts are the page's edges and its middle lines. Text that ran past
    its card (clipped, or over the next one) would be near or over a cut; so would a 60-letter name in one
    word, if it did not wrap."""
    card = personal(name, lang, kinds=tuple(choice.value for choice in HELP_KINDS))
    pdf = rendered("sheet-a4", card)
    assert page_text(pdf, 0).replace(" ", "").count(name.replace(" ", "")) == 4
    cuts_x, cuts_y = (0, 105 * MM_PT, 210 * MM_PT), (0, 148 * MM_PT, 296 * MM_PT)
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page_number in range(2):
            page = document[page_number]
            height = page.get_height()
            text_page = page.get_textpage()
            chars = text_page.get_text_range()
            for index, char in enumerate(chars):
                if char.isspace():
                    continue
                left, bottom, right, top = text_page.get_charbox(index)
                near_x = min(abs(x - cut) for x in (left, right) for cut in cuts_x)
                near_y = min(abs(height - y - cut) for y in (bottom, top) for cut in cuts_y)
                inside = not any(left < cut < right for cut in cuts_x) and not any(
                    height - top < cut < height - bottom for cut in cuts_y
                )
                assert inside and min(near_x, near_y) >= 5 * MM_PT, (
                    f"page {page_number + 1}: {char!r} is {min(near_x, near_y) / MM_PT:.1f} mm from a cut"
                )
    finally:
        document.close()


def test_without_the_web_check_the_card_says_to_call_and_the_qr_code_opens_the_site() -> None:
    off = personal(check_url="", check_address="")
    back = page_text(rendered("card-a6", off), 1)
    assert "KFM7X RT9AC" in back and f"Call the city: {CITY.phone}, and give this code." in back
    assert "/controle" not in back and "Or check the code on the website" not in back
    assert "www.leuvenhelpt.be" in back
    html = personal_card_html(CITY, catalogs(), off, "card-a6")
    assert segno.make(CITY.site_url, error="m").svg_data_uri(scale=4, border=0) in html
    html = personal_card_html(CITY, catalogs(), personal(), "card-a6")
    assert segno.make(CHECK_URL, error="m").svg_data_uri(scale=4, border=0) in html, "the QR opens the check"


@pytest.mark.parametrize(
    "changes",
    [{"code": "KFM7XRT9A0"}, {"code": "KFM7X RT9A"}, {"kinds": ("groceries", "gardening")}, {"kinds": ()},
     {"check_url": ""}, {"first_name": " "}],
)  # fmt: skip
def test_a_card_that_cannot_be_printed_as_it_is_is_refused(changes: dict) -> None:
    with pytest.raises(ValueError):
        personal(**changes)


def test_a_language_the_city_does_not_speak_or_an_unknown_variant_is_refused() -> None:
    with pytest.raises(ValueError, match="languages"):
        personal_card_html(CITY, catalogs(), personal(lang="fr"), "card-a6")
    with pytest.raises(ValueError, match="variant"):
        personal_card_html(CITY, catalogs(), personal(), "poster-a4")


@pytest.mark.parametrize(("lang", "line"), [
    ("en", f"In doubt? Call the city's line: {CITY.phone}. Give the check code if the card has one."),
    ("nl", f"Twijfelt u? Bel de lijn van de stad: {CITY.phone}. Geef de controlecode als die op het kaartje staat."),
])  # fmt: skip
def test_the_blank_cards_tell_to_give_the_check_code_if_there_is_one(
    leuven_site: BuiltSite, lang: str, line: str
) -> None:
    for variant, copies in (("card-a6", 1), ("sheet-a4", 4)):
        pdf = (leuven_site.root / "cards" / f"leuven-{variant}-{lang}.pdf").read_bytes()
        back = page_text(pdf, 1)
        assert back.count(line) == copies, variant
        assert back.count(line.split(".")[0]) == copies, "the old line without the code is gone"
        assert "KFM7X" not in back and "I am" not in page_text(pdf, 0)
