"""The gettext catalogs of the theme: extract, update, compile and check them (Babel).

Message ids are English and live in the templates (`{% trans %}`, `_()`) and in `helpt.templating`.
Each other language has `theme/translations/<lang>/LC_MESSAGES/messages.po` in the repository; the build
compiles them to `.mo` and refuses to publish a string that some language lacks.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

import helpt.forms
import helpt.intake
import helpt.pages
import helpt.templating
import helpt.validation
import helpt_site.cards
from helpt.i18n import DOMAIN, SOURCE_LANGUAGE
from helpt.notify.render import TEMPLATES_DIR as NOTIFY_TEMPLATES
from helpt.printing import PRINTABLES_DIR

# `trimmed` must match the environment's `ext.i18n.trimmed` policy or the ids would differ.
_JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n,jinja2.ext.do", "trimmed": "true", "newstyle_gettext": "true"}
_HEADER = {
    "project": "Helpt",
    "version": "1",
    "domain": DOMAIN,
    "msgid_bugs_address": "",
    "last_translator": "",
}
PYTHON_SOURCES = tuple(
    Path(module.__file__)
    for module in (helpt.templating, helpt.forms, helpt.validation, helpt.pages, helpt.intake, helpt_site.cards)
)


def catalog_path(translations_dir: Path, lang: str, suffix: str = ".po") -> Path:
    return translations_dir / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def extract_messages(theme_dir: Path) -> Catalog:
    """Every translatable string of the templates and of the Python sources that render them."""
    catalog = Catalog(**_HEADER, header_comment="# The strings of the Helpt theme. Message ids are English.")
    templates = theme_dir / "templates"
    for filename, lineno, message, comments, context in extract_from_dir(
        templates, method_map=[("**.html", "jinja2")], options_map={"**.html": _JINJA_OPTIONS}
    ):
        catalog.add(message, None, [(f"templates/{filename}", lineno)], auto_comments=comments, context=context)
    # The printables' strings go through `say`, which gives them in one language or in several.
    keywords = {**DEFAULT_KEYWORDS, "say": None}
    for filename, lineno, message, comments, context in extract_from_dir(
        PRINTABLES_DIR, method_map=[("**.html", "jinja2")], options_map={"**.html": _JINJA_OPTIONS}, keywords=keywords
    ):
        catalog.add(message, None, [(f"printables/{filename}", lineno)], auto_comments=comments, context=context)
    # The messages Helpt sends (helpt.notify.render): translated with the theme, as the pages they follow are.
    for filename, lineno, message, comments, context in extract_from_dir(
        NOTIFY_TEMPLATES, method_map=[("**.j2", "jinja2")], options_map={"**.j2": _JINJA_OPTIONS}
    ):
        catalog.add(message, None, [(f"notify/{filename}", lineno)], auto_comments=comments, context=context)
    for source in PYTHON_SOURCES:
        for lineno, message, comments, context in extract_from_file("python", source):
            catalog.add(message, None, [(f"helpt/{source.name}", lineno)], auto_comments=comments, context=context)
    return catalog


def write_template(catalog: Catalog, pot_file: Path) -> None:
    with pot_file.open("wb") as stream:
        write_po(stream, catalog, width=110, omit_header=False)


def update_catalogs(translations_dir: Path, template: Catalog, languages: tuple[str, ...]) -> list[Path]:
    """Bring each language's .po in line with the templates, creating it if needed; return the files."""
    written = []
    for lang in languages:
        if lang == SOURCE_LANGUAGE:
            continue
        po_file = catalog_path(translations_dir, lang)
        if po_file.is_file():
            with po_file.open("rb") as stream:
                catalog = read_po(stream, locale=lang)
        else:
            po_file.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=lang, **_HEADER, header_comment=f"# The Helpt theme's strings in {lang}.")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po_file.open("wb") as stream:
            write_po(stream, catalog, width=110)
        written.append(po_file)
    return written


def compile_catalogs(translations_dir: Path) -> list[Path]:
    """Compile every .po whose .mo is missing or older; return the .mo files written."""
    written = []
    for po_file in sorted(translations_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_file = po_file.with_suffix(".mo")
        if mo_file.is_file() and mo_file.stat().st_mtime >= po_file.stat().st_mtime:
            continue
        with po_file.open("rb") as stream:
            catalog = read_po(stream, locale=po_file.parents[1].name)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        mo_file.write_bytes(buffer.getvalue())
        written.append(mo_file)
    return written


def catalog_problems(translations_dir: Path, template: Catalog, languages: tuple[str, ...]) -> list[str]:
    """Every theme string that some configured language does not translate, named with its file."""
    problems = []
    wanted = [message for message in template if message.id]
    for lang in languages:
        if lang == SOURCE_LANGUAGE:
            continue
        po_file = catalog_path(translations_dir, lang)
        shown = po_file.relative_to(translations_dir.parents[1]) if translations_dir.parents else po_file
        if not po_file.is_file():
            problems.append(f"{shown}: missing; create it with `invoke i18n-update` and translate it")
            continue
        with po_file.open("rb") as stream:
            catalog = read_po(stream, locale=lang)
        for message in wanted:
            translated = catalog.get(message.id, message.context)
            where = ", ".join(f"{path}:{line}" for path, line in message.locations)
            if translated is None:
                problems.append(
                    f"{shown}: {message.id!r} ({where}) is not in the catalog; "
                    "run `invoke i18n-update`, then translate it"
                )
            elif translated.fuzzy or not _is_translated(translated.string):
                problems.append(f"{shown}: {message.id!r} ({where}) is not translated yet")
    return problems


def translation_problems(
    theme_dir: Path, translations_dir: Path, languages: tuple[str, ...], cache_dir: Path
) -> list[str]:
    """`catalog_problems` of every string extracted from the theme, remembered when there were none.

    Extracting the strings takes Babel a quarter of a second, a third of a small site's build. So a build
    that found every string translated leaves a mark named by a hash of every file the strings and their
    translations come from (and of the languages and Babel's and Jinja's versions); a build that finds
    the mark skips the check. A changed template, catalog or source makes another hash: checked again."""
    digest = hashlib.sha256(repr((languages, version("babel"), version("jinja2"))).encode())
    sources = [*sorted((theme_dir / "templates").rglob("*.html")), *sorted(PRINTABLES_DIR.rglob("*.html")),
               *sorted(NOTIFY_TEMPLATES.rglob("*.j2")), *PYTHON_SOURCES,
               *sorted(translations_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))]  # fmt: skip
    for source in sources:
        digest.update(str(source).encode() + b"\0" + source.read_bytes())
    mark = cache_dir / f"translations-checked-{digest.hexdigest()[:16]}"
    if mark.is_file():
        return []
    problems = catalog_problems(translations_dir, extract_messages(theme_dir), languages)
    if not problems:
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.write_text("every theme string translated\n", encoding="utf-8")
    return problems


def _is_translated(string: str | tuple[str, ...]) -> bool:
    strings = string if isinstance(string, tuple) else (string,)
    return all(part.strip() for part in strings)
