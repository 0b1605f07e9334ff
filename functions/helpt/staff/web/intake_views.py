"""Phone intake on the web: a call-centre worker types a caller's help request into the web form's own questions.

GET  /staff/intake              the help-request form (helpt.forms.HELP_REQUEST: its sections, labels, hints
                                and choices), for a worker on the phone
POST /staff/intake              checked with the web form's own rules (helpt.validation); on a problem the
                                page comes back (422) with every answer typed; else kept, and 303 to:
GET  /staff/intake/saved?ref=   the reference to read out, and what to tell the caller

It is the same record as `helpt intake` makes (intake_record.py): channel "phone", and the consent, read
aloud to the caller, kept as the answer `consent_read_aloud` as well as `consent`: one tick says both.
Answers to questions that do not apply (the asker's, for a caller who asks for herself) are not kept, as on
the command line (staff/rules.py); the saved page names them, so that nothing goes without the worker knowing.
Messages that speak to someone at a screen ("tick the box, or call us") are said to the worker instead.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

from helpt.forms import HELP_REQUEST, choices, field_anchor
from helpt.staff.answers import CONSENT_READ_ALOUD, question_label
from helpt.staff.intake_record import save_phone_request
from helpt.staff.prompts import worker_message
from helpt.staff.rules import kept
from helpt.staff.texts import N_, Texts
from helpt.staff.web.routing import Visit, routes
from helpt.staff.web.sessions import new_token
from helpt.stores import StoreError
from helpt.submissions import Answer
from helpt.validation import Problem, read_answers, validate

logger = logging.getLogger("helpt.staff.web.intake")

INTAKE_PATH = "/staff/intake"
SAVED_PATH = "/staff/intake/saved"
REFERENCE = re.compile(r"^H-[A-Z2-7]{4}-[A-Z2-7]{4}$")
_ONCE = re.compile(r"^[\w-]{32,64}$")  # the page's own token (sessions.new_token), sent back with the answers

# The form's words for these speak to the person at the screen ("tick the box, or call us"); the worker is
# on the phone with them, and told what to do instead.
FOR_THE_WORKER = {
    "consent": N_("Read the consent text aloud to the caller and tick the box once they agree: without their "
                  "agreement the request cannot be saved."),
    "health_consent": N_("Ask the caller whether they explicitly agree, and tick the box once they do: without it "
                         "the city cannot organise help with medicines."),
    "health_consent_other": N_("Ask the caller whether they and the person they ask for explicitly agree, and tick "
                               "the box once they do: without it the city cannot organise help with medicines."),
    "agreed": N_("Ask the caller whether the person who needs help knows and agrees, and tick the box once they do: "
                 "the city can only help if they do."),
}  # fmt: skip
ONE_OF_FOR_THE_WORKER = {
    "phone": N_("Enter a phone number or an e-mail address of the person who needs help, so that a coordinator "
                "can reach them"),
    "asker_phone": N_("Enter the caller's own phone number or e-mail address, so that a coordinator can reach "
                      "them"),
}  # fmt: skip
OUTSIDE_FOR_THE_WORKER = N_(
    "%(city)s can only help in %(postcodes)s. Check the postcode with the caller. If they live elsewhere, tell "
    "them the city cannot help there, and ask a coordinator where to send them."
)
STORE_FAILED = N_(
    "The request could not be saved: the store did not answer. Nothing is lost: every answer is still in this "
    "form. Press the button to try again in a moment; if it keeps failing, write the answers down on paper."
)


def problem_for_the_worker(problem: Problem, texts: Texts) -> str:
    """A problem in words for the worker: the form's own, unless they speak to the person at the screen."""
    question = HELP_REQUEST.get(problem.field)
    if problem.field in FOR_THE_WORKER and problem.message == question.missing:
        return texts.gettext(FOR_THE_WORKER[problem.field])
    if question.outside and problem.message == question.outside:
        return texts.gettext(OUTSIDE_FOR_THE_WORKER) % problem.params
    if problem.field in ONE_OF_FOR_THE_WORKER and any(rule.message == problem.message for rule in HELP_REQUEST.one_of):
        return texts.gettext(ONE_OF_FOR_THE_WORKER[problem.field])
    return worker_message(HELP_REQUEST, problem, texts)


@routes.get(INTAKE_PATH, action="intake", nav=N_("Phone intake"))
def intake_form(visit: Visit) -> dict:
    return _form(visit, {}, [], new_token())


@routes.post(INTAKE_PATH, action="intake")
def intake(visit: Visit) -> dict:
    city = visit.office.city
    answers = read_answers(HELP_REQUEST, visit.fields)
    # One tick on the page: the worker read the consent aloud, and the caller agreed.
    answers[CONSENT_READ_ALOUD] = answers["consent"]
    once = visit.field("once")
    once = once if _ONCE.match(once) else new_token()  # a page without a token of its own is never a repeat
    to_keep = kept(HELP_REQUEST, answers)
    problems = validate(HELP_REQUEST, to_keep, city)
    if problems:
        return _form(visit, answers, problems, once, status=422)
    try:
        saved = save_phone_request(visit.store, to_keep, city=city, lang=visit.lang, clock=visit.now, once=once)
    except StoreError as error:
        logger.error("phone intake not saved: %s", type(error).__name__)  # the answers stay in the page
        return _form(visit, answers, [], once, status=503, store_failed=True)
    if not saved.repeat:
        visit.audit("intake", saved.reference)
    dropped = [name for name in HELP_REQUEST.names if answers.get(name) and not to_keep.get(name)]
    query = {"ref": saved.reference, **({"repeat": "1"} if saved.repeat else {})}
    if dropped:
        query["dropped"] = " ".join(dropped)  # question names, never answers
    return visit.redirect(f"{SAVED_PATH}?{urlencode(query)}")


@routes.get(SAVED_PATH, action="intake")
def saved_page(visit: Visit) -> dict:
    _ = visit.gettext
    reference = visit.request.query_value("ref")
    record = visit.store.get(reference, now=visit.now()) if REFERENCE.match(reference) else None
    if record is None or record.channel != "phone":
        return visit.office.error_page(404, visit.lang, visit.session, visit.account)
    # What to read out is said in the caller's language, which the request holds, in the web form's words.
    spoken = str(record.answers.get("language", ""))
    caller_lang = spoken if spoken in visit.office.city.languages else visit.lang
    dropped_names = visit.request.query_value("dropped").split()
    dropped = [question_label(HELP_REQUEST, name, visit.texts) for name in HELP_REQUEST.names if name in dropped_names]
    return visit.page(
        "intake_saved.html", title=_("The request is saved"), reference=record.reference, caller_lang=caller_lang,
        caller_text=visit.office.texts(caller_lang).form, repeat=bool(visit.request.query_value("repeat")),
        dropped=dropped, request_link=f"/staff/requests/{record.reference}" if visit.may("view") else "",
    )  # fmt: skip


def _form(
    visit: Visit, answers: dict[str, Answer], problems: list[Problem], once: str, *, status: int = 200,
    store_failed: bool = False,
) -> dict:  # fmt: skip
    _, city = visit.gettext, visit.office.city
    messages = {problem.field: problem_for_the_worker(problem, visit.texts) for problem in problems}
    errors = [(field_anchor(HELP_REQUEST.name, name, city), message) for name, message in messages.items()]
    return visit.page(
        "intake.html", title=_("Take a request by phone"), status=status, errors=errors, form=HELP_REQUEST,
        answers=answers, messages=messages, once=once, form_text=visit.texts.form,
        choices_of=lambda question: choices(question, city), store_failed=_(STORE_FAILED) if store_failed else "",
    )  # fmt: skip
