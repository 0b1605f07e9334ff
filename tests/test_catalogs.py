"""The theme's gettext catalogs in the repository match the templates and translate every string."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from conftest import copy_project

from helpt.i18n import load_catalogs
from helpt.settings import load_city
from helpt_site.build import PROJECT_DIR
from helpt_site.catalogs import catalog_path, catalog_problems, compile_catalogs, extract_messages

THEME = PROJECT_DIR / "theme"
TRANSLATIONS = THEME / "translations"


def test_every_theme_string_is_translated_in_every_language() -> None:
    template = extract_messages(THEME)
    assert len(template) > 20
    assert catalog_problems(TRANSLATIONS, template, load_city().languages) == []


def test_the_committed_template_and_catalogs_hold_exactly_the_strings_in_use() -> None:
    in_use = {message.id for message in extract_messages(THEME) if message.id}
    pot = {message.id for message in read_po((TRANSLATIONS / "messages.pot").open("rb")) if message.id}
    dutch = {message.id for message in read_po(catalog_path(TRANSLATIONS, "nl").open("rb")) if message.id}
    assert pot == in_use, "run `invoke i18n-update` to refresh theme/translations"
    assert dutch == in_use, "run `invoke i18n-update` to refresh theme/translations"


def test_compiled_catalogs_translate_at_run_time(tmp_path: Path) -> None:
    translations = copy_project(tmp_path) / "theme" / "translations"
    assert not catalog_path(translations, "nl", ".mo").exists()
    assert compile_catalogs(translations) == [catalog_path(translations, "nl", ".mo")]
    assert compile_catalogs(translations) == [], "an up-to-date .mo is not compiled again"
    catalogs = load_catalogs(translations, ("nl", "en"))
    assert catalogs["nl"].gettext("Skip to main content") == "Naar de inhoud"
    assert catalogs["en"].gettext("Skip to main content") == "Skip to main content"
