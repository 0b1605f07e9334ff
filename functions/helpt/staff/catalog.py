"""The staff tool's own gettext catalog: extract its strings and bring the `.po` files in line (developers).

Run `.venv/bin/python -m helpt.staff.catalog` after adding or changing a string, then translate what is new
in `staff/translations/<lang>/LC_MESSAGES/helpt_staff.po`. The tests fail while a string is untranslated.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from helpt.staff.texts import STAFF_DOMAIN, STAFF_TRANSLATIONS

PACKAGE_DIR = Path(__file__).resolve().parent
_KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
_METHODS = [("**.py", "python"), ("templates/**.html", "jinja2"), ("web/templates/**.html", "jinja2")]


def extract() -> Catalog:
    """Every string of the tool's modules and templates."""
    catalog = Catalog(project="Helpt staff tool", version="1", domain=STAFF_DOMAIN, msgid_bugs_address="")
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE_DIR, method_map=_METHODS, keywords=_KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def update(lang: str) -> Path:
    """Merge the extracted strings into a language's `.po`, keeping what is translated already."""
    po_file = STAFF_TRANSLATIONS / lang / "LC_MESSAGES" / f"{STAFF_DOMAIN}.po"
    if po_file.is_file():
        with po_file.open("rb") as stream:
            catalog = read_po(stream, locale=lang, domain=STAFF_DOMAIN)
    else:
        po_file.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=lang, domain=STAFF_DOMAIN, project="Helpt staff tool", msgid_bugs_address="")
    catalog.update(extract(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.project, catalog.version, catalog.fuzzy = (
        "Helpt staff tool",
        "1",
        False,
    )  # the header: a fuzzy header makes gettext ignore the charset and plural rules
    catalog.header_comment = f"# The Helpt staff tool's own strings ({lang}). Message ids are English.\n" + (
        "# After changing a string: .venv/bin/python -m helpt.staff.catalog"
    )
    with po_file.open("wb") as stream:
        write_po(stream, catalog, width=110, omit_header=False)
    return po_file


if __name__ == "__main__":
    for language in sorted(path.name for path in STAFF_TRANSLATIONS.iterdir() if path.is_dir()) or ["nl"]:
        print(update(language))
