"""The W3C HTML checker (vnu) finds no error on any built page."""

from __future__ import annotations

import json
import subprocess

from browser_support import VNU_JAR, require_vnu
from conftest import BuiltSite


def test_the_w3c_html_checker_finds_no_errors_on_any_page(leuven_site: BuiltSite, other_city_site: BuiltSite) -> None:
    java = require_vnu()
    pages = [*leuven_site.pages(), *other_city_site.pages()]
    checked = subprocess.run(
        [str(java), "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, pages)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    report = json.loads(checked.stderr or checked.stdout)
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in report["messages"]]
    assert len(pages) >= 30
    assert errors == []
