"""Receiving a form: read, check, keep once, and answer with a page in the visitor's language.

POST /api/<form>                      -> 303 to the confirmation, or the form page again (422) with problems
GET  /api/<form>/confirmation?ref=..  -> the confirmation page (it reads nothing back from the store)
GET  /<check page>/?code=..           -> a personal card's check (helpt.card_check)

Logs say what happened (form, language, outcome, reference, which questions had problems), never what
anybody typed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from helpt.breaker import Breaker
from helpt.card_check import CardCheckPage
from helpt.forms import FORMS_BY_SLUG, HONEYPOT, LANG_FIELD, N_, VACANCY_FIELD, VACANCY_RESPONSE, Form
from helpt.http_api import BadRequest, Request, json_response, parse_form, request_from_event, response
from helpt.pages import PageRenderer
from helpt.settings import CitySettings
from helpt.stores import ReferenceTaken, SubmissionStore
from helpt.submissions import Answer, Submission, expiry
from helpt.validation import read_answers, validate

if TYPE_CHECKING:
    from helpt.notify import Notifier
    from helpt.notify.links import Links
    from helpt.staff.vacancies import Vacancies

logger = logging.getLogger("helpt.intake")

MAX_BODY_BYTES = 64 * 1024  # every form filled to its limits, in 4-byte characters, percent-encoded, fits
_ROUTE = re.compile(r"^(?:/[a-z]+)*/api/(?P<slug>[a-z-]+)(?P<confirmation>/confirmation)?/?$")
_REFERENCE = re.compile(r"^[A-Z]-[A-Z2-7]{4}-[A-Z2-7]{4}$")

# For each status a page can answer with: its title and what to do.
_MESSAGES = {
    400: (
        N_("We could not read what was sent"),
        N_("Something went wrong while sending the form. Go back, and try again."),
    ),
    404: (N_("This page does not exist"), N_("The address is not right. Go back to the home page.")),
    405: (N_("Go back to the form"), N_("This address only receives forms. Open the form from the site's pages.")),
    410: (
        N_("This vacancy is closed"),
        N_("The organisation is no longer looking for volunteers for this task. Have a look at the other vacancies."),
    ),
    413: (N_("What you sent is too long"), N_("Go back and shorten your longest answers, then send the form again.")),
    415: (
        N_("We could not read what was sent"),
        N_("The form was sent in a way we cannot read. Open the form on the site and send it from there."),
    ),
    500: (
        N_("Sorry, there is a problem with the service"),
        N_("Something went wrong on our side. Try again in a few minutes."),
    ),
}


class Intake:
    """The form handler: one instance per process, reused across requests."""

    def __init__(
        self,
        city: CitySettings,
        renderer: PageRenderer,
        store: SubmissionStore,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        *,
        notifier: Notifier | None = None,
        links: Links | None = None,
        vacancies: Vacancies | None = None,
        client_header: str = "",
        breaker: Breaker | None = None,
    ) -> None:
        self.city, self.renderer, self.store, self.clock = city, renderer, store, clock
        # Who hears about a new submission (helpt.notify.triggers); no notifier: nobody, nothing is sent.
        self.notifier, self.links, self.vacancies = notifier, links, vacancies
        key = links.derived_key("card-check") if links else secrets.token_bytes(32)
        self.card_check = CardCheckPage(city, renderer, store, key, client_header=client_header)
        self.breaker = breaker or Breaker()

    def handle(self, event: dict[str, Any]) -> dict:
        started = time.perf_counter()
        request = request_from_event(event)
        lang = self._language(request.query_value(LANG_FIELD))
        try:
            answer = self._route(request, lang)
        except Exception:  # a bug must not show a stack trace to a frightened visitor
            logger.exception("handler failed")
            answer = self._message(500, lang)
        logger.info(json.dumps({"path": request.path, "status": answer["statusCode"],
                                "ms": round((time.perf_counter() - started) * 1000, 1)}))  # fmt: skip
        return answer

    def _route(self, request: Request, lang: str) -> dict:
        check_lang = self.card_check.handles(request.path)
        if check_lang is not None:
            return self.card_check.answer(request, check_lang, self.clock())
        match = _ROUTE.match(request.path)
        form = FORMS_BY_SLUG.get(match["slug"]) if match else None
        if form is None:
            return self._message(404, lang)
        if match["confirmation"]:
            return self._confirmation(request, form, lang)
        if request.method != "POST":
            return self._message(405, lang, allow="POST")
        return self._submit(request, form)

    def _confirmation(self, request: Request, form: Form, lang: str) -> dict:
        reference = request.query_value("ref")
        if request.method not in ("GET", "HEAD") or not _REFERENCE.match(reference):
            return self._message(404, lang)
        if not reference.startswith(form.reference_prefix):
            return self._message(404, lang)
        vacancy = request.query_value(VACANCY_FIELD) if form is VACANCY_RESPONSE else ""
        return response(200, self.renderer.confirmation(form, lang, reference, vacancy))

    def _submit(self, request: Request, form: Form) -> dict:
        # The form's address carries its language too, so even a body that cannot be read is answered in it.
        page_lang = self._language(request.query_value(LANG_FIELD))
        if len(request.body) > MAX_BODY_BYTES:
            return self._message(413, page_lang)
        if request.media_type not in ("application/x-www-form-urlencoded", "application/json"):
            return self._message(415, page_lang)
        try:
            raw = parse_form(request)
        except BadRequest:
            return self._message(400, page_lang)
        lang = self._language((raw.get(LANG_FIELD) or [page_lang])[0])
        answers = read_answers(form, raw)
        vacancy = (raw.get(VACANCY_FIELD) or [""])[0] if form is VACANCY_RESPONSE else ""
        page_key = self.renderer.form_page_key(form, vacancy)
        if page_key is None or (vacancy and self._vacancy_closed(vacancy)):
            self._log(form, lang, "vacancy_closed")
            kept = str(answers.get("message", ""))
            return self._message(410 if page_key else 404, lang, kept_text=kept)
        if (raw.get(HONEYPOT) or [""])[0]:
            return self._quarantine(form, lang, answers, vacancy, request)
        problems = validate(form, answers, self.city)
        if problems:
            self._log(form, lang, "invalid", fields=[problem.field for problem in problems])
            if request.wants_json:
                return json_response(422, {"errors": [
                    {"field": p.field, "message": self.renderer.gettext(lang, p.message) % p.params} for p in problems
                ]})  # fmt: skip
            return response(422, self.renderer.form_page(page_key, lang, answers, problems))
        if not self.breaker.allows():  # the store failed just now: answer at once (helpt.breaker)
            self._log(form, lang, "store_skipped")
            return self._store_problem(request, page_key, lang, answers)
        try:
            submission, reference = self._keep(form, lang, answers, vacancy)
        except Exception as error:
            self.breaker.failed()
            self._log(form, lang, "store_failed", error=type(error).__name__)
            return self._store_problem(request, page_key, lang, answers)
        self.breaker.succeeded()
        new = reference == submission.reference
        self._log(form, lang, "stored" if new else "duplicate", reference=reference)
        if new:  # a repeat of the same answers was told already, the first time
            self._notify(submission)
        return self._accepted(request, form, lang, reference, vacancy)

    def _store_problem(self, request: Request, page_key: str, lang: str, answers: dict[str, Answer]) -> dict:
        """Not kept: the form again with every answer in it and the phone line (F7). 503, which CloudFront
        passes on untouched: its own error pages replace only 500, 502 and 504 (template.yaml)."""
        if request.wants_json:
            return json_response(503, {"error": "service unavailable"}, retry_after="30")
        page = self.renderer.form_page(page_key, lang, answers, service_problem=True)
        return response(503, page, retry_after="30")

    def _notify(self, submission: Submission) -> None:
        """Queue the messages a new record produces. Whatever goes wrong here, the request is stored and the
        visitor sees the confirmation: a message is never worth a failed form."""
        if self.notifier is None or self.links is None:
            return
        try:
            from helpt.notify.triggers import after_submission, send_all

            accounts = self._accounts() if submission.form == VACANCY_RESPONSE.name else []
            messages = after_submission(
                submission, self.city, self.links, accounts=accounts, vacancies=self.vacancies,
                safety_link=self._page_url("volunteer", submission.lang),
            )  # fmt: skip
            send_all(self.notifier, messages)
        except Exception as error:
            logger.error(json.dumps({"reference": submission.reference, "outcome": "not_notified",
                                     "error": type(error).__name__}))  # fmt: skip

    def _accounts(self) -> list:
        """The back office accounts, to tell an organisation of a response to its vacancy. On AWS the form
        handler may not read them (least privilege: it only adds submissions): then the help mailbox is told
        instead (triggers.after_submission's fallback), and the response is waiting in the back office anyway."""
        try:
            return list(self.store.accounts()) if hasattr(self.store, "accounts") else []
        except Exception as error:
            logger.info(json.dumps({"outcome": "accounts_not_readable", "error": type(error).__name__}))
            return []

    def _page_url(self, key: str, lang: str) -> str:
        """A form page's full address on the city's site, "" when the build has no such page."""
        path = self.renderer.site.get("form_pages", {}).get(key, {}).get(lang, {}).get("url", "")
        return f"{self.city.site_url.rstrip('/')}/{path}" if path else ""

    def _keep(self, form: Form, lang: str, answers: dict[str, Answer], vacancy: str) -> tuple[Submission, str]:
        """Store once: the same answers again today (a double click, a reload, a retry) give the reference of
        the first, unless that request is finished; a reference that happens to be taken is drawn again."""
        for _attempt in range(REFERENCE_ATTEMPTS):
            submission = self._submission(form, lang, answers, vacancy)
            local = submission.created_at.astimezone(ZoneInfo(self.city.timezone))
            day_ends = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), local.tzinfo)
            try:
                reference = self.store.add_once(
                    submission,
                    fingerprint(form, lang, submission.answers, local.date()),
                    fingerprint_expires_at=int((day_ends + FINGERPRINT_GRACE).timestamp()),
                    now=submission.created_at,
                )
            except ReferenceTaken:
                continue
            return submission, reference
        raise ReferenceTaken(f"no free reference in {REFERENCE_ATTEMPTS} draws")

    def _quarantine(self, form: Form, lang: str, answers: dict[str, Answer], vacancy: str, request: Request) -> dict:
        """A bot filled the hidden field: keep it apart, and answer as if all went well."""
        submission = self._submission(form, lang, answers, vacancy)
        try:
            self.store.quarantine(submission)
        except Exception as error:
            self._log(form, lang, "quarantine_failed", error=type(error).__name__)
        self._log(form, lang, "quarantined", reference=submission.reference)
        return self._accepted(request, form, lang, submission.reference, vacancy)

    def _accepted(self, request: Request, form: Form, lang: str, reference: str, vacancy: str = "") -> dict:
        if request.wants_json:
            return json_response(201, {"reference": reference})
        return response(303, "", location=self.renderer.confirmation_url(form, lang, reference, vacancy))

    def _submission(self, form: Form, lang: str, answers: dict[str, Answer], vacancy: str) -> Submission:
        created_at = self.clock()
        record = dict(answers, **({VACANCY_FIELD: vacancy} if vacancy else {}))
        return Submission(
            reference=new_reference(form),
            form=form.name,
            lang=lang,
            created_at=created_at,
            expires_at=expiry(created_at, self.city.retention_days),
            answers=record,
        )

    def _vacancy_closed(self, key: str) -> bool:
        expires = self.renderer.vacancy_expiry(key)
        today = self.clock().astimezone(ZoneInfo(self.city.timezone)).date()
        return expires is not None and expires < today

    def _language(self, lang: str) -> str:
        return lang if lang in self.city.languages else self.city.default_language

    def _message(self, status: int, lang: str, kept_text: str = "", **headers: str) -> dict:
        title, paragraph = _MESSAGES[status]
        return response(status, self.renderer.message(lang, title, [paragraph], kept_text), **headers)

    def _log(self, form: Form, lang: str, outcome: str, **details: object) -> None:
        logger.info(json.dumps({"form": form.name, "lang": lang, "outcome": outcome, **details}))


# Read out on the phone and typed back by staff: no 0/O, 1/I, 8/B or 9/g to take for one another. (References
# handed out before used A-Z and 2-7; they stay valid, as every character here is one of those.)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ234567"
REFERENCE_ATTEMPTS = 5  # 39 random bits: a second draw is needed about once in 6 million at 100,000 records
# How long the answers' fingerprint is kept to recognise a repeat: the rest of the city's day, and one more
# hour so that a retry sent just before midnight still finds the first.
FINGERPRINT_GRACE = dt.timedelta(hours=1)


def new_reference(form: Form) -> str:
    """A fresh random reference, short enough to read out on the phone: the form's letter and 8 characters
    (39 random bits) that cannot be taken for one another.

    >>> reference = new_reference(VACANCY_RESPONSE)
    >>> bool(_REFERENCE.match(reference)), reference[0]
    (True, 'R')
    """
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{form.reference_prefix}-{code[:4]}-{code[4:]}"


def fingerprint(form: Form, lang: str, answers: Mapping[str, Answer], day: dt.date) -> str:
    """The same for the same answers to the same form on the same day of the city's calendar: how a double
    click, a reload or a retry is recognised. A full SHA-256, so that different answers never share one.

    >>> fingerprint(VACANCY_RESPONSE, "nl", {"name": "Ann"}, dt.date(2020, 3, 16))[:12]
    'f1895e9c297a'
    """
    canonical = json.dumps(
        [form.name, lang, day.isoformat(), sorted((k, list(v) if isinstance(v, tuple) else v)
                                                  for k, v in answers.items())],
        ensure_ascii=False,
    )  # fmt: skip
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
