"""Logs staff cannot touch (B3, S4): from a staff machine, export-log and audit entries go through the back office
function (helpt.stores.log_function), whose own role adds each with a fresh key and a conditional put; the staff's
credentials may not write those keys at all (tests/test_deploy_template.py checks the policy).

The back office's real Lambda handler runs here against moto in server mode, found as on AWS through the
environment; only Lambda's own transport between the staff tool and the function is left out (an invocation is
a function call with the same JSON payload).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from dynamodb_servers import DUMMY_CREDENTIALS, REGION

import helpt.staff.web.handler as staff_handler
from helpt.staff.context import open_store, store_choice
from helpt.stores import AuditEntry, LogEntry, StoreError
from helpt.stores.dynamodb import EXPORT_LOG_PREFIX, DynamoDBStore
from helpt.stores.log_function import REQUEST_KEY, request

pytest_plugins = ["dynamodb_servers"]
AT = dt.datetime(2020, 3, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def table(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> DynamoDBStore:
    """The table, and the function's environment as the template sets it (HELPT_STORE, HELPT_TABLE)."""
    name = f"helpt-{uuid.uuid4().hex[:12]}"
    for variable, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(variable.upper(), value)
    for variable, value in {"HELPT_STORE": "dynamodb", "HELPT_TABLE": name, "AWS_REGION": REGION,
                            "AWS_ENDPOINT_URL_DYNAMODB": moto_endpoint}.items():  # fmt: skip
        monkeypatch.setenv(variable, value)
    staff_handler._store.cache_clear()
    store = DynamoDBStore(name, region=REGION, endpoint_url=moto_endpoint)
    store.create_table()
    yield store
    staff_handler._store.cache_clear()


def invoke(payload: dict[str, Any]) -> dict[str, Any]:
    """What Lambda does with the staff tool's invocation: JSON in, the handler's answer as JSON out."""
    return json.loads(json.dumps(staff_handler.lambda_handler(json.loads(json.dumps(payload)), None)))


def test_a_staff_machine_adds_export_and_audit_entries_through_the_function(table: DynamoDBStore) -> None:
    choice = store_choice(sqlite=None, table=table.table_name, region=REGION, endpoint_url=None,
                          environ={"HELPT_LOG_FUNCTION": "leuven-helpt-StaffFunction-abc"})  # fmt: skip
    assert choice.log_function == "leuven-helpt-StaffFunction-abc" and callable(open_store(choice).log_via)
    staff = DynamoDBStore(table.table_name, region=REGION, client=table.client)
    staff.log_via = invoke
    entry = LogEntry(at=AT, who="ann", action="export", filter="form=help_request", rows=12)
    staff.log(entry)
    staff.log(entry)  # the same entry twice is two lines: a line is added, never written over
    staff.audit(AuditEntry(at=AT, who="ann", action="account", reference="", expires_at=2_000_000_000))
    assert list(table.log_entries()) == [entry, entry]
    assert [(e.who, e.action) for e in table.audit_entries(now=AT)] == [("ann", "account")]
    items = table.client.scan(TableName=table.table_name)["Items"]
    assert len({item["pk"]["S"] for item in items}) == 3, "each entry under a key of the function's own making"


def test_the_function_adds_only_the_fields_of_an_entry_and_refuses_anything_else(table: DynamoDBStore) -> None:
    asked = request(LogEntry(at=AT, who="ann", action="export", filter="all", rows=1))
    asked[REQUEST_KEY]["pk"] = EXPORT_LOG_PREFIX + "2020-03-01T00:00:00.000000+00:00#older"
    assert invoke(asked) == {"added": True}
    (item,) = table.client.scan(TableName=table.table_name)["Items"]
    assert item["pk"]["S"] != asked[REQUEST_KEY]["pk"] and "older" not in json.dumps(item), "no key can be chosen"
    for wrong in (
        {"kind": "export"},
        {**asked[REQUEST_KEY], "rows": "12"},
        {**asked[REQUEST_KEY], "kind": "sub"},
        {**asked[REQUEST_KEY], "at": "2020-03-20T09:00:00"},
        {**asked[REQUEST_KEY], "who": "x" * 501},
    ):
        answer = invoke({REQUEST_KEY: wrong})
        assert answer["added"] is False and answer["error"], wrong  # fmt: skip
    assert len(table.client.scan(TableName=table.table_name)["Items"]) == 1
    staff = DynamoDBStore(table.table_name, region=REGION, client=table.client)
    staff.log_via = lambda payload: invoke({REQUEST_KEY: {**payload[REQUEST_KEY], "rows": -1}})
    with pytest.raises(StoreError, match="refused"):
        staff.log(LogEntry(at=AT, who="ann", action="export", filter="all", rows=1))
