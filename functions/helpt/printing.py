"""HTML to PDF (WeasyPrint) and PDF to PNG (PDFium): the machinery behind every printable.

The neighbour cards, the staff's task slips and figures are all HTML and print CSS rendered here, as tagged
PDF/UA-1 with the page's `<html lang>` as the document language. WeasyPrint is imported on first use: the
import alone takes about half a second, which a form handler or a quick command should not pay.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on first use (the module docstring says why)
    from weasyprint.text.fonts import FontConfiguration

PRINTABLES_DIR = Path(__file__).resolve().parents[2] / "printables"
FONTS_DIR = PRINTABLES_DIR / "fonts"
PDF_VARIANT = "pdf/ua-1"
_per_thread = threading.local()
# The main thread's font configuration is let go before the interpreter shuts down: its clean-up (deleting the
# decoded fonts' temporary folder) needs modules that are gone by then. Other threads' go when they end.
atexit.register(lambda: _per_thread.__dict__.pop("fonts", None))


class RenderError(RuntimeError):
    """WeasyPrint logged an error (a missing language, image, alt text or font): the PDF is not right."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_errors() -> Iterator[_Collect]:
    collector = _Collect()
    loggers = [logging.getLogger(name) for name in ("weasyprint", "weasyprint.progress")]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield collector
    finally:
        for logger in loggers:
            logger.removeHandler(collector)


def font_configuration() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, made on first use and kept for every later document.

    A new one per document decodes the cards' WOFF font again each time (21-24 % of a card). WeasyPrint
    keeps a font face it has loaded under a hash of its @font-face rule, so documents that share the rule
    share the decoded font, and one with another rule adds its own. Per thread: Fontconfig's and Pango's
    objects behind it are not to be shared between threads."""
    configuration = getattr(_per_thread, "fonts", None)
    if configuration is None:
        from weasyprint.text.fonts import FontConfiguration

        configuration = _per_thread.fonts = FontConfiguration()
    return configuration


def render_pdf(html: str, base_url: Path = PRINTABLES_DIR, *, forms: bool = False) -> bytes:
    """Render one HTML document to a tagged PDF. `forms` turns its <input> fields into fillable PDF fields.

    Raises RenderError if WeasyPrint reported any error while rendering."""
    from weasyprint import HTML

    with _weasyprint_errors() as errors:
        document = HTML(string=html, base_url=str(base_url))
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_forms=forms, font_config=font_configuration())
    if errors.messages:
        raise RenderError("; ".join(errors.messages))
    return pdf


def pdf_page_to_png(pdf: bytes, page: int = 0, *, width_px: int = 600, colours: int | None = None) -> bytes:
    """A PNG picture of one page of a PDF, `width_px` wide (a preview or a chart for the screen).

    `colours` reduces it to a palette of that many colours: a card preview at 16 colours is a quarter of
    the size, which keeps the card page within its weight budget."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        pdf_page = document[page]
        scale = width_px / pdf_page.get_width()
        image = pdf_page.render(scale=scale).to_pil()
        if colours is not None:
            image = image.quantize(colors=colours)
        buffer = BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    finally:
        document.close()
