"""What matching rests on: finding a live record by its reference, and whether a volunteer fits a request.

The working list, the suggestions and the steps of a match (proposed, confirmed, undone) are built on these
in `worklist`, `suggestions` and `casework`; staff call both sides and ask their consent, and the tool never
contacts anybody itself.
"""

from __future__ import annotations

import datetime as dt

from helpt.forms import HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.staff.answers import STATUSES
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_
from helpt.stores import StaffStore
from helpt.submissions import Submission

STATUS_VALUES = tuple(STATUSES)

NOT_FOUND = N_("There is no record with reference %(reference)s (or it has expired).")
_WRONG_FORM = {
    HELP_REQUEST.name: N_("%(reference)s is not a help request (those start with H-)."),
    VOLUNTEER_SIGNUP.name: N_("%(reference)s is not a volunteer's sign-up (those start with V-)."),
}


def _kinds(submission: Submission) -> set[str]:
    value = submission.answers.get("help", ())
    return set(value if isinstance(value, tuple) else (value,))


def can_help(request: Submission, volunteer: Submission) -> bool:
    """Whether the volunteer offers one of the kinds of help asked for, in the language asked for."""
    language = request.answers.get("language", "")
    spoken = volunteer.answers.get("languages", ())
    speaks = not language or language in (spoken if isinstance(spoken, tuple) else (spoken,))
    return bool(_kinds(request) & _kinds(volunteer)) and speaks


def live_record(store: StaffStore, reference: str, now: dt.datetime, form: str | None = None) -> Submission:
    """The record, which must exist, be live, and (if `form` is given) come from that form."""
    record = store.get(reference, now=now)
    if record is None:
        raise StaffProblem(NOT_FOUND, reference=reference)
    if form is not None and record.form != form:
        raise StaffProblem(_WRONG_FORM[form], reference=reference)
    return record
