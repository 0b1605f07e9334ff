"""Local back office accounts: a one-time sign-in link, a password the staff member chooses, and sign-in
with a limit on failures.

Passwords are kept as `hashlib.scrypt` hashes (n=2**14, r=8, p=1, a random 16-byte salt), one-time links as
the SHA-256 of their token. A failed sign-in says the same whatever went wrong (no such name, wrong password,
locked, withdrawn), takes the same time (an unknown name is checked against a dummy hash), and is counted:
after `[staff] failed_signin_limit` failures in a row the account waits `lockout_minutes`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets

from helpt.settings import StaffSettings
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_
from helpt.staff.vacancies import ORGANISATION_ID_EXAMPLE, is_organisation_id
from helpt.staff.web.sessions import new_token, token_hash
from helpt.stores import ROLES, Account, BackOfficeStore

LINK_VALID = dt.timedelta(hours=24)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # hashing a megabyte would cost time for nothing
PASSWORD_LIMITS = {"min": MIN_PASSWORD, "max": MAX_PASSWORD}
PASSWORDS_DIFFER = N_("Type the same password twice.")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_@+")


def account_name(name: str) -> str:
    """The name as the store keys it: without surrounding spaces, in lower case (e-mail addresses compare so).

    >>> account_name("  Ann.Claes@Leuven.be ")
    'ann.claes@leuven.be'
    """
    return name.strip().lower()


def check_name(name: str) -> str:
    """A sign-in name for a new account: letters, digits and `. - _ @ +` (a name or an e-mail address)."""
    name = account_name(name)
    if not name or len(name) > 254 or not set(name) <= _NAME_CHARACTERS:
        raise StaffProblem(
            N_("A name has letters, digits and . - _ @ + only, like ann.claes: not %(name)s."), name=name
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise StaffProblem(N_("Choose a role from: %(roles)s."), roles=", ".join(ROLES))
    return role


ORGANISATION_ROLE = "organisation"


def check_organisation(role: str, organisation: str) -> str:
    """The Organisation-id an account of this role is linked to: required for an organisation's account (it
    sees the responses to the vacancies with this id, and nothing else), refused for any other role.

    >>> check_organisation("organisation", " Volle-Kar "), check_organisation("coordinator", "")
    ('volle-kar', '')
    """
    organisation = organisation.strip().lower()
    if role != ORGANISATION_ROLE:
        if organisation:
            raise StaffProblem(
                N_("Only an organisation's account names an organisation: leave out --organisation, or give the "
                   "role organisation.")
            )  # fmt: skip
        return ""
    if not organisation:
        raise StaffProblem(
            N_("An organisation's account needs the Organisation-id of its vacancies, for example --organisation "
               "%(example)s."), example=ORGANISATION_ID_EXAMPLE,
        )  # fmt: skip
    if not is_organisation_id(organisation):
        raise StaffProblem(
            N_("An Organisation-id has lower case letters, digits and hyphens only, like %(example)s: not %(id)s."),
            example=ORGANISATION_ID_EXAMPLE, id=organisation,
        )  # fmt: skip
    return organisation


def hash_password(password: str) -> str:
    """The stored form of a password: "scrypt$n$r$p$salt$hash" in hex."""
    salt = secrets.token_bytes(16)
    derived = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT, dklen=32)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${derived.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from, compared in constant time."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        derived = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, UnicodeEncodeError):  # an empty or broken hash, a lone surrogate: no match
        return False
    return scheme == "scrypt" and hmac.compare_digest(derived.hex(), expected)


# An unknown name is checked against this, so that it costs as long as a known one.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def password_problem(password: str, again: str) -> str:
    """What is wrong with a new password (a message id, to fill with PASSWORD_LIMITS), or "" when it will do."""
    if len(password) < MIN_PASSWORD:
        return N_("Choose a password of at least %(min)d characters: a few words you remember work well.")
    if len(password) > MAX_PASSWORD:
        return N_("Choose a password of at most %(max)d characters.")
    if password != again:
        return PASSWORDS_DIFFER
    return ""


def new_account(
    store: BackOfficeStore, name: str, role: str, display_name: str, now: dt.datetime, organisation: str = ""
) -> str:
    """Create an account without a password (or give a withdrawn one a fresh start), and return the token of
    its one-time sign-in link. An organisation's account names its Organisation-id (check_organisation)."""
    name, role = check_name(name), check_role(role)
    organisation = check_organisation(role, organisation)
    known = store.get_account(name)
    if known is not None and known.active:
        raise StaffProblem(N_("There is an account called %(name)s already."), name=name)
    token = new_token()
    account = Account(
        name=name, role=role, display_name=display_name.strip(), organisation=organisation, **_link_fields(token, now)
    )
    store.put_account(account)
    return token


def change_role(store: BackOfficeStore, account: Account, role: str, organisation: str = "") -> Account:
    """Give an account another role (counts from its next request); an organisation's names its Organisation-id,
    any other role's account keeps none."""
    role = check_role(role)
    changed = dataclasses.replace(account, role=role, organisation=check_organisation(role, organisation))
    store.put_account(changed)
    return changed


def new_link(store: BackOfficeStore, account: Account, now: dt.datetime) -> str:
    """A new one-time sign-in link for an active account (a forgotten password); the password stays valid
    until the link is used. Returns its token."""
    if not account.active:
        raise StaffProblem(N_("%(name)s's access was withdrawn: add the account again."), name=account.name)
    token = new_token()
    store.put_account(dataclasses.replace(account, **_link_fields(token, now)))
    return token


def _link_fields(token: str, now: dt.datetime) -> dict[str, object]:
    return {"link_hash": token_hash(token), "link_expires_at": int((now + LINK_VALID).timestamp())}


def existing(store: BackOfficeStore, name: str) -> Account:
    account = store.get_account(account_name(name))
    if account is None:
        raise StaffProblem(N_("There is no account called %(name)s."), name=account_name(name))
    return account


def account_from_link(store: BackOfficeStore, token: str, now: dt.datetime) -> Account | None:
    """The active account whose one-time link this is, if it has not expired; else None."""
    if not token:
        return None
    wanted = token_hash(token)
    for account in store.accounts():
        if account.link_hash and hmac.compare_digest(account.link_hash, wanted):
            live = account.active and account.link_expires_at > now.timestamp()
            return account if live else None
    return None


def set_password(store: BackOfficeStore, account: Account, password: str) -> Account:
    """Keep the new password; the link is used up, and earlier failures are forgiven."""
    changed = dataclasses.replace(
        account, password_hash=hash_password(password), link_hash="", link_expires_at=0, failed_signins=0,
        locked_until=0,
    )  # fmt: skip
    store.put_account(changed)
    return changed


@dataclasses.dataclass(frozen=True)
class Attempt:
    """How a sign-in went: the account when it succeeded, and what the audit log says (never the password,
    and never a name typed that is no account's)."""

    account: Account | None
    who: str  # the account's name, or "unknown account"
    outcome: str  # signin, signin_failed, signin_locked (this failure locked it), signin_while_locked


UNKNOWN_ACCOUNT = "unknown account"


def sign_in(store: BackOfficeStore, name: str, password: str, settings: StaffSettings, now: dt.datetime) -> Attempt:
    """Check a name and password, counting failures in a row and locking the account after too many."""
    account = store.get_account(account_name(name))
    if account is None or not account.password_hash:
        password_matches(password, _DUMMY_HASH)
        return Attempt(None, account.name if account else UNKNOWN_ACCOUNT, "signin_failed")
    seconds = int(now.timestamp())
    if account.locked_until > seconds:
        password_matches(password, _DUMMY_HASH)  # no answer while locked, not even whether it was right
        return Attempt(None, account.name, "signin_while_locked")
    if not password_matches(password, account.password_hash):
        failures = account.failed_signins + 1
        locks = failures >= settings.failed_signin_limit
        store.put_account(
            dataclasses.replace(account, failed_signins=0 if locks else failures,
                                locked_until=seconds + settings.lockout_minutes * 60 if locks else 0)
        )  # fmt: skip
        return Attempt(None, account.name, "signin_locked" if locks else "signin_failed")
    if not account.active:
        return Attempt(None, account.name, "signin_failed")
    if account.failed_signins or account.locked_until:
        account = dataclasses.replace(account, failed_signins=0, locked_until=0)
        store.put_account(account)
    return Attempt(account, account.name, "signin")
