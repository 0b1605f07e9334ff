"""Reading PDFs as a checker would: page boxes, tags, language, fonts, text and its smallest size, and what
is drawn where (pixels of a page, or of one character's box)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pypdf
import pypdfium2
from PIL import Image, ImageChops, ImageDraw, ImageFont

A4_PT = (595.28, 841.89)
A5_PT = (419.53, 595.28)
A6_PT = (297.64, 419.53)
MM_PT = 72 / 25.4


def reader(pdf: Path | bytes) -> pypdf.PdfReader:
    """A PDF file, or a PDF just rendered, to read."""
    return pypdf.PdfReader(BytesIO(pdf) if isinstance(pdf, bytes) else str(pdf))


def size(box: pypdf.generic.RectangleObject) -> tuple[float, float]:
    return round(float(box.width), 2), round(float(box.height), 2)


def text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in reader(path).pages)


def font_sizes(path: Path) -> set[float]:
    """The size in points of every run of visible text, as printed (text matrix times page matrix)."""
    sizes: set[float] = set()

    def visit(run: str, cm: list[float], tm: list[float], font: object, font_size: float) -> None:
        if run.strip():
            sizes.add(round(font_size * tm[3] * cm[3], 2))

    for page in reader(path).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def embedded_fonts(path: Path | bytes) -> dict[str, bool]:
    """Each font the PDF uses, and whether its program is embedded."""
    fonts = {}
    for page in reader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def char_boxes(pdf: bytes, page: int, wanted: str) -> list[tuple[float, float, float, float]]:
    """The tight box (left, bottom, right, top, in points) of every `wanted` character drawn on a page."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        text_page = document[page].get_textpage()
        chars = text_page.get_text_range()
        return [text_page.get_charbox(index) for index, char in enumerate(chars) if char == wanted]
    finally:
        document.close()


def page_image(pdf: bytes, page: int, scale: float, *, forms: bool = True) -> Image.Image:
    """A page as grey pixels, `scale` pixels per point; `forms=False` leaves out the fillable fields'
    own drawings, so only what prints from the page itself is seen."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[page].render(scale=scale, may_draw_forms=forms).to_pil().convert("L")
    finally:
        document.close()


def box_image(pdf: bytes, page: int, box: tuple[float, float, float, float], scale: float) -> Image.Image:
    """What is drawn inside one box of a page (points, from the bottom left), as grey pixels."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        pdf_page = document[page]
        page_left, page_bottom, page_right, page_top = pdf_page.get_cropbox()  # what a render shows
        left, bottom, right, top = box
        crop = (left - page_left, bottom - page_bottom, page_right - right, page_top - top)
        assert min(crop) >= 0 and right > left and top > bottom, f"{box} is not a box on the page"
        return pdf_page.render(scale=scale, crop=crop, may_draw_forms=False).to_pil().convert("L")
    finally:
        document.close()


def dark_runs(values: list[int], threshold: int = 128) -> list[tuple[int, int]]:
    """The [start, end) stretches of a row or column of grey pixels that are ink."""
    runs, start = [], None
    for position, value in enumerate([*values, 255]):
        if value < threshold and start is None:
            start = position
        elif value >= threshold and start is not None:
            runs.append((start, position))
            start = None
    return runs


def ink_shape(image: Image.Image, size: int = 32) -> Image.Image:
    """The ink of a picture of one glyph, cut to its bounds and scaled to `size` square: white is ink."""
    ink = image.point(lambda value: 255 if value < 128 else 0)
    bounds = ink.getbbox()
    assert bounds, "no ink at all"
    return ink.crop(bounds).resize((size, size)).point(lambda value: 255 if value >= 128 else 0)


def font_glyph(font_file: Path, char: str) -> Image.Image:
    """One character drawn large from a font file (FreeType, through Pillow), as grey pixels."""
    font = ImageFont.truetype(str(font_file), 300)
    image = Image.new("L", (700, 700), 255)
    ImageDraw.Draw(image).text((150, 150), char, font=font, fill=0)
    return image


def overlap(first: Image.Image, second: Image.Image) -> float:
    """How much two ink shapes cover the same pixels: 1 the same, 0 nothing in common."""
    both = ImageChops.multiply(first, second).histogram()[255]
    either = ImageChops.lighter(first, second).histogram()[255]
    return both / either
