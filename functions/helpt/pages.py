"""Rendering the pages the form handler answers with, from the theme's templates and the build's site data.

A form page comes back exactly as the build wrote it (its text, menu, language links, footer), now with
the answers filled in and the problems shown; confirmation and message pages share the same frame.
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from helpt.forms import N_, VACANCY_RESPONSE, Form
from helpt.i18n import language_name
from helpt.settings import CitySettings
from helpt.submissions import Answer
from helpt.templating import configure_environment
from helpt.validation import Problem

CONFIRMATION_TITLES = {
    "help_request": N_("We received your request"),
    "volunteer_signup": N_("Thank you for signing up"),
    "vacancy_response": N_("We received your response"),
}


class PageRenderer:
    """Renders handler pages in any of the city's languages."""

    def __init__(
        self,
        templates_dir: Path,
        city: CitySettings,
        catalogs: Mapping[str, gettext.NullTranslations],
        site: dict[str, Any],
    ) -> None:
        self.city, self.catalogs, self.site = city, catalogs, site
        self.env = Environment(
            loader=FileSystemLoader(templates_dir),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        configure_environment(self.env, city, catalogs)
        # The page that carries each form (a vacancy's response form is on that vacancy's own page).
        self.form_page_keys = {
            record["form"]: key
            for key, versions in site["form_pages"].items()
            for record in versions.values()
            if record["form"] != VACANCY_RESPONSE.name
        }

    def gettext(self, lang: str, message: str) -> str:
        return self.catalogs[lang].gettext(message)

    def form_page_key(self, form: Form, vacancy: str = "") -> str | None:
        """The key of the page a form is on, or None (an unknown or closed vacancy)."""
        if form is VACANCY_RESPONSE:
            versions = self.site["form_pages"].get(vacancy, {})
            return vacancy if any(record["form"] == form.name for record in versions.values()) else None
        return self.form_page_keys.get(form.name)

    def vacancy_expiry(self, key: str) -> dt.date | None:
        versions = self.site["form_pages"].get(key, {})
        expires = next((record.get("expires") for record in versions.values()), None)
        return dt.date.fromisoformat(expires) if expires else None

    def form_page(
        self,
        page_key: str,
        lang: str,
        answers: Mapping[str, Answer],
        problems: Sequence[Problem] = (),
        *,
        service_problem: bool = False,
    ) -> str:
        page = dict(self.site["form_pages"][page_key][lang])
        if "expires" in page:
            page["expires"] = dt.date.fromisoformat(page["expires"])
        errors: dict[str, Problem] = {}
        for problem in problems:
            errors.setdefault(problem.field, problem)
        return self._render(
            f"{page['template']}.html", page, form_answers=answers, form_errors=errors, service_problem=service_problem
        )

    def confirmation_url(self, form: Form, lang: str, reference: str, vacancy: str = "") -> str:
        """Where a kept submission is confirmed. A vacancy response's address names the vacancy (its key, public
        like the page's): the confirmation says who receives the response without reading the store."""
        query = urlencode({"lang": lang, "ref": reference, **({"vacancy": vacancy} if vacancy else {})})
        return f"{self.site['form_action_base']}/{form.slug}/confirmation?{query}"

    def vacancy_facts(self, key: str, lang: str) -> dict[str, str] | None:
        """A vacancy's organisation and contact in `lang`, as its page names them; None for an unknown key."""
        versions = self.site["form_pages"].get(key, {})
        record = versions.get(lang) or next(iter(versions.values()), None)
        if record is None or record.get("form") != VACANCY_RESPONSE.name:
            return None
        return {"organisation": record.get("organisation", ""), "contact": record.get("contact", "")}

    def confirmation(self, form: Form, lang: str, reference: str, vacancy: str = "") -> str:
        facts = self.vacancy_facts(vacancy, lang) if form is VACANCY_RESPONSE and vacancy else None
        shown = vacancy if facts else ""  # an unknown key in the address is not repeated in the links
        alternates = [
            {"hreflang": other, "href": self.confirmation_url(form, other, reference, shown), "name": ""}
            for other in self.city.languages
        ]
        page = self._page("confirmation", lang, self.gettext(lang, CONFIRMATION_TITLES[form.name]), alternates)
        return self._render("confirmation.html", page, form_name=form.name, reference=reference, vacancy=facts)

    def message(self, lang: str, title: str, paragraphs: Sequence[str], kept_text: str = "") -> str:
        """A page that only says something: title and paragraphs are message ids."""
        page = self._page("message", lang, self.gettext(lang, title), [])
        texts = [self.gettext(lang, paragraph) for paragraph in paragraphs]
        return self._render("message.html", page, paragraphs=texts, kept_text=kept_text)

    def check_page(self, lang: str, *, outcome: str, typed: str, **found: Any) -> str:
        """The check page in `lang` as the build wrote it, with the answer to a code: outcome "" (no code yet),
        "empty", "known" (with first_name, neighbourhood, valid_until), "unknown", "limited" or "unavailable"."""
        page = dict(self.site["check_pages"][lang])
        return self._render(f"{page['template']}.html", page, check={"outcome": outcome, "typed": typed, **found})

    def _page(self, key: str, lang: str, title: str, alternates: list[dict[str, str]]) -> dict[str, Any]:
        named = [dict(item, name=language_name(item["hreflang"])) for item in alternates]
        if named:
            named.append(
                dict(next(a for a in named if a["hreflang"] == self.city.default_language), hreflang="x-default")
            )
        return {"key": key, "lang": lang, "title": title, "summary": "", "content": "", "form": "", "alternates": named}

    def _render(self, template: str, page: dict[str, Any], **extra: Any) -> str:
        context = {
            "page": page,
            "SITEURL": self.site["siteurl"],
            "THEME_STATIC_DIR": self.site["theme_static_dir"],
            "FORM_ACTION_BASE": self.site["form_action_base"],
            "page_urls": self.site["page_urls"],
            "menus": self.site["menus"],
            "vacancy_index": self.site["vacancy_index"],
            **extra,
        }
        return self.env.get_template(template).render(context)
