"""Exports in the back office, for coordinators: the same filters and files as `helpt export`.

GET  /staff/export          the form; its query prefills it (?form=vacancy_response&vacancy=food-parcels,
                            which a vacancy's responses page links to)
POST /staff/export          checks the form; locally the file downloads at once, on AWS the job is queued
GET  /staff/export/{job}    on AWS: the job's page, for the account that asked: "being made", or the link

The form is read into an ExportOrder (helpt.staff.export_selection) and the file made by
helpt.staff.export.export_file, as the command line makes it, so both log it in the export log alike (the
account's name as who). Locally (no export bucket) the file is written to a private temporary file and
streamed to the browser from there (file_answers.py); on AWS it is made off the request (export_delivery.py,
export_worker.py). Either way the audit log says that the account exported, never what was in it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from helpt.forms import FORMS
from helpt.staff.answers import STATUSES
from helpt.staff.export import ExportSource, export_file
from helpt.staff.export_selection import (
    NEIGHBOURHOOD_OR_POSTCODE,
    NO_SUCH_NEIGHBOURHOOD,
    SEPARATORS,
    VACANCY_NEEDS_RESPONSES,
    ExportFilters,
    ExportOrder,
)
from helpt.staff.privacy_commands import KEEP_SAFE
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_
from helpt.staff.web.export_delivery import (
    CONTENT_TYPES,
    FAILED,
    JOB_ID,
    LINK_SECONDS,
    READY,
    WAITING,
    DeliveryError,
    ExportJob,
    export_filename,
    exports_from_environment,
    new_job_id,
)
from helpt.staff.web.file_answers import file_response, private_temporary_file
from helpt.staff.web.routing import Visit, routes
from helpt.stores import StoreError

FIELDS = ("form", "from", "until", "status", "neighbourhood", "postcode", "vacancy", "format", "separator")
LONGEST = 100  # characters in any one field: more is not a filter
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_VACANCY_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")  # a vacancy page's file name
FORM_CHOICES = {"help_request": N_("Help requests"), "volunteer_signup": N_("Volunteers"),
                "vacancy_response": N_("Vacancy responses")}  # fmt: skip
FORMAT_CHOICES = {"xlsx": N_("Excel (XLSX): opens right everywhere"), "csv": N_("CSV")}
SEPARATOR_CHOICES = {",": N_("Comma (,)"), ";": N_("Semicolon (;): for Excel in Belgium or the Netherlands"),
                     "tab": N_("Tab")}  # fmt: skip
# What the core says for the command line, and the field the web shows it beside, in the web's own words.
CORE_PROBLEMS = {
    VACANCY_NEEDS_RESPONSES: ("e-vacancy", N_("Only vacancy responses have a vacancy: choose the form Vacancy "
                                              "responses, or no vacancy")),
    NEIGHBOURHOOD_OR_POSTCODE: ("e-postcode", N_("Choose a neighbourhood or type a postcode, not both")),
    NO_SUCH_NEIGHBOURHOOD: ("e-neighbourhood", N_("Choose a neighbourhood from the list")),
}  # fmt: skip
logger = logging.getLogger("helpt.staff.web")
NOT_MADE = N_("The export could not be made: the store or the city's cloud did not answer. Try again in a minute.")


@routes.get("/staff/export", action="export", nav=N_("Export"))
def export_page(visit: Visit) -> dict:
    typed = {name: visit.request.query_value(name)[:LONGEST] for name in FIELDS}
    return _form(visit, typed, {})


@routes.post("/staff/export", action="export")
def export_post(visit: Visit) -> dict:
    typed = {name: visit.field(name) for name in FIELDS}
    order, problems = read_order(typed, visit)
    if order is None:
        return _form(visit, typed, problems, status=422)
    account = visit.account.name if visit.account else ""
    exports = exports_from_environment(os.environ)
    if exports is None and os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):  # on Lambda a file answer cannot be sent
        logger.error("exports need HELPT_EXPORT_BUCKET and HELPT_EXPORT_QUEUE_URL on AWS")
        return _form(visit, typed, {"e-submit": visit.gettext(NOT_MADE)}, status=503)
    try:
        if exports is None:  # the local preview: the file downloads now
            answer = _download(visit, order, account)
        else:  # on AWS: made off the request; its page has the link
            job = ExportJob(new_job_id(visit.now()), account, visit.lang, order)
            exports.submit(job)
            answer = visit.redirect(f"/staff/export/{job.id}")
    except StaffProblem as problem:  # the filters, as the core checks them: beside the field they concern
        anchor, message = CORE_PROBLEMS.get(problem.message, ("e-form", problem.message))
        return _form(visit, typed, {anchor: visit.gettext(message)}, status=422)
    except (StoreError, DeliveryError):
        return _form(visit, typed, {"e-submit": visit.gettext(NOT_MADE)}, status=503)
    visit.audit("export")
    return answer


def _download(visit: Visit, order: ExportOrder, account: str) -> dict:
    office, now = visit.office, visit.now()
    source = ExportSource(office.store, office.city, visit.texts, office.vacancies, account, now)
    path = private_temporary_file(f".{order.file_format}")
    try:
        export_file(source, order, path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    filename = export_filename(now.astimezone(ZoneInfo(office.city.timezone)), order.file_format)
    return file_response(path, filename, CONTENT_TYPES[order.file_format], secure=office.secure)


@routes.get("/staff/export/{job}", action="export")
def job_page(visit: Visit) -> dict:
    exports, job_id = exports_from_environment(os.environ), visit.params["job"]
    if exports is None or not JOB_ID.match(job_id) or visit.account is None:
        return visit.office.error_page(404, visit.lang, visit.session, visit.account)
    found = exports.look(job_id, visit.account.name, visit.now())
    if found.state not in (WAITING, READY, FAILED):  # nobody's, somebody else's, or given up
        return visit.office.error_page(404, visit.lang, visit.session, visit.account)
    _ = visit.gettext
    titles = {WAITING: _("Your export is being made"), READY: _("Your export is ready"),
              FAILED: _("Your export could not be made")}  # fmt: skip
    return visit.page(
        "export_job.html", title=titles[found.state], state=found.state, link=found.link,
        minutes=LINK_SECONDS // 60, keep_safe=_(KEEP_SAFE),
    )  # fmt: skip


def read_order(typed: Mapping[str, str], visit: Visit) -> tuple[ExportOrder | None, dict[str, str]]:
    """The order the form asks for; or None and each problem by the id of its field, in the form's order."""
    _, city = visit.gettext, visit.office.city
    problems: dict[str, str] = {}

    def choice(name: str, anchor: str, options: Mapping[str, object], message: str) -> str:
        value = typed.get(name, "")
        if value and value not in options:
            problems[anchor] = _(message)
        return value if value in options else ""

    form = choice("form", "e-form", FORMS, N_("Choose a form from the list"))
    days = {}
    for name, anchor, example in (("from", "e-from", "2020-03-16"), ("until", "e-until", "2020-03-31")):
        text = typed.get(name, "").strip()
        days[name] = _day(text)
        if text and days[name] is None:
            problems[anchor] = _("Type the day as year-month-day, for example %(example)s") % {"example": example}
    if days["from"] and days["until"] and days["until"] < days["from"]:
        problems["e-until"] = _("The last day must be the first day or later")
    status = choice("status", "e-status", STATUSES, N_("Choose a status from the list"))
    hoods = {hood.name: hood for hood in city.neighbourhoods}
    neighbourhood = choice("neighbourhood", "e-neighbourhood", hoods, N_("Choose a neighbourhood from the list"))
    postcode = typed.get("postcode", "").strip()
    if postcode and postcode not in city.postcodes:
        example = next(iter(city.postcodes), "")
        problems["e-postcode"] = _("Type one of the city's postcodes, for example %(example)s") % {"example": example}
    vacancy = typed.get("vacancy", "")
    if vacancy and not _VACANCY_KEY.match(vacancy):
        problems["e-vacancy"] = _("Choose a vacancy from the list")
    file_format = typed.get("format", "")
    if file_format not in FORMAT_CHOICES:
        problems["e-format-xlsx"] = _("Choose the kind of file: Excel or CSV")
    separator = choice("separator", "e-separator", SEPARATORS, N_("Choose a separator from the list"))
    if problems:
        return None, {anchor: problems[anchor] for anchor in ANCHORS if anchor in problems}
    filters = ExportFilters(form, days["from"], days["until"], status, neighbourhood, postcode, vacancy)
    return ExportOrder(filters, file_format, SEPARATORS[separator or ","]), {}


ANCHORS = ("e-form", "e-from", "e-until", "e-status", "e-neighbourhood", "e-postcode", "e-vacancy", "e-format-xlsx",
           "e-separator", "e-submit")  # fmt: skip


def _day(text: str) -> dt.date | None:
    if not _DAY.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # 2020-02-30
        return None


def _form(visit: Visit, typed: Mapping[str, str], problems: Mapping[str, str], status: int = 200) -> dict:
    _, office = visit.gettext, visit.office
    options = {
        "form": [(value, _(label), "") for value, label in FORM_CHOICES.items()],
        "status": [(value, _(label), "") for value, label in STATUSES.items()],
        "neighbourhood": [(hood.name, hood.name, "") for hood in office.city.neighbourhoods],
        "vacancy": _vacancy_options(visit, typed.get("vacancy", "")),
        "format": [(value, _(label), "") for value, label in FORMAT_CHOICES.items()],
        "separator": [(value, _(label), "") for value, label in SEPARATOR_CHOICES.items()],
    }
    return visit.page(
        "export.html", title=_("Export"), status=status, typed=typed, options=options, problems=problems,
        errors=list(problems.items()), keep_safe=_(KEEP_SAFE), postcode_example=next(iter(office.city.postcodes), ""),
        kept_separator=typed.get("separator") or ",",
    )  # fmt: skip


def _vacancy_options(visit: Visit, wanted: str) -> list[tuple[str, str, str]]:
    """The site's vacancies by title (and organisation), and a wanted one the site no longer has (its responses
    are still there) by its key."""
    options = []
    for vacancy in visit.office.vacancies:
        title, organisation = vacancy.title(visit.lang), vacancy.organisation(visit.lang)
        options.append((vacancy.key, f"{title} ({organisation})" if organisation else title, ""))
    options.sort(key=lambda option: option[1].casefold())
    if wanted and _VACANCY_KEY.match(wanted) and wanted not in {key for key, _label, _lang in options}:
        options.append((wanted, wanted, ""))
    return options
