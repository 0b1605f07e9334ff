"""Verified volunteers and the check code on their personal card: the records, the code, and the check.

A coordinator who has checked a volunteer's identity records how, by whom and when
(helpt.staff.verifying); the volunteer then gets a personal neighbour card with a check code. A resident who
finds the card in the mailbox can check the code, by phone with the call centre or on the site's check page,
before opening the door. A check tells only what a card may say (first name, neighbourhood, valid until);
a withdrawn or expired verification answers as an unknown code.

The code: 10 characters from 21 that cannot be taken for one another when printed or read aloud (no 0/O/D,
1/I/L, 2/Z, 5/S, 8/B, 6/G, Q, V), about 43.9 random bits: 21**10 = 16,679,880,978,201 codes. Guessing at the
check page's limit (CHECKS_PER_CLIENT an hour per client, CHECKS_PER_HOUR for everyone together) with
100,000 cards in circulation takes on average 167 million guesses for one hit: 952 years from one address,
and 6.3 years even with every address in the world at the shared limit.

>>> display_code("KFM7XRT9AC"), normalise_code(" kfm7x-rt9ac "), normalise_code("KFM7XRT9A0")
('KFM7X RT9AC', 'KFM7XRT9AC', '')
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

CODE_ALPHABET = "ACDEFHJKMNPRTUWXY3479"
CODE_LENGTH = 10
CODE_GROUP = 5  # printed and shown as two groups of five
# The check page's rate limits (helpt.card_check): a household behind one address checks a few cards, not
# twenty an hour; the shared ceiling is far above what a city's residents check, and stops a guessing run
# spread over many addresses. When either is reached the page answers 429 with the phone number.
CHECKS_PER_CLIENT = 20
CHECKS_PER_HOUR = 3000
RATE_WINDOW_SECONDS = 3600

# The check page (content/pages/check.<lang>.md) has a fixed address in each language, which the cards print
# and CloudFront sends to the form function (template.yaml): /controle/ in Dutch, /<lang>/check/ otherwise.
CHECK_KEY = "check"
CHECK_SLUGS = {"nl": "controle"}


def check_slug(lang: str) -> str:
    return CHECK_SLUGS.get(lang, "check")


def check_path(lang: str, default_lang: str) -> str:
    """The check page's path in `lang`.

    >>> check_path("nl", "nl"), check_path("en", "nl"), check_path("nl", "fr")
    ('/controle/', '/en/check/', '/nl/controle/')
    """
    return ("/" if lang == default_lang else f"/{lang}/") + check_slug(lang) + "/"


# How the identity was checked: value -> message id (the words are in helpt.staff.texts and the theme).
METHODS = ("in_person", "video_call", "partner")
REASON_LIMIT = 500
NAME_LIMIT = 60


def new_code() -> str:
    """A fresh random check code (10 characters of CODE_ALPHABET)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """The code as printed and read aloud: two groups of five."""
    return " ".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalise_code(typed: str) -> str:
    """The code as typed (any case, spaces, dashes, dots) in its stored form; "" when it cannot be one.

    >>> normalise_code("kfm7x.rt9ac"), normalise_code("KFM7X RT9AC EXTRA"), normalise_code("x" * 5000)
    ('KFM7XRT9AC', '', '')
    """
    if len(typed) > 64:
        return ""
    code = "".join(char for char in typed.upper() if char not in " -.\t")
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return ""
    return code


@dataclass(frozen=True)
class Verification:
    """A volunteer known to the city: what was checked, and the code on their card.

    Kept with the volunteer's record and sharing its expiry: it ends when the record is deleted or erased.
    A withdrawn verification stays on the record (when, by whom, why), but its code no longer checks."""

    reference: str  # the volunteer's
    code: str
    first_name: str  # as the coordinator confirmed it, the name on the card
    neighbourhood: str
    kinds: tuple[str, ...]  # the kinds of help the volunteer offered (helpt.forms.HELP_KINDS values)
    method: str  # one of METHODS
    checked_by: str  # who saw the identity: a staff member, or the partner organisation
    checked_on: dt.date
    verified_by: str  # the account that recorded it
    verified_at: dt.datetime
    expires_at: int  # Unix seconds: the volunteer record's expiry
    withdrawn_at: dt.datetime | None = None
    withdrawn_by: str = ""
    withdrawn_reason: str = ""

    def holds(self, now: dt.datetime) -> bool:
        """Whether the card's code checks now: not withdrawn, not expired."""
        return self.withdrawn_at is None and self.expires_at > now.timestamp()


@dataclass(frozen=True)
class CardCheck:
    """All that a check of a code tells: the card's first name, the neighbourhood, until when it holds."""

    first_name: str
    neighbourhood: str
    expires_at: int


def valid_until(expires_at: int, timezone: str) -> dt.date:
    """The last day a card's code checks, in the city's calendar.

    >>> valid_until(1584403200, "Europe/Brussels")  # 2020-03-17 00:00 UTC, 01:00 in Brussels
    datetime.date(2020, 3, 17)
    """
    return dt.datetime.fromtimestamp(expires_at, ZoneInfo(timezone)).date()
