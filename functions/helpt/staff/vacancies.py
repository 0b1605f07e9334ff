"""The vacancies the site publishes, as the back office needs them: title, organisation and contact.

The build writes every vacancy page's facts into the site data (`.build/publish/.helpt/site.json`, bundled
with the back office as `helpt/bundle/site.json`); a vacancy response only holds the vacancy's key (its
file name, `food-parcels`). This module turns the key back into what staff and organisations read, and
says which organisation a response belongs to: an organisation's account sees only the responses to the
vacancies whose `Organisation-id` is its own.

A response to a vacancy that has since been removed from the site keeps its key: it is shown as the key,
and belongs to no organisation (a coordinator still sees it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# What an organisation's account is linked to, written once here for the content checks and the accounts:
# short, lower case letters, digits and hyphens (no hyphen first or last), like `volle-kar`.
ORGANISATION_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
ORGANISATION_ID_EXAMPLE = "volle-kar"


def is_organisation_id(text: str) -> bool:
    """Whether `text` has the form of an Organisation-id.

    >>> [is_organisation_id(text) for text in ("volle-kar", "hof2", "Volle Kar", "-x", "", "x" * 41)]
    [True, True, False, False, False, False]
    """
    return ORGANISATION_ID.fullmatch(text) is not None


@dataclass(frozen=True)
class Vacancy:
    key: str  # the vacancy's file name without language and extension: what a response holds
    titles: Mapping[str, str]  # by language
    organisation_id: str  # what an organisation's account is linked to (Account.organisation)
    organisation_names: Mapping[str, str]  # by language, as the page names the organisation
    contact: Mapping[str, str]  # by language: the person or desk at the organisation, as the page says
    expires: str = ""  # ISO date: the last day the vacancy takes responses

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or next(iter(self.titles.values()), self.key)

    def organisation(self, lang: str) -> str:
        return self.organisation_names.get(lang) or next(iter(self.organisation_names.values()), "")

    def contact_in(self, lang: str) -> str:
        return self.contact.get(lang) or next(iter(self.contact.values()), "")


@dataclass(frozen=True)
class Vacancies:
    """Every vacancy of the site, by key."""

    by_key: Mapping[str, Vacancy] = field(default_factory=dict)

    def get(self, key: str) -> Vacancy | None:
        return self.by_key.get(key)

    def title(self, key: str, lang: str) -> str:
        """The vacancy's title in `lang`; the key itself for a vacancy the site no longer has."""
        vacancy = self.by_key.get(key)
        return vacancy.title(lang) if vacancy else key

    def organisation_of(self, key: str) -> str:
        """The organisation id a response to this vacancy belongs to; "" for an unknown vacancy."""
        vacancy = self.by_key.get(key)
        return vacancy.organisation_id if vacancy else ""

    def of_organisation(self, organisation_id: str) -> list[Vacancy]:
        """The organisation's vacancies, by key; none for an empty id."""
        if not organisation_id:
            return []
        return [v for _key, v in sorted(self.by_key.items()) if v.organisation_id == organisation_id]

    def organisations(self) -> dict[str, str]:
        """Every organisation id with a name (in the first language that names it), by id."""
        found: dict[str, str] = {}
        for vacancy in self.by_key.values():
            found.setdefault(vacancy.organisation_id, vacancy.organisation(next(iter(vacancy.titles), "")))
        return dict(sorted(found.items()))

    def __iter__(self) -> Iterator[Vacancy]:
        return iter(self.by_key.values())

    def __len__(self) -> int:
        return len(self.by_key)


def vacancies_from_site_data(site: Mapping[str, Any]) -> Vacancies:
    """The vacancies in the build's site data (`form_pages`, the pages that carry a vacancy response form)."""
    found: dict[str, Vacancy] = {}
    for key, versions in site.get("form_pages", {}).items():
        records = [record for record in versions.values() if record.get("form") == "vacancy_response"]
        if not records:
            continue
        found[key] = Vacancy(
            key=key,
            titles={record["lang"]: record.get("title", key) for record in records},
            organisation_id=next((r.get("organisation_id", "") for r in records if r.get("organisation_id")), ""),
            organisation_names={record["lang"]: record.get("organisation", "") for record in records},
            contact={record["lang"]: record.get("contact", "") for record in records},
            expires=next((r.get("expires", "") for r in records if r.get("expires")), ""),
        )
    return Vacancies(found)


def load_vacancies(site_data_file: Path | None) -> Vacancies:
    """The vacancies in a site data file; none when there is no file (a store opened without a built site)."""
    if site_data_file is None or not site_data_file.is_file():
        return Vacancies()
    return vacancies_from_site_data(json.loads(site_data_file.read_text(encoding="utf-8")))
