"""Jinja2 environment set-up shared by the Pelican build and the Lambda handlers.

Both render the same theme templates, so both get the same gettext (picking the catalog from the page's
language), the same filters and the same globals from here.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Mapping
from typing import Any

from babel.dates import format_time
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from helpt.forms import FORMS, HELP_KINDS, choices, field_anchor
from helpt.i18n import format_date, language_name
from helpt.settings import CitySettings


def configure_environment(
    env: Environment, city: CitySettings, catalogs: Mapping[str, gettext.NullTranslations]
) -> None:
    """Install translations, filters and globals into a Jinja2 environment."""
    env.add_extension("jinja2.ext.i18n")
    env.add_extension("jinja2.ext.do")
    # Extraction uses the same policy (see helpt_site.catalogs), or the catalog ids would not match.
    env.policies["ext.i18n.trimmed"] = True

    def catalog_for(context: Context) -> gettext.NullTranslations:
        return catalogs[context_language(context, city)]

    @pass_context
    def _gettext(context: Context, message: str) -> str:
        return catalog_for(context).gettext(message)

    @pass_context
    def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
        return catalog_for(context).ngettext(singular, plural, count)

    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["localdate"] = format_date
    env.globals.update(
        city=city,
        forms=FORMS,
        help_kinds=HELP_KINDS,
        choices_of=lambda question: choices(question, city),
        field_anchor=lambda form_name, field_name: field_anchor(form_name, field_name, city),
        # What a form page shows when it comes back from the handler; empty when the build renders it.
        form_errors={},
        form_answers={},
        service_problem=False,
        language_name=language_name,
        # Each page asks several times; the answer is the same for every page of a language.
        opening_hours=functools.cache(lambda lang: opening_hours(city, catalogs[lang], lang)),
    )


def context_language(context: Context | Mapping[str, Any], city: CitySettings) -> str:
    """The language a template is rendering in: `lang`, else the page's, else the default."""
    lang = context.get("lang") or getattr(context.get("page"), "lang", None)
    return lang if lang in city.languages else city.default_language


def opening_hours(city: CitySettings, catalog: gettext.NullTranslations, lang: str) -> str:
    """The phone line's opening hours as a phrase in the given language."""
    times = {
        "opens": format_time(city.hours.opens, format="short", locale=lang),
        "closes": format_time(city.hours.closes, format="short", locale=lang),
    }
    if city.hours.days == "weekdays":
        return catalog.gettext("Monday to Friday, %(opens)s to %(closes)s") % times
    return catalog.gettext("every day, %(opens)s to %(closes)s") % times
