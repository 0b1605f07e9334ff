"""The neighbour cards as PDFs: sizes, bleed, tags, language, font, plain digits, text, smallest size, tick
boxes, previews, cache."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LEUVEN, OTHER_CITY, PROJECT_DIR, BuiltSite, build, copy_city
from pdf_support import (
    A4_PT,
    A5_PT,
    A6_PT,
    MM_PT,
    box_image,
    char_boxes,
    dark_runs,
    embedded_fonts,
    font_glyph,
    font_sizes,
    ink_shape,
    overlap,
    page_image,
    reader,
    size,
    text,
)
from PIL import Image

from helpt.printing import FONTS_DIR, PRINTABLES_DIR, RenderError, render_pdf

VARIANTS = ("card-a6", "sheet-a4", "poster-a4")


def card(site: BuiltSite, variant: str, lang: str) -> Path:
    return site.root / "cards" / f"{site.city.name.lower()}-{variant}-{lang}.pdf"


def all_cards(site: BuiltSite) -> list[Path]:
    return sorted((site.root / "cards").glob("*.pdf"))


def test_every_variant_exists_in_every_language_with_a_preview(leuven_site: BuiltSite) -> None:
    expected = {f"leuven-{variant}-{lang}" for variant in VARIANTS for lang in ("nl", "en")} | {
        "leuven-card-bilingual-all"
    }
    assert {path.stem for path in all_cards(leuven_site)} == expected
    assert {path.stem for path in (leuven_site.root / "cards").glob("*.png")} == expected


def test_the_print_shop_card_is_a6_with_3_mm_bleed_and_crop_marks(leuven_site: BuiltSite) -> None:
    pdf = reader(card(leuven_site, "card-a6", "nl"))
    assert len(pdf.pages) == 2  # front and back
    bleed = 3 * MM_PT
    for page in pdf.pages:
        assert size(page.trimbox) == pytest.approx(A6_PT, abs=0.1)
        assert size(page.bleedbox) == pytest.approx((A6_PT[0] + 2 * bleed, A6_PT[1] + 2 * bleed), abs=0.1)
        assert float(page.trimbox.left) - float(page.bleedbox.left) == pytest.approx(bleed, abs=0.05)
        assert size(page.mediabox) >= size(page.bleedbox)


def test_the_home_sheet_is_a4_fronts_then_backs_and_the_others_their_size(leuven_site: BuiltSite) -> None:
    sheet = reader(card(leuven_site, "sheet-a4", "en"))
    assert [size(page.mediabox) for page in sheet.pages] == [pytest.approx(A4_PT, abs=0.1)] * 2
    fronts, backs = (page.extract_text() for page in sheet.pages)
    assert fronts.count("Hello neighbour") == 4 and "Stay safe" not in fronts
    assert backs.count("Stay safe") == 4 and "Hello neighbour" not in backs
    assert size(reader(card(leuven_site, "poster-a4", "en")).pages[0].mediabox) == pytest.approx(A4_PT, abs=0.1)
    bilingual = reader(leuven_site.root / "cards" / "leuven-card-bilingual-all.pdf")
    assert size(bilingual.pages[0].mediabox) == pytest.approx(A5_PT, abs=0.1)


@pytest.mark.parametrize("path_name", ["card-a6", "sheet-a4", "poster-a4"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_each_pdf_is_tagged_with_its_language_and_a_title(leuven_site: BuiltSite, path_name: str, lang: str) -> None:
    pdf = reader(card(leuven_site, path_name, lang))
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == lang
    site_name = {"nl": "Leuven Helpt", "en": "Leuven Helps"}[lang]
    assert pdf.metadata.title.endswith(f" – {site_name}")
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]


def test_one_legible_font_is_embedded_and_no_text_is_below_12_pt(leuven_site: BuiltSite) -> None:
    for path in all_cards(leuven_site):
        fonts = embedded_fonts(path)
        assert fonts and all(fonts.values()), path.name
        assert {re.sub(r"^/?[A-Z]{6}\+", "", name).split("-Bold")[0] for name in fonts} == {"Atkinson-Hyperlegible"}
        sizes = font_sizes(path)
        assert min(sizes) >= 12, (path.name, sorted(sizes))
        assert 14 in sizes, f"{path.name}: body text is 14 pt"


def centre_ink(pdf: bytes, page: int, box: tuple[float, float, float, float]) -> int:
    """How many dark pixels are in the middle of a drawn character (at 12 pixels a point): a slashed zero's
    stroke crosses it, a plain zero's is the empty inside of the ring."""
    image = box_image(pdf, page, box, scale=12)
    width, height = image.size
    middle = image.crop((round(width * 0.35), round(height * 0.35), round(width * 0.65), round(height * 0.65)))
    return sum(1 for y in range(middle.height) for x in range(middle.width) if middle.getpixel((x, y)) < 128)


def test_every_zero_on_every_card_is_plain_not_slashed(leuven_site: BuiltSite) -> None:
    """Atkinson Hyperlegible's slashed zero made the phone number read "Ø16/27.27.72"."""
    for path in all_cards(leuven_site):
        pdf = path.read_bytes()
        zeros = [(page, box) for page in range(len(reader(path).pages)) for box in char_boxes(pdf, page, "0")]
        assert len(zeros) >= 3, f"{path.name}: the phone number and the hours have zeros"
        for page, box in zeros:
            assert centre_ink(pdf, page, box) == 0, f"{path.name}, page {page + 1}: a zero at {box} is slashed"


def test_a_printable_draws_every_letter_and_digit_from_the_right_glyph() -> None:
    """The task slips and charts use fonts.css as the cards do, and print people's names and streets: each
    character drawn must be that character's glyph in the font, Latin Extended and digits included (two font
    files in one family and weight got their glyphs mixed up in WeasyPrint's PDFs)."""
    words = "Łucja Dvořák, Şükrü Çelik, Straße 10"
    html = f"""<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Slip</title>
<link rel="stylesheet" href="fonts.css"><style>html {{ font-family: "Atkinson Hyperlegible", sans-serif; }}</style>
</head><body><p style="font-size: 14pt">{words}</p><p style="font-size: 19pt; font-weight: 700">{words}</p>
</body></html>"""
    pdf = render_pdf(html, PRINTABLES_DIR)
    assert {re.sub(r"^/[A-Z]{6}\+", "", name) for name in embedded_fonts(pdf)} == {
        "Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"
    }  # fmt: skip
    fonts = sorted(FONTS_DIR.glob("*.woff"))
    for char in sorted(set(words) - set(" ,")):
        glyphs = [ink_shape(font_glyph(font, char)) for font in fonts]
        boxes = char_boxes(pdf, 0, char)
        assert len(boxes) == 2 * words.count(char), f"{char!r} is not in the PDF's text as often as written"
        for box in boxes:
            drawn = ink_shape(box_image(pdf, 0, box, scale=20))
            assert max(overlap(drawn, glyph) for glyph in glyphs) > 0.85, f"{char!r} is drawn as another glyph"
        if char == "0":
            assert all(centre_ink(pdf, 0, box) == 0 for box in boxes)


def tick_box_edges(pdf: bytes, page: int) -> list[list[tuple[float, float]]]:
    """The top and bottom (mm from the page's top) of the box drawn around each tick box, per card on the
    page, from the pixels along a line down the middle of the fillable check boxes."""
    scale = 10
    pdf_page = reader(pdf).pages[page]
    left, _bottom, _right, top = (float(value) for value in pdf_page.cropbox)
    cards: dict[str, list[tuple[float, float, float, float]]] = {}
    for annotation in pdf_page.get("/Annots", []):
        widget = annotation.get_object()
        if widget.get("/FT") == "/Btn":
            x1, y1, x2, y2 = (float(value) for value in widget["/Rect"])
            card_number = str(widget["/T"]).rpartition("-")[2] if str(widget["/T"])[-1].isdigit() else ""
            cards.setdefault(card_number, []).append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    image = page_image(pdf, page, scale, forms=False)  # what prints: the page's own drawing, not the fields'
    edges = []
    for rects in cards.values():
        column = round(((rects[0][0] + rects[0][2]) / 2 - left) * scale)
        first = round((top - max(rect[3] for rect in rects) - 3 * MM_PT) * scale)
        last = round((top - min(rect[1] for rect in rects) + 3 * MM_PT) * scale)
        runs = dark_runs([image.getpixel((column, y)) for y in range(first, last)])
        assert len(runs) == 2 * len(rects), f"expected a top and a bottom line for each of {len(rects)} boxes"
        to_mm = 1 / (scale * MM_PT)
        edges.append([((first + runs[i][0]) * to_mm, (first + runs[i + 1][1]) * to_mm)
                      for i in range(0, len(runs), 2)])  # fmt: skip
    return edges


@pytest.mark.parametrize("name", ["card-a6-nl", "card-a6-en", "card-bilingual-all", "sheet-a4-nl"])
def test_the_tick_boxes_are_at_least_2_mm_apart(leuven_site: BuiltSite, name: str) -> None:
    """They were 0.4 mm apart: WeasyPrint's padding on inputs made each box 7 mm high on a 7.4 mm pitch."""
    edges = tick_box_edges((leuven_site.root / "cards" / f"leuven-{name}.pdf").read_bytes(), 0)
    assert len(edges) == (4 if name.startswith("sheet") else 1)
    for card_edges in edges:
        assert len(card_edges) == 6
        assert all(4.5 <= bottom - top <= 6 for top, bottom in card_edges), f"box heights: {card_edges}"
        for (_top, bottom), (next_top, _next_bottom) in itertools.pairwise(card_edges):
            assert next_top - bottom >= 2, f"boxes {next_top - bottom:.2f} mm apart"


@pytest.mark.parametrize(
    ("lang", "words"), [("nl", ["Hallo buur", "Blijf veilig"]), ("en", ["Hello neighbour", "Stay safe"])]
)
def test_the_text_extracts_cleanly_with_the_phone_and_web_address(leuven_site: BuiltSite, lang: str, words) -> None:
    extracted = text(card(leuven_site, "card-a6", lang))
    for expected in (*words, "016/27.27.72", "www.leuvenhelpt.be"):
        assert expected in extracted
    assert "016/27.27.72" in text(card(leuven_site, "poster-a4", lang))
    both = text(leuven_site.root / "cards" / "leuven-card-bilingual-all.pdf")
    assert "Hallo buur" in both and "Hello neighbour" in both


def test_the_fill_in_lines_are_fillable_pdf_fields(leuven_site: BuiltSite) -> None:
    fields = reader(card(leuven_site, "card-a6", "nl")).get_fields()
    assert {"name", "address", "phone", "help-groceries", "help-pharmacy", "help-other"} <= set(fields)
    assert fields["name"]["/FT"] == "/Tx" and fields["help-dog"]["/FT"] == "/Btn"
    sheet_fields = reader(card(leuven_site, "sheet-a4", "nl")).get_fields()
    assert {"name-1", "name-2", "name-3", "name-4"} <= set(sheet_fields), "each card on the sheet has its own"


def test_previews_are_pictures_of_the_cards_not_blank(leuven_site: BuiltSite) -> None:
    for preview in (leuven_site.root / "cards").glob("*.png"):
        image = Image.open(preview).convert("L")
        assert image.width == 280 and image.height > 280
        dark = sum(image.histogram()[:128])
        assert dark > 0.01 * image.width * image.height, preview.name


def test_the_card_page_links_each_pdf_with_format_and_size_and_gives_the_words(leuven_site: BuiltSite) -> None:
    page = leuven_site.soup(leuven_site.root / "en" / "card-for-your-neighbours" / "index.html")
    items = page.select(".card-list li")
    assert len(items) == 4
    for item in items:
        link = item.find("a")
        pdf = leuven_site.root / link["href"].lstrip("/")
        facts = item.select_one(".file-facts").get_text()
        kb = -(-pdf.stat().st_size // 1024)
        assert re.fullmatch(rf"PDF, {kb} kB, [12] pages?", facts), facts
        assert (leuven_site.root / item.find("img")["src"].lstrip("/")).is_file()
    words = page.find(id="words").find_next_siblings()
    said = " ".join(element.get_text() for element in words)
    assert "Hello neighbour" in said and "016/27.27.72" in said and "Never hand over your bank card" in said


def test_another_citys_cards_carry_its_phone_and_address_and_no_trace_of_leuven(other_city_site: BuiltSite) -> None:
    cards = all_cards(other_city_site)
    assert len(cards) == 7
    for path in cards:
        extracted = text(path) + str(reader(path).metadata)
        assert "09/123.45.67" in extracted, path.name
        assert not re.search(r"leuven|27\.27\.72", extracted, re.I), path.name
    assert "helpt.zonnedorp.example" in text(card(other_city_site, "card-a6", "en"))


def test_weasyprint_errors_stop_a_render() -> None:
    with pytest.raises(RenderError):
        render_pdf("<!DOCTYPE html><html><head><title>No language</title></head><body><p>x</p></body></html>")


def test_the_card_worker_stops_on_a_weasyprint_warning_as_the_build_would() -> None:
    # In the build's own process Pelican stops on any warning; the worker (card_worker.py) must do the same.
    script = (
        "from helpt_site.card_worker import strict_weasyprint\n"
        "from helpt.printing import RenderError, render_pdf\n"
        "strict_weasyprint()\n"
        'page = \'<!DOCTYPE html><html lang="nl"><head><title>T</title><style>p {{ {} }}</style></head>'
        "<body><p>x</p></body></html>'\n"
        "render_pdf(page.format('color: red'))\n"
        "try:\n    render_pdf(page.format('colr: red'))\nexcept RenderError as error:\n    print('stopped:', error)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    assert result.stdout.startswith("stopped:") and "colr" in result.stdout, result.stdout + result.stderr


def test_a_card_worker_that_fails_stops_the_build_with_its_message(tmp_path: Path) -> None:
    from helpt_site.card_worker import CardJob, finish

    worker = subprocess.Popen(
        [sys.executable, "-m", "helpt_site.card_worker", str(tmp_path / "no-city.toml"), str(tmp_path), str(tmp_path)],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    with pytest.raises(RenderError, match=r"no-city\.toml"):
        finish(CardJob(worker))


def test_an_unchanged_build_renders_no_card_again_and_a_changed_setting_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("HELPT_CACHE_DIR", str(cache))
    city_file = copy_city(OTHER_CITY, tmp_path / "city")
    build(tmp_path / "first", city_file)
    first = {path: path.stat().st_mtime_ns for path in cache.rglob("*.pdf")}
    assert len(first) == 7
    build(tmp_path / "second", city_file)
    assert {path: path.stat().st_mtime_ns for path in cache.rglob("*.pdf")} == first, "nothing rendered again"
    assert (tmp_path / "second" / "output" / "cards" / "zonnedorp-card-a6-nl.pdf").read_bytes() == next(
        path for path in first if path.name == "zonnedorp-card-a6-nl.pdf"
    ).read_bytes()
    city_file.write_text(city_file.read_text().replace("09/123.45.67", "09/765.43.21"))
    site = build(tmp_path / "third", city_file)
    assert len(list(cache.rglob("*.pdf"))) == 14, "a new phone number renders every card again"
    assert "09/765.43.21" in text(card(site, "card-a6", "nl"))
    assert LEUVEN.is_file()
