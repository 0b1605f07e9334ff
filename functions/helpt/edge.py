"""What the functions know of the edge in front of them: CloudFront is the only way in.

The HTTP API also has its own address (`<id>.execute-api.<region>.amazonaws.com`), which would answer without
CloudFront's security headers, its error pages or AWS WAF. CloudFront adds a header with a secret to every
request it sends on (template.yaml, `OriginSecret`); a request without it did not come through the city's
distribution and is refused before anything else is done (a few microseconds: a flood at the API's own address
holds no function for longer than that). Without `HELPT_ORIGIN_SECRET` (the local preview, the tests) every
request is let in.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

SECRET_VARIABLE = "HELPT_ORIGIN_SECRET"
# CloudFront sends it to the origin; API Gateway hands it to the function in lower case.
HEADER = "x-helpt-origin"


def from_the_edge(event: Mapping[str, Any], secret: str) -> bool:
    """Whether a payload 2.0 event came through the distribution: it carries the origin secret (compared in
    constant time, so that timing tells nothing of it). An empty `secret`: no check."""
    if not secret:
        return True
    headers = event.get("headers") or {}
    sent = next((str(value) for name, value in headers.items() if str(name).lower() == HEADER), "")
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), secret.encode("utf-8"))


def refusal() -> dict[str, Any]:
    """The answer to a request that went round CloudFront: nothing of the site, and the headers CloudFront would
    have added, since no CloudFront adds them here."""
    return {
        "statusCode": 403,
        "headers": {
            "content-type": "text/plain; charset=utf-8",
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
            "strict-transport-security": "max-age=63072000; includeSubDomains",
            "referrer-policy": "no-referrer",
        },
        "body": "Use the site's own address.\n",
        "isBase64Encoded": False,
    }
