"""Addresses as the notification store keeps them: never in clear, only a hash of the normalised form.

The store must know that an address bounced or asked to stop, and how many messages it got this hour, without
holding a list of residents' e-mail addresses and phone numbers: it keys both by `address_hash`. E-mail
addresses are compared without case (what mail systems do in practice), phone numbers in E.164 form.
"""

from __future__ import annotations

import hashlib
import re

MARKS = ("bounced", "complained", "unsubscribed")
# A fixed prefix, so these hashes are not the plain SHA-256 of an address that other systems may also keep.
_HASH_PREFIX = b"helpt-notify-address\x00"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise(address: str) -> str:
    """An e-mail address folded to lower case, or a phone number as `+` and digits; whitespace dropped."""
    address = address.strip()
    if "@" in address:
        return address.casefold()
    digits = re.sub(r"\D", "", address)
    return ("+" + digits) if address.startswith("+") else digits


def address_hash(address: str) -> str:
    """The key the store keeps for an address: SHA-256 of its normalised form, hex."""
    return hashlib.sha256(_HASH_PREFIX + normalise(address).encode("utf-8", "replace")).hexdigest()


def phone_e164(phone: str, country_code: str) -> str:
    """A phone number as a person gave it, in the E.164 form SNS wants; "" when it cannot be one.

    >>> phone_e164("0470 12 34 56", "+32"), phone_e164("+32 470 12 34 56", "+32"), phone_e164("0032470123456", "+32")
    ('+32470123456', '+32470123456', '+32470123456')
    """
    text = phone.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        number = "+" + digits
    elif digits.startswith("00"):
        number = "+" + digits[2:]
    elif digits.startswith("0"):
        number = country_code + digits[1:]
    else:
        return ""
    return number if re.fullmatch(r"\+[1-9][0-9]{7,14}", number) else ""


def is_email(address: str) -> bool:
    """Whether this looks like one e-mail address (and nothing that could smuggle in a second header line)."""
    return bool(_EMAIL.match(address)) and not any(ord(c) < 32 or c in '<>,;"' for c in address) and len(address) <= 254
