"""Exporting submissions to CSV or XLSX: streamed, safe to open in a spreadsheet, and logged.

Every export is made by `export_file`: `helpt export` (run_export, below), the back office's export page on
the local preview, and its export worker on AWS (helpt.staff.web). Rows come from the store a page at a time
and go straight to the file, so memory stays flat however many there are (benchmarks/export.py measures it);
the only other read is the matches' small table of references (the store's `matches`), one entry per match.
Expired records are never exported: the store skips them, and each row is checked again here. Cells are
neutralised against formulas as `cells.py` explains.

A coordinator works in the XLSX file: the heading row is bold, stays in view (frozen) and carries a filter;
the columns have widths that fit what they hold; "Received" and "Deleted after" are real date-times in the
city's time, so they sort and filter as dates. CSV has the same columns, the times as "2020-03-16 10:30".
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from helpt.forms import FORMS, HELP_REQUEST, VACANCY_FIELD, VACANCY_RESPONSE, VOLUNTEER_SIGNUP
from helpt.settings import CitySettings
from helpt.staff.answers import (
    CHANNELS,
    EXTRA_ANSWERS,
    FORM_NAMES,
    SEPARATOR,
    SHARED_HEADINGS,
    STATUSES,
    answer_formatter,
    named,
    question,
    question_label,
)
from helpt.staff.context import StaffContext
from helpt.staff.export_selection import ExportOrder, Selection
from helpt.staff.export_writers import write_csv
from helpt.staff.export_xlsx import write_xlsx
from helpt.staff.files import private_file
from helpt.staff.progress import Tally, progress_bar
from helpt.staff.texts import Texts
from helpt.staff.vacancies import Vacancies
from helpt.stores import LogEntry, StaffStore
from helpt.submissions import Answer, Submission

__all__ = ["Column", "ExportSource", "Selection", "columns", "export_file", "run_export", "selected"]

MATCHED_FORMS = (HELP_REQUEST.name, VOLUNTEER_SIGNUP.name)
# Column widths in characters: what the answers to a kind of question usually need, at most WIDEST.
WIDTHS = {"textarea": 50, "email": 30, "tel": 18, "postcode": 10, "checkboxes": 36, "radios": 22, "consent": 10}
WIDEST = 50
Value = str | dt.datetime


@dataclass(frozen=True)
class ExportSource:
    """What an export reads, who makes it and when: the command line's, the back office's and its worker's."""

    store: StaffStore
    city: CitySettings
    texts: Texts
    vacancies: Vacancies
    who: str  # as the export log names them: the OS user, the AWS identity, the back office account
    now: dt.datetime


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable[[Submission], Value]
    phone: bool = False  # answers to a phone question: kept readable (cells.py)
    moment: bool = False  # the value is a local date and time (tz-naive datetime), not text
    width: float = 16  # in characters, for XLSX
    # A column of one answer: its name and how each form's answer to it reads (export_rows.py fills a row
    # from the answers a record has, instead of asking every column of every row).
    answer: str | None = None
    formats: Mapping[str, Callable[[Answer], str]] | None = None


def columns(
    forms: Iterable[str], texts: Texts, city: CitySettings, vacancies: Vacancies | None = None,
    matches: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Column]:  # fmt: skip
    """The record's details, then every question of the forms in their order, headed in staff's language.

    Everything that does not depend on the record (labels, choice names, language names, the postcode map,
    the time zone, the vacancies' titles) is worked out here once, not for each of a hundred thousand rows.
    With `matches` (the store's matches), a column says what each record is matched with.
    """
    _ = texts.gettext
    chosen = [FORMS[name] for name in forms]
    postcodes, zone, vacancies = city.postcodes, ZoneInfo(city.timezone), vacancies or Vacancies()

    def local(moment: dt.datetime) -> dt.datetime:
        # A spreadsheet has no time zones: the city's time, to the second (shown to the minute).
        return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)

    language = _language_names(texts.lang)
    fixed = [
        Column(_("Reference"), operator.attrgetter("reference"), width=14),
        Column(_("Form"), _by_name(FORM_NAMES, texts, "form"), width=18),
        Column(_("Received"), lambda s: local(s.created_at), moment=True, width=17),
        Column(_("Channel"), _by_name(CHANNELS, texts, "channel"), width=14),
        Column(_("Status"), _by_name(STATUSES, texts, "status"), width=12),
        Column(_("Form language"), lambda s: language(s.lang), width=14),
        Column(_("Neighbourhood"), lambda s: postcodes.get(str(s.answers.get("postcode", "")), ""), width=18),
        Column(_("Deleted after"), lambda s: dt.datetime.fromtimestamp(s.expires_at, zone).replace(tzinfo=None),
               moment=True, width=17),
    ]  # fmt: skip
    if matches is not None and any(form.name in MATCHED_FORMS for form in chosen):
        found = matches
        fixed.append(Column(_("Matched with"), lambda s: SEPARATOR.join(found.get(s.reference, ())), width=16))
    answer_columns = []
    for name in [*dict.fromkeys(name for form in chosen for name in form.names), *EXTRA_ANSWERS]:
        asking = [form for form in chosen if name in form.names]
        labels = {question_label(form, name, texts) for form in asking} or {question_label(chosen[0], name, texts)}
        heading = labels.pop() if len(labels) == 1 else _(SHARED_HEADINGS.get(name, name))
        phone = any(form.get(name).kind == "tel" for form in asking)
        width = max((_width(form.get(name).kind, form.get(name).max_length) for form in asking), default=20)
        formats = {form: answer_formatter(question(FORMS[form], name), texts, city) for form in FORMS}
        answer_columns.append(
            Column(
                heading, _answer_getter(name, formats, texts, city), phone, width=width, answer=name, formats=formats
            )
        )
        if name == VACANCY_FIELD and VACANCY_RESPONSE in chosen:
            answer_columns.append(Column(_("Vacancy title"), _vacancy_title(vacancies, texts.lang), width=36))
    return [_fitted(column) for column in fixed + answer_columns]


def _by_name(names: dict[str, str], texts: Texts, attribute: str) -> Callable[[Submission], str]:
    """A record's form, channel or status in staff's words (`named`), each word looked up once per export."""
    words = {value: named(names, value, texts) for value in names}
    read = operator.attrgetter(attribute)

    def word(submission: Submission) -> str:
        value = read(submission)
        return words.get(value, value)

    return word


def _width(kind: str, max_length: int) -> float:
    return WIDTHS.get(kind, min(max(12, max_length / 4), 30))


def _fitted(column: Column) -> Column:
    # Wide enough for the heading's longer words too (a long heading wraps in its bold row).
    longest = max((len(word) for word in column.heading.split()), default=0)
    width = min(max(column.width, longest + 2, 8), WIDEST)
    return replace(column, width=width)


def _language_names(staff_lang: str) -> Callable[[str], str]:
    """A form's language ("nl") named in staff's language ("Nederlands", "Dutch"); an unknown code as it is."""
    from babel import Locale, UnknownLocaleError

    @functools.lru_cache(maxsize=64)  # a few languages in practice, each looked up once per export
    def name(lang: str) -> str:
        try:
            found = Locale.parse(lang).get_display_name(staff_lang) or lang
        except (ValueError, TypeError, UnknownLocaleError):
            found = lang
        return found[:1].upper() + found[1:]

    return name


def _vacancy_title(vacancies: Vacancies, lang: str) -> Callable[[Submission], str]:
    def title(submission: Submission) -> str:
        key = submission.answers.get(VACANCY_FIELD)
        return vacancies.title(key, lang) if isinstance(key, str) and key else ""

    return title


def _answer_getter(
    name: str, formatters: Mapping[str, Callable[[Answer], str]], texts: Texts, city: CitySettings
) -> Callable[[Submission], str]:
    # One formatter per form that might hold this answer (the same name can be a different question).
    plain = answer_formatter(None, texts, city)

    def value(submission: Submission) -> str:
        answer = submission.answers.get(name)
        return "" if answer is None else formatters.get(submission.form, plain)(answer)

    return value


def selected(store: StaffStore, selection: Selection, now: dt.datetime) -> Iterator[Submission]:
    """The selected submissions, oldest first, streamed; an expired one is skipped even if the store erred."""
    moment = int(now.timestamp())  # as Submission.is_expired compares, worked out once
    for submission in store.stream(forms=selection.forms, since=selection.since, until=selection.until, now=now):
        if submission.expires_at > moment and selection.keeps(submission):
            yield submission


def export_file(source: ExportSource, order: ExportOrder, path: Path, tally: Tally | None = None) -> int:
    """Write the export to `path`, then log it; return the number of rows. Raises StaffProblem for filters
    that choose nothing sensible, before anything is read."""
    selection = order.filters.selection(source.city)
    tally = tally if tally is not None else Tally()
    matches = source.store.matches(now=source.now) if set(selection.forms) & set(MATCHED_FORMS) else None
    table = columns(selection.forms, source.texts, source.city, source.vacancies, matches)
    records = selected(source.store, selection, source.now)
    if order.file_format == "csv":
        write_csv(path, table, records, tally, order.separator)
    else:
        write_xlsx(path, table, records, tally, source.texts.gettext("Export"))
    filter_text = f"{selection.description} format={order.file_format}"
    source.store.log(LogEntry(at=source.now, who=source.who, action="export", filter=filter_text, rows=tally.count))
    return tally.count


def run_export(context: StaffContext, order: ExportOrder, output: Path, show_progress: bool) -> int:
    """`helpt export`: write the export, log it, and only then put the file in place; return the rows."""
    _ = context.texts.gettext
    source = ExportSource(context.store, context.city, context.texts, context.vacancies, context.who, context.now())
    bar = progress_bar(_("Exporting"), _("rows"), enabled=show_progress)
    with private_file(output) as temporary, bar as tally:
        return export_file(source, order, temporary, tally)
