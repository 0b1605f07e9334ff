"""What the back office's OpenID Connect sign-in (oidc.py) is configured with, and where that comes from.

The environment: HELPT_OIDC_ISSUER (none: no sign-in with a provider), HELPT_OIDC_CLIENT_ID,
HELPT_OIDC_CLIENT_SECRET, HELPT_OIDC_REDIRECT_URI (`https://<site>/staff/auth/callback`) and HELPT_STATE_SECRET
(32 characters or more). On AWS, HELPT_OIDC_SECRET_ID names a Secrets Manager secret whose JSON fills in those
of `client_id`, `client_secret`, `redirect_uri` and `state_secret` the environment leaves out: CloudFormation
can only write the client's id and secret once the client and the distribution exist, and those need the
function first (template.yaml). It is read at the first sign-in, not at a cold start.

Optional: HELPT_OIDC_SCOPE ("openid email"), HELPT_OIDC_EMAIL_CLAIM ("email"), HELPT_OIDC_VERIFIED_CLAIM
("email_verified": the claim that must be true), HELPT_OIDC_IDENTITY_PROVIDER (Cognito's `identity_provider`
parameter: straight to the city's own provider, without Cognito's page in between).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MIN_STATE_SECRET = 32
ENVIRONMENT = {
    "issuer": "HELPT_OIDC_ISSUER",
    "client_id": "HELPT_OIDC_CLIENT_ID",
    "client_secret": "HELPT_OIDC_CLIENT_SECRET",
    "redirect_uri": "HELPT_OIDC_REDIRECT_URI",
    "state_secret": "HELPT_STATE_SECRET",
}
STORED = ("client_id", "client_secret", "redirect_uri", "state_secret")  # what HELPT_OIDC_SECRET_ID may hold


class OidcError(RuntimeError):
    """The configuration or the provider's metadata cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    state_secret: str = field(repr=False)
    scope: str = "openid email"
    email_claim: str = "email"
    verified_claim: str = "email_verified"
    extra_parameters: tuple[tuple[str, str], ...] = ()  # added to the authorization request

    def __post_init__(self) -> None:
        from authlib.common.security import is_secure_transport  # https, or http on a loopback address only

        for name in ("issuer", "redirect_uri"):
            if not is_secure_transport(getattr(self, name)):
                raise OidcError(f"{ENVIRONMENT[name]} must be an https address (http only on 127.0.0.1 or localhost)")
        if len(self.state_secret) < MIN_STATE_SECRET:
            raise OidcError(f"HELPT_STATE_SECRET must be at least {MIN_STATE_SECRET} random characters")
        if "openid" not in self.scope.split():
            raise OidcError("HELPT_OIDC_SCOPE must include openid")


def settings_from_environment(environ: Mapping[str, str]) -> OidcSettings | Callable[[], OidcSettings] | None:
    """The settings, or (with HELPT_OIDC_SECRET_ID) a function that reads them at the first sign-in; None
    without an issuer. Raises OidcError for settings that are missing or unusable."""
    if not environ.get("HELPT_OIDC_ISSUER"):
        return None
    secret_id = environ.get("HELPT_OIDC_SECRET_ID", "")

    def settings() -> OidcSettings:
        values = {name: environ.get(variable, "") for name, variable in ENVIRONMENT.items()}
        if secret_id:
            stored = _stored_settings(secret_id, environ)
            values |= {name: values[name] or str(stored.get(name, "")) for name in STORED}
        missing = [ENVIRONMENT[name] for name, value in values.items() if not value]
        if missing:
            raise OidcError(f"sign-in with the city's provider needs {', '.join(missing)} (docs/DEPLOY.md)")
        identity_provider = environ.get("HELPT_OIDC_IDENTITY_PROVIDER", "")
        return OidcSettings(
            **values,
            scope=environ.get("HELPT_OIDC_SCOPE", "openid email"),
            email_claim=environ.get("HELPT_OIDC_EMAIL_CLAIM", "email"),
            verified_claim=environ.get("HELPT_OIDC_VERIFIED_CLAIM", "email_verified"),
            extra_parameters=(("identity_provider", identity_provider),) if identity_provider else (),
        )

    return settings if secret_id else settings()


def _stored_settings(secret_id: str, environ: Mapping[str, str]) -> dict[str, Any]:
    import boto3  # the Lambda runtime's; only where the settings are stored in Secrets Manager

    client = boto3.client("secretsmanager", region_name=environ.get("AWS_REGION", "eu-west-1"))
    try:
        stored = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    except ValueError:
        raise OidcError(f"Secrets Manager secret {secret_id} is not a JSON object") from None
    if not isinstance(stored, dict):
        raise OidcError(f"Secrets Manager secret {secret_id} is not a JSON object")
    return stored
