"""The cloud store: one DynamoDB table, for a city that runs the form handlers as AWS Lambda functions.

The key design (docs/DATA.md explains it for city IT): partition key `pk` is `SUB#<reference>` for a
submission and `QUARANTINE#<reference>` for what a bot sent, so both live in one table and can never be read
as each other. `expires_at` is the table's TTL attribute; TTL deletes lazily (AWS: typically within two days), so
every read also skips what has expired, in the request's filter and again here. The global secondary index
`form-created` (partition `form`, sort `created_at`) serves exports of one form over a date range; `form` is
written sharded, `<form>#<00..15>`, so that no index partition is hot (LISTING_SHARDS, docs/DATA.md).

For the staff tool: a submission's history (statuses, matches) is a List attribute `history` on its own item,
so it expires and is erased with it; `last_matched_at` says when it was last matched. The export log lives
under its own prefix, `EXPORT#<time>#<id>`, outside the index (it has no `form`) and free of personal data.
Exports query the index form by form and merge the streams in time order, a page at a time.

For the web back office: `ACCOUNT#`, `SESSION#` and `AUDIT#` items, and the working list's one Query of a
form's records with their history; that half of the store is in helpt.stores.dynamodb_backoffice.

For notifications: `NOTIFYLOG#`, `NOTIFYMARK#` and `NOTIFYRATE#` items (the message log, address marks by a
hash of the address, rate counts), in helpt.stores.dynamodb_notify; the queue itself is SQS.

For verified volunteers: `VERIFY#<reference>` and `CARDCODE#<code>` items, in helpt.stores.dynamodb_verify.

The low-level client is used rather than the resource API: it keeps `answers` typed exactly (a String, or a
List of Strings read back as a tuple), where the resource API would hand back lists and Decimals.
"""

from __future__ import annotations

import datetime as dt
import heapq
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from helpt.stores import FINISHED_STATUSES, Event, LogEntry, ReferenceTaken, StoreError, current_matches, log_function
from helpt.stores.dynamodb_backoffice import DynamoDBBackOffice
from helpt.stores.dynamodb_notify import DynamoDBNotify
from helpt.stores.dynamodb_verify import DynamoDBVerify
from helpt.stores.sqlite import created_at_text
from helpt.submissions import Answer, Submission

SUBMISSION_PREFIX = "SUB#"
QUARANTINE_PREFIX = "QUARANTINE#"
EXPORT_LOG_PREFIX = "EXPORT#"
# `FINGERPRINT#<sha-256 of the answers and the city's day>` -> the reference those answers made: how a
# double click or a retry is recognised. The submission keeps its fingerprint too, so erasing it can find it.
FINGERPRINT_PREFIX = "FINGERPRINT#"
# Looks at a pending fingerprint claim (0.2 s, then 0.4 s apart) before it is taken to be left by a crash.
FINGERPRINT_ROUNDS = 3
FORM_CREATED_INDEX = "form-created"
# The index's partition key: `form` is written as `<form>#<shard>`, the shard drawn from the reference, so a
# form's writes spread over LISTING_SHARDS index partitions instead of one (docs/DATA.md, "No hot partition").
# A listing queries every shard, and the bare form name that items written before sharding have, and merges
# them in time order. Changing the count later only needs listing_keys to keep naming the old shards.
LISTING_SHARDS = 16
LOG_TRIES = 3  # a clash of two 128-bit random keys is retried, never written over
TTL_ATTRIBUTE = "expires_at"

# A form POST must answer within seconds when DynamoDB stalls, not after botocore's defaults (60 s time-outs,
# retried), and a stalled call holds one of the function's reserved instances all that time. DynamoDB answers
# a PutItem in milliseconds (a new TLS connection in well under 100 ms), so 1 s to connect and 1 s to read are
# generous; one retry (after at most 1 s) rides out a dropped connection or a throttle. The worst case, a server
# that accepts connections and never answers, is 1 + 1 + 1 = 3 s per call. (`max_attempts` counts retries.)
CLIENT_CONFIG = Config(connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 2, "mode": "standard"})
# Everyone else (the back office, exports, notifications, the staff tool) reads pages of up to 1 MB and has no
# visitor waiting on the phone line: they keep more patient settings, 3 x 3 s at worst per call.
PATIENT_CONFIG = Config(connect_timeout=2, read_timeout=3, retries={"total_max_attempts": 3, "mode": "standard"})
# add_once makes up to three calls in a row (claim, record, mark): no new call starts after this many seconds,
# so a store that stalls halfway is answered within ADD_ONCE_BUDGET + one call's 3 s (docs/DATA.md).
ADD_ONCE_BUDGET_SECONDS = 2.0

# Names stand in for attributes in every expression: `status` and friends are DynamoDB reserved words.
_NAMES = {
    "#pk": "pk",
    "#form": "form",
    "#expires": TTL_ATTRIBUTE,
    "#created": "created_at",
    "#status": "status",
    "#history": "history",
    "#last": "last_matched_at",
    "#ref": "reference",
    "#state": "state",
    "#answers": "answers",
}
Item = dict[str, Any]


class DynamoDBStore(DynamoDBBackOffice, DynamoDBNotify, DynamoDBVerify):
    """Submissions in one DynamoDB table; see the module docstring for the key design."""

    # Items per Scan or Query page; None leaves it to DynamoDB (1 MB pages). Tests set it small to make
    # every read cross page boundaries, which a handful of test items would otherwise never do.
    page_size: int | None = None
    # Staff machines (HELPT_LOG_FUNCTION): export-log and audit entries go through the back office function,
    # as their credentials may not write those keys (helpt.stores.log_function).
    log_via: log_function.Invoke | None = None

    def __init__(
        self, table_name: str, *, region: str, endpoint_url: str | None = None, client: Any | None = None,
        config: Config = PATIENT_CONFIG,
    ) -> None:  # fmt: skip
        """`config`: the client's time-outs and retries; the form handler's is CLIENT_CONFIG (it fails fast)."""
        self.table_name = table_name
        self.client = client or boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url, config=config)

    def add(self, submission: Submission) -> bool:
        """Keep a submission once: a conditional put, so a replayed POST never overwrites the first."""
        return self._put(_item(submission, SUBMISSION_PREFIX), "add")

    def add_once(
        self, submission: Submission, fingerprint: str, *, fingerprint_expires_at: int, now: dt.datetime | None = None
    ) -> str:
        """Keep a submission unless these answers made a live, unfinished request today: the reference kept.

        Without transactions (not every DynamoDB-compatible server has them) and without reading any
        submission (the intake may only write them): the fingerprint is claimed first ("pending"), the record
        written, then the claim marked "kept". A repeat answers with the earlier reference only once the claim
        is kept. A claim left pending (a crash between the two writes) is taken over after a short wait, so
        the worst case is two records, never none, and never another person's reference. Staff remove the
        claim when they finish or erase the request, so the same answers then make a new one.
        """
        item = _item(submission, SUBMISSION_PREFIX)
        item["fingerprint"] = {"S": fingerprint}
        key = {"pk": {"S": FINGERPRINT_PREFIX + fingerprint}}

        def claim(state: str) -> Item:
            return {**key, "reference": {"S": submission.reference}, "state": {"S": state},
                    TTL_ATTRIBUTE: {"N": str(fingerprint_expires_at)}}  # fmt: skip

        moment = {":now": {"N": str(_unix(now))}}
        deadline = time.monotonic() + ADD_ONCE_BUDGET_SECONDS
        if self._conditional_put(claim("pending"), "attribute_not_exists(#pk) OR #expires <= :now", moment):
            return self._keep_claimed(item, submission.reference, claim, deadline)
        for round_ in range(FINGERPRINT_ROUNDS):
            _in_time(deadline)
            with _errors("add_once"):
                found = self.client.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item")
            if found is None or _expires_at(found) <= _unix(now):
                if self._conditional_put(claim("pending"), "attribute_not_exists(#pk) OR #expires <= :now", moment):
                    return self._keep_claimed(item, submission.reference, claim, deadline)
                continue
            if found.get("state", {}).get("S") == "kept":
                return found["reference"]["S"]
            if round_ < FINGERPRINT_ROUNDS - 1:
                time.sleep(0.2 * 2**round_)  # the first request is between its two writes: give it a moment
                continue
            stale = {":earlier": found["reference"], ":pending": {"S": "pending"}}
            if self._conditional_put(claim("pending"), "#ref = :earlier AND #state = :pending", stale):
                return self._keep_claimed(item, submission.reference, claim, deadline)
        # Someone else keeps changing this fingerprint right now: keep the request anyway, unrecognised.
        if not self._put(item, "add_once"):
            raise ReferenceTaken("DynamoDB store: the reference is taken")
        return submission.reference

    def _keep_claimed(self, item: Item, reference: str, claim: Callable[[str], Item], deadline: float) -> str:
        ours = {":ours": {"S": reference}}
        _in_time(deadline)
        if not self._put(item, "add_once"):
            # Another record has this reference: let go of the claim, so a repeat cannot be sent to it.
            self._conditional_delete(claim("pending")["pk"]["S"], reference)
            raise ReferenceTaken("DynamoDB store: the reference is taken")
        # The record is kept: from here on the visitor is told so, whatever the mark does. A claim left pending
        # only makes a repeat wait 0.6 s and then become a record of its own (the class docstring's worst case).
        if time.monotonic() < deadline:
            with suppress(StoreError):
                self._conditional_put(claim("kept"), "#ref = :ours", ours)
        return reference

    def correct(
        self, reference: str, answers: Mapping[str, Answer], events: Sequence[Event], *, now: dt.datetime | None = None
    ) -> bool:
        """Replace these answers of a live submission and append the events, in one conditional update each
        answer and the history together."""
        update = "SET #history = list_append(if_not_exists(#history, :empty), :events)"
        values: dict[str, Any] = {
            ":empty": {"L": []},
            ":events": {"L": [{"M": _event_attribute(event)} for event in events]},
            ":now": {"N": str(_unix(now))},
        }
        names = {}
        for number, (name, value) in enumerate(answers.items()):
            update += f", #answers.#a{number} = :a{number}"
            names[f"#a{number}"] = _text(name)
            values[f":a{number}"] = _answer_attribute(value)
        request = {"UpdateExpression": update, "ConditionExpression": "attribute_exists(#pk) AND #expires > :now"}
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"pk": {"S": _text(SUBMISSION_PREFIX + reference)}},
                ExpressionAttributeNames={**_names(request), **names},
                ExpressionAttributeValues=values,
                **request,
            )
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise _store_error("correct", error) from None
        except BotoCoreError as error:
            raise _store_error("correct", error) from None
        return True

    def quarantine(self, submission: Submission) -> None:
        """Keep what a bot sent under QUARANTINE#, which no read of submissions looks at; the first copy is kept."""
        self._put(_item(submission, QUARANTINE_PREFIX), "quarantine")

    def get(self, reference: str, *, now: dt.datetime | None = None) -> Submission | None:
        """One submission by reference, or None when there is none or it has expired (TTL may lag)."""
        moment = _unix(now)
        with _errors("get"):
            # Strongly consistent: a reference is looked up right after it was given out.
            response = self.client.get_item(
                TableName=self.table_name, Key={"pk": {"S": _text(SUBMISSION_PREFIX + reference)}}, ConsistentRead=True
            )
        item = response.get("Item")
        if item is None or _expires_at(item) <= moment:
            return None
        return _submission(item)

    def submissions(self, *, form: str | None = None, now: dt.datetime | None = None) -> Iterator[Submission]:
        """Every submission that has not expired, oldest first, optionally of one form.

        With a form, the `form-created` index returns them in order, shard by shard, merged page by page.
        Without one, a Scan does, in no order, so all are read and sorted here (by time, then reference, like
        the SQLite store).
        """
        moment = _unix(now)
        if form is not None:
            return self._form_stream(form, None, None, moment)
        values = {":sub": {"S": SUBMISSION_PREFIX}, ":now": {"N": str(moment)}}
        live_submissions = "begins_with(#pk, :sub) AND #expires > :now"
        items = self._pages(
            "submissions",
            self.client.scan,
            FilterExpression=live_submissions,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
        )
        found = [_submission(item) for item in items if _is_live_submission(item, moment)]
        return iter(sorted(found, key=lambda submission: (submission.created_at, submission.reference)))

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete expired submissions and quarantined items before TTL gets to them; return how many.

        Each delete is conditional on the item still being expired and present, so one TTL removed in the
        meantime is not counted. Back-office sessions and audit entries are left to TTL: they hold no
        resident's data, and the staff policy lets no one delete an audit entry (reads skip expired ones).
        """
        values = {":sub": {"S": SUBMISSION_PREFIX}, ":quarantine": {"S": QUARANTINE_PREFIX}}
        values[":now"] = {"N": str(_unix(now))}
        values[":fingerprint"] = {"S": FINGERPRINT_PREFIX}
        expired = self._pages(
            "purge_expired",
            self.client.scan,
            FilterExpression="#expires <= :now AND (begins_with(#pk, :sub) OR begins_with(#pk, :quarantine)"
            " OR begins_with(#pk, :fingerprint))",
            ExpressionAttributeValues=values,
            ProjectionExpression="#pk",
        )
        deleted = 0
        for key in list(expired):
            try:
                self.client.delete_item(
                    TableName=self.table_name,
                    Key=key,
                    ConditionExpression="#expires <= :now",
                    ExpressionAttributeNames={"#expires": TTL_ATTRIBUTE},
                    ExpressionAttributeValues={":now": values[":now"]},
                )
                deleted += not key["pk"]["S"].startswith(FINGERPRINT_PREFIX)
            except ClientError as error:
                if _code(error) != "ConditionalCheckFailedException":
                    raise _store_error("purge_expired", error) from None
            except BotoCoreError as error:
                raise _store_error("purge_expired", error) from None
        return deleted

    def stream(
        self,
        *,
        forms: Sequence[str],
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        now: dt.datetime | None = None,
    ) -> Iterator[Submission]:
        """Live submissions of these forms created in [since, until), oldest first, a page at a time.

        Each form is one Query on the `form-created` index, already in time order; merging them keeps the
        order without holding more than a page per form. The index is eventually consistent (docs/DATA.md).
        """
        moment = _unix(now)
        streams = [self._form_stream(form, since, until, moment) for form in forms]
        return heapq.merge(*streams, key=lambda submission: (submission.created_at, submission.reference))

    def _form_stream(
        self, form: str, since: dt.datetime | None, until: dt.datetime | None, moment: int
    ) -> Iterator[Submission]:
        values: dict[str, Any] = {}
        condition = ""
        # `until` is exclusive; created_at text has microseconds, so BETWEEN up to a microsecond before is exact.
        if since is not None:
            values[":since"] = {"S": created_at_text(since)}
        if until is not None:
            values[":until"] = {"S": created_at_text(until - dt.timedelta(microseconds=1))}
        if since is not None and until is not None:
            condition += " AND #created BETWEEN :since AND :until"
        elif since is not None:
            condition += " AND #created >= :since"
        elif until is not None:
            condition += " AND #created <= :until"
        items = self._listing("stream", form, moment, condition, values)
        return (_submission(item) for item in items if _is_live_submission(item, moment))

    def _listing(
        self, operation: str, form: str, moment: int, condition: str = "", values: dict[str, Any] | None = None
    ) -> Iterator[Item]:
        """A form's live submissions in the `form-created` index, oldest first: one Query per shard (and one for
        the unsharded name), merged in time order, a page of each at a time. `condition` narrows `created_at`."""

        def shard(key: str) -> Iterator[Item]:
            return self._pages(
                operation,
                self.client.query,
                IndexName=FORM_CREATED_INDEX,
                KeyConditionExpression="#form = :form" + condition,
                # The index holds quarantined items too (they have a form): the pk filter keeps them out.
                FilterExpression="begins_with(#pk, :sub) AND #expires > :now",
                ExpressionAttributeValues={
                    ":sub": {"S": SUBMISSION_PREFIX}, ":now": {"N": str(moment)}, ":form": {"S": _text(key)},
                    **(values or {}),
                },
            )  # fmt: skip

        streams = [shard(key) for key in listing_keys(form)]
        return heapq.merge(*streams, key=lambda item: (item["created_at"]["S"], item["pk"]["S"]))

    def quarantined(self, *, now: dt.datetime | None = None) -> Iterator[Submission]:
        """What bots sent and has not expired: only read to answer a person's own access or erasure request."""
        moment = _unix(now)
        items = self._pages(
            "quarantined",
            self.client.scan,
            FilterExpression="begins_with(#pk, :quarantine) AND #expires > :now",
            ExpressionAttributeValues={":quarantine": {"S": QUARANTINE_PREFIX}, ":now": {"N": str(moment)}},
            ConsistentRead=True,
        )
        found = [
            _submission({**item, "pk": {"S": item["pk"]["S"].removeprefix(QUARANTINE_PREFIX)}})
            for item in items
            if item["pk"]["S"].startswith(QUARANTINE_PREFIX) and _expires_at(item) > moment
        ]
        return iter(sorted(found, key=lambda submission: (submission.created_at, submission.reference)))

    def record_event(self, reference: str, event: Event, *, now: dt.datetime | None = None) -> bool:
        """Append to a live submission's `history` (and set its status) in one conditional update."""
        update = "SET #history = list_append(if_not_exists(#history, :empty), :event)"
        values: dict[str, Any] = {
            ":empty": {"L": []},
            ":event": {"L": [{"M": _event_attribute(event)}]},
            ":now": {"N": str(_unix(now))},
        }
        if event.status:
            update += ", #status = :status"
            values[":status"] = {"S": _text(event.status)}
        if event.kind == "match":
            update += ", #last = :at"
            values[":at"] = {"S": created_at_text(event.at)}
        request = {
            "UpdateExpression": update,
            "ConditionExpression": "attribute_exists(#pk) AND #expires > :now",
        }
        try:
            updated = self.client.update_item(
                TableName=self.table_name,
                Key={"pk": {"S": _text(SUBMISSION_PREFIX + reference)}},
                ExpressionAttributeNames=_names(request),
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                **request,
            )
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise _store_error("record_event", error) from None
        except BotoCoreError as error:
            raise _store_error("record_event", error) from None
        fingerprint = updated.get("Attributes", {}).get("fingerprint", {}).get("S")
        if fingerprint and event.status in FINISHED_STATUSES:
            # Finished: the same answers sent again are a new request, not this one.
            self._conditional_delete(FINGERPRINT_PREFIX + fingerprint, reference)
        return True

    def events(self, reference: str) -> list[Event]:
        """A submission's history, oldest first (empty if there is none)."""
        with _errors("events"):
            response = self.client.get_item(
                TableName=self.table_name,
                Key={"pk": {"S": _text(SUBMISSION_PREFIX + reference)}},
                ProjectionExpression="#history",
                ExpressionAttributeNames={"#history": "history"},
                ConsistentRead=True,
            )
        history = response.get("Item", {}).get("history", {}).get("L", [])
        try:
            return [_event(entry["M"]) for entry in history]
        except (KeyError, ValueError, TypeError) as error:
            raise StoreError(f"DynamoDB store: unreadable item ({type(error).__name__})") from None

    def last_matched(self, *, now: dt.datetime | None = None) -> dict[str, dt.datetime]:
        """Reference to the time of its latest match, for every live submission ever matched."""
        moment = _unix(now)
        items = self._pages(
            "last_matched",
            self.client.scan,
            FilterExpression="begins_with(#pk, :sub) AND attribute_exists(#last) AND #expires > :now",
            ProjectionExpression="#pk, #last, #expires",
            ExpressionAttributeValues={":sub": {"S": SUBMISSION_PREFIX}, ":now": {"N": str(moment)}},
            ConsistentRead=True,
        )
        return {
            item["pk"]["S"].removeprefix(SUBMISSION_PREFIX): dt.datetime.fromisoformat(item["last_matched_at"]["S"])
            for item in items
            if _is_live_submission(item, moment) and "last_matched_at" in item
        }

    def matches(self, *, now: dt.datetime | None = None) -> dict[str, tuple[str, ...]]:
        """Reference to what it is matched with now, for every live submission with a match: one Scan for the
        items ever matched (`last_matched_at`, as last_matched), their history folded a page at a time."""
        moment = _unix(now)
        items = self._pages(
            "matches",
            self.client.scan,
            FilterExpression="begins_with(#pk, :sub) AND attribute_exists(#last) AND #expires > :now",
            ProjectionExpression="#pk, #history, #expires",
            ExpressionAttributeValues={":sub": {"S": SUBMISSION_PREFIX}, ":now": {"N": str(moment)}},
            ConsistentRead=True,
        )
        found = {}
        try:
            for item in items:
                if not _is_live_submission(item, moment):
                    continue
                history = ((entry["M"]["kind"]["S"], entry["M"]["other"]["S"]) for entry in item["history"]["L"])
                if matched := current_matches(history):
                    found[item["pk"]["S"].removeprefix(SUBMISSION_PREFIX)] = matched
        except (KeyError, TypeError) as error:
            raise StoreError(f"DynamoDB store: unreadable item ({type(error).__name__})") from None
        return found

    def erase(self, reference: str) -> int:
        """Delete the submission and the quarantined item with this reference (history included); how many.

        `AUDIT#` entries about the record stay: they hold no personal data, and show what was done.
        """
        deleted = 0
        for prefix in (SUBMISSION_PREFIX, QUARANTINE_PREFIX):
            with _errors("erase"):
                response = self.client.delete_item(
                    TableName=self.table_name, Key={"pk": {"S": _text(prefix + reference)}}, ReturnValues="ALL_OLD"
                )
            deleted += "Attributes" in response
            fingerprint = response.get("Attributes", {}).get("fingerprint", {}).get("S")
            if fingerprint:
                # The fingerprint is a hash of the answers: it goes too, unless it already points elsewhere.
                self._conditional_delete(FINGERPRINT_PREFIX + fingerprint, reference)
        self._erase_verification(reference)
        return deleted

    def _conditional_delete(self, pk: str, reference: str) -> None:
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key={"pk": {"S": pk}},
                ConditionExpression="#ref = :ref",
                ExpressionAttributeNames={"#ref": "reference"},
                ExpressionAttributeValues={":ref": {"S": reference}},
            )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise _store_error("forget_fingerprint", error) from None
        except BotoCoreError as error:
            raise _store_error("forget_fingerprint", error) from None

    def log(self, entry: LogEntry) -> None:
        """Add a line to the export log, under its own prefix: a conditional put with a fresh key, so it never
        replaces another line. With `log_via` (a staff machine) the back office function adds it."""
        if self.log_via is not None:
            log_function.send(self.log_via, entry)
            return
        at = created_at_text(entry.at)
        item = {
            "at": {"S": at},
            "who": {"S": _text(entry.who)},
            "action": {"S": _text(entry.action)},
            "filter": {"S": _text(entry.filter)},
            "rows": {"N": str(int(entry.rows))},
        }
        for _try in range(LOG_TRIES):
            if self._put({"pk": {"S": f"{EXPORT_LOG_PREFIX}{at}#{uuid.uuid4().hex}"}, **item}, "log"):
                return
        raise StoreError("DynamoDB store: log failed (no free key)")

    def log_entries(self) -> Iterator[LogEntry]:
        """The export log, oldest first."""
        items = self._pages(
            "log_entries",
            self.client.scan,
            FilterExpression="begins_with(#pk, :log)",
            ExpressionAttributeValues={":log": {"S": EXPORT_LOG_PREFIX}},
            ConsistentRead=True,
        )
        try:
            entries = [
                LogEntry(
                    at=dt.datetime.fromisoformat(item["at"]["S"]),
                    who=item["who"]["S"],
                    action=item["action"]["S"],
                    filter=item["filter"]["S"],
                    rows=int(item["rows"]["N"]),
                )
                for item in items
                if item["pk"]["S"].startswith(EXPORT_LOG_PREFIX)
            ]
        except (KeyError, ValueError) as error:
            raise StoreError(f"DynamoDB store: unreadable item ({type(error).__name__})") from None
        return iter(sorted(entries, key=lambda entry: entry.at))

    def create_table(self, *, timeout_seconds: float = 120.0) -> bool:
        """Create the table, its index and TTL if missing, and wait until it is usable.

        For tests and local set-up; a city's production table comes from its infrastructure templates, with
        the same design. Returns whether TTL is on for `expires_at`: False on servers that lack TTL
        (dynalite), where reads still skip expired items and `purge_expired` deletes them.
        """
        try:
            self.client.create_table(
                TableName=self.table_name,
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "form", "AttributeType": "S"},
                    {"AttributeName": "created_at", "AttributeType": "S"},
                ],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                GlobalSecondaryIndexes=[
                    {
                        "IndexName": FORM_CREATED_INDEX,
                        "KeySchema": [
                            {"AttributeName": "form", "KeyType": "HASH"},
                            {"AttributeName": "created_at", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
            )
        except ClientError as error:
            if _code(error) != "ResourceInUseException":  # it exists already: fine, set-up is re-runnable
                raise _store_error("create_table", error) from None
        except BotoCoreError as error:
            raise _store_error("create_table", error) from None
        self._wait_until_active(timeout_seconds)
        return self._enable_ttl()

    def _conditional_put(self, item: Item, condition: str, values: dict[str, Any]) -> bool:
        request = {"ConditionExpression": condition}
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=item,
                ExpressionAttributeNames=_names(request),
                ExpressionAttributeValues=values,
                **request,
            )
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise _store_error("add_once", error) from None
        except BotoCoreError as error:
            raise _store_error("add_once", error) from None
        return True

    def _put(self, item: Item, operation: str) -> bool:
        try:
            self.client.put_item(TableName=self.table_name, Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise _store_error(operation, error) from None
        except BotoCoreError as error:
            raise _store_error(operation, error) from None
        return True

    def _pages(self, operation: str, call: Callable[..., dict[str, Any]], **request: Any) -> Iterator[Item]:
        """The items of a Scan or Query, following LastEvaluatedKey until the last page."""
        request = {"TableName": self.table_name, **request}
        if names := _names(request):
            request["ExpressionAttributeNames"] = names
        if self.page_size:
            request["Limit"] = self.page_size
        while True:
            with _errors(operation):
                page = call(**request)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _wait_until_active(self, timeout_seconds: float) -> None:
        deadline = time.monotonic() + timeout_seconds
        delay = 0.05
        while True:
            with _errors("create_table"):
                table = self.client.describe_table(TableName=self.table_name)["Table"]
            statuses = [table["TableStatus"]] + [
                index["IndexStatus"] for index in table.get("GlobalSecondaryIndexes", [])
            ]
            if all(status == "ACTIVE" for status in statuses):
                return
            if time.monotonic() > deadline:
                raise StoreError(f"DynamoDB store: table not active after {timeout_seconds:.0f} s")
            time.sleep(delay)
            delay = min(delay * 2, 2.0)  # quick for local servers, gentle on the real control plane

    def _enable_ttl(self) -> bool:
        try:
            ttl = self.client.describe_time_to_live(TableName=self.table_name)["TimeToLiveDescription"]
            if ttl.get("AttributeName") == TTL_ATTRIBUTE and ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
                return True
            self.client.update_time_to_live(
                TableName=self.table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
            )
        except ClientError as error:
            if _code(error) == "UnknownOperationException":  # dynalite has no TTL
                return False
            raise _store_error("create_table", error) from None
        except BotoCoreError as error:
            raise _store_error("create_table", error) from None
        return True


def _in_time(deadline: float) -> None:
    if time.monotonic() >= deadline:
        raise StoreError("DynamoDB store: add_once gave up (the store is too slow)")


def listing_key(form: str, reference: str) -> str:
    """The index partition a record is listed under: its form and a shard drawn from its random reference.

    >>> listing_key("help_request", "H-K7QD-MX4A")
    'help_request#13'
    """
    return f"{form}#{zlib.crc32(reference.encode('utf-8')) % LISTING_SHARDS:02d}"


def listing_keys(form: str) -> list[str]:
    """Every index partition of a form: its shards, and the bare name of records written before sharding."""
    return [form, *(f"{form}#{shard:02d}" for shard in range(LISTING_SHARDS))]


def _item(submission: Submission, prefix: str) -> Item:
    return {
        "pk": {"S": _text(prefix + submission.reference)},
        "form": {"S": listing_key(_text(submission.form), submission.reference)},
        "lang": {"S": _text(submission.lang)},
        "created_at": {"S": created_at_text(submission.created_at)},
        TTL_ATTRIBUTE: {"N": str(int(submission.expires_at))},
        "channel": {"S": _text(submission.channel)},
        "status": {"S": _text(submission.status)},
        "answers": {"M": {_text(name): _answer_attribute(value) for name, value in submission.answers.items()}},
    }


def _answer_attribute(value: Answer) -> dict[str, Any]:
    if isinstance(value, str):
        return {"S": _text(value)}
    if isinstance(value, tuple | list) and all(isinstance(part, str) for part in value):
        return {"L": [{"S": _text(part)} for part in value]}
    raise TypeError("an answer must be text or a tuple of text")


def _text(value: str) -> str:
    """`value`, if DynamoDB can keep it: text that is valid Unicode (no lone surrogates).

    Servers differ (moto fails with a 500, dynalite keeps it, DynamoDB itself wants valid UTF-8), so the
    store refuses it itself, the same way the SQLite store does. NUL and other control characters are valid
    Unicode and are kept as they are.
    """
    if not isinstance(value, str):
        raise TypeError("answer names and record fields must be text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise StoreError("DynamoDB store: text that is not valid Unicode") from None
    return value


def _submission(item: Item) -> Submission:
    try:
        return Submission(
            reference=item["pk"]["S"].removeprefix(SUBMISSION_PREFIX),
            form=item["form"]["S"].split("#", 1)[0],  # the listing key's form (listing_key)
            lang=item["lang"]["S"],
            created_at=dt.datetime.fromisoformat(item["created_at"]["S"]),
            expires_at=_expires_at(item),
            answers={name: _answer(attribute) for name, attribute in item["answers"]["M"].items()},
            channel=item["channel"]["S"],
            status=item["status"]["S"],
        )
    except (KeyError, ValueError, TypeError) as error:
        raise StoreError(f"DynamoDB store: unreadable item ({type(error).__name__})") from None


def _event_attribute(event: Event) -> dict[str, Any]:
    return {
        "at": {"S": created_at_text(event.at)},
        "kind": {"S": _text(event.kind)},
        "status": {"S": _text(event.status)},
        "reason": {"S": _text(event.reason)},
        "other": {"S": _text(event.other)},
        "by": {"S": _text(event.by)},
    }


def _event(attributes: dict[str, Any]) -> Event:
    return Event(
        at=dt.datetime.fromisoformat(attributes["at"]["S"]),
        **{name: attributes[name]["S"] for name in ("kind", "status", "reason", "other", "by")},
    )


def _answer(attribute: dict[str, Any]) -> Answer:
    if "S" in attribute:
        return attribute["S"]
    if "L" in attribute:
        return tuple(part["S"] for part in attribute["L"])
    raise TypeError("an answer is neither a String nor a List")


def _is_live_submission(item: Item, moment: int) -> bool:
    """The request's filter says the same; checked again so that a filter mistake cannot leak what it should hide."""
    return str(item.get("pk", {}).get("S", "")).startswith(SUBMISSION_PREFIX) and _expires_at(item) > moment


def _expires_at(item: Item) -> int:
    try:
        return int(item[TTL_ATTRIBUTE]["N"])
    except (KeyError, ValueError) as error:
        raise StoreError(f"DynamoDB store: unreadable item ({type(error).__name__})") from None


def _names(request: dict[str, Any]) -> dict[str, str]:
    """The attribute-name placeholders a request's expressions use (DynamoDB refuses unused ones)."""
    expressions = " ".join(
        str(request.get(key, ""))
        for key in (
            "KeyConditionExpression",
            "FilterExpression",
            "ProjectionExpression",
            "ConditionExpression",
            "UpdateExpression",
        )
    )
    return {placeholder: name for placeholder, name in _NAMES.items() if placeholder in expressions}


def _unix(now: dt.datetime | None) -> int:
    """The moment reads compare `expires_at` with, the same way `Submission.is_expired` does."""
    return int((now or dt.datetime.now(dt.UTC)).timestamp())


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def _store_error(operation: str, error: Exception) -> StoreError:
    """A StoreError that names the operation and the error's kind, never its message.

    Messages from botocore can quote the request (parameter validation does), and the request holds answers.
    """
    kind = _code(error) if isinstance(error, ClientError) else type(error).__name__
    return StoreError(f"DynamoDB store: {operation} failed ({kind})")


@contextmanager
def _errors(operation: str) -> Iterator[None]:
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise _store_error(operation, error) from None
