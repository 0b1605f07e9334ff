"""The web back office's half of the DynamoDB store: accounts, sessions, the audit log, records with history.

`DynamoDBStore` (helpt.stores.dynamodb) inherits it; import the store from there. Three kinds of item in
the same table, under their own prefixes, none with a `form`, so none is in the `form-created` index and no
read of submissions can meet one:

- `ACCOUNT#<name>`: every field of `Account`. Passwords and sign-in links only as hashes. No expiry. An item
  from before `organisation` existed has no such attribute and reads as no organisation.
- `SESSION#<id_hash>`: a signed-in browser, keyed by the SHA-256 of its cookie token, with `expires_at`
  (the table's TTL attribute). Its start is `signed_in_at`: `created_at` is the index's sort key, a String.
- `AUDIT#<ISO time>#<random>`: who viewed or did what, on which record, with `expires_at`. No personal data,
  so erasing a record leaves its entries (the privacy officer's proof); TTL deletes them when they expire.

TTL deletes lazily, so every read also skips what has expired. `purge_expired` leaves sessions and audit
entries to TTL: they hold no resident's data, and the staff credentials it runs with may not delete them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from helpt.stores import Account, AuditEntry, Event, StaffSession, StoreError, log_function
from helpt.stores.sqlite import created_at_text
from helpt.submissions import Submission

ACCOUNT_PREFIX = "ACCOUNT#"
SESSION_PREFIX = "SESSION#"
AUDIT_PREFIX = "AUDIT#"
# Two entries written in the same microsecond get different keys; a clash of the random part is retried.
AUDIT_TRIES = 3

Item = dict[str, Any]


class DynamoDBBackOffice:
    """The `BackOfficeStore` methods of `DynamoDBStore`, which provides the client, the table and paging."""

    if TYPE_CHECKING:
        client: Any
        table_name: str
        log_via: log_function.Invoke | None

        def _pages(self, operation: str, call: Callable[..., dict[str, Any]], **request: Any) -> Iterator[Item]: ...

        def _put(self, item: Item, operation: str) -> bool: ...

        def _listing(self, operation: str, form: str, moment: int) -> Iterator[Item]: ...

    def put_account(self, account: Account) -> None:
        """Create or replace the account with this name."""
        item = _account_item(account)
        with dynamodb._errors("put_account"):
            self.client.put_item(TableName=self.table_name, Item=item)

    def get_account(self, name: str) -> Account | None:
        """The account with this name, or None. Strongly consistent: a failed sign-in counts at once."""
        item = self._get(ACCOUNT_PREFIX + name, "get_account")
        return None if item is None else _account(item)

    def accounts(self) -> list[Account]:
        """Every account, by name: a Scan, which the few accounts a city has keep cheap."""
        items = self._pages(
            "accounts",
            self.client.scan,
            FilterExpression="begins_with(#pk, :account)",
            ExpressionAttributeValues={":account": {"S": ACCOUNT_PREFIX}},
            ConsistentRead=True,
        )
        found = [_account(item) for item in items if item["pk"]["S"].startswith(ACCOUNT_PREFIX)]
        return sorted(found, key=lambda account: account.name)

    def put_session(self, session: StaffSession, *, expires_at: int) -> None:
        """Create or replace a session (also to move `last_seen`); TTL deletes it after `expires_at`."""
        item = _session_item(session, expires_at)
        with dynamodb._errors("put_session"):
            self.client.put_item(TableName=self.table_name, Item=item)

    def get_session(self, id_hash: str, *, now: dt.datetime | None = None) -> StaffSession | None:
        """The session with this hash, or None (also past its `expires_at`, deleted by TTL or not)."""
        item = self._get(SESSION_PREFIX + id_hash, "get_session")
        if item is None or dynamodb._expires_at(item) <= dynamodb._unix(now):
            return None
        return _session(item)

    def delete_session(self, id_hash: str) -> None:
        """Sign a session out: its item is deleted, so the cookie finds nothing."""
        with dynamodb._errors("delete_session"):
            self.client.delete_item(
                TableName=self.table_name, Key={"pk": {"S": dynamodb._text(SESSION_PREFIX + id_hash)}}
            )

    def audit(self, entry: AuditEntry) -> None:
        """Add an entry to the audit log: a conditional put, so it never replaces another entry. With
        `log_via` (a staff machine) the back office function adds it (helpt.stores.log_function)."""
        if self.log_via is not None:
            log_function.send(self.log_via, entry)
            return
        at = created_at_text(entry.at)
        item = {
            "at": {"S": at},
            "who": {"S": dynamodb._text(entry.who)},
            "action": {"S": dynamodb._text(entry.action)},
            "reference": {"S": dynamodb._text(entry.reference)},
            dynamodb.TTL_ATTRIBUTE: {"N": str(int(entry.expires_at))},
        }
        for _try in range(AUDIT_TRIES):
            if self._put({"pk": {"S": f"{AUDIT_PREFIX}{at}#{uuid.uuid4().hex}"}, **item}, "audit"):
                return
        raise StoreError("DynamoDB store: audit failed (no free key)")

    def audit_entries(self, *, now: dt.datetime | None = None) -> Iterator[AuditEntry]:
        """The audit log, oldest first, without what has expired: a Scan, sorted here (keys sort by time)."""
        moment = dynamodb._unix(now)
        items = self._pages(
            "audit_entries",
            self.client.scan,
            FilterExpression="begins_with(#pk, :audit) AND #expires > :now",
            ExpressionAttributeValues={":audit": {"S": AUDIT_PREFIX}, ":now": {"N": str(moment)}},
            ConsistentRead=True,
        )
        live = [
            item for item in items if item["pk"]["S"].startswith(AUDIT_PREFIX) and dynamodb._expires_at(item) > moment
        ]
        live.sort(key=lambda item: item["pk"]["S"])
        return iter([_audit_entry(item) for item in live])

    def records(self, *, form: str, now: dt.datetime | None = None) -> Iterator[tuple[Submission, list[Event]]]:
        """Every live submission of this form with its history, oldest first: the `form-created` index's shards,
        page by page, merged. Each item carries its `history`, so no record needs a read of its own.

        The index is eventually consistent (docs/DATA.md): a request sent a second ago may not be listed yet.
        """
        moment = dynamodb._unix(now)
        items = self._listing("records", form, moment)
        return (_record(item) for item in items if dynamodb._is_live_submission(item, moment))

    def _get(self, pk: str, operation: str) -> Item | None:
        with dynamodb._errors(operation):
            response = self.client.get_item(
                TableName=self.table_name, Key={"pk": {"S": dynamodb._text(pk)}}, ConsistentRead=True
            )
        return response.get("Item")


def _account_item(account: Account) -> Item:
    text = dynamodb._text
    return {
        "pk": {"S": text(ACCOUNT_PREFIX + account.name)},
        "name": {"S": text(account.name)},
        "role": {"S": text(account.role)},
        "display_name": {"S": text(account.display_name)},
        "password_hash": {"S": text(account.password_hash)},
        "link_hash": {"S": text(account.link_hash)},
        "link_expires_at": {"N": str(int(account.link_expires_at))},
        "failed_signins": {"N": str(int(account.failed_signins))},
        "locked_until": {"N": str(int(account.locked_until))},
        "active": {"BOOL": bool(account.active)},
        "organisation": {"S": text(account.organisation)},
    }


def _account(item: Item) -> Account:
    try:
        return Account(
            name=item["name"]["S"],
            role=item["role"]["S"],
            display_name=item["display_name"]["S"],
            password_hash=item["password_hash"]["S"],
            link_hash=item["link_hash"]["S"],
            link_expires_at=int(item["link_expires_at"]["N"]),
            failed_signins=int(item["failed_signins"]["N"]),
            locked_until=int(item["locked_until"]["N"]),
            active=bool(item["active"]["BOOL"]),
            # Accounts written before organisations had accounts have no such attribute: no organisation.
            organisation=item.get("organisation", {}).get("S", ""),
        )
    except (KeyError, ValueError) as error:
        raise StoreError(f"DynamoDB store: unreadable item ({type(error).__name__})") from None


def _session_item(session: StaffSession, expires_at: int) -> Item:
    text = dynamodb._text
    return {
        "pk": {"S": text(SESSION_PREFIX + session.id_hash)},
        "account": {"S": text(session.account)},
        "role": {"S": text(session.role)},
        "signed_in_at": {"N": str(int(session.created_at))},
        "last_seen": {"N": str(int(session.last_seen))},
        "csrf_token": {"S": text(session.csrf_token)},
        "lang": {"S": text(session.lang)},
        dynamodb.TTL_ATTRIBUTE: {"N": str(int(expires_at))},
    }


def _session(item: Item) -> StaffSession:
    try:
        return StaffSession(
            id_hash=item["pk"]["S"].removeprefix(SESSION_PREFIX),
            account=item["account"]["S"],
            role=item["role"]["S"],
            created_at=int(item["signed_in_at"]["N"]),
            last_seen=int(item["last_seen"]["N"]),
            csrf_token=item["csrf_token"]["S"],
            lang=item["lang"]["S"],
        )
    except (KeyError, ValueError) as error:
        raise StoreError(f"DynamoDB store: unreadable item ({type(error).__name__})") from None


def _audit_entry(item: Item) -> AuditEntry:
    try:
        return AuditEntry(
            at=dt.datetime.fromisoformat(item["at"]["S"]),
            who=item["who"]["S"],
            action=item["action"]["S"],
            reference=item["reference"]["S"],
            expires_at=dynamodb._expires_at(item),
        )
    except (KeyError, ValueError) as error:
        raise StoreError(f"DynamoDB store: unreadable item ({type(error).__name__})") from None


def _record(item: Item) -> tuple[Submission, list[Event]]:
    try:
        history = [dynamodb._event(entry["M"]) for entry in item.get("history", {}).get("L", [])]
    except (KeyError, ValueError, TypeError) as error:
        raise StoreError(f"DynamoDB store: unreadable item ({type(error).__name__})") from None
    return dynamodb._submission(item), history


# Imported last, as a module: dynamodb.py imports this one to define DynamoDBStore, so its helpers are looked
# up when a method runs. Importing names from it at the top would fail whichever of the two is loaded first.
from helpt.stores import dynamodb  # noqa: E402
