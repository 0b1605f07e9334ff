"""Signing staff in with the city's identity provider: OpenID Connect's authorization code flow with PKCE.

`start` sends the browser to the provider with a fresh `state`, `nonce` and PKCE challenge (S256). What the
callback needs to check the answer (those three secrets and where to go next) travels in the state cookie,
encrypted and authenticated (JWE, `dir` + A256GCM, with a key derived from HELPT_STATE_SECRET) and valid for
ten minutes: the browser can neither read it nor forge it, and nothing is written to the store before
someone has signed in. `finish` checks the state, redeems the code at the token endpoint with the client
secret and the PKCE verifier, and verifies the ID token with joserfc (Authlib's JOSE library): the
signature against the provider's JWKS, then iss, aud, exp and the nonce. It returns the e-mail address only
if the provider marks it verified; the back office then looks up the account by that name.

Authlib, requests and cryptography are imported inside the methods: they take about half a second to import,
and a cold start that serves a page other than the sign-in should not pay for them.

Configuration: oidc_settings.py (the environment, and on AWS a Secrets Manager secret).
"""

from __future__ import annotations

import functools
import hmac
import logging
import os
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from helpt.http_api import Request
from helpt.staff.web.oidc_settings import OidcError, OidcSettings, settings_from_environment

__all__ = ["Oidc", "OidcError", "OidcSettings", "PendingSignIn", "oidc_from_environment"]

logger = logging.getLogger("helpt.staff.web.oidc")

STATE_SECONDS = 600  # to sign in at the provider (the back office's own state cookie lives as long)
METADATA_SECONDS = 3600  # discovery and keys are fetched again after an hour, or at once for an unknown key id
HTTP_TIMEOUT_SECONDS = 5  # each call to the provider; the function's own time-out is longer
ID_TOKEN_LEEWAY_SECONDS = 60  # the provider's clock and Lambda's differ a little
MAX_NEXT_PATH = 512  # a cookie holds about 4 KB: a longer path is dropped, not the sign-in
STATE_ALGORITHMS = ["dir", "A256GCM"]
# Asymmetric signatures only: never `none`, never HS256 (whose key would be the client secret itself).
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


@dataclass(frozen=True)
class PendingSignIn:
    """What the state cookie holds between `start` and `finish`."""

    state: str
    nonce: str
    verifier: str
    next_path: str


class Oidc:
    """One provider and client; one instance per process, so discovery and keys are fetched once an hour."""

    def __init__(self, settings: OidcSettings | Callable[[], OidcSettings], *, clock: Callable[[], float] = time.time):
        self._settings = settings
        self._clock = clock
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._key_set: dict[str, Any] | None = None

    @functools.cached_property
    def settings(self) -> OidcSettings:
        return self._settings if isinstance(self._settings, OidcSettings) else self._settings()

    def start(self, request: Request, next_path: str) -> tuple[str, str]:
        """The provider's authorization URL, and the state cookie's value. Raises OidcError if the provider's
        metadata cannot be had (the back office then shows its problem page)."""
        pending = PendingSignIn(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(64),  # 86 characters; RFC 7636 asks 43 to 128
            next_path=next_path if len(next_path) <= MAX_NEXT_PATH else "/staff/",
        )
        metadata = self._provider()
        with self._client(metadata) as client:
            url, _state = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=pending.state,
                code_verifier=pending.verifier,
                nonce=pending.nonce,
                **dict(self.settings.extra_parameters),
            )
        return url, self._seal(pending)

    def finish(self, request: Request, state_cookie_value: str) -> str | None:
        """The verified e-mail address from the provider's callback request, or None (the reason is logged,
        never the address)."""
        pending = self.pending(state_cookie_value)
        if pending is None:
            return _refused("the state cookie is missing, altered or expired")
        if request.query_value("error"):
            return _refused(f"the provider answered {request.query_value('error')[:40]!r}")
        if not hmac.compare_digest(request.query_value("state").encode(), pending.state.encode()):
            return _refused("the state differs from the state cookie's")
        # RFC 9207: a provider that names itself in the callback must be the one this sign-in went to.
        if request.query.get("iss") and request.query_value("iss") != self.settings.issuer:
            return _refused("the callback comes from another issuer")
        code = request.query_value("code")
        if not code:
            return _refused("the callback has no code")
        from authlib.integrations.base_client import OAuthError
        from requests import RequestException

        try:
            metadata = self._provider()
            with self._client(metadata) as client:
                tokens = client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.verifier,
                )
            id_token = tokens.get("id_token")
            if not isinstance(id_token, str):
                return _refused("the token endpoint sent no ID token (is the openid scope allowed?)")
            return self.verified_email(id_token, nonce=pending.nonce, access_token=tokens.get("access_token"))
        except OAuthError as error:  # e.g. invalid_grant: a code used before, or issued to another client
            return _refused(f"the token endpoint refused the code ({error.error})")
        except (RequestException, OidcError) as error:
            logger.warning("oidc: the provider could not be reached (%s)", type(error).__name__)
            return None

    def verified_email(self, id_token: str, *, nonce: str, access_token: str | None = None) -> str | None:
        """The e-mail address in an ID token this client asked for, if the token is valid and the provider marks
        the address verified; else None."""
        from authlib.oidc.core import CodeIDToken
        from joserfc import jwt
        from joserfc.errors import InvalidKeyIdError, JoseError
        from joserfc.jwk import KeySet
        from joserfc.jws import JWSRegistry

        settings, metadata = self.settings, self._provider()
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]  # RS256: OIDC's default
        # Providers add header parameters of their own (x5t, ...): Authlib does not insist on a strict header.
        registry = JWSRegistry(algorithms=[a for a in offered if a in SIGNING_ALGORITHMS], strict_check_header=False)
        try:
            try:
                token = jwt.decode(id_token, KeySet.import_key_set(self._keys()), registry=registry)
            except InvalidKeyIdError:  # the provider rotated its keys since they were fetched
                token = jwt.decode(id_token, KeySet.import_key_set(self._keys(refresh=True)), registry=registry)
            claims = CodeIDToken(
                token.claims,
                token.header,
                {
                    "iss": {"essential": True, "value": settings.issuer},
                    "aud": {"essential": True, "value": settings.client_id},
                    "exp": {"essential": True},
                },
                {"nonce": nonce, "client_id": settings.client_id, "access_token": access_token},
            )
            claims.validate(now=int(self._clock()), leeway=ID_TOKEN_LEEWAY_SECONDS)
        except (JoseError, ValueError) as error:
            reason = getattr(error, "description", "") or getattr(error, "error", "") or type(error).__name__
            return _refused(f"the ID token is not valid ({reason})")  # e.g. "Invalid claim: 'aud'"
        email, verified = claims.get(settings.email_claim), claims.get(settings.verified_claim)
        if not isinstance(email, str) or "@" not in email:
            return _refused(f"the ID token has no address in {settings.email_claim!r}")
        if verified is not True and str(verified).lower() != "true":  # Cognito's federated users: "true"
            return _refused(f"the provider does not mark the address verified ({settings.verified_claim!r})")
        return email

    def pending(self, state_cookie_value: str) -> PendingSignIn | None:
        """The sign-in a state cookie started, if this process's secret sealed it less than ten minutes ago."""
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwe import JWERegistry

        try:
            token = jwt.decode(state_cookie_value, self._state_key(), registry=JWERegistry(algorithms=STATE_ALGORITHMS))
            jwt.JWTClaimsRegistry(now=int(self._clock()), exp={"essential": True}).validate(token.claims)
        except (JoseError, ValueError, TypeError):
            return None
        values = [token.claims.get(name) for name in ("state", "nonce", "verifier", "next")]
        if not all(isinstance(value, str) and value for value in values):
            return None
        return PendingSignIn(*values)

    # The state cookie ---------------------------------------------------------------------------------------

    def _seal(self, pending: PendingSignIn) -> str:
        from joserfc import jwt
        from joserfc.jwe import JWERegistry

        now = int(self._clock())
        claims = {"state": pending.state, "nonce": pending.nonce, "verifier": pending.verifier,
                  "next": pending.next_path, "iat": now, "exp": now + STATE_SECONDS}  # fmt: skip
        header = {"alg": "dir", "enc": "A256GCM"}
        return jwt.encode(header, claims, self._state_key(), registry=JWERegistry(algorithms=STATE_ALGORITHMS))

    @functools.cached_property
    def _state_key_bytes(self) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        # A key of its own, derived from the secret: the secret could one day serve something else too.
        kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"helpt staff sign-in state cookie")
        return kdf.derive(self.settings.state_secret.encode("utf-8"))

    def _state_key(self) -> Any:
        from joserfc.jwk import OctKey

        return OctKey.import_key(self._state_key_bytes)

    # The provider -------------------------------------------------------------------------------------------

    def _client(self, metadata: Mapping[str, Any]) -> Any:
        from authlib.integrations.requests_client import OAuth2Session

        settings = self.settings
        # client_secret_basic is OIDC's default; a provider that lists only client_secret_post gets that.
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
        return OAuth2Session(
            settings.client_id,
            settings.client_secret,
            token_endpoint_auth_method=method,
            scope=settings.scope,
            redirect_uri=settings.redirect_uri,
            code_challenge_method="S256",
            default_timeout=HTTP_TIMEOUT_SECONDS,
        )

    def _provider(self) -> dict[str, Any]:
        """The provider's discovery document (OpenID Connect Discovery 1.0), fetched once an hour."""
        if self._metadata is not None and self._clock() - self._metadata_at < METADATA_SECONDS:
            return self._metadata
        from authlib.oidc.discovery import OpenIDProviderMetadata

        issuer = self.settings.issuer
        document = OpenIDProviderMetadata(_get_json(issuer.rstrip("/") + "/.well-known/openid-configuration"))
        # Discovery 4.3: the document must name the issuer it was fetched for, exactly.
        if document.get("issuer") != issuer:
            raise OidcError(f"the provider's discovery document names issuer {document.get('issuer')!r}, not {issuer}")
        try:
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                getattr(document, f"validate_{name}")()  # present, and https (or loopback http)
        except ValueError as error:
            raise OidcError(f"the provider's discovery document: {error}") from None
        self._metadata, self._metadata_at, self._key_set = dict(document), self._clock(), None
        return self._metadata

    def _keys(self, *, refresh: bool = False) -> dict[str, Any]:
        if self._key_set is None or refresh:
            self._key_set = _get_json(self._provider()["jwks_uri"])
        return self._key_set


def _get_json(url: str) -> dict[str, Any]:
    import requests

    try:
        answer = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS, headers={"Accept": "application/json"})
        answer.raise_for_status()
        document = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise OidcError(f"{url}: {type(error).__name__}") from None
    if not isinstance(document, dict):
        raise OidcError(f"{url}: not a JSON object")
    return document


def _refused(reason: str) -> None:
    # Why a sign-in failed helps city IT find a misconfiguration; who tried it stays out of the log.
    logger.info("oidc: sign-in refused: %s", reason)
    return None


def oidc_from_environment(
    environ: Mapping[str, str] = os.environ, *, clock: Callable[[], float] = time.time
) -> Oidc | None:
    """The provider sign-in the environment configures (oidc_settings.py), or None without an issuer.

    Raises OidcError for settings that are missing or unusable (at once, or at the first sign-in when they come
    from Secrets Manager).
    """
    settings = settings_from_environment(environ)
    return None if settings is None else Oidc(settings, clock=clock)
