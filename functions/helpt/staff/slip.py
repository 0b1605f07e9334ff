"""The task slip: one printed page for the matched volunteer, with what to do, where, when, and the rules.

Rendered from HTML and print CSS to a tagged PDF (PDF/UA-1, `/Lang` from `<html lang>`) by
`helpt.printing`, in the cards' font. RNIB Clear Print as for the cards: body 14 pt, nothing under 12 pt.
It carries the first name and address of the person who needs help, and whom to call: that person's
phone if they gave one, else the asker's (a request for someone else), with who the asker is. So the
coordinator prints it only after both sides agreed, and gives it to that volunteer only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from helpt.forms import HELP_REQUEST
from helpt.settings import CitySettings
from helpt.staff.answers import answer_text, first_name, neighbourhood
from helpt.staff.texts import Texts
from helpt.submissions import Answer, Submission
from helpt.templating import opening_hours

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAPER_SIZES = {"a5": "A5", "a4": "A4"}


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)


def whom_to_call(answers: Mapping[str, Answer]) -> tuple[str, str, bool]:
    """(first name, phone, whether it is the asker's): the person's own phone first, else the asker's.

    >>> whom_to_call({"name": "Maria Peeters", "phone": "", "asker_name": "Els Peeters", "asker_phone": "0470"})
    ('Els', '0470', True)
    """
    own = str(answers.get("phone", "")).strip()
    if own:
        return first_name(str(answers.get("name", ""))), own, False
    asker = str(answers.get("asker_phone", "")).strip()
    return (first_name(str(answers.get("asker_name", ""))), asker, True) if asker else ("", "", False)


def _asker_line(answers: Mapping[str, Answer], texts: Texts, *, calling: bool) -> str:
    """Who asked for the help, for someone else, and how they know the person (in the asker's words)."""
    _ = texts.gettext
    asker = first_name(str(answers.get("asker_name", "")))
    if not asker:
        return ""
    values = {"asker": asker, "person": first_name(str(answers.get("name", "")))}
    relationship = str(answers.get("relationship", "")).strip()
    if calling:
        text = _("Call %(asker)s, who asked for this help for %(person)s")
    else:
        text = _("%(asker)s asked for this help for %(person)s")
    return text % values + (f" ({relationship})" if relationship else "") + ("" if calling else ".")


def slip_html(
    request: Submission, volunteer: Submission | None, texts: Texts, city: CitySettings, paper: str = "a5"
) -> str:
    """The slip as an HTML page in `texts.lang`."""
    answers = request.answers
    call_name, call_phone, calls_asker = whom_to_call(answers)

    def shown(name: str) -> str:
        return answer_text(HELP_REQUEST.get(name), answers.get(name, ""), texts, city)

    return (
        environment()
        .get_template("slip.html")
        .render(
            _=texts.gettext,
            lang=texts.lang,
            paper=PAPER_SIZES[paper],
            primary=city.primary_colour,
            tint=city.tint_colour,
            site_name=city.site_name.get(texts.lang, city.name),
            request=request,
            volunteer_name=first_name(str(volunteer.answers.get("name", ""))) if volunteer else "",
            kinds=shown("help"),
            details=str(answers.get("details", "")),
            first_name=first_name(str(answers.get("name", ""))),
            call_name=call_name,
            call_phone=call_phone,
            calls_asker=calls_asker,
            call_line=_asker_line(answers, texts, calling=True),
            asker_line=_asker_line(answers, texts, calling=False),
            street=str(answers.get("street", "")),
            postcode=str(answers.get("postcode", "")),
            neighbourhood=neighbourhood(request, city),
            language=shown("language"),
            urgency=shown("urgency"),
            phone=city.phone,
            hours=opening_hours(city, texts.theme, texts.lang),
        )
    )


def slip_pdf(
    request: Submission, volunteer: Submission | None, texts: Texts, city: CitySettings, paper: str = "a5"
) -> bytes:
    """The slip as a tagged PDF; raises helpt.printing.RenderError if WeasyPrint reported an error."""
    from helpt.printing import PRINTABLES_DIR, render_pdf

    return render_pdf(slip_html(request, volunteer, texts, city, paper), base_url=PRINTABLES_DIR)
