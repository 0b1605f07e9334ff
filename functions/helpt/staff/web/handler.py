"""The back office's Lambda entry point: API Gateway HTTP API (payload 2.0) events under /staff/.

The same bundle as the form handler (helpt_site/lambda_bundle.py): city.toml in helpt/bundle/, the back
office's templates and catalogs beside its code. The store is DynamoDB (HELPT_STORE, HELPT_TABLE), the
sign-in Cognito or the city's own provider through it (helpt.staff.web.oidc, HELPT_OIDC_*), the messages
queued to SQS (HELPT_NOTIFY_QUEUE_URL) and their links signed with HELPT_LINK_SECRET. Always
`secure=True`: CloudFront serves /staff/* over HTTPS only, so the cookies are `__Host-` and Secure.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from helpt.app import store_from_environment
from helpt.edge import SECRET_VARIABLE as ORIGIN_SECRET_VARIABLE
from helpt.edge import from_the_edge, refusal
from helpt.notify.links import SECRET_VARIABLE, Links, secret_from_environment
from helpt.notify.queue import notifier_from_environment
from helpt.settings import load_city
from helpt.staff.vacancies import load_vacancies
from helpt.staff.web.app import BackOffice
from helpt.staff.web.oidc import oidc_from_environment
from helpt.stores import BackOfficeStore, log_function

logger = logging.getLogger("helpt.staff.web")
logging.getLogger("helpt").setLevel(logging.INFO)
BUNDLE = Path(__file__).resolve().parents[2] / "bundle"  # helpt/bundle/, written by the bundle build


def back_office_from_environment(environ: Mapping[str, str] = os.environ) -> BackOffice:
    """The back office as deployed: HELPT_BUNDLE_DIR (default helpt/bundle/) holds city.toml."""
    bundle = Path(environ.get("HELPT_BUNDLE_DIR", BUNDLE))
    city = load_city(Path(environ.get("HELPT_CITY", bundle / "city.toml")))
    # The DynamoDB store is both halves: submissions and the back office's accounts, sessions and audit log.
    store = cast(BackOfficeStore, store_from_environment(environ))
    oidc = oidc_from_environment(environ)
    # With the city's sign-in (Cognito with MFA, or the city's own provider) that is the only way in; local
    # passwords only where there is none, or where city IT turned them on knowingly (HELPT_STAFF_PASSWORDS=on).
    passwords = oidc is None or environ.get("HELPT_STAFF_PASSWORDS") == "on"
    return BackOffice(
        city, store, secure=True, oidc=oidc, passwords=passwords, theme_translations=bundle / "translations",
        vacancies=load_vacancies(bundle / "site.json"), notifier=notifier_from_environment(environ, store),
        links=Links(link_secret(environ), city.site_url),
    )  # fmt: skip


def link_secret(environ: Mapping[str, str]) -> bytes:
    """HELPT_LINK_SECRET: the form handler signs the links in its messages with it, and this function checks
    them. Without it each instance would draw its own secret, and a link would work only where it was made:
    that is said in the log, once per instance, rather than failing the whole back office."""
    if not environ.get(SECRET_VARIABLE):
        logger.warning("no %s: the links in messages will not work across instances", SECRET_VARIABLE)
    return secret_from_environment(environ)


@functools.cache
def _back_office() -> BackOffice:
    return back_office_from_environment()


@functools.cache
def _store() -> BackOfficeStore:
    return cast(BackOfficeStore, store_from_environment(os.environ))


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    # Invoked directly by the staff tool (only IAM principals may): one export-log or audit entry to add.
    if log_function.is_request(event):
        return log_function.add_requested(_store(), event)
    if not from_the_edge(event, os.environ.get(ORIGIN_SECRET_VARIABLE, "")):
        return refusal()
    return _back_office().handle(event)
