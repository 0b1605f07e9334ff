"""What an export takes out: the filters a coordinator chose, the file they want, and the records that fit.

`helpt export` reads the filters from its options, the back office from its form; both hand an ExportOrder
to `helpt.staff.export`, so the two can never select differently. The order is plain values (text and
days) because on AWS it travels in an export job on a queue (helpt.staff.web.export_delivery): it names how
records are chosen, never a person, and it is what the export log says about an export.

    >>> filters = ExportFilters(form="vacancy_response", vacancy="food-parcels")
    >>> ExportFilters.from_json(filters.to_json()) == filters, filters.description()
    (True, 'form=vacancy_response vacancy=food-parcels')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from helpt.forms import FORMS, VACANCY_FIELD, VACANCY_RESPONSE
from helpt.settings import CitySettings
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_
from helpt.submissions import Submission

FILE_FORMATS = ("csv", "xlsx")
# Between CSV columns, by the name an option or a form field gives: "tab" is hard to type as itself.
SEPARATORS = {",": ",", ";": ";", "tab": "\t"}
DEFAULT_SEPARATOR = ","
NO_SUCH_NEIGHBOURHOOD = N_("There is no neighbourhood called %(name)s; choose from: %(names)s.")
VACANCY_NEEDS_RESPONSES = N_("Only vacancy responses have a vacancy: leave out --form, or use --form vacancy_response.")
NEIGHBOURHOOD_OR_POSTCODE = N_("Choose a neighbourhood or a postcode, not both.")


@dataclass(frozen=True)
class Selection:
    """Which submissions to export. `description` names the filter in the export log (no personal data)."""

    forms: tuple[str, ...] = tuple(FORMS)
    since: dt.datetime | None = None  # created at or after, inclusive
    until: dt.datetime | None = None  # created before, exclusive
    status: str | None = None
    postcodes: frozenset[str] | None = None
    vacancy: str | None = None  # a vacancy's key: only the responses to it
    description: str = "all"

    def keeps(self, submission: Submission) -> bool:
        if self.status is not None and submission.status != self.status:
            return False
        if self.vacancy is not None and submission.answers.get(VACANCY_FIELD) != self.vacancy:
            return False
        return self.postcodes is None or submission.answers.get("postcode") in self.postcodes


@dataclass(frozen=True)
class ExportFilters:
    """The filters as given; empty (or None) leaves that filter out."""

    form: str = ""  # one of FORMS; "": all three
    date_from: dt.date | None = None  # came in on or after this day (the city's day)
    date_to: dt.date | None = None  # came in on or before this day
    status: str = ""
    neighbourhood: str = ""  # a neighbourhood's name, in any case
    postcode: str = ""
    vacancy: str = ""  # a vacancy's key, e.g. food-parcels: only its responses

    def description(self) -> str:
        """How the records were chosen, for the export log: "form=help_request status=new", or "all"."""
        parts = [f"form={self.form}"] if self.form else []
        parts += [f"from={self.date_from}"] if self.date_from else []
        parts += [f"to={self.date_to}"] if self.date_to else []
        parts += [f"status={self.status}"] if self.status else []
        parts += [f"neighbourhood={self.neighbourhood}"] if self.neighbourhood else []
        parts += [f"postcode={self.postcode}"] if self.postcode else []
        parts += [f"vacancy={self.vacancy}"] if self.vacancy else []
        return " ".join(parts) or "all"

    def selection(self, city: CitySettings) -> Selection:
        """The records these filters choose. Raises StaffProblem for a neighbourhood the city does not have,
        a neighbourhood and a postcode together, or a vacancy with a form other than vacancy responses."""
        if self.vacancy and self.form not in ("", VACANCY_RESPONSE.name):
            raise StaffProblem(VACANCY_NEEDS_RESPONSES)
        if self.neighbourhood and self.postcode:
            raise StaffProblem(NEIGHBOURHOOD_OR_POSTCODE)
        named = self
        postcodes = frozenset({self.postcode}) if self.postcode else None
        if self.neighbourhood:
            wanted = self.neighbourhood.casefold()
            hood = next((h for h in city.neighbourhoods if h.name.casefold() == wanted), None)
            if hood is None:
                names = ", ".join(h.name for h in city.neighbourhoods)
                raise StaffProblem(NO_SUCH_NEIGHBOURHOOD, name=self.neighbourhood, names=names)
            postcodes, named = frozenset(hood.postcodes), replace(self, neighbourhood=hood.name)
        forms = (self.form,) if self.form else (VACANCY_RESPONSE.name,) if self.vacancy else tuple(FORMS)
        return Selection(
            forms=forms, since=_day_start(self.date_from, city), until=_day_after(self.date_to, city),
            status=self.status or None, postcodes=postcodes, vacancy=self.vacancy or None,
            description=named.description(),
        )  # fmt: skip

    def to_json(self) -> dict[str, str]:
        return {name: "" if value is None else str(value) for name, value in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportFilters:
        """Filters from to_json's dict (a job on the queue). Raises ValueError for one that is not."""
        text = {name: str(data.get(name, "")) for name in cls.__dataclass_fields__}
        days = {name: dt.date.fromisoformat(text[name]) if text[name] else None for name in ("date_from", "date_to")}
        return cls(**{**text, **days})


@dataclass(frozen=True)
class ExportOrder:
    """An export as asked for: which records (the filters), and which file."""

    filters: ExportFilters = field(default_factory=ExportFilters)
    file_format: str = "csv"  # one of FILE_FORMATS
    separator: str = DEFAULT_SEPARATOR  # the character itself (CSV only)

    def __post_init__(self) -> None:
        if self.file_format not in FILE_FORMATS or self.separator not in SEPARATORS.values():
            raise ValueError("an export is CSV or XLSX, with one of SEPARATORS between CSV columns")

    def to_json(self) -> dict[str, Any]:
        return {"filters": self.filters.to_json(), "format": self.file_format, "separator": self.separator}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportOrder:
        """The order in to_json's dict. Raises ValueError (or TypeError, KeyError) for one that is not."""
        return cls(ExportFilters.from_json(data["filters"]), str(data["format"]), str(data["separator"]))


def _day_start(day: dt.date | None, city: CitySettings) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(0), ZoneInfo(city.timezone)).astimezone(dt.UTC)


def _day_after(day: dt.date | None, city: CitySettings) -> dt.datetime | None:
    return _day_start(day + dt.timedelta(days=1), city) if day is not None else None
