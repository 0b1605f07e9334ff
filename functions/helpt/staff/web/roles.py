"""Who may do what in the back office: one table, role -> actions, checked on the server for every request.

Every route names the one action it needs (`helpt.staff.web.routing`); a page or a button is shown only to a
role that has the action, and the server refuses the request to every other role whatever the page showed.
An account whose role is not in this table (a typo in the store, a role from a newer version) may do nothing.

>>> allowed("call_centre", "claim"), allowed("call_centre", "match_confirm"), allowed("privacy_officer", "erase")
(True, False, True)
"""

from __future__ import annotations

from helpt.staff.texts import N_
from helpt.stores import ROLES

# What every signed-in staff member may do with their own session: switch language, sign out.
OWN_SESSION = "own_session"

CALL_CENTRE = frozenset(
    {
        OWN_SESSION,
        "dashboard",  # "Today": counts, and what needs doing
        "find",  # find a request or volunteer by reference, phone number or name
        "view",  # open a record
        "intake",  # enter a request taken by phone
        "note",  # call notes and call-backs
        "status",  # change a record's status (with a reason)
        "claim",  # take a request on, release it, hand it over
        "card_check",  # a resident on the phone reads a personal card's code: is it a volunteer the city knows?
    }
)
COORDINATOR = CALL_CENTRE | {
    "match_suggest",  # see suggested volunteers for a request
    "match_propose",  # propose a volunteer (not yet agreed)
    "match_confirm",  # both sides agreed: the request is matched
    "match_undo",  # undo a proposal or a match
    "worklist",  # the working list of open requests
    "slip",  # the task slip for the matched volunteer (holds an address)
    "handout",  # the short hand-out (first name, street, task)
    "pause",  # pause or resume a volunteer
    "correct",  # correct a record's answers (kept in its history)
    "export",  # export submissions to CSV or XLSX (recorded in the export log)
    "figures",  # figures and charts: counts, per day, per neighbourhood, time to contact and to match
    "responses",  # vacancy responses: every organisation's; mark one handled
    "verify",  # record how a volunteer's identity was checked, or withdraw it
    "card",  # a verified volunteer's personal card (first name, kinds of help, check code)
}
PRIVACY_OFFICER = frozenset(
    {
        OWN_SESSION,
        "dashboard",
        "audit_log",  # who viewed and did what in the back office
        "export_log",  # who took what out (exports, hand-outs, slips, erasures)
        "privacy",  # find everything held about a person (by phone, e-mail or reference)
        "access",  # a person's access request (GDPR art. 15), as a download
        "erase",  # a person's erasure request (art. 17), after a confirmation
        "purge",  # delete expired records now
        "figures",  # counts only, never a person
    }
)
# A care organisation: the responses to its own vacancies, and nothing else. The same "responses" routes as a
# coordinator's, narrowed on the server for every request to the vacancies whose Organisation-id is the
# account's own (Account.organisation): another organisation's response is "not found".
ORGANISATION = frozenset({OWN_SESSION, "responses"})

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "call_centre": CALL_CENTRE,
    "coordinator": frozenset(COORDINATOR),
    "privacy_officer": PRIVACY_OFFICER,
    "organisation": ORGANISATION,
}
# Every action some role has: a route that names any other action is a mistake (caught when it is added).
ACTIONS = frozenset().union(*ROLE_ACTIONS.values())

# How a role is named to staff (the header, `helpt accounts list`).
ROLE_NAMES = {
    "call_centre": N_("call centre"),
    "coordinator": N_("coordinator"),
    "privacy_officer": N_("privacy officer"),
    "organisation": N_("care organisation"),
}

assert set(ROLE_ACTIONS) == set(ROLES) == set(ROLE_NAMES), "every role of the store has its actions and a name"


def allowed(role: str, action: str) -> bool:
    """Whether this role may do this action; an unknown role or action may do nothing.

    >>> allowed("coordinator", "claim"), allowed("privacy_officer", "view"), allowed("admin", "dashboard")
    (True, False, False)
    """
    return action in ROLE_ACTIONS.get(role, frozenset())
