"""Reading PDFs as a checker would: page boxes, tags, language, fonts, text and its smallest size."""

from __future__ import annotations

from pathlib import Path

import pypdf

A4_PT = (595.28, 841.89)
A5_PT = (419.53, 595.28)
A6_PT = (297.64, 419.53)
MM_PT = 72 / 25.4


def reader(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(str(path))


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


def embedded_fonts(path: Path) -> dict[str, bool]:
    """Each font the PDF uses, and whether its program is embedded."""
    fonts = {}
    for page in reader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts
