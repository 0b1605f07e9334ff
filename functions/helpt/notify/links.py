"""The links people click in a message: signed, so that nobody can make one up or change one.

Two kinds:
- an answer to a proposal ("Yes, I can" / "Not this time"): for one request, one volunteer, one answer, one
  proposal (the moment it was made), until it expires (ANSWER_DAYS, which the message says). It is single
  use: the answer is kept as an event on the volunteer's record, and a second click finds it there;
- an unsubscribe link for one address: no expiry (an old message must still let someone stop the mail).

A token is `base64url(payload JSON) "." base64url(HMAC-SHA256(secret, purpose "\\n" payload))`. The purpose is
in the signed text, so an unsubscribe token can never pass for an answer token or the other way round. The
secret comes from the environment (HELPT_LINK_SECRET, at least 32 characters) on AWS; on the preview a random
one is kept in data/link-secret. Tokens carry references and an address, never a name or an answer to a form.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SECRET_VARIABLE = "HELPT_LINK_SECRET"
SECRET_FILE = "link-secret"
MIN_SECRET_CHARACTERS = 32
ANSWER_DAYS = 3  # how long a volunteer can answer a proposal by its links; the message says so
ANSWERS = ("yes", "no")
ANSWER_PATH = "/staff/answer"
UNSUBSCRIBE_PATH = "/staff/unsubscribe"
CARD_PATH = "/staff/card"  # a volunteer's own personal card, once the city has verified them
MAX_TOKEN_CHARACTERS = 2000  # far above any real token: a longer one is refused unread
_ANSWER, _UNSUBSCRIBE, _CARD = "answer", "unsubscribe", "card"


class BadLink(ValueError):
    """A token that is not one of ours (changed, cut short, made up) or no longer valid: `reason` says which,
    "tampered" or "expired", for the page to say it in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AnswerLink:
    """What an answer token says: this volunteer, asked for this request at `proposed_at`, answers this."""

    request: str
    volunteer: str
    answer: str  # "yes" or "no"
    proposed_at: int  # Unix seconds of the proposal: a new proposal of the same pair has new links
    expires_at: int  # Unix seconds


class Links:
    """Makes and reads the signed links of one site (`site_url`, the city's address)."""

    def __init__(self, secret: bytes, site_url: str) -> None:
        if len(secret) < MIN_SECRET_CHARACTERS:
            raise ValueError(f"a link secret needs at least {MIN_SECRET_CHARACTERS} characters")
        self._secret, self.site_url = secret, site_url.rstrip("/")

    # Answers to a proposal -------------------------------------------------------------------------------

    def answer_token(self, request: str, volunteer: str, answer: str, proposed_at: dt.datetime) -> str:
        if answer not in ANSWERS:
            raise ValueError(f"an answer is one of {ANSWERS}")
        expires = proposed_at + dt.timedelta(days=ANSWER_DAYS)
        payload = {"r": request, "v": volunteer, "a": answer, "p": int(proposed_at.timestamp()),
                   "e": int(expires.timestamp())}  # fmt: skip
        return self._sign(_ANSWER, payload)

    def answer_urls(self, request: str, volunteer: str, proposed_at: dt.datetime, lang: str = "") -> tuple[str, str]:
        """The "yes" and the "no" link of one proposal, opening in the volunteer's language."""
        yes, no = (self.url(ANSWER_PATH, self.answer_token(request, volunteer, a, proposed_at), lang) for a in ANSWERS)
        return yes, no

    def read_answer(self, token: str, now: dt.datetime) -> AnswerLink:
        """The answer a token carries; BadLink("tampered") for one we did not sign, ("expired") past its time."""
        payload = self._verify(_ANSWER, token)
        try:
            link = AnswerLink(str(payload["r"]), str(payload["v"]), str(payload["a"]), int(payload["p"]),
                              int(payload["e"]))  # fmt: skip
        except (KeyError, TypeError, ValueError):
            raise BadLink("tampered") from None
        if link.answer not in ANSWERS:
            raise BadLink("tampered")
        if now.timestamp() >= link.expires_at:
            raise BadLink("expired")
        return link

    # Unsubscribing --------------------------------------------------------------------------------------

    def unsubscribe_token(self, address: str) -> str:
        return self._sign(_UNSUBSCRIBE, {"t": address.strip().lower()})

    def unsubscribe_url(self, address: str, lang: str = "") -> str:
        return self.url(UNSUBSCRIBE_PATH, self.unsubscribe_token(address), lang)

    def read_unsubscribe(self, token: str) -> str:
        """The address a token is for; BadLink("tampered") for one we did not sign."""
        address = self._verify(_UNSUBSCRIBE, token).get("t")
        if not isinstance(address, str) or not address:
            raise BadLink("tampered")
        return address

    # A volunteer's personal card ---------------------------------------------------------------------------

    def card_url(self, volunteer: str, lang: str = "") -> str:
        """The link in the welcome message: the volunteer's personal card, once verified. It holds as long as
        the record (the card page reads the record and its verification, which expire with it)."""
        return self.url(CARD_PATH, self._sign(_CARD, {"v": volunteer}), lang)

    def read_card(self, token: str) -> str:
        """The volunteer reference a card link is for; BadLink("tampered") for one we did not sign."""
        volunteer = self._verify(_CARD, token).get("v")
        if not isinstance(volunteer, str) or not volunteer:
            raise BadLink("tampered")
        return volunteer

    def derived_key(self, purpose: str) -> bytes:
        """A key of its own for another use of the secret (the card check's client counts), so that no value
        made for one purpose can stand in for another."""
        return self._mac("key:" + purpose, b"")

    # The signature ---------------------------------------------------------------------------------------

    def url(self, path: str, token: str, lang: str = "") -> str:
        language = f"&lang={quote(lang)}" if lang else ""
        return f"{self.site_url}{path}?token={token}{language}"

    def _mac(self, purpose: str, payload: bytes) -> bytes:
        return hmac.new(self._secret, purpose.encode() + b"\n" + payload, hashlib.sha256).digest()

    def _sign(self, purpose: str, payload: Mapping[str, object]) -> str:
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return f"{_b64(body)}.{_b64(self._mac(purpose, body))}"

    def _verify(self, purpose: str, token: str) -> dict[str, object]:
        if not token or len(token) > MAX_TOKEN_CHARACTERS or token.count(".") != 1 or not token.isascii():
            raise BadLink("tampered")
        body_part, mac_part = token.split(".")
        try:
            body, mac = _unb64(body_part), _unb64(mac_part)
        except (binascii.Error, ValueError):
            raise BadLink("tampered") from None
        if not hmac.compare_digest(mac, self._mac(purpose, body)):  # constant time: no byte-by-byte guessing
            raise BadLink("tampered")
        try:
            payload = json.loads(body)
        except ValueError:
            raise BadLink("tampered") from None
        if not isinstance(payload, dict):
            raise BadLink("tampered")
        return payload


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def secret_from_environment(environ: Mapping[str, str] = os.environ, data_dir: Path | None = None) -> bytes:
    """HELPT_LINK_SECRET when set (on AWS, from the deployment's secret); else, on the preview, a random
    secret kept in `data_dir`/link-secret (made on first use, readable by its owner only), so that links in
    the outbox still work after a restart. Without either: a random one for this process only."""
    given = environ.get(SECRET_VARIABLE, "")
    if given:
        if len(given) < MIN_SECRET_CHARACTERS:
            raise ValueError(f"{SECRET_VARIABLE} needs at least {MIN_SECRET_CHARACTERS} characters")
        return given.encode("utf-8")
    if data_dir is None:
        return secrets.token_urlsafe(32).encode("ascii")
    path = data_dir / SECRET_FILE
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago: use theirs
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(secrets.token_urlsafe(32))
    return path.read_text(encoding="ascii").strip().encode("ascii")
