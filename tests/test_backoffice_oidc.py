"""Signing staff in with an OpenID provider (helpt.staff.web.oidc), against a real one over real HTTP.

The provider is panva's oidc-provider (tests/oidc_support.py): two registered clients, the back office's and
another application's, and PKCE (S256) required of every authorization request, so a sign-in that works
proves the challenge was sent. Its development login form takes any name and password: the tests fill it in
with plain HTTP, as a browser would, and stop where the provider sends the browser back to the back office's
callback. That callback, as a payload 2.0 event, is what `finish` receives. Each refusal is followed by the
same sign-in accepted, so it was refused for that one reason.

Without Node.js or `npm ci` the tests are skipped on a developer's machine, and fail in CI (CI=true).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from dataclasses import replace
from urllib.parse import parse_qs, urljoin, urlsplit

import boto3
import pytest
import requests
from bs4 import BeautifulSoup
from oidc_support import OURS, REDIRECT_URI, STATE_SECRET, THEIRS, Provider, callback_event, sign_in_at_provider

from helpt.http_api import Request, request_from_event
from helpt.staff.web.oidc import STATE_SECONDS, Oidc, OidcError, oidc_from_environment

pytest_plugins = ["dynamodb_servers", "oidc_support"]


def start_request() -> Request:
    return request_from_event(callback_event("http://127.0.0.1:8000/staff/auth/start?next=/staff/"))


def with_query(request: Request, **values: str) -> Request:
    return replace(request, query={**request.query, **{name: [value] for name, value in values.items()}})


def token_response(oidc_provider: Provider, client: dict[str, str], oidc: Oidc, cookie: str, callback: Request) -> dict:
    """Redeem a callback's code by hand, for the raw ID token (what `finish` does inside)."""
    pending = oidc.pending(cookie)
    assert pending is not None
    answer = requests.post(
        f"{oidc_provider.issuer}/token",
        auth=(client["client_id"], client["client_secret"]),
        data={"grant_type": "authorization_code", "code": callback.query_value("code"),
              "redirect_uri": client["redirect_uri"], "code_verifier": pending.verifier},
        timeout=5,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()


# The journey ------------------------------------------------------------------------------------------------


def test_start_sign_in_at_the_provider_and_finish_gives_the_verified_address(oidc_provider: Provider) -> None:
    oidc = Oidc(oidc_provider.settings())
    url, cookie = oidc.start(start_request(), "/staff/requests/H-ABCD-EFGH")

    query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(f"{oidc_provider.issuer}/auth?")
    assert query["response_type"] == "code" and query["client_id"] == "helpt-staff"
    assert query["redirect_uri"] == REDIRECT_URI and query["scope"] == "openid email"
    pending = oidc.pending(cookie)
    assert pending is not None and pending.next_path == "/staff/requests/H-ABCD-EFGH"
    assert query["state"] == pending.state and query["nonce"] == pending.nonce
    challenge = base64.urlsafe_b64encode(hashlib.sha256(pending.verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge_method"] == "S256" and query["code_challenge"] == challenge
    # The browser holds the cookie but cannot read it: none of the three secrets is in it, even base64-decoded.
    header = json.loads(base64.urlsafe_b64decode(cookie.split(".")[0] + "=="))
    assert header["alg"] == "dir" and header["enc"] == "A256GCM"
    readable = b"".join(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in cookie.split("."))
    for secret in (pending.state, pending.nonce, pending.verifier):
        assert secret not in cookie and secret.encode() not in readable
    assert set(cookie) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."), "cookie-safe"

    callback = sign_in_at_provider(url, "maria")
    assert callback.path == "/staff/auth/callback" and callback.query_value("state") == pending.state
    assert oidc.finish(callback, cookie) == "Maria.Peeters@leuven.example"


def test_an_address_the_provider_does_not_mark_verified_is_refused(oidc_provider: Provider) -> None:
    oidc = Oidc(oidc_provider.settings())
    for login in ("unverified", "no-address"):
        url, cookie = oidc.start(start_request(), "/staff/")
        assert oidc.finish(sign_in_at_provider(url, login), cookie) is None, login


def test_a_configured_verified_claim_is_the_one_that_must_be_true(oidc_provider: Provider) -> None:
    """Where the provider names the check differently (a mapped claim on Cognito, Entra's xms_edov)."""
    oidc = Oidc(oidc_provider.settings(verified_claim="xms_edov"))
    url, cookie = oidc.start(start_request(), "/staff/")
    assert oidc.finish(sign_in_at_provider(url, "maria"), cookie) is None, "maria has email_verified, not xms_edov"


# What is refused, each with the same sign-in accepted afterwards: the refusal was for that reason alone ------


def test_an_altered_or_forged_state_cookie_is_refused(oidc_provider: Provider) -> None:
    oidc = Oidc(oidc_provider.settings())
    url, cookie = oidc.start(start_request(), "/staff/")
    callback = sign_in_at_provider(url, "maria")
    header, key, iv, ciphertext, tag = cookie.split(".")
    flipped = ciphertext[:5] + ("A" if ciphertext[5] != "A" else "B") + ciphertext[6:]
    assert oidc.finish(callback, ".".join([header, key, iv, flipped, tag])) is None
    assert oidc.finish(callback, ".".join([header, key, iv, ciphertext, tag[::-1]])) is None
    assert oidc.finish(callback, "") is None and oidc.finish(callback, "not-a-cookie") is None
    # The same sign-in sealed with another secret: what a visitor who does not know the secret could make.
    forger = Oidc(oidc_provider.settings(state_secret="another-secret-of-at-least-32-characters"))
    forged = forger._seal(oidc.pending(cookie))  # the very state, nonce and verifier, under another key
    assert oidc.finish(callback, forged) is None
    assert oidc.finish(callback, cookie) == "Maria.Peeters@leuven.example"


def test_a_callback_with_another_state_or_issuer_is_refused(oidc_provider: Provider) -> None:
    oidc = Oidc(oidc_provider.settings())
    url, cookie = oidc.start(start_request(), "/staff/")
    callback = sign_in_at_provider(url, "maria")
    assert callback.query_value("iss") == oidc_provider.issuer, "the provider names itself (RFC 9207)"
    assert oidc.finish(with_query(callback, state="another-state"), cookie) is None
    assert oidc.finish(with_query(callback, state=""), cookie) is None
    assert oidc.finish(with_query(callback, iss="https://evil.example"), cookie) is None
    assert oidc.finish(with_query(callback, code=""), cookie) is None
    assert oidc.finish(callback, cookie) == "Maria.Peeters@leuven.example"


def test_a_sign_in_cancelled_at_the_provider_is_refused(oidc_provider: Provider) -> None:
    oidc = Oidc(oidc_provider.settings())
    url, cookie = oidc.start(start_request(), "/staff/")
    browser = requests.Session()
    login_page = browser.get(url, timeout=5)
    cancel = BeautifulSoup(login_page.text, "html.parser").find("a", string="[ Cancel ]")["href"]
    back = browser.get(urljoin(login_page.url, cancel), allow_redirects=False, timeout=5)
    while not back.headers["location"].startswith(REDIRECT_URI):
        back = browser.get(urljoin(back.url, back.headers["location"]), allow_redirects=False, timeout=5)
    denied = request_from_event(callback_event(back.headers["location"]))
    assert denied.query_value("error") == "access_denied" and denied.query_value("state") == oidc.pending(cookie).state
    assert oidc.finish(denied, cookie) is None


def test_a_code_used_once_is_refused_the_second_time(oidc_provider: Provider) -> None:
    oidc = Oidc(oidc_provider.settings())
    url, cookie = oidc.start(start_request(), "/staff/")
    callback = sign_in_at_provider(url, "maria")
    assert oidc.finish(callback, cookie) == "Maria.Peeters@leuven.example"
    assert oidc.finish(callback, cookie) is None, "the provider answers invalid_grant to a replayed code"


def test_a_state_cookie_older_than_ten_minutes_is_refused(oidc_provider: Provider) -> None:
    oidc = Oidc(oidc_provider.settings())
    url, cookie = oidc.start(start_request(), "/staff/")
    callback = sign_in_at_provider(url, "maria")
    later = Oidc(oidc_provider.settings(), clock=lambda: time.time() + STATE_SECONDS + 1)
    assert later.pending(cookie) is None and later.finish(callback, cookie) is None
    assert oidc.finish(callback, cookie) == "Maria.Peeters@leuven.example"


def test_an_id_token_for_another_audience_or_nonce_or_altered_or_expired_is_refused(
    oidc_provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    """Real ID tokens from the provider's token endpoint, given to the verification `finish` uses."""
    caplog.set_level(logging.INFO, logger="helpt.staff.web.oidc")
    ours, theirs = Oidc(oidc_provider.settings()), Oidc(oidc_provider.settings(THEIRS))
    url, cookie = theirs.start(start_request(), "/staff/")
    callback = sign_in_at_provider(url, "maria", THEIRS["redirect_uri"])
    their_token, their_nonce = (
        token_response(oidc_provider, THEIRS, theirs, cookie, callback),
        theirs.pending(cookie).nonce,
    )
    assert theirs.verified_email(their_token["id_token"], nonce=their_nonce) == "Maria.Peeters@leuven.example"
    assert ours.verified_email(their_token["id_token"], nonce=their_nonce) is None
    assert "'aud'" in caplog.text, "refused for its audience: other-app"

    url, cookie = ours.start(start_request(), "/staff/")
    token = token_response(oidc_provider, OURS, ours, cookie, sign_in_at_provider(url, "maria"))["id_token"]
    nonce = ours.pending(cookie).nonce
    assert ours.verified_email(token, nonce=nonce) == "Maria.Peeters@leuven.example"
    assert ours.verified_email(token, nonce="another-nonce") is None
    assert "'nonce'" in caplog.text
    header, payload, signature = token.split(".")
    altered = json.loads(base64.urlsafe_b64decode(payload + "==")) | {"email": "director@leuven.example"}
    forged_payload = base64.urlsafe_b64encode(json.dumps(altered).encode()).rstrip(b"=").decode()
    assert ours.verified_email(f"{header}.{forged_payload}.{signature}", nonce=nonce) is None
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    assert ours.verified_email(f"{unsigned}.{payload}.", nonce=nonce) is None
    two_hours_later = Oidc(oidc_provider.settings(), clock=lambda: time.time() + 7200)
    assert two_hours_later.verified_email(token, nonce=nonce) is None, "the provider's ID tokens last an hour"


# Configuration ----------------------------------------------------------------------------------------------


def environment(oidc_provider: Provider, **changes: str) -> dict[str, str]:
    return {
        "HELPT_OIDC_ISSUER": oidc_provider.issuer,
        "HELPT_OIDC_CLIENT_ID": OURS["client_id"],
        "HELPT_OIDC_CLIENT_SECRET": OURS["client_secret"],
        "HELPT_OIDC_REDIRECT_URI": REDIRECT_URI,
        "HELPT_STATE_SECRET": STATE_SECRET,
    } | changes


def test_the_environment_configures_the_sign_in_or_says_what_is_missing(oidc_provider: Provider) -> None:
    assert oidc_from_environment({}) is None, "no issuer: no sign-in with a provider"
    oidc = oidc_from_environment(environment(oidc_provider))
    assert oidc is not None and oidc.settings == oidc_provider.settings()
    assert "back-office-secret" not in repr(oidc.settings) and STATE_SECRET not in repr(oidc.settings)
    with pytest.raises(OidcError, match="HELPT_OIDC_CLIENT_SECRET"):
        oidc_from_environment(environment(oidc_provider, HELPT_OIDC_CLIENT_SECRET=""))
    with pytest.raises(OidcError, match="HELPT_STATE_SECRET"):
        oidc_from_environment(environment(oidc_provider, HELPT_STATE_SECRET="too short"))
    with pytest.raises(OidcError, match="https"):
        oidc_from_environment(environment(oidc_provider, HELPT_OIDC_ISSUER="http://login.example.org"))
    cognito = oidc_from_environment(environment(oidc_provider, HELPT_OIDC_IDENTITY_PROVIDER="City"))
    url, _cookie = cognito.start(start_request(), "/staff/")
    assert parse_qs(urlsplit(url).query)["identity_provider"] == ["City"], "straight to the city's own provider"


def test_an_issuer_whose_discovery_names_another_issuer_is_refused(oidc_provider: Provider) -> None:
    oidc = Oidc(oidc_provider.settings(issuer=oidc_provider.issuer + "/"))
    with pytest.raises(OidcError, match="names issuer"):
        oidc.start(start_request(), "/staff/")


def test_on_aws_the_secrets_come_from_secrets_manager_at_the_first_sign_in(
    oidc_provider: Provider, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stack's secret holds the client's id and secret, the callback and the state secret (template.yaml);
    the function's environment only the issuer and the secret's name. moto serves Secrets Manager over HTTP."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto_endpoint, "AWS_CONFIG_FILE": "/nonexistent",
                        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    stored = {"client_id": OURS["client_id"], "client_secret": OURS["client_secret"], "redirect_uri": REDIRECT_URI,
              "state_secret": STATE_SECRET}  # fmt: skip
    name = f"helpt-tests/staff-sign-in-{time.time_ns()}"
    secrets = boto3.client("secretsmanager", region_name="eu-west-1")
    secrets.create_secret(Name=name, SecretString=json.dumps(stored))
    oidc = oidc_from_environment({"HELPT_OIDC_ISSUER": oidc_provider.issuer, "HELPT_OIDC_SECRET_ID": name,
                                  "AWS_REGION": "eu-west-1"})  # fmt: skip
    assert oidc is not None
    url, cookie = oidc.start(start_request(), "/staff/")
    assert oidc.finish(sign_in_at_provider(url, "maria"), cookie) == "Maria.Peeters@leuven.example"

    secrets.create_secret(Name=name + "-partial", SecretString=json.dumps({"client_id": OURS["client_id"]}))
    partial = oidc_from_environment(
        {"HELPT_OIDC_ISSUER": oidc_provider.issuer, "HELPT_OIDC_SECRET_ID": name + "-partial"}
    )
    with pytest.raises(OidcError, match="HELPT_OIDC_CLIENT_SECRET, HELPT_OIDC_REDIRECT_URI, HELPT_STATE_SECRET"):
        partial.start(start_request(), "/staff/")
