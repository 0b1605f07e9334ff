"""The neighbour cards as PDFs: sizes, bleed, tags, language, font, text, smallest size, previews, cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import LEUVEN, OTHER_CITY, BuiltSite, build, copy_city
from pdf_support import A4_PT, A5_PT, A6_PT, MM_PT, embedded_fonts, font_sizes, reader, size, text
from PIL import Image

from helpt.printing import RenderError, render_pdf

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
