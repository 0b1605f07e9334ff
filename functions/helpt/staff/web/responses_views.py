"""Vacancy responses: what volunteers sent to a care organisation's vacancy, read where the organisation works.

GET  /staff/responses[?vacancy=KEY]           responses  the live responses, newest first, one vacancy or all
GET  /staff/responses/{reference}             responses  one response: how to reach the volunteer, and its history
POST /staff/responses/{reference}/handled     responses  handled: status "done", kept in its history
POST /staff/responses/{reference}/undo        responses  not handled after all: the status it had before

Who sees which: a coordinator every response (with a link per vacancy to its export); any other role with
the action, in practice a care organisation's account, only the responses to the vacancies whose
`Organisation-id` is its own `Account.organisation`, as the site's data says (BackOffice.vacancies). The
narrowing is the default: a role must be named in SEES_ALL to see more. An empty or unknown id sees none; a
response to a vacancy that left the site belongs to no organisation. Another organisation's response is the
same "this page does not exist" as a reference that is not there, on every route, and nothing is written.

An organisation reads what it needs to contact the volunteer (ORGANISATION_ANSWERS), never another record.
Every page that shows a person is in the audit log; marking handled goes through the case-work core
(helpt.staff.casework.set_status), as every other status change does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from helpt.forms import VACANCY_FIELD, VACANCY_RESPONSE
from helpt.staff import casework
from helpt.staff.answers import STATUSES, answer_lines, named
from helpt.staff.texts import N_
from helpt.staff.vacancies import Vacancies
from helpt.staff.web.casework_views import Failed, act, done_message, not_found, when
from helpt.staff.web.request_views import history_lines
from helpt.staff.web.routing import Visit, routes
from helpt.stores import Account, Event
from helpt.submissions import Submission

RESPONSE = VACANCY_RESPONSE.name
LIST_PATH = "/staff/responses"
SEES_ALL = frozenset({"coordinator"})  # every other role that may open these pages sees its own vacancies only
# What an organisation reads of a response: enough to contact the volunteer (the message says when they are
# free). Not the consent tick, and nothing from any other form.
ORGANISATION_ANSWERS = ("name", "email", "phone", "message")
HANDLED, NOT_HANDLED = "done", "new"
DONE = {
    "handled": N_("Marked as handled."),
    "unhandled": N_("Marked as not handled yet."),
}


def vacancy_of(record: Submission) -> str:
    """The key of the vacancy a response answers ("" if it holds none)."""
    key = record.answers.get(VACANCY_FIELD, "")
    return key if isinstance(key, str) else ""


def organisation_scope(account: Account | None) -> str | None:
    """Whose responses an account sees: None for every organisation's, else one Organisation-id ("": none)."""
    if account is None:
        return ""
    return None if account.role in SEES_ALL else account.organisation


def may_see(account: Account | None, record: Submission, vacancies: Vacancies) -> bool:
    """Whether this account may read this record here: a vacancy response, and its organisation's if narrowed.

    >>> from helpt.staff.vacancies import Vacancy
    >>> site = Vacancies({"soup": Vacancy("soup", {"en": "Soup"}, "soup-club", {}, {})})
    >>> response = Submission("R-AAAA-BBBB", RESPONSE, "en", None, 0, {VACANCY_FIELD: "soup"})
    >>> [may_see(Account("x", "organisation", organisation=own), response, site) for own in ("soup-club", "other", "")]
    [True, False, False]
    """
    if record.form != RESPONSE:
        return False
    scope = organisation_scope(account)
    return scope is None or (bool(scope) and vacancies.organisation_of(vacancy_of(record)) == scope)


def own_response(visit: Visit, reference: str) -> Submission | None:
    """The live response with this reference if this staff member may read it, else None (the page is "not found",
    whichever it was). Another organisation's response is noted in the audit log as refused."""
    record = visit.store.get(reference, now=visit.now())
    if record is None or record.form != RESPONSE:
        return None
    if not may_see(visit.account, record, visit.office.vacancies):
        visit.audit("refused", record.reference)  # only the privacy officer reads it: no hint to the organisation
        return None
    return record


def response_path(reference: str) -> str:
    return f"{LIST_PATH}/{reference}"


# The list ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VacancyGroup:
    """One vacancy on the list: its name, how many responses it has and how many wait, where to see them."""

    key: str
    title: str
    organisation: str
    count: int
    waiting: int
    href: str
    export: str  # the one-vacancy export, for a role that may export; "" otherwise


@routes.get(LIST_PATH, action="responses", nav=N_("Vacancy responses"))
def responses_page(visit: Visit) -> dict:
    _, vacancies = visit.gettext, visit.office.vacancies
    scope = organisation_scope(visit.account)
    visible = [
        record
        for record in visit.store.submissions(form=RESPONSE, now=visit.now())
        if may_see(visit.account, record, vacancies)
    ]
    # The vacancies to list: the site's (an organisation's own), and any a response names that left the site.
    keys = [v.key for v in (vacancies if scope is None else vacancies.of_organisation(scope))]
    keys += sorted({vacancy_of(record) for record in visible} - set(keys))
    groups = sorted((_group(visit, key, visible) for key in keys), key=lambda group: group.title.casefold())
    wanted = visit.request.query_value("vacancy")
    chosen = wanted if wanted in keys else ""  # an old bookmark or a typing mistake filters nothing
    shown = [record for record in visible if not chosen or vacancy_of(record) == chosen]
    shown.sort(key=lambda record: (record.created_at, record.reference), reverse=True)
    rows = [
        {
            "reference": record.reference,
            "href": response_path(record.reference),
            "vacancy": vacancies.title(vacancy_of(record), visit.lang),
            "received": when(visit, record.created_at),
            "name": str(record.answers.get("name", "")).strip() or "-",
            "status": _status_text(visit, record),
        }
        for record in shown
    ]
    visit.audit("responses")  # the list names people; never which vacancy was chosen (it says whose they are)
    return visit.page(
        "responses.html", title=_("Vacancy responses"), rows=rows, groups=groups, chosen=chosen,
        chosen_title=vacancies.title(chosen, visit.lang) if chosen else "",
        options=[(group.key, group.title, "") for group in groups], sees_all=scope is None,
        linked=scope is None or bool(vacancies.of_organisation(scope)), retention=visit.office.city.retention_days,
    )  # fmt: skip


def _group(visit: Visit, key: str, visible: list[Submission]) -> VacancyGroup:
    vacancy = visit.office.vacancies.get(key)
    records = [record for record in visible if vacancy_of(record) == key]
    export = ""
    if visit.may("export"):
        export = "/staff/export?" + urlencode({"form": RESPONSE, "vacancy": key})
    return VacancyGroup(
        key=key, title=vacancy.title(visit.lang) if vacancy else key,
        organisation=vacancy.organisation(visit.lang) if vacancy else visit.gettext("no longer on the site"),
        count=len(records), waiting=sum(record.status not in (HANDLED, "closed") for record in records),
        href=f"{LIST_PATH}?{urlencode({'vacancy': key})}", export=export,
    )  # fmt: skip


def _status_text(visit: Visit, record: Submission) -> str:
    if record.status == HANDLED:
        return visit.gettext("handled")
    if record.status == NOT_HANDLED:
        return visit.gettext("not handled yet")
    return named(STATUSES, record.status, visit.texts)


# One response -----------------------------------------------------------------------------------------------


@routes.get(f"{LIST_PATH}/{{reference}}", action="responses")
def response_page(visit: Visit) -> dict:
    return show_response(visit, visit.params["reference"])


def show_response(
    visit: Visit, reference: str, *, failure: Failed | None = None, kept: dict[str, str] | None = None
) -> dict:
    """The response's page, audited as a view; "not found" for a response this staff member may not read."""
    _, texts, city, vacancies = visit.gettext, visit.texts, visit.office.city, visit.office.vacancies
    record = own_response(visit, reference)
    if record is None:
        return not_found(visit)
    visit.audit("view", record.reference)
    key = vacancy_of(record)
    vacancy = vacancies.get(key)
    history = visit.store.events(record.reference)
    facts = [
        (_("Vacancy"), vacancies.title(key, visit.lang)),
        (_("Organisation"), vacancy.organisation(visit.lang) if vacancy else _("no longer on the site")),
        (_("Received"), when(visit, record.created_at)),
        (_("Status"), _status_text(visit, record)),
    ]
    # A coordinator reads every answer, as on the other record pages (the vacancy is named above already); an
    # organisation what it needs to contact the volunteer.
    if organisation_scope(visit.account) is None:
        names = [name for name in record.answers if name != VACANCY_FIELD]
    else:
        names = [name for name in ORGANISATION_ANSWERS if name in record.answers]
    answers = answer_lines(VACANCY_RESPONSE, {name: record.answers[name] for name in names}, texts, city)
    return visit.page(
        "response.html", title=_("Vacancy response %(reference)s") % {"reference": record.reference},
        status=failure.status if failure else 200, errors=[(failure.anchor, failure.message)] if failure else [],
        here=response_path(record.reference), path=response_path(record.reference), record=record, facts=facts,
        answers=answers, handled=record.status == HANDLED, history=history_lines(visit, record, history),
        done=done_message(visit, DONE), list_path=f"{LIST_PATH}?{urlencode({'vacancy': key})}" if key else LIST_PATH,
    )  # fmt: skip


@routes.post(f"{LIST_PATH}/{{reference}}/handled", action="responses")
def mark_handled(visit: Visit) -> dict:
    return _change(visit, "handled", lambda record, events: HANDLED if record.status != HANDLED else None)


@routes.post(f"{LIST_PATH}/{{reference}}/undo", action="responses")
def mark_not_handled(visit: Visit) -> dict:
    def before(record: Submission, events: list[Event]) -> str | None:
        return status_before_handled(events) if record.status == HANDLED else None

    return _change(visit, "unhandled", before)


def status_before_handled(events: list[Event]) -> str:
    """The status a response had before it was last marked handled ("new" when it had none other).

    >>> import datetime as dt
    >>> at = dt.datetime(2020, 3, 16, tzinfo=dt.UTC)
    >>> status_before_handled([Event(at, "status", "contacted"), Event(at, "status", "done")])
    'contacted'
    >>> status_before_handled([Event(at, "status", "done")])
    'new'
    """
    statuses = [event.status for event in events if event.status]
    return next((status for status in reversed(statuses[:-1]) if status != HANDLED), NOT_HANDLED)


NewStatus = Callable[[Submission, list[Event]], "str | None"]  # None: the response has it already


def _change(visit: Visit, done: str, new_status: NewStatus) -> dict:
    """Set a response's status through the case-work core, if this staff member may read it (else "not found",
    and nothing is written); marking it twice adds no second event. Audited as a status change."""
    record = own_response(visit, visit.params["reference"])
    if record is None:
        return not_found(visit)
    wanted = new_status(record, visit.store.events(record.reference))
    who = visit.account.name if visit.account else ""

    def step() -> None:
        if wanted is not None:
            casework.set_status(visit.store, record.reference, wanted, "", who, visit.now())

    return act(visit, "status", step, page=show_response, path=response_path(record.reference), anchor="handled",
               done=done)  # fmt: skip
