"""The verified-volunteer half of the DynamoDB store: two items per verified volunteer.

`DynamoDBStore` (helpt.stores.dynamodb) inherits it. Neither item has a `form`, so neither is in the
`form-created` index and no read of submissions meets one:

- `VERIFY#<volunteer reference>`: the whole verification (how, by whom, when, withdrawn or not, the code),
  for the back office.
- `CARDCODE#<code>`: only what a check may tell (first name, neighbourhood, `expires_at`). The public check
  reads this one item by its key and nothing else (the form function's role may read no other prefix);
  withdrawing a verification deletes it, so a withdrawn code is as unknown as one never issued.

Both carry the volunteer record's `expires_at` (the table's TTL) and go with it on erasure.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from helpt.stores import ReferenceTaken
from helpt.verification import CardCheck, Verification

VERIFY_PREFIX = "VERIFY#"
CARD_CODE_PREFIX = "CARDCODE#"

Item = dict[str, Any]


def _s(text: str) -> Item:
    return {"S": text}


def _n(number: int) -> Item:
    return {"N": str(int(number))}


def _time(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class DynamoDBVerify:
    """The verification methods of `DynamoDBStore`, which provides the client and the table."""

    if TYPE_CHECKING:
        client: Any
        table_name: str

    def put_verification(self, verification: Verification) -> None:
        """Keep a volunteer's verification, replacing an earlier one (whose code then checks no more).
        ReferenceTaken if the code is another volunteer's (the caller draws a new one)."""
        v = verification
        card_item = {"pk": _s(CARD_CODE_PREFIX + v.code), "first_name": _s(v.first_name),
                     dynamodb.TTL_ATTRIBUTE: _n(v.expires_at)}  # fmt: skip
        if v.neighbourhood:
            card_item["neighbourhood"] = _s(v.neighbourhood)
        try:
            if v.withdrawn_at is None:
                self.client.put_item(
                    TableName=self.table_name, Item=card_item, ConditionExpression="attribute_not_exists(pk)"
                )
            earlier = self.client.get_item(
                TableName=self.table_name, Key={"pk": _s(VERIFY_PREFIX + v.reference)}, ConsistentRead=True
            ).get("Item")
            self.client.put_item(TableName=self.table_name, Item=_verify_item(v))
            if earlier and earlier["code"]["S"] != v.code:
                self.client.delete_item(
                    TableName=self.table_name, Key={"pk": _s(CARD_CODE_PREFIX + earlier["code"]["S"])}
                )
        except ClientError as error:
            if dynamodb._code(error) == "ConditionalCheckFailedException":
                raise ReferenceTaken("check code in use") from None
            raise dynamodb._store_error("put_verification", error) from None
        except BotoCoreError as error:
            raise dynamodb._store_error("put_verification", error) from None

    def verification(self, reference: str, *, now: dt.datetime | None = None) -> Verification | None:
        """The volunteer's verification, withdrawn or not; None when there is none or it has expired."""
        with dynamodb._errors("verification"):
            item = self.client.get_item(
                TableName=self.table_name, Key={"pk": _s(VERIFY_PREFIX + reference)}, ConsistentRead=True
            ).get("Item")
        moment = (now or dt.datetime.now(dt.UTC)).timestamp()
        if item is None or int(item[dynamodb.TTL_ATTRIBUTE]["N"]) <= moment:  # TTL deletes lazily
            return None
        text = {name: value.get("S", "") for name, value in item.items()}
        text.setdefault("neighbourhood", "")
        withdrawn = text.get("withdrawn_at", "")
        return Verification(
            reference=reference, code=text["code"], first_name=text["first_name"], neighbourhood=text["neighbourhood"],
            kinds=tuple((item.get("kinds", {}).get("L") and [kind["S"] for kind in item["kinds"]["L"]]) or ()),
            method=text["method"], checked_by=text["checked_by"], checked_on=dt.date.fromisoformat(text["checked_on"]),
            verified_by=text["verified_by"], verified_at=dt.datetime.fromisoformat(text["verified_at"]),
            expires_at=int(item[dynamodb.TTL_ATTRIBUTE]["N"]),
            withdrawn_at=dt.datetime.fromisoformat(withdrawn) if withdrawn else None,
            withdrawn_by=text.get("withdrawn_by", ""), withdrawn_reason=text.get("withdrawn_reason", ""),
        )  # fmt: skip

    def withdraw_verification(self, reference: str, *, at: dt.datetime, by: str, reason: str) -> bool:
        """Withdraw it: the card's code item is deleted. False when there is no verification in force."""
        try:
            updated = self.client.update_item(
                TableName=self.table_name,
                Key={"pk": _s(VERIFY_PREFIX + reference)},
                UpdateExpression="SET withdrawn_at = :at, withdrawn_by = :by, withdrawn_reason = :reason",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(withdrawn_at) AND #expires > :now",
                ExpressionAttributeNames={"#expires": dynamodb.TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":at": _s(_time(at)),
                    ":by": _s(by),
                    ":reason": _s(reason),
                    ":now": _n(int(at.timestamp())),
                },
                ReturnValues="ALL_NEW",
            )
            code = updated["Attributes"]["code"]["S"]
            self.client.delete_item(TableName=self.table_name, Key={"pk": _s(CARD_CODE_PREFIX + code)})
        except ClientError as error:
            if dynamodb._code(error) == "ConditionalCheckFailedException":
                return False
            raise dynamodb._store_error("withdraw_verification", error) from None
        except BotoCoreError as error:
            raise dynamodb._store_error("withdraw_verification", error) from None
        return True

    def card_check(self, code: str, *, now: dt.datetime | None = None) -> CardCheck | None:
        """What a card with this code may tell, if its verification holds; None for any other code."""
        with dynamodb._errors("card_check"):
            item = self.client.get_item(
                TableName=self.table_name, Key={"pk": _s(CARD_CODE_PREFIX + code)}, ConsistentRead=True
            ).get("Item")
        moment = (now or dt.datetime.now(dt.UTC)).timestamp()
        if item is None or int(item[dynamodb.TTL_ATTRIBUTE]["N"]) <= moment:
            return None
        neighbourhood = item.get("neighbourhood", {}).get("S", "")
        return CardCheck(item["first_name"]["S"], neighbourhood, int(item[dynamodb.TTL_ATTRIBUTE]["N"]))

    def _erase_verification(self, reference: str) -> None:
        """Delete the volunteer's verification and its code (part of erasing the volunteer)."""
        with dynamodb._errors("erase"):
            old = self.client.delete_item(
                TableName=self.table_name, Key={"pk": _s(VERIFY_PREFIX + reference)}, ReturnValues="ALL_OLD"
            ).get("Attributes")
            if old:
                self.client.delete_item(TableName=self.table_name, Key={"pk": _s(CARD_CODE_PREFIX + old["code"]["S"])})


def _verify_item(v: Verification) -> Item:
    item = {
        "pk": _s(VERIFY_PREFIX + v.reference), "code": _s(v.code), "first_name": _s(v.first_name),
        "neighbourhood": _s(v.neighbourhood), "method": _s(v.method), "checked_by": _s(v.checked_by),
        "checked_on": _s(v.checked_on.isoformat()), "verified_by": _s(v.verified_by),
        "verified_at": _s(_time(v.verified_at)), dynamodb.TTL_ATTRIBUTE: _n(v.expires_at),
        "withdrawn_at": _s(_time(v.withdrawn_at)), "withdrawn_by": _s(v.withdrawn_by),
        "withdrawn_reason": _s(v.withdrawn_reason),
    }  # fmt: skip
    # Some DynamoDB-compatible servers refuse empty strings: an attribute without a value is left out.
    item = {name: value for name, value in item.items() if value != {"S": ""}}
    if v.kinds:
        item["kinds"] = {"L": [_s(kind) for kind in v.kinds]}
    return item


# Imported last, as a module, for the reason dynamodb_backoffice gives: dynamodb.py imports this one.
from helpt.stores import dynamodb  # noqa: E402
