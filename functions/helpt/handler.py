"""The Lambda entry point: API Gateway HTTP API (payload 2.0) events to the form handler."""

from __future__ import annotations

import functools
import logging
from typing import Any

from helpt.app import intake_from_environment
from helpt.intake import Intake

logging.getLogger("helpt").setLevel(logging.INFO)


@functools.cache
def _intake() -> Intake:
    return intake_from_environment()


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return _intake().handle(event)
