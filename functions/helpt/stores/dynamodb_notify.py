"""The notification half of the DynamoDB store: the message log, address marks and rate counts.

`DynamoDBStore` (helpt.stores.dynamodb) inherits it. On AWS the queue is SQS (helpt.notify.queue), so the
table holds three kinds of item, under their own prefixes, none with a `form` (none is in the `form-created`
index, and no read of submissions can meet one):

- `NOTIFYLOG#<ISO time>#<random>`: kind, reference, channel, outcome, `expires_at` (the city's retention).
  No address, no content.
- `NOTIFYMARK#<address hash>`: bounced, complained or unsubscribed, with `at`. No expiry: an unsubscribe holds.
  The hash is of the normalised address (helpt.notify.addresses); the address itself is never stored.
- `NOTIFYRATE#<address hash>#<window start>`: `count`, messages to that address in that clock hour, with
  `expires_at` at the window's end. One conditional update counts a message unless the limit is reached.

The NotifyFunction's role may touch only these prefixes (template.yaml).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from helpt.notify.addresses import MARKS, address_hash
from helpt.notify.records import NotifyLogEntry
from helpt.stores import StoreError

NOTIFY_LOG_PREFIX = "NOTIFYLOG#"
NOTIFY_MARK_PREFIX = "NOTIFYMARK#"
NOTIFY_RATE_PREFIX = "NOTIFYRATE#"
NOTIFY_PREFIXES = (NOTIFY_LOG_PREFIX, NOTIFY_MARK_PREFIX, NOTIFY_RATE_PREFIX)

Item = dict[str, Any]


class DynamoDBNotify:
    """The notification methods of `DynamoDBStore`, which provides the client, the table and paging."""

    if TYPE_CHECKING:
        client: Any
        table_name: str

        def _pages(self, operation: str, call: Callable[..., dict[str, Any]], **request: Any) -> Iterator[Item]: ...

        def _put(self, item: Item, operation: str) -> bool: ...

    def log_notification(self, entry: NotifyLogEntry) -> None:
        """Add an entry to the message log: a conditional put under a fresh key."""
        at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        item = {
            "at": {"S": at},
            "kind": {"S": dynamodb._text(entry.kind)},
            "reference": {"S": dynamodb._text(entry.reference)},
            "channel": {"S": dynamodb._text(entry.channel)},
            "outcome": {"S": dynamodb._text(entry.outcome)},
            dynamodb.TTL_ATTRIBUTE: {"N": str(int(entry.expires_at))},
        }
        for _try in range(3):
            if self._put({"pk": {"S": f"{NOTIFY_LOG_PREFIX}{at}#{uuid.uuid4().hex}"}, **item}, "log_notification"):
                return
        raise StoreError("DynamoDB store: log_notification failed (no free key)")

    def notification_log(self, *, now: dt.datetime | None = None) -> list[NotifyLogEntry]:
        """The message log, oldest first, without what has expired: a Scan, sorted here (keys sort by time)."""
        moment = dynamodb._unix(now)
        items = self._pages(
            "notification_log",
            self.client.scan,
            FilterExpression="begins_with(#pk, :log) AND #expires > :now",
            ExpressionAttributeValues={":log": {"S": NOTIFY_LOG_PREFIX}, ":now": {"N": str(moment)}},
            ConsistentRead=True,
        )
        live = [i for i in items if i["pk"]["S"].startswith(NOTIFY_LOG_PREFIX) and dynamodb._expires_at(i) > moment]
        live.sort(key=lambda item: item["pk"]["S"])
        try:
            return [
                NotifyLogEntry(dt.datetime.fromisoformat(i["at"]["S"]), i["kind"]["S"], i["reference"]["S"],
                               i["channel"]["S"], i["outcome"]["S"], dynamodb._expires_at(i))
                for i in live
            ]  # fmt: skip
        except (KeyError, ValueError) as error:
            raise StoreError(f"DynamoDB store: unreadable item ({type(error).__name__})") from None

    def mark_address(self, address: str, mark: str, *, now: dt.datetime | None = None) -> None:
        """Remember that this address bounced, complained or asked to stop: nothing more is sent to it."""
        if mark not in MARKS:
            raise ValueError(f"unknown mark: {mark}")
        at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
        item = {"pk": {"S": NOTIFY_MARK_PREFIX + address_hash(address)}, "mark": {"S": mark}, "at": {"S": at}}
        with dynamodb._errors("mark_address"):
            self.client.put_item(TableName=self.table_name, Item=item)

    def clear_address_mark(self, address: str) -> None:
        """Forget a mark (staff, when a person gives a working address again or wants messages again)."""
        with dynamodb._errors("clear_address_mark"):
            self.client.delete_item(
                TableName=self.table_name, Key={"pk": {"S": NOTIFY_MARK_PREFIX + address_hash(address)}}
            )

    def address_mark(self, address: str) -> str | None:
        """ "bounced", "complained" or "unsubscribed" when this address is marked, else None."""
        with dynamodb._errors("address_mark"):
            response = self.client.get_item(
                TableName=self.table_name,
                Key={"pk": {"S": NOTIFY_MARK_PREFIX + address_hash(address)}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        return None if item is None else item.get("mark", {}).get("S")

    def take_rate(self, address: str, *, window: int, limit: int, expires_at: int) -> bool:
        """Count one message to this address in this window, unless `limit` are counted already: False then.

        One conditional update (ADD), so two senders at once cannot both take the last place. An item left
        from an expired window that TTL has not deleted yet is in another key: windows never share one."""
        key = f"{NOTIFY_RATE_PREFIX}{address_hash(address)}#{int(window)}"
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"pk": {"S": key}},
                UpdateExpression="ADD #count :one SET #expires = :expires",
                ConditionExpression="attribute_not_exists(#count) OR #count < :limit",
                ExpressionAttributeNames={"#count": "count", "#expires": dynamodb.TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(int(limit))},
                    ":expires": {"N": str(int(expires_at))},
                },
            )
        except ClientError as error:
            if dynamodb._code(error) == "ConditionalCheckFailedException":
                return False
            raise dynamodb._store_error("take_rate", error) from None
        except BotoCoreError as error:
            raise dynamodb._store_error("take_rate", error) from None
        return True


# Imported last, as a module, for the reason dynamodb_backoffice gives: dynamodb.py imports this one.
from helpt.stores import dynamodb  # noqa: E402
