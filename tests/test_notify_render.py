"""Every kind of message, rendered in each of the city's languages: its structure, its values, what it must not
say, how it ends (the city's phone line; for residents and volunteers how to stop), and its SMS form.

Dutch strings may be English until the catalog is filled (tests/test_catalogs.py then asks for them): the
checks here are on structure and values, which hold either way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LEUVEN

from helpt.notify import KINDS, Message
from helpt.notify.render import SMS_KINDS, Renderer
from helpt.settings import load_city
from helpt_site.catalogs import extract_messages

PROJECT_DIR = Path(__file__).resolve().parents[1]
CITY = load_city(LEUVEN)
UNSUBSCRIBE = "https://www.leuvenhelpt.be/stop?t=abc123"
VALUES = {
    "link": "https://www.leuvenhelpt.be/staff/requests/H-ABCD-EFGH",
    "count": "3",
    "references": "H-AAAA-AAAA, H-BBBB-BBBB, H-CCCC-CCCC",
    "vacancy_title": "Driver for the food bank",
    "unsubscribe": UNSUBSCRIBE,
    "name": "Anna",
    "safety_link": "https://www.leuvenhelpt.be/veilig",
    "help": "shopping",
    "neighbourhood": "Heverlee",
    "when": "Tuesday morning",
    "yes_link": "https://www.leuvenhelpt.be/a?yes=1",
    "no_link": "https://www.leuvenhelpt.be/a?no=1",
    "requester_name": "Jef Peeters",
    "street": "Naamsestraat 12",
}
TO_RESIDENTS_AND_VOLUNTEERS = (
    "resident_confirmation",
    "volunteer_welcome",
    "volunteer_proposal",
    "volunteer_confirmed",
)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(CITY, PROJECT_DIR / "theme" / "translations")


def message(kind: str, lang: str, **values: str) -> Message:
    chosen = {name: VALUES[name] for name in KINDS[kind]}
    return Message(kind=kind, channel="email", to="anna@example.org", lang=lang, reference="H-ABCD-EFGH",
                   values={**chosen, **values})  # fmt: skip


@pytest.mark.parametrize("lang", CITY.languages)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_renders_with_its_values_the_phone_line_and_a_subject(
    renderer: Renderer, kind: str, lang: str
) -> None:
    rendered = renderer.render(message(kind, lang))
    assert rendered.subject and "\n" not in rendered.subject and len(rendered.subject) < 90
    for name in KINDS[kind]:
        if name != "count":
            assert VALUES[name] in rendered.text, f"{kind}: {name} missing from the text"
            assert VALUES[name].replace("&", "&amp;") in rendered.html, f"{kind}: {name} missing from the HTML"
    assert CITY.phone in rendered.text and CITY.phone in rendered.html
    assert CITY.site_name[lang] in rendered.text
    assert rendered.html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in rendered.html
    assert "{{" not in rendered.text + rendered.html and "{%" not in rendered.text + rendered.html
    assert "\n\n\n" not in rendered.text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_messages_to_residents_and_volunteers_end_with_a_working_way_to_stop_them(
    renderer: Renderer, kind: str
) -> None:
    rendered = renderer.render(message(kind, "en"))
    if kind in TO_RESIDENTS_AND_VOLUNTEERS:
        assert rendered.text.rstrip().endswith(UNSUBSCRIBE)
        assert f'<a href="{UNSUBSCRIBE}">' in rendered.html
    else:
        assert "no more messages" not in rendered.text


def test_a_residents_confirmation_says_nothing_of_what_was_asked(renderer: Renderer) -> None:
    # The values a confirmation may have are the reference and the link: a pharmacy request's details are
    # not among them, and the text itself names no kind of help.
    assert KINDS["resident_confirmation"] == ("unsubscribe",)
    for lang in CITY.languages:
        rendered = renderer.render(message("resident_confirmation", lang))
        for word in ("medicine", "pharmacy", "apotheek", "medicijn", "shopping", "boodschappen"):
            assert word not in (rendered.text + rendered.html).lower()
        assert "H-ABCD-EFGH" in rendered.text


def test_a_staff_alert_holds_the_reference_and_a_link_and_nothing_about_the_person(renderer: Renderer) -> None:
    assert KINDS["staff_urgent"] == ("link",)
    with pytest.raises(ValueError, match="needs link"):
        Message(kind="staff_urgent", channel="email", to="help@example.org", lang="nl", values={})
    rendered = renderer.render(message("staff_urgent", "nl"))
    everything = rendered.subject + rendered.text + rendered.html
    assert "H-ABCD-EFGH" in everything and VALUES["link"] in everything
    for personal in ("Anna", "Jef", "Naamsestraat", "anna@example.org"):
        assert personal not in everything


def test_a_proposal_names_neither_the_person_nor_the_address_the_confirmation_does(renderer: Renderer) -> None:
    proposal = renderer.render(message("volunteer_proposal", "en"))
    assert "Jef" not in proposal.text and "Naamsestraat" not in proposal.text
    confirmed = renderer.render(message("volunteer_confirmed", "en"))
    assert "Jef Peeters" in confirmed.text and "Naamsestraat 12" in confirmed.text


@pytest.mark.parametrize("lang", CITY.languages)
@pytest.mark.parametrize("kind", SMS_KINDS)
def test_the_volunteer_kinds_have_a_short_sms_that_ends_with_stop(renderer: Renderer, kind: str, lang: str) -> None:
    sms = renderer.render(message(kind, lang)).sms
    assert sms.startswith(CITY.site_name[lang])
    assert "STOP" in sms.split()[-3:]  # "STOP to stop", or its translation, last
    assert "\n" not in sms and len(sms) <= 320  # two SMS parts at most
    assert UNSUBSCRIBE not in sms  # STOP is how SMS stops
    assert renderer.render(message("staff_urgent", lang)).sms == ""


def test_hostile_values_are_escaped_in_html_and_cleaned_in_text(renderer: Renderer) -> None:
    hostile = '<script>alert(1)</script>\x00\x1b[31m=HYPERLINK("x")\ud800' + "x" * 5000
    rendered = renderer.render(message("volunteer_welcome", "en", name=hostile))
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "\x00" not in rendered.text and "\x1b" not in rendered.text
    rendered.text.encode("utf-8")  # no lone surrogate left
    assert len(rendered.text) < 2500


def test_an_unknown_language_falls_back_to_the_citys_default(renderer: Renderer) -> None:
    rendered = renderer.render(message("staff_urgent", "fr"))
    assert '<html lang="nl">' in rendered.html


def test_the_catalog_extraction_takes_the_message_templates_too() -> None:
    catalog = extract_messages(PROJECT_DIR / "theme")
    locations = {location for entry in catalog for location, _line in entry.locations}
    assert {f"notify/{kind}.j2" for kind in KINDS} <= locations
    assert "notify/_footer.j2" in locations
    assert catalog["STOP to stop"] is not None
