"""The hand-out: what one volunteer (or the organisation that sends one) needs to decide on a request.

Plain text, short enough to read out, paste into a message or print: the person's first name, the street
without the house number, the kind of help and when. Nothing that leads to one door or one phone: the
coordinator shares the address and contact details only after both sides agreed (the task slip has them).
"""

from __future__ import annotations

from helpt.forms import HELP_REQUEST
from helpt.settings import CitySettings
from helpt.staff.answers import answer_text, first_name, labelled, neighbourhood, street_without_number
from helpt.staff.texts import Texts
from helpt.submissions import Submission
from helpt.templating import opening_hours


def handout_text(request: Submission, texts: Texts, city: CitySettings) -> str:
    """The hand-out for one help request, in the staff member's language."""
    _ = texts.gettext
    answers = request.answers
    street = street_without_number(str(answers.get("street", "")))
    hood = neighbourhood(request, city)
    place = f"{street} ({hood})" if street and hood else street or hood
    lines = [
        _("Request %(reference)s") % {"reference": request.reference},
        "",
        labelled(_("First name"), first_name(str(answers.get("name", "")))),
        labelled(_("Street"), place),
        labelled(_("Task"), answer_text(HELP_REQUEST.get("help"), answers.get("help", ()), texts, city)),
        labelled(_("When"), answer_text(HELP_REQUEST.get("urgency"), answers.get("urgency", ""), texts, city)),
        "",
        _("Questions? Call %(phone)s, %(hours)s.")
        % {"phone": city.phone, "hours": opening_hours(city, texts.theme, texts.lang)},
    ]
    return "\n".join(lines) + "\n"
