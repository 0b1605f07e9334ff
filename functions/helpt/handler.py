"""The Lambda entry point: API Gateway HTTP API (payload 2.0) events to the form handler."""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

from helpt.app import intake_from_environment
from helpt.edge import SECRET_VARIABLE, from_the_edge, refusal
from helpt.intake import Intake

logging.getLogger("helpt").setLevel(logging.INFO)


@functools.cache
def _intake() -> Intake:
    return intake_from_environment()


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    # Before the handler is even built: a request round CloudFront costs no cold start (helpt.edge).
    if not from_the_edge(event, os.environ.get(SECRET_VARIABLE, "")):
        return refusal()
    return _intake().handle(event)
