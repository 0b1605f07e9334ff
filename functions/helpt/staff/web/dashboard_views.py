"""The start page, "Today": how many records of each form there are, by status.

The case-work views add to it without editing this module: `add_section(make)` with a function that takes
the visit and returns the HTML of a section (rendered from its own template with
`visit.office.pages.render(...)`), or "" to show nothing, for example to roles that may not see it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from markupsafe import Markup

from helpt.forms import FORMS
from helpt.staff.answers import FORM_NAMES, STATUSES
from helpt.staff.texts import N_
from helpt.staff.web.routing import Visit, routes

Section = Callable[[Visit], str]
_SECTIONS: list[Section] = []


def add_section(make: Section) -> Section:
    """Show a section on the start page, below the counts (usable as a decorator)."""
    _SECTIONS.append(make)
    return make


@routes.get("/staff/", action="dashboard", nav=N_("Today"))
def dashboard(visit: Visit) -> dict:
    _ = visit.gettext
    counts = Counter((record.form, record.status) for record in visit.store.submissions(now=visit.now()))
    rows = []
    for form in FORMS:
        numbers = [counts[form, status] for status in STATUSES]
        rows.append((_(FORM_NAMES.get(form, form)), numbers, sum(numbers)))
    others = sum(count for (form, status), count in counts.items() if form not in FORMS or status not in STATUSES)
    sections = [Markup(html) for html in (make(visit) for make in _SECTIONS) if html]
    return visit.page(
        "dashboard.html", title=_("Today"), statuses=[_(name) for name in STATUSES.values()], rows=rows,
        others=others, sections=sections,
    )  # fmt: skip
