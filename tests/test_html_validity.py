"""The W3C HTML checker (vnu) finds no error on any built page, nor on the pages the form handler answers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from browser_support import VNU_JAR, require_vnu
from conftest import BuiltSite
from forms_support import VALID, broken_store, event, form_body, make_intake

from helpt.stores.sqlite import SQLiteStore


def handler_pages(site: BuiltSite, folder: Path) -> list[Path]:
    """Error, confirmation, problem and message pages, as the handler renders them, saved as files."""
    intake = make_intake(site.root, SQLiteStore(folder / "data" / "helpt.sqlite3"))
    broken = make_intake(site.root, broken_store(folder / "broken"))
    answers = {
        "error-help-nl": intake.handle(event("help-request", form_body({}, "nl"))),
        "error-volunteer-en": intake.handle(event("volunteer", form_body({"email": "x"}, "en"))),
        "error-vacancy-nl": intake.handle(event("vacancy-response", form_body({"vacancy": "food-parcels"}))),
        "problem-en": broken.handle(event("volunteer", form_body(VALID["volunteer"], "en"))),
        "too-large": intake.handle(event("volunteer", "x" * 70_000)),
        "not-found": intake.handle(event("nope", "")),
    }
    location = intake.handle(event("help-request", form_body(VALID["help-request"])))["headers"]["location"]
    path, query = location.split("?")
    answers["confirmation"] = intake.handle(event("help-request", method="GET", path=path, query=query))
    pages = []
    for name, answer in answers.items():
        assert answer["statusCode"] in (200, 404, 413, 422, 503), name
        page = folder / f"{name}.html"
        page.write_text(answer["body"], encoding="utf-8")
        pages.append(page)
    return pages


def test_the_w3c_html_checker_finds_no_errors_on_any_page(
    leuven_site: BuiltSite, other_city_site: BuiltSite, tmp_path: Path
) -> None:
    java = require_vnu()
    pages = [*leuven_site.pages(), *other_city_site.pages(), *handler_pages(leuven_site, tmp_path)]
    checked = subprocess.run(
        [str(java), "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, pages)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    report = json.loads(checked.stderr or checked.stdout)
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in report["messages"]]
    assert len(pages) >= 40
    assert errors == []
