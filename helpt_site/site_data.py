"""The site data the form handler needs to render pages exactly as the build did.

When a form comes back with problems, the handler renders the whole page again (its text, header, menu,
language links and footer) from the same templates. The build writes what those templates need here,
as JSON beside the site (`.helpt/site.json`, never uploaded), and the handler reads it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from helpt_site.site_pages import Page, is_vacancy, organisation_id

SITE_DATA_PATH = Path(".helpt") / "site.json"
# What the vacancy page shows; the back office reads "organisation", "organisation_id" and "contact" too
# (helpt.staff.vacancies): which organisation's account a response belongs to, and whom the page names.
_VACANCY_FACTS = ("organisation", "contact", "location", "schedule", "skills")


def page_record(page: Page) -> dict[str, Any]:
    record = {
        "key": page.key,
        "lang": page.lang,
        "title": page.title,
        "summary": page.summary,
        "content": page.content,
        "url": page.url,
        "template": page.template,
        "form": page.form,
        "alternates": [vars(alternate) for alternate in page.alternates],
    }
    if is_vacancy(page):
        record.update({name: getattr(page, name) for name in _VACANCY_FACTS})
        record["organisation_id"] = organisation_id(page)
        record["expires"] = page.expires.isoformat()
    return record


def site_data(pages: list[Page], context: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """Everything the handler renders with: form pages by key and language, menus, links, vacancies."""
    form_pages: dict[str, dict[str, Any]] = {}
    check_pages: dict[str, Any] = {}  # the card check's page in each language (helpt.card_check)
    for page in pages:
        if page.form:
            form_pages.setdefault(page.key, {})[page.lang] = page_record(page)
        if getattr(page, "template", "") == "check":
            check_pages[page.lang] = page_record(page)
    return {
        "siteurl": settings["SITEURL"],
        "theme_static_dir": settings["THEME_STATIC_DIR"],
        "form_action_base": settings["FORM_ACTION_BASE"],
        "page_urls": context["page_urls"],
        "menus": {lang: [vars(item) for item in items] for lang, items in context["menus"].items()},
        "vacancy_index": context["vacancy_index"],
        "form_pages": form_pages,
        "check_pages": check_pages,
    }


def write_site_data(output: Path, data: dict[str, Any]) -> Path:
    path = output / SITE_DATA_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=_plain), encoding="utf-8")
    return path


def _plain(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to the site data")
