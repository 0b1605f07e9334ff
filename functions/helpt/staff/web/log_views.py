"""The two logs, for the privacy officer: the audit log (who viewed and did what in the back office) and the
export log (who took what out of the store: exports, hand-outs, slips, access requests, erasures).

GET /staff/audit[?before=N]      the audit log, newest first, 100 entries a page
GET /staff/exports[?before=N]    the export log, the same way

Neither log holds personal data (helpt.stores.AuditEntry, LogEntry), so the pages show every column as it
is. A page is "the 100 entries before the N-th, counted from the oldest": entries written since do not move
it, so "Older" keeps showing what comes next however busy the back office is. The log is read once, keeping
only the page, so memory stays flat however long it is. Reading a log is itself in the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from helpt.staff.texts import N_
from helpt.staff.web.routing import Visit, routes

PAGE = 100
T = TypeVar("T")

# Plain words for the actions the back office and the command line log; any other is shown as it is.
ACTION_NAMES = {
    "signin": N_("signed in"),
    "signin_failed": N_("sign-in failed"),
    "signin_locked": N_("sign-in failed; account locked for a while"),
    "signin_while_locked": N_("sign-in tried while locked"),
    "signin_link_refused": N_("used or expired sign-in link tried"),
    "signout": N_("signed out"),
    "password_set": N_("chose a password"),
    "refused": N_("refused: the role does not allow it"),
    "account_add": N_("account made"),
    "account_link": N_("new sign-in link made"),
    "account_role": N_("role changed"),
    "account_remove": N_("access withdrawn"),
    "intake": N_("request taken by phone"),
    "find": N_("searched"),
    "view": N_("opened a record"),
    "claim": N_("took a request on"),
    "hand_over": N_("took a request over"),
    "release": N_("released a request"),
    "note": N_("call note"),
    "status": N_("status changed"),
    "correct": N_("answers corrected"),
    "propose": N_("volunteer proposed"),
    "confirm": N_("match confirmed"),
    "undo": N_("match undone"),
    "pause": N_("volunteer paused"),
    "resume": N_("volunteer active again"),
    "responses": N_("read the vacancy responses"),
    "audit_log": N_("read the audit log"),
    "export_log": N_("read the export log"),
    "export": N_("export"),
    "handout": N_("hand-out"),
    "slip": N_("task slip"),
    "privacy": N_("looked for a person's records (privacy request)"),
    "access": N_("access request"),
    "erase": N_("erasure"),
    "purge": N_("expired records deleted"),
    "answer": N_("a volunteer answered a proposal by its link"),
    "unsubscribe": N_("an address asked for no more messages"),
    "verify": N_("volunteer verified"),
    "unverify": N_("verification withdrawn"),
    "card": N_("personal card"),
    "own_card": N_("a volunteer opened their personal card by its link"),
    "card_check": N_("checked a card's code"),
}


def newest_first(entries: Iterable[T], before: int | None) -> tuple[list[T], int, int]:
    """The page of `entries` (oldest first) that ends before the `before`-th (None: the newest), newest first;
    the number of entries; and where the page starts."""
    window: deque[T] = deque(maxlen=PAGE) if before is None else deque()
    total = 0
    for index, entry in enumerate(entries):
        total = index + 1
        if before is None or before - PAGE <= index < before:
            window.append(entry)
    end = total if before is None else min(before, total)
    start = max(0, end - PAGE)
    return list(reversed(window)), total, start


@routes.get("/staff/audit", action="audit_log", nav=N_("Audit log"))
def audit_log(visit: Visit) -> dict:
    _ = visit.gettext
    entries, total, start = newest_first(visit.store.audit_entries(now=visit.now()), _before(visit))
    rows = [[_when(visit, e.at), e.who, _action(visit, e.action), e.reference or "–"] for e in entries]
    columns = [_("When"), _("Who"), _("What"), _("Reference")]
    return _log_page(visit, "audit_log", _("Audit log"), columns, rows, total, start, _(
        "Who viewed and did what in the back office and with the command line, newest first. It holds no "
        "personal data, and nobody can change it. Entries are deleted with the records they are about."
    ))  # fmt: skip


@routes.get("/staff/exports", action="export_log", nav=N_("Export log"))
def export_log(visit: Visit) -> dict:
    _ = visit.gettext
    entries, total, start = newest_first(visit.store.log_entries(), _before(visit))
    rows = [[_when(visit, e.at), e.who, _action(visit, e.action), e.filter or "–", str(e.rows)] for e in entries]
    columns = [_("When"), _("Who"), _("What"), _("Which records"), _("Number")]
    return _log_page(visit, "export_log", _("Export log"), columns, rows, total, start, _(
        "Who took data out of the store, newest first: exports, hand-outs, task slips, access requests and "
        "erasures. It says how records were chosen, never whose they were."
    ))  # fmt: skip


def _log_page(
    visit: Visit, action: str, title: str, columns: Sequence[str], rows: list[list[str]], total: int, start: int,
    intro: str,
) -> dict:  # fmt: skip
    visit.audit(action)  # after reading: the page shows the log as it was when it was asked for
    path = visit.request.path
    end = start + len(rows)
    return visit.page(
        "log.html", title=title, intro=intro, columns=columns, rows=rows, total=total, first=total - end + 1,
        last=total - start,
        older=f"{path}?{urlencode({'before': start})}" if start > 0 else "",
        newer=(f"{path}?{urlencode({'before': end + PAGE})}" if end + PAGE < total else path) if end < total else "",
    )  # fmt: skip


def _before(visit: Visit) -> int | None:
    text = visit.request.query_value("before")
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def _when(visit: Visit, moment: dt.datetime) -> str:
    # To the second, in the city's time: the log is read to find out what happened in which order.
    return moment.astimezone(ZoneInfo(visit.office.city.timezone)).strftime("%Y-%m-%d %H:%M:%S")


def _action(visit: Visit, action: str) -> str:
    return visit.gettext(ACTION_NAMES[action]) if action in ACTION_NAMES else action
