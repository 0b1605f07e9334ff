"""The export log and the audit log, added to from staff machines through the back office function only.

On AWS the staff tool runs with the staff's own credentials (the `StaffPolicyArn` policy). DynamoDB's IAM
cannot tell a `PutItem` that adds an entry from one that overwrites it (no condition key says whether the
request is conditional), so that policy grants no write on `EXPORT#` or `AUDIT#` keys at all. It may instead
invoke the back office function (`HELPT_LOG_FUNCTION`, the `StaffFunctionName` output) with one entry; the
function checks it and adds it with a key of its own making and a conditional put, so an entry can be added,
never replaced. Nobody but the function's own role writes there, and that role cannot update or delete either.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from helpt.stores import AuditEntry, LogEntry, StoreError

# The key of a direct invocation's event: API Gateway's events never have it (they have `requestContext`).
REQUEST_KEY = "helpt_log_entry"
FUNCTION_VARIABLE = "HELPT_LOG_FUNCTION"
MAX_TEXT = 500  # who, action, filter and reference are short; an entry is never a place for a document

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


class _Logs(Protocol):
    def log(self, entry: LogEntry) -> None: ...

    def audit(self, entry: AuditEntry) -> None: ...


def request(entry: LogEntry | AuditEntry) -> dict[str, Any]:
    """The event that asks the back office function to add `entry`."""
    if isinstance(entry, LogEntry):
        fields: dict[str, Any] = {"kind": "export", "at": entry.at.isoformat(), "who": entry.who,
                                  "action": entry.action, "filter": entry.filter, "rows": entry.rows}  # fmt: skip
    else:
        fields = {"kind": "audit", "at": entry.at.isoformat(), "who": entry.who, "action": entry.action,
                  "reference": entry.reference, "expires_at": entry.expires_at}  # fmt: skip
    return {REQUEST_KEY: fields}


def is_request(event: Mapping[str, Any]) -> bool:
    return REQUEST_KEY in event and "requestContext" not in event


def add_requested(store: _Logs, event: Mapping[str, Any]) -> dict[str, Any]:
    """What the back office function does with a direct invocation: add the one entry it holds, or refuse it.
    Only the entry's fields are read; a key, a condition or any other attribute cannot be asked for."""
    fields = event.get(REQUEST_KEY)
    try:
        if not isinstance(fields, dict):
            raise ValueError("no entry")
        at = dt.datetime.fromisoformat(_text(fields, "at"))
        if at.tzinfo is None:
            raise ValueError("a time without a zone")
        if fields.get("kind") == "export":
            store.log(LogEntry(at=at, who=_text(fields, "who"), action=_text(fields, "action"),
                               filter=_text(fields, "filter"), rows=_number(fields, "rows")))  # fmt: skip
        elif fields.get("kind") == "audit":
            store.audit(AuditEntry(at=at, who=_text(fields, "who"), action=_text(fields, "action"),
                                   reference=_text(fields, "reference"),
                                   expires_at=_number(fields, "expires_at")))  # fmt: skip
        else:
            raise ValueError("neither an export nor an audit entry")
    except (ValueError, TypeError) as error:
        return {"added": False, "error": str(error)}
    return {"added": True}


def lambda_invoker(function_name: str, *, region: str | None) -> Invoke:
    """Invoke the back office function synchronously with the staff's own credentials."""
    import boto3  # only on a staff machine that logs through the function

    client = boto3.client("lambda", region_name=region)

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        answer = client.invoke(FunctionName=function_name, Payload=json.dumps(event).encode("utf-8"))
        if answer.get("FunctionError"):
            raise StoreError(f"the log function failed ({answer['FunctionError']})")
        return json.loads(answer["Payload"].read() or b"{}")

    return invoke


def send(invoke: Invoke, entry: LogEntry | AuditEntry) -> None:
    """Ask the function to add `entry`; a StoreError when it did not, so that no export goes unlogged unseen."""
    try:
        answer = invoke(request(entry))
    except StoreError:
        raise
    except Exception as error:  # the transport's own errors (botocore's, a refused credential)
        raise StoreError(f"the log function could not be reached ({type(error).__name__})") from None
    if not answer.get("added"):
        raise StoreError(f"the log function refused the entry ({answer.get('error', 'no reason')})")


def _text(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValueError(f"{name}: text of at most {MAX_TEXT} characters")
    return value


def _number(fields: Mapping[str, Any], name: str) -> int:
    value = fields.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name}: a whole number")
    return value
