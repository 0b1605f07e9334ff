"""`helpt accounts`: who may use the web back office, and in which role (what accounts are: web/accounts.py).

`add` makes an account and prints a one-time sign-in link (valid 24 hours) with which the staff member
chooses a password (a care organisation's account names its Organisation-id: `--role organisation
--organisation volle-kar`); `link` makes a new one (a forgotten password); `role` changes the role at once, also for
a session in progress; `remove` withdraws access (the account is kept, marked inactive, so that the audit
log still names whom it was; every session of it fails from the next request). Each is in the audit log.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

from helpt.staff.answers import local_time
from helpt.staff.context import StaffContext
from helpt.staff.texts import N_, Texts
from helpt.staff.web.accounts import change_role, existing, new_account, new_link
from helpt.staff.web.roles import ROLE_NAMES
from helpt.stores import ROLES, Account, AuditEntry, BackOfficeStore

DEFAULT_BASE_URL = "http://127.0.0.1:8000"  # the local preview (make serve)
LINK_PATH = "/staff/signin/link"
SEND_SAFELY = N_("Give it to them yourself or in a message only they read: whoever opens it first can sign in.")


def add_arguments(
    accounts: argparse.ArgumentParser,
    texts: Texts,
    formatter: Callable[[str], argparse.HelpFormatter],
    localise: Callable[[Any, Texts], Any],
) -> list[argparse.ArgumentParser]:
    """`helpt accounts add|link|list|role|remove`. The command line's common options (--lang, --sqlite, ...)
    go on each of these, where they are typed: returned for that."""
    _ = texts.gettext
    actions = accounts.add_subparsers(title=_("what to do"), dest="account_command", metavar=_("ACTION"), required=True)
    leaves = {}
    for name, summary in (
        ("add", _("add an account and print its one-time sign-in link")),
        ("link", _("print a new one-time sign-in link (a forgotten password)")),
        ("list", _("list every account, its role and whether it can sign in")),
        ("role", _("change an account's role")),
        ("remove", _("withdraw an account's access")),
    ):
        leaf = actions.add_parser(name, help=summary, description=summary, add_help=False, formatter_class=formatter)
        leaves[name] = localise(leaf, texts)
    name_help = _("the sign-in name, e.g. ann.claes, or the e-mail address the city's sign-in knows them by")
    for name in ("add", "link", "role", "remove"):
        leaves[name].add_argument("name", metavar=_("NAME"), help=name_help)
    leaves["add"].add_argument("--role", required=True, choices=ROLES, help=_("what the account may do"))
    leaves["add"].add_argument("--display-name", metavar=_("NAME"), help=_("how the back office names them"))
    leaves["role"].add_argument("role", choices=ROLES, help=_("the new role"))
    for name in ("add", "role"):
        leaves[name].add_argument(
            "--organisation", default="", metavar="ID",
            help=_("role organisation only: the Organisation-id of its vacancies (their responses are all it sees)"),
        )  # fmt: skip
    for name in ("add", "link"):
        leaves[name].add_argument(
            "--base-url", default=DEFAULT_BASE_URL, metavar="URL",
            help=_("where the back office is: the site's address on AWS (default: %(default)s, the local preview)"),
        )  # fmt: skip
    return list(leaves.values())


def _say(text: str = "") -> None:
    print(text, flush=True)


def accounts(context: StaffContext, args: argparse.Namespace) -> int:
    commands = {"add": add, "list": listing, "role": role, "remove": remove, "link": link}
    return commands[args.account_command](context, args)


def _store(context: StaffContext) -> BackOfficeStore:
    return cast(BackOfficeStore, context.store)


def _audit(context: StaffContext, action: str, name: str) -> None:
    """The audit log names who ran the command (their OS or AWS account) and which account it was about."""
    now = context.now()
    expires_at = int((now + dt.timedelta(days=context.city.retention_days)).timestamp())
    _store(context).audit(AuditEntry(now, context.who, action, f"account:{name}", expires_at))


def _link(args: argparse.Namespace, token: str) -> str:
    return f"{args.base_url.rstrip('/')}{LINK_PATH}?{urlencode({'token': token})}"


def add(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    store = _store(context)
    token = new_account(store, args.name, args.role, args.display_name or "", context.now(), args.organisation)
    account = existing(store, args.name)
    _audit(context, "account_add", account.name)
    values = {"name": account.name, "role": _role_name(context, account)}
    _say(_("Made the account %(name)s (%(role)s).") % values)
    _warn_unknown_organisation(context, account)
    _say(_("Its one-time sign-in link, valid for 24 hours, to choose a password with:"))
    _say(_link(args, token))
    _say(_(SEND_SAFELY))
    return 0


def link(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    account = existing(_store(context), args.name)
    token = new_link(_store(context), account, context.now())
    _audit(context, "account_link", account.name)
    _say(_("A new one-time sign-in link for %(name)s, valid for 24 hours:") % {"name": account.name})
    _say(_link(args, token))
    _say(_(SEND_SAFELY))
    return 0


def listing(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    found = _store(context).accounts()
    if not found:
        _say(_("There are no accounts yet: add one with helpt accounts add NAME --role ROLE."))
    now = context.now().timestamp()
    for account in found:
        if not account.active:
            state = _("access withdrawn")
        elif account.locked_until > now:
            until = dt.datetime.fromtimestamp(account.locked_until, dt.UTC)
            state = _("locked until %(time)s (too many wrong passwords)") % {"time": local_time(until, context.city)}
        elif account.password_hash:
            state = _("active")
        elif account.link_expires_at > now:
            state = _("waiting for the first sign-in")
        else:
            state = _("the sign-in link expired: make a new one with helpt accounts link")
        _say(f"{account.name}  {_role_name(context, account)}  {account.display_name or '-'}  {state}")
    return 0


def role(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    store = _store(context)
    account = change_role(store, existing(store, args.name), args.role, args.organisation)
    _audit(context, "account_role", account.name)
    _say(_("%(name)s is now: %(role)s.") % {"name": account.name, "role": _role_name(context, account)})
    _warn_unknown_organisation(context, account)
    return 0


def _role_name(context: StaffContext, account: Account) -> str:
    """The role in words; an organisation's with its Organisation-id: "care organisation volle-kar"."""
    name = context.texts.gettext(ROLE_NAMES[account.role]) if account.role in ROLE_NAMES else account.role
    return f"{name} {account.organisation}" if account.organisation else name


def _warn_unknown_organisation(context: StaffContext, account: Account) -> None:
    """An organisation id no vacancy of the built site names: allowed (its vacancy may be published later),
    but said, as it may be a typing mistake. Nothing to compare with without a build."""
    vacancies = context.vacancies
    if account.organisation and len(vacancies) and not vacancies.of_organisation(account.organisation):
        known = ", ".join(vacancies.organisations()) or "-"
        _ = context.texts.gettext
        warning = _(
            "Note: no vacancy of the site has Organisation-id %(id)s (the site's: %(known)s). The account sees "
            "nothing until one has; check the spelling if that is not meant."
        )
        print(warning % {"id": account.organisation, "known": known}, file=sys.stderr, flush=True)


def remove(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    store = _store(context)
    account = existing(store, args.name)
    store.put_account(dataclasses.replace(account, active=False, link_hash="", link_expires_at=0))
    _audit(context, "account_remove", account.name)
    _say(_("%(name)s can no longer sign in; a session in progress ends at the next click.") % {"name": account.name})
    return 0
