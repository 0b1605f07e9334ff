"""A help request taken by phone, kept as a record: one function for `helpt intake` and the web's /staff/intake.

The record is the web form's own (form, answers, retention), with channel "phone" and a fresh reference of
the kind read out on the phone; a reference that happens to be taken is drawn again, as the form handler
does. A phone request is never taken for a repeat of another caller's: only the same filled-in page sent
twice (a double click, a retry after the network failed) is recognised, by the random `once` the page
carried, so that it is kept once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from helpt.forms import HELP_REQUEST, Form
from helpt.intake import REFERENCE_ATTEMPTS, new_reference
from helpt.settings import CitySettings
from helpt.staff.texts import N_
from helpt.stores import ReferenceTaken, StaffStore, StoreError
from helpt.submissions import Answer, Submission, expiry

NO_FREE_REFERENCE = N_("No free reference was found; try again.")
CHANNEL = "phone"
# How long a sent page is recognised: long enough for any retry, short enough to keep the store small.
ONCE_FOR = dt.timedelta(days=1)


@dataclass(frozen=True)
class Kept:
    reference: str
    repeat: bool = False  # the same page was kept before, under this reference: nothing new was stored


def record_language(lang: str, city: CitySettings) -> str:
    """The record's language: the staff member's, when it is one of the city's (as a web request has the
    language of the page it was sent from)."""
    return lang if lang in city.languages else city.default_language


def phone_request(
    answers: Mapping[str, Answer], *, city: CitySettings, lang: str, created_at: dt.datetime, reference: str
) -> Submission:
    """The record of a help request taken by phone, under this reference (not yet kept)."""
    return Submission(
        reference=reference,
        form=HELP_REQUEST.name,
        lang=record_language(lang, city),
        created_at=created_at,
        expires_at=expiry(created_at, city.retention_days),
        answers=dict(answers),
        channel=CHANNEL,
        status="new",
    )


def save_phone_request(
    store: StaffStore, answers: Mapping[str, Answer], *, city: CitySettings, lang: str,
    clock: Callable[[], dt.datetime], once: str = "", draw: Callable[[Form], str] | None = None,
) -> Kept:  # fmt: skip
    """Keep the request under a new reference, drawn by `draw` (the form handler's own), and say which. Raises
    StoreError when the store fails or no free reference turns up (the caller still has the answers)."""
    draw = draw or new_reference  # looked up now, not when the module was read: tests replace it
    for _attempt in range(REFERENCE_ATTEMPTS):
        request = phone_request(answers, city=city, lang=lang, created_at=clock(), reference=draw(HELP_REQUEST))
        if not once:
            if store.add(request):
                return Kept(request.reference)
            continue
        try:
            reference = store.add_once(
                request, _fingerprint(once, request.answers),
                fingerprint_expires_at=int((request.created_at + ONCE_FOR).timestamp()), now=request.created_at,
            )  # fmt: skip
        except ReferenceTaken:
            continue
        return Kept(reference, repeat=reference != request.reference)
    raise StoreError(NO_FREE_REFERENCE)


def _fingerprint(once: str, answers: Mapping[str, Answer]) -> str:
    """The page's token and the answers: the same page sent twice is one request, but the same page sent
    again with other answers (the worker went back and typed the next caller's) is a new one, never merged.
    Its own prefix: the web forms' fingerprints hash answers with the day, and may never meet these."""
    canonical = json.dumps(
        ["phone-intake", once, sorted((k, list(v) if isinstance(v, tuple) else v) for k, v in answers.items())],
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
