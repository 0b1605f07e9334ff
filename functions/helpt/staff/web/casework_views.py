"""The case-work pages of the back office: "Today"'s sections and the working list here, with what the other
case-work modules share; a request's page in request_views.py (correcting its answers in correct_views.py),
a volunteer's page and the matching steps in volunteer_views.py, the task slip and the hand-out in
print_views.py.

GET  /staff/requests                 worklist   every open request, the most pressing first, with filters

Every operation is the core's (helpt.staff.casework, worklist, suggestions, corrections): these modules only
read the form, call it, and show what happened. A POST answers 303 back to the page with `?done=<key>`, a
fixed message chosen here (never text from the request); a problem the core raises (StaffProblem) comes back
as the page with the message: 422 when what was typed has to change, 409 when the record's state does not
allow it (someone else holds the request, the volunteer is paused).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from helpt.forms import HELP_KINDS, HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.i18n import language_name
from helpt.staff import casework
from helpt.staff.answers import STATUSES, answer_text, local_time, named, neighbourhood
from helpt.staff.matching import NOT_FOUND
from helpt.staff.problems import StaffProblem
from helpt.staff.suggestions import VolunteerPool
from helpt.staff.texts import N_
from helpt.staff.verifying import INPUT_PROBLEMS
from helpt.staff.web.dashboard_views import add_section
from helpt.staff.web.routing import Visit, routes
from helpt.staff.worklist import OPEN_STATUSES, Filters, WorkItem, working_list
from helpt.stores import Event
from helpt.submissions import Submission

# The core words some problems for the command line ("with --reason"); the web says them its own way.
WEB_WORDS = {
    'Say why you close it, with --reason, for example --reason "moved away".': N_(
        "Say why you close it, for example: moved away."
    ),
    'Say why, with --reason, for example --reason "not free after all".': N_(
        "Say why you undo it, for example: not free after all."
    ),
    'Say why, with --reason, for example --reason "away until May".': N_(
        "Say why you pause them, for example: away until May."
    ),
    "%(reference)s is paused: resume them first (helpt resume %(reference)s).": N_(
        "%(reference)s is paused: resume them on their page first."
    ),
    "Propose %(volunteer)s for %(request)s first: helpt propose %(request)s %(volunteer)s": N_(
        "Propose %(volunteer)s for %(request)s first."
    ),
}
# Problems with what was typed (422); any other problem is the record's state (409).
TYPED = frozenset({
    "Use at most %(max)d characters (you used %(count)d).",
    "Remove the invisible control characters from the text (they cannot be stored).",
    "Write what the call said in the note.", "A call-back must be later than now.", "Say to whom you hand it over.",
    "Choose a status from: %(statuses)s.", *(message for message in WEB_WORDS if "--reason" in message),
    *INPUT_PROBLEMS,
})  # fmt: skip
NO_PAGE = 404  # a reference that is not (or no longer) there: the back office's "does not exist" page


@dataclass(frozen=True)
class Failed:
    """A problem to show on the page it came from: the field (or form) it belongs to, the message, the status."""

    anchor: str  # the id the error summary links to: a field, or the form's section for a 409
    message: str
    status: int = 422


class Refused(Exception):
    """What was posted cannot go to the core as it is (no status chosen, a day without a time): said in the
    web's own words, before anything is written."""

    def __init__(self, anchor: str, message: str) -> None:
        super().__init__(anchor)
        self.failure = Failed(anchor, message)


class Page(Protocol):
    """A record's page: shown again, with the problem and what was typed, when a POST on it fails."""

    def __call__(
        self, visit: Visit, reference: str, *, failure: Failed | None = None, kept: Mapping[str, str] | None = None
    ) -> dict: ...


def problem_text(visit: Visit, problem: StaffProblem) -> str:
    text = visit.gettext(WEB_WORDS.get(problem.message, problem.message))
    return text % problem.values if problem.values else text


def not_found(visit: Visit) -> dict:
    return visit.office.error_page(NO_PAGE, visit.lang, visit.session, visit.account)


def act(
    visit: Visit, action: str, step: Callable[[], object], *, page: Page, path: str, anchor: str, done: str,
    kept: Mapping[str, str] | None = None, anchors: Mapping[str, str] | None = None,
) -> dict:  # fmt: skip
    """Do one step of case work on the record of the page at `path`: audited and 303 back to the page, which
    says `done`; or the page again with the problem beside `anchor` (or `anchors[message]`) and what was typed.
    Only the page's own record missing gives "this page does not exist": a volunteer gone from under a
    proposal is a message on the request's page."""
    reference = visit.params["reference"]
    try:
        step()
    except Refused as refused:
        failure = refused.failure
    except StaffProblem as problem:
        if problem.message == NOT_FOUND and problem.values.get("reference") == reference:
            return not_found(visit)
        where = (anchors or {}).get(problem.message, anchor)
        failure = Failed(where, problem_text(visit, problem), 422 if problem.message in TYPED else 409)
    else:
        visit.audit(action, reference)
        return visit.redirect(f"{path}?done={done}")
    return page(visit, reference, failure=failure, kept=kept)


def done_message(visit: Visit, messages: Mapping[str, str]) -> str:
    """The confirmation a page shows after a POST: one of its own fixed messages, or nothing."""
    key = visit.request.query_value("done")
    return visit.gettext(messages[key]) if key in messages else ""


def typed(visit: Visit, *names: str) -> dict[str, str]:
    """What was posted in these fields, to put back in the page when it comes back with a problem (B5)."""
    return {name: visit.field(name) for name in names}


def when(visit: Visit, moment: dt.datetime | None) -> str:
    return local_time(moment, visit.office.city) if moment is not None else ""


# What a mark on an address (helpt.notify: a bounce or complaint from SES, an unsubscribe link, SMS STOP)
# means for staff: messages to it are not sent, so they call or write instead.
MARK_WORDS = {
    "bounced": N_("messages to %(address)s do not arrive (it bounces): call instead"),
    "complained": N_("%(address)s marked a message as spam: no more messages are sent to it"),
    "unsubscribed": N_("%(address)s asked for no more messages"),
}
_CONTACT_ANSWERS = ("email", "phone", "asker_email", "asker_phone")


def message_marks(visit: Visit, record: Submission) -> list[str]:
    """Why messages no longer reach the record's addresses or numbers, one line each; none when all is well
    (or when the store keeps no marks, or cannot say right now: the page shows the record all the same)."""
    from helpt.notify.addresses import is_email, phone_e164

    look = getattr(visit.store, "address_mark", None)
    if look is None:
        return []
    lines = []
    for name in _CONTACT_ANSWERS:
        given = record.answers.get(name)
        if not isinstance(given, str) or not given.strip():
            continue
        address = given.strip() if is_email(given.strip()) else phone_e164(given, visit.office.city.phone_country_code)
        if not address:
            continue
        try:
            mark = look(address)
        except Exception:  # a store that does not answer must not cost the staff member the whole page
            continue
        if mark in MARK_WORDS:
            lines.append(visit.gettext(MARK_WORDS[mark]) % {"address": given.strip()})
    return lines


def promise_hours(visit: Visit) -> str:
    return f"{visit.office.city.staff.promise_hours:g}"


def request_records(visit: Visit) -> list[tuple[Submission, list[Event]]]:
    return list(visit.store.records(form=HELP_REQUEST.name, now=visit.now()))


def open_items(
    visit: Visit, filters: Filters | None = None, records: Iterable[tuple[Submission, list[Event]]] | None = None
) -> list[WorkItem]:
    """The working list, as the command line's `helpt worklist` makes it."""
    city = visit.office.city
    return working_list(
        request_records(visit) if records is None else records, now=visit.now(), city=city, filters=filters,
        promise_hours=city.staff.promise_hours,
    )  # fmt: skip


def volunteer_pool(visit: Visit, requests: Iterable[tuple[Submission, list[Event]]]) -> VolunteerPool:
    """Every volunteer who can be suggested (not paused, not closed); a proposal or match for a request that is
    done or closed no longer counts as a task they have."""
    still_open = {request.reference for request, _events in requests if request.status in OPEN_STATUSES}
    volunteers = visit.store.records(form=VOLUNTEER_SIGNUP.name, now=visit.now())
    return VolunteerPool(volunteers, visit.office.city, still_open)


def item_row(visit: Visit, item: WorkItem) -> dict[str, Any]:
    """One open request as the working list and "Today" show it; what needs doing is said in words."""
    _, texts, city = visit.gettext, visit.texts, visit.office.city
    request, state, answers = item.request, item.state, item.request.answers
    flags = []
    if item.overdue:
        flags.append(_("Overdue: waiting over %(hours)s hours") % {"hours": promise_hours(visit)})
    if item.call_back_due:
        flags.append(_("Call back now (%(time)s)") % {"time": when(visit, state.call_back_at)})
    if item.urgent and state.status == "new":
        flags.append(_("Urgent, not contacted yet"))
    if item.call_back_later is not None:
        flags.append(_("Call back %(time)s") % {"time": when(visit, item.call_back_later)})
    return {
        "reference": request.reference,
        "href": f"/staff/requests/{request.reference}",
        "received": when(visit, request.created_at),
        "neighbourhood": neighbourhood(request, city) or "?",
        "kinds": answer_text(HELP_REQUEST.get("help"), answers.get("help", ()), texts, city),
        "urgency": answer_text(HELP_REQUEST.get("urgency"), answers.get("urgency", ""), texts, city),
        "language": answer_text(HELP_REQUEST.get("language"), answers.get("language", ""), texts, city),
        "status": named(STATUSES, state.status, texts),
        "claimed_by": state.claimed_by,
        "flags": flags,
        "overdue": item.overdue,
        "due": item.call_back_due,
        "urgent": item.urgent and state.status == "new",
    }


def record_or_none(visit: Visit, reference: str, form: str) -> Submission | None:
    """The live record of this form with this reference, or None (the page answers 404 then)."""
    record = visit.store.get(reference, now=visit.now())
    return record if record is not None and record.form == form else None


def state_of(visit: Visit, record: Submission) -> casework.CaseState:
    return casework.state_of(visit.store, record)


# "Today": what needs doing now, below the counts ------------------------------------------------------------


@add_section
def today(visit: Visit) -> str:
    if not visit.may("view"):  # the privacy officer sees the counts, not the people
        return ""
    requests = request_records(visit)
    rows = [item_row(visit, item) for item in open_items(visit, records=requests)]
    pool = volunteer_pool(visit, requests)
    counted = Counter(candidate.neighbourhood for candidate in pool.candidates)
    hoods = [hood.name for hood in visit.office.city.neighbourhoods]
    # A postcode the city no longer lists (settings changed since they signed up) still counts, apart.
    available = [(name, counted[name]) for name in hoods]
    unknown = visit.gettext("no known neighbourhood")
    available += [(name or unknown, count) for name, count in counted.items() if name not in hoods]
    return visit.office.pages.render(
        "today.html", visit.texts, may=visit.may, promise=promise_hours(visit), available=available,
        urgent=[row for row in rows if row["urgent"]],
        overdue=[row for row in rows if row["overdue"]], due=[row for row in rows if row["due"]],
    )  # fmt: skip


# The working list ----------------------------------------------------------------------------------------------

WHOSE = {"mine": N_("mine"), "nobody": N_("nobody's")}


@routes.get("/staff/requests", action="worklist", nav=N_("Working list"))
def worklist(visit: Visit) -> dict:
    _, city, query = visit.gettext, visit.office.city, visit.request.query_value
    options = _filter_options(visit)
    # A value the form does not offer (an old bookmark, a typing mistake) filters nothing.
    chosen = {name: query(name) if query(name) in {o[0] for o in options[name]} else "" for name in options}
    hood = next((h.name for h in city.neighbourhoods if h.name == chosen["neighbourhood"]), None)
    filters = Filters(
        status=chosen["status"] or None, neighbourhood=hood, help=chosen["kind"] or None,
        language=chosen["language"] or None,
        claimed_by=visit.account.name if chosen["whose"] == "mine" and visit.account else None,
        unclaimed=chosen["whose"] == "nobody",
    )  # fmt: skip
    items = open_items(visit, filters)
    return visit.page(
        "worklist.html", title=_("Working list"), rows=[item_row(visit, item) for item in items], options=options,
        chosen=chosen, filtered=any(chosen.values()), promise=promise_hours(visit),
        overdue=sum(item.overdue for item in items), due=sum(item.call_back_due for item in items),
    )  # fmt: skip


def _filter_options(visit: Visit) -> dict[str, list[tuple[str, str, str]]]:
    """Each filter's choices as (value, label, language of the label), in the staff member's language."""
    texts, city = visit.texts, visit.office.city
    return {
        "status": [(status, named(STATUSES, status, texts), "") for status in OPEN_STATUSES],
        "neighbourhood": [(hood.name, hood.name, "") for hood in city.neighbourhoods],
        "kind": [(choice.value, texts.form(choice.label), "") for choice in HELP_KINDS],
        "language": [(lang, language_name(lang), lang) for lang in city.languages],
        "whose": [(value, visit.gettext(label), "") for value, label in WHOSE.items()],
    }
