"""The task slip and the hand-out of a help request, as pages of the back office.

GET /staff/requests/{reference}/slip     slip     the task slip for the matched volunteer, printed from the browser
GET /staff/requests/{reference}/handout  handout  the short hand-out, to copy into a message or read out

WeasyPrint is not available on AWS Lambda, so the web slip is not a PDF: it is the very HTML that
`helpt.staff.slip.slip_html` makes for `helpt slip`'s PDF (same words, same function, nothing copied),
shown in the back office's frame without its inline style, which the CSP forbids; staff.css prints it alone
on one A5 sheet. Both pages are in the audit log and in the export log, as the command line logs them.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from helpt.forms import HELP_REQUEST
from helpt.staff import casework
from helpt.staff.commands import ONE_REQUEST
from helpt.staff.handout import handout_text
from helpt.staff.slip import slip_html
from helpt.staff.web.casework_views import not_found, record_or_none
from helpt.staff.web.request_views import request_path
from helpt.staff.web.routing import Visit, routes
from helpt.stores import LogEntry
from helpt.submissions import Submission

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)


@routes.get("/staff/requests/{reference}/slip", action="slip")
def slip_page(visit: Visit) -> dict:
    _ = visit.gettext
    record = record_or_none(visit, visit.params["reference"], HELP_REQUEST.name)
    if record is None:
        return not_found(visit)
    matched = casework.matched_volunteer(visit.store, record)
    title = _("Task slip %(reference)s") % {"reference": record.reference}
    back = request_path(record.reference)
    if matched is None:  # the slip carries an address: only for a volunteer both sides agreed on
        return visit.page("print_slip.html", title=title, status=409, slip="", back=back, reference=record.reference)
    volunteer = visit.store.get(matched, now=visit.now())
    document = slip_html(record, volunteer, visit.texts, visit.office.city, "a5")
    found = _BODY.search(document)
    _taken_out(visit, record, "slip")
    # slip_html's own template, autoescaped: its body is safe HTML as it is.
    slip = Markup(found[1].strip() if found else "")
    return visit.page("print_slip.html", title=title, slip=slip, back=back, reference=record.reference)


@routes.get("/staff/requests/{reference}/handout", action="handout")
def handout_page(visit: Visit) -> dict:
    _ = visit.gettext
    record = record_or_none(visit, visit.params["reference"], HELP_REQUEST.name)
    if record is None:
        return not_found(visit)
    _taken_out(visit, record, "handout")
    return visit.page(
        "handout.html", title=_("Hand-out %(reference)s") % {"reference": record.reference},
        text=handout_text(record, visit.texts, visit.office.city), back=request_path(record.reference),
        reference=record.reference,
    )  # fmt: skip


def _taken_out(visit: Visit, record: Submission, action: str) -> None:
    """A slip or hand-out leaves the back office on paper or in a message: the audit log and the export log."""
    who = visit.account.name if visit.account else ""
    visit.audit(action, record.reference)
    visit.store.log(LogEntry(at=visit.now(), who=who, action=action, filter=ONE_REQUEST, rows=1))
