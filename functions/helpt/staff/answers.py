"""Submissions as staff read them: questions by their form label, choices by their label, in staff's language.

Free text is shown exactly as it was typed. Only choice values (`groceries`, `yes`) become their labels,
and several answers to one question are joined with "; ". A value that is not one of the choices (from an
old form version, or typed into the store by other means) is shown as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from helpt.forms import FORMS, VACANCY_FIELD, Field, Form, choices
from helpt.settings import CitySettings
from helpt.staff.texts import N_, Texts
from helpt.submissions import Answer, Submission

FORM_NAMES = {
    "help_request": N_("Help request"),
    "volunteer_signup": N_("Volunteer"),
    "vacancy_response": N_("Vacancy response"),
}
STATUSES = {
    "new": N_("new"),
    "contacted": N_("contacted"),
    "matched": N_("matched"),
    "done": N_("done"),
    "closed": N_("closed"),
}
CHANNELS = {"web": N_("web form"), "phone": N_("phone")}
CONSENT_READ_ALOUD = "consent_read_aloud"
# Answers a record may hold beyond its form's questions.
EXTRA_ANSWERS = {VACANCY_FIELD: N_("Vacancy"), CONSENT_READ_ALOUD: N_("Consent read aloud on the phone")}
# Questions that the forms word differently (a volunteer's "Your name", a help request's "Name" of the person
# who needs help): one column for several forms needs one heading that fits them all.
SHARED_HEADINGS = {"name": N_("Name"), "help": N_("Kind of help")}
# A help request for someone else holds two people. The form asks the asker about "your name", which is
# right on the page and wrong in a list or an export read by staff: there the answers say whose they are.
# The person who needs help keeps the form's own labels ("Name", "Phone number"): they are the request's
# person, also in records from before the asker's questions existed.
STAFF_LABELS = {
    "help_request": {
        "asker_name": N_("Asker's name"),
        "asker_phone": N_("Asker's phone number"),
        "asker_email": N_("Asker's e-mail address"),
        "relationship": N_("How the asker knows the person"),
        "agreed": N_("The person knows and agrees (says the asker)"),
        "health_consent": N_("Consent for medicines, by the person"),
        "health_consent_other": N_("Consent for medicines, by the asker for the person"),
    },
}
SEPARATOR = "; "
SHOWN_LIMIT = 4096  # answers to one question a formatter remembers
_HOUSE_NUMBER_WORDS = {"bus", "box", "bte", "b", "nr", "nr.", "no", "no."}


def labelled(label: str, text: str, indent: int = 0) -> str:
    """A line "label: text", built outside f-strings so that the label's gettext call can be extracted."""
    return f"{' ' * indent}{label}: {text}"


def named(names: dict[str, str], value: str, texts: Texts) -> str:
    """A form, status or channel by its name in staff's language; an unknown one as it is."""
    return texts.gettext(names[value]) if value in names else value


def question(form: Form | None, name: str) -> Field | None:
    """The question an answer belongs to; the phone intake's read-aloud confirmation reads like a consent."""
    if form is not None and name in form.names:
        return form.get(name)
    if name == CONSENT_READ_ALOUD:
        return Field(name, "consent", EXTRA_ANSWERS[name])
    return None


def question_label(form: Form, name: str, texts: Texts) -> str:
    """A question's label as staff read it (the form's, unless STAFF_LABELS says whose answer it is), or the
    name of an answer the form does not ask."""
    if name in STAFF_LABELS.get(form.name, {}):
        return texts.gettext(STAFF_LABELS[form.name][name])
    if name in form.names:
        return texts.form(form.get(name).label)
    return texts.gettext(EXTRA_ANSWERS[name]) if name in EXTRA_ANSWERS else name


def answer_formatter(question: Field | None, texts: Texts, city: CitySettings) -> Callable[[Answer], str]:
    """How to show answers to one question: its choice labels are looked up once, not for every record."""
    if question is None or not question.is_group:
        return _joined
    if question.kind == "consent":
        labels = {"yes": texts.gettext("yes")}
    else:
        labels = {item.value: item.label if item.lang else texts.form(item.label) for item in choices(question, city)}

    shown: dict[Answer, str] = {}  # an export asks for the same few combinations of choices again and again

    def labelled_choices(value: Answer) -> str:
        text = shown.get(value)
        if text is None:
            values = value if isinstance(value, tuple) else (value,)
            text = SEPARATOR.join([labels.get(item, item) for item in values])
            if len(shown) < SHOWN_LIMIT:  # answers from outside the choices must not grow it without end
                shown[value] = text
        return text

    return labelled_choices


def _joined(value: Answer) -> str:
    return value if isinstance(value, str) else SEPARATOR.join(value)


def stored_text(value: Answer) -> str:
    """An answer as it is stored, as one text (several choices' values joined with "; "): how a
    correction's history keeps the answer it replaced.

    >>> stored_text(("groceries", "dog")), stored_text("0470 12 34 56")
    ('groceries; dog', '0470 12 34 56')
    """
    return _joined(value)


def stored_answer(question: Field | None, text: str) -> Answer:
    """The answer `stored_text` made the text from, as the question holds it."""
    if question is not None and question.is_multiple:
        return tuple(item for item in text.split(SEPARATOR) if item)
    return text


def answer_text(question: Field | None, value: Answer, texts: Texts, city: CitySettings) -> str:
    """One answer as text: choice values as their labels, several joined with "; ", free text exact."""
    return answer_formatter(question, texts, city)(value)


def replaced_answer(form: Form, name: str, text: str, texts: Texts, city: CitySettings) -> str:
    """The answer a correction replaced (kept by `stored_text`), shown as that answer was."""
    if not text:
        return texts.gettext("(empty)")
    asked = question(form, name)
    return answer_text(asked, stored_answer(asked, text), texts, city)


def record_lines(
    submission: Submission, texts: Texts, city: CitySettings, *, skip_empty: bool = True
) -> list[tuple[str, str]]:
    """Every answer of a record as (label, text), in the form's order, then any others it holds."""
    return answer_lines(FORMS.get(submission.form), submission.answers, texts, city, skip_empty=skip_empty)


def answer_lines(
    form: Form | None, answers: Mapping[str, Answer], texts: Texts, city: CitySettings, *, skip_empty: bool = True
) -> list[tuple[str, str]]:
    """Answers as (label, text), in the form's order, then any others."""
    names = [name for name in (form.names if form else ()) if name in answers]
    names += [name for name in answers if name not in names]
    lines = []
    for name in names:
        text = answer_text(question(form, name), answers[name], texts, city)
        if text or not skip_empty:
            lines.append((question_label(form, name, texts) if form else name, text))
    return lines


def first_name(name: str) -> str:
    """The first word of a name: what a volunteer needs to greet someone, and no more.

    >>> first_name("  Maria Peeters"), first_name("Jan, De Smet"), first_name("")
    ('Maria', 'Jan', '')
    """
    words = name.split()
    return words[0].rstrip(",") if words else ""


def street_without_number(street: str) -> str:
    """A street without its house number and box, so that a hand-out does not point to one door.

    >>> street_without_number("Kerkstraat 12A bus 3"), street_without_number("Naamsestraat 100/2")
    ('Kerkstraat', 'Naamsestraat')
    >>> street_without_number("Rue du 8 Mai 14"), street_without_number("12")
    ('Rue du 8 Mai', '')
    """
    words = street.replace(",", " ").split()
    while words and (re.search(r"\d", words[-1]) or words[-1].lower() in _HOUSE_NUMBER_WORDS):
        words.pop()
    return " ".join(words)


def neighbourhood(submission: Submission, city: CitySettings) -> str:
    """The neighbourhood of the record's postcode, or "" when it has none the city knows."""
    postcode = submission.answers.get("postcode", "")
    return city.postcodes.get(postcode, "") if isinstance(postcode, str) else ""


def local_time(moment: dt.datetime, city: CitySettings) -> str:
    """A moment in the city's time zone, as a spreadsheet sorts it.

    >>> from helpt.settings import load_city
    >>> local_time(dt.datetime(2020, 3, 16, 9, 30, tzinfo=dt.UTC), load_city())
    '2020-03-16 10:30'
    """
    return moment.astimezone(ZoneInfo(city.timezone)).strftime("%Y-%m-%d %H:%M")


def local_date(moment: dt.datetime, city: CitySettings) -> dt.date:
    return moment.astimezone(ZoneInfo(city.timezone)).date()
