"""API Gateway HTTP API (payload format 2.0) events in, responses out.

HTTP API delivers form bodies base64-encoded (`isBase64Encoded: true`); both shapes are read here, so the
rest of the handler sees one plain request.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

FORM_URLENCODED = "application/x-www-form-urlencoded"
JSON = "application/json"
MAX_FIELDS = 100  # far more than any form has: a body with more is not one of ours


class BadRequest(ValueError):
    """The body cannot be read as a form (not UTF-8, not JSON of strings, too many fields or values, nested
    too deep, a lone surrogate)."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    client: str = ""  # the address the request came from (API Gateway's sourceIp)

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def wants_json(self) -> bool:
        """A script posting JSON that does not ask for HTML gets JSON back; browsers always get pages."""
        return self.media_type == JSON and "text/html" not in self.headers.get("accept", "")

    def query_value(self, name: str) -> str:
        return (self.query.get(name) or [""])[0]


def request_from_event(event: dict[str, Any]) -> Request:
    http = event.get("requestContext", {}).get("http", {})
    raw_body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw_body, validate=True)
        except (binascii.Error, ValueError):
            body = b"\xff"  # undecodable: parse_form reports it as a bad request
    else:
        body = raw_body.encode("utf-8", "surrogatepass")
    return Request(
        method=str(http.get("method", "GET")).upper(),
        path=event.get("rawPath") or http.get("path") or "/",
        query=parse_qs(event.get("rawQueryString") or "", keep_blank_values=True),
        headers={str(name).lower(): str(value) for name, value in (event.get("headers") or {}).items()},
        body=body,
        client=str(http.get("sourceIp", "")),
    )


def parse_form(request: Request) -> dict[str, list[str]]:
    """The body's fields as lists of strings, from a urlencoded or a JSON body. Raises BadRequest."""
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8") from None
    if request.media_type == JSON:
        return _json_fields(text)
    try:
        # Strict: a percent-encoded lone surrogate (%ED%A0%80) is not UTF-8 either, and is refused here.
        return parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("body is not a readable form") from None


class _NotText:
    """What a JSON number or constant is read as: no form field holds one, and converting it first would
    let a 5,000-digit number raise (Python's limit on digits) or a long one cost time."""


_NOT_TEXT = _NotText()


def _not_text(_literal: str) -> _NotText:
    return _NOT_TEXT


def _json_fields(text: str) -> dict[str, list[str]]:
    try:
        data = json.loads(text, parse_int=_not_text, parse_float=_not_text, parse_constant=_not_text) if text else {}
    except RecursionError:  # nesting deeper than the interpreter's limit: a few kB of "[" do it
        raise BadRequest("JSON body is nested too deep") from None
    except ValueError:
        raise BadRequest("body is not JSON") from None
    if not isinstance(data, dict) or len(data) > MAX_FIELDS:
        raise BadRequest("JSON body is not an object of fields")
    fields: dict[str, list[str]] = {}
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in values):
            raise BadRequest("JSON field values must be strings")
        fields[name] = values
    if sum(len(values) for values in fields.values()) > MAX_FIELDS:
        raise BadRequest("JSON body has more values than any form")
    # JSON's \ud800 escapes give lone surrogates, which UTF-8 cannot hold: no store, page or log could take them.
    if not all(is_unicode(name) and all(is_unicode(item) for item in values) for name, values in fields.items()):
        raise BadRequest("JSON body holds a lone surrogate")
    return fields


def is_unicode(text: str) -> bool:
    """Whether `text` can be stored and shown: no lone surrogates, which UTF-8 cannot hold.

    >>> is_unicode("Zoë"), is_unicode("Zo\\ud800")
    (True, False)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def response(status: int, body: str, *, content_type: str = "text/html; charset=utf-8", **headers: str) -> dict:
    """A payload 2.0 response; answers are never cached, as they may hold what someone typed."""
    return {
        "statusCode": status,
        "headers": {
            "content-type": content_type,
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
            **{name.replace("_", "-"): value for name, value in headers.items()},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def json_response(status: int, data: dict[str, Any], **headers: str) -> dict:
    return response(status, json.dumps(data, ensure_ascii=False), content_type="application/json", **headers)
