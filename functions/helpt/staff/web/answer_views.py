"""The pages the links in Helpt's messages open: open without signing in, like the sign-in pages.

GET  /staff/answer?token=...       the task in general terms, and one button: "Yes, I can" or "Not this time"
POST /staff/answer                 keeps the answer on the request's and the volunteer's history ("answer")
GET  /staff/unsubscribe?token=...  asks: stop the messages to this address?
POST /staff/unsubscribe            marks the address: no more messages

A GET never records anything: mail scanners and link previews open every link in a message, and a volunteer
must not have said "no" because their mail provider looked at the link. Only the button (a POST) counts.

These pages have no session, so there is no session CSRF token to check. The signed token in the form is what
a forger cannot have: only the person with the message holds it, and it says exactly what the POST may do
(this answer, for this proposal; this address). The application also refuses a POST from another site
(Sec-Fetch-Site / Origin, BackOffice.same_origin). A CSRF cookie would add nothing the token does not prove.

A token that was changed, cut short or made up, one past its time, or one already used gets a page that says
so in the volunteer's language (the link carries `lang`), with the city's phone line.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from helpt.forms import HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.notify.links import ANSWER_DAYS, ANSWER_PATH, UNSUBSCRIBE_PATH, AnswerLink, BadLink
from helpt.notify.triggers import UNSUBSCRIBED, proposed_at, task_values
from helpt.staff.texts import N_
from helpt.staff.web.routing import Visit, routes
from helpt.staff.worklist import case_state
from helpt.stores import Event
from helpt.submissions import Submission

ANSWERED = "answer"  # the event kind; its reason is "yes" or "no", its `other` the other side's reference
_BAD = {
    "tampered": (400, N_("This link does not work"), N_("The link is not complete or was changed. Open it again "
                                                        "from the message, or call us.")),
    "expired": (410, N_("This link has expired"), N_("Links to answer work for %(days)d days. Call us if you "
                                                     "can still help.")),
}  # fmt: skip
_ADDRESS_FIELDS = ("email", "asker_email")


def _token(visit: Visit) -> str:
    return visit.field("token") if visit.route.method == "POST" else visit.request.query_value("token")


def _language_links(visit: Visit, path: str) -> list[tuple[str, str]]:
    token = visit.request.query_value("token")
    return [(other, f"{path}?{urlencode({'token': token, 'lang': other}, quote_via=quote)}")
            for other in visit.office.languages if other != visit.lang and token]  # fmt: skip


def _notice(visit: Visit, title: str, paragraph: str, status: int = 200, **values: object) -> dict:
    text = visit.gettext(paragraph) % values if values else visit.gettext(paragraph)
    return visit.page("answer.html", title=visit.gettext(title), status=status, paragraphs=[text], facts=[],
                      button="", language_links=_language_links(visit, visit.request.path))  # fmt: skip


def _bad_link(visit: Visit, reason: str) -> dict:
    status, title, paragraph = _BAD.get(reason, _BAD["tampered"])
    return _notice(visit, title, paragraph, status, days=ANSWER_DAYS)


# Answers to a proposal -----------------------------------------------------------------------------------------


def _answered(history: list[Event], link: AnswerLink) -> str:
    """The answer already given to this proposal ("" if none): an answer event after the proposal was made."""
    return next((event.reason for event in reversed(history) if event.kind == ANSWERED
                 and event.other == link.request and event.at.timestamp() >= link.proposed_at), "")  # fmt: skip


def _answer(visit: Visit) -> dict:
    now = visit.now()
    try:
        link = visit.office.links.read_answer(_token(visit), now)
    except BadLink as bad:
        return _bad_link(visit, bad.reason)
    request, volunteer = visit.store.get(link.request, now=now), visit.store.get(link.volunteer, now=now)
    if not _pair_ok(request, volunteer):
        return _notice(visit, N_("This request is no longer open"), N_("Thank you: no answer is needed any more."))
    assert request is not None and volunteer is not None
    history = visit.store.events(volunteer.reference)
    if _answered(history, link):
        return _notice(visit, N_("You already answered"), N_("Thank you: we have your answer. Changed your mind? "
                                                              "Call us."))  # fmt: skip
    if not _still_asked(request, history, link, visit):
        return _notice(visit, N_("This request is no longer open"), N_("Thank you: no answer is needed any more."))
    if visit.route.method == "GET":
        return _answer_form(visit, request, link)
    for reference, other in ((request.reference, volunteer.reference), (volunteer.reference, request.reference)):
        visit.store.record_event(reference, Event(now, ANSWERED, reason=link.answer, other=other,
                                                  by=volunteer.reference), now=now)  # fmt: skip
    visit.office.audit(volunteer.reference, "answer", request.reference)
    if link.answer == "yes":
        return _notice(visit, N_("Thank you for helping"), N_("A coordinator calls you soon with the details. "
                                                               "Only then do you go."))  # fmt: skip
    return _notice(visit, N_("Thank you for letting us know"), N_("We will ask someone else. Perhaps next time."))


def _still_asked(request: Submission, volunteer_history: list[Event], link: AnswerLink, visit: Visit) -> bool:
    """Whether the link's proposal is the one that stands: the request is open, the volunteer is still proposed
    for it (not undone, not confirmed already), and proposed at the moment the link was made for. A link of an
    earlier proposal (undone, then proposed again) does not answer the new one: the new message has its own."""
    state = case_state(request, visit.store.events(request.reference))
    if not state.is_open or link.volunteer not in state.proposals:
        return False
    latest = proposed_at(volunteer_history, request.reference)
    return latest is not None and int(latest.timestamp()) == link.proposed_at


def _pair_ok(request: Submission | None, volunteer: Submission | None) -> bool:
    return (request is not None and volunteer is not None and request.form == HELP_REQUEST.name
            and volunteer.form == VOLUNTEER_SIGNUP.name)  # fmt: skip


def _answer_form(visit: Visit, request: Submission, link: AnswerLink) -> dict:
    _ = visit.gettext
    task = task_values(request, visit.office.city, visit.texts)
    facts = [(_("Help with"), task["help"]), (_("Neighbourhood"), task["neighbourhood"]), (_("When"), task["when"])]
    expires = dt.datetime.fromtimestamp(link.expires_at, dt.UTC)
    from helpt.staff.answers import local_time

    until = _("You can answer until %(time)s.") % {"time": local_time(expires, visit.office.city)}
    title = _("Can you help?")
    button = _("Yes, I can") if link.answer == "yes" else _("Not this time")
    paragraphs = [_("Someone near you asked for help. This is the task:"), until]
    return visit.page(
        "answer.html", title=title, paragraphs=paragraphs, facts=facts, button=button, token=_token(visit),
        action=f"{ANSWER_PATH}?lang={visit.lang}", language_links=_language_links(visit, ANSWER_PATH),
    )  # fmt: skip


@routes.get(ANSWER_PATH, action=None)
def answer_page(visit: Visit) -> dict:
    return _answer(visit)


@routes.post(ANSWER_PATH, action=None)
def answer(visit: Visit) -> dict:
    return _answer(visit)


# Unsubscribing -------------------------------------------------------------------------------------------------


def _unsubscribe(visit: Visit) -> dict:
    _ = visit.gettext
    try:
        address = visit.office.links.read_unsubscribe(_token(visit))
    except BadLink as bad:
        return _bad_link(visit, bad.reason)
    if visit.route.method == "GET":
        return visit.page(
            "answer.html", title=_("Stop the messages?"), paragraphs=[
                _("We will not send any more messages to %(address)s.") % {"address": address}],
            facts=[], button=_("Stop the messages"), token=_token(visit),
            action=f"{UNSUBSCRIBE_PATH}?lang={visit.lang}",
            language_links=_language_links(visit, UNSUBSCRIBE_PATH),
        )  # fmt: skip
    # The notify half of the store keeps the mark by a hash of the address, and the sender obeys it for every
    # kind of message; a store without it gets the wish kept on each record that gave the address instead.
    # Either way the page says the same, so that it tells nobody whether an address is known.
    mark = getattr(visit.store, "mark_address", None)
    if mark is not None:
        mark(address, "unsubscribed", now=visit.now())
    else:
        mark_unsubscribed(visit.store, address, visit.now())
    visit.office.audit("", "unsubscribe", "")
    return _notice(visit, N_("No more messages"), N_("Done: we will not send you any more messages. Call us if "
                                                     "you need us."))  # fmt: skip


def mark_unsubscribed(store: object, address: str, now: dt.datetime) -> int:
    """Keep the wish on every live record that gave this address (an "unsubscribe" event, which goes with the
    record when it is erased); how many. The triggers leave such a volunteer out."""
    wanted, count = address.strip().lower(), 0
    for record in store.submissions(now=now):  # type: ignore[attr-defined]
        given = any(str(record.answers.get(name, "")).strip().lower() == wanted for name in _ADDRESS_FIELDS)
        if given and not any(e.kind == UNSUBSCRIBED for e in store.events(record.reference)):  # type: ignore[attr-defined]
            store.record_event(record.reference, Event(now, UNSUBSCRIBED, other="email"), now=now)  # type: ignore[attr-defined]
            count += 1
    return count


@routes.get(UNSUBSCRIBE_PATH, action=None)
def unsubscribe_page(visit: Visit) -> dict:
    return _unsubscribe(visit)


@routes.post(UNSUBSCRIBE_PATH, action=None)
def unsubscribe(visit: Visit) -> dict:
    return _unsubscribe(visit)
