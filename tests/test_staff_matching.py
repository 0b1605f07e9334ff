"""The working list, matching, statuses, the hand-out and the task slip, as a coordinator uses them."""

from __future__ import annotations

import io
import math
import re

import pypdf
import pytest
from pdf_support import embedded_fonts
from test_staff_support import Staff, expired, help_request, volunteer

pytest_plugins = ["dynamodb_servers", "test_staff_support"]


def suggested(worklist: str, request: str) -> list[str]:
    """The volunteers suggested under one request in the working list's text."""
    block = worklist.split(request, 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\s+\d+\. (V-\S+)", block, flags=re.MULTILINE)


def test_the_worklist_suggests_by_neighbourhood_help_and_language(staff: Staff) -> None:
    # The request: groceries and the dog, in Dutch, in Kessel-Lo (3010).
    staff.add(
        help_request("H-1", postcode="3010", help=("groceries", "dog"), language="nl"),
        volunteer("V-FAR", minutes_ago=500, postcode="3000", help=("groceries",)),
        volunteer("V-NEAR", minutes_ago=100, postcode="3010", help=("dog",)),
        volunteer("V-NEAR-OLD", minutes_ago=400, postcode="3010", help=("groceries", "call")),
        volunteer("V-ENGLISH", minutes_ago=450, postcode="3010", languages=("en",)),
        volunteer("V-LETTERS", minutes_ago=300, postcode="3010", help=("letter",)),
        volunteer("V-GONE", minutes_ago=350, postcode="3010", status="closed"),
        expired(volunteer("V-EXPIRED", postcode="3010")),
        help_request("H-DONE", status="done"),
        help_request("H-CLOSED", status="closed"),
    )

    result = staff("worklist", "--suggestions", "5")

    assert result.code == 0, result.err
    assert "H-DONE" not in result.out and "H-CLOSED" not in result.out, "only open requests"
    assert suggested(result.out, "H-1") == ["V-NEAR-OLD", "V-NEAR", "V-FAR"]
    assert "Groceries; Walking the dog" in result.out and "Kessel-Lo" in result.out
    assert suggested(staff("worklist", "--suggestions", "1").out, "H-1") == ["V-NEAR-OLD"]


def test_a_match_is_kept_on_both_sides_and_sends_the_volunteer_to_the_back(staff: Staff) -> None:
    staff.add(
        help_request("H-1", minutes_ago=20, postcode="3010"),
        help_request("H-2", minutes_ago=10, postcode="3010"),
        volunteer("V-A", minutes_ago=300, postcode="3010"),
        volunteer("V-B", minutes_ago=200, postcode="3010"),
    )
    assert suggested(staff("worklist").out, "H-2") == ["V-A", "V-B"], "never matched: first signed up first"

    result = staff("match", "H-1", "V-A", lang="nl")

    assert result.code == 0, result.err
    assert "Vastgelegd: V-A neemt H-1 op." in result.out and "helpt slip H-1" in result.out
    assert staff.store.get("H-1").status == "matched"
    assert staff.store.get("V-A").status == "new", "a volunteer can take several requests"
    assert [(e.kind, e.other) for e in staff.store.events("V-A")] == [
        ("proposal", "H-1"), ("confirm", "H-1"), ("match", "H-1")
    ], "propose and confirm at once; `match` too, which the stores' last_matched counts"  # fmt: skip
    assert set(staff.store.last_matched()) == {"H-1", "V-A"}
    assert staff.who in staff.store.events("H-1")[0].by
    worklist = staff("worklist").out
    assert "matched with: V-A" in worklist.split("H-1", 1)[1], "matched: still listed until done, with its match"
    assert suggested(worklist, "H-1") == [], "matched: no more suggestions"
    assert suggested(worklist, "H-2") == ["V-B", "V-A"], "busy with an open match: to the back"
    shown = staff("show", "H-1").out
    assert "match confirmed with V-A" in shown and "Status: matched" in shown and "Maria Peeters" in shown
    assert "Matched with: V-A" in shown


def test_a_match_needs_a_live_request_and_a_volunteer(staff: Staff) -> None:
    staff.add(help_request("H-1"), volunteer("V-1"), expired(volunteer("V-OLD")))

    swapped = staff("match", "V-1", "H-1")
    missing = staff("match", "H-1", "V-OLD", lang="nl")

    assert swapped.code == 1 and "V-1 is not a help request" in swapped.err
    assert missing.code == 1 and "Er is geen inzending met referentienummer V-OLD" in missing.err
    assert staff.store.events("H-1") == [] and staff.store.get("H-1").status == "new"


def test_statuses_are_kept_with_their_history_and_closing_needs_a_reason(staff: Staff) -> None:
    staff.add(help_request("H-1"))

    assert staff("status", "H-1", "contacted").code == 0
    refused = staff("status", "H-1", "closed", lang="nl")
    closed = staff("status", "H-1", "closed", "--reason", "hulp gevonden in de familie")
    unknown = staff("status", "H-404", "done")
    wrong = staff("status", "H-1", "finished")

    assert refused.code == 1 and "--reason" in refused.err
    assert closed.code == 0 and "H-1 is now: closed." in closed.out
    assert unknown.code == 1 and "H-404" in unknown.err
    assert wrong.code == 2, "argparse refuses a status that does not exist"
    assert staff.store.get("H-1").status == "closed"
    assert [(e.status, e.reason) for e in staff.store.events("H-1")] == [
        ("contacted", ""),
        ("closed", "hulp gevonden in de familie"),
    ]


def test_the_handout_says_enough_to_decide_and_no_more(staff: Staff) -> None:
    staff.add(help_request("H-1", name="Maria Peeters", street="Kerkstraat 12A bus 3", postcode="3010"))
    output = staff.tmp_path / "fiche.txt"

    shown = staff("handout", "H-1", lang="nl")
    written = staff("handout", "H-1", "--output", str(output))

    assert shown.code == 0 and written.code == 0
    assert "Voornaam: Maria" in shown.out
    assert "Straat: Kerkstraat (Kessel-Lo)" in shown.out
    assert "Taak: Boodschappen; De hond uitlaten" in shown.out
    assert "Wanneer: In de komende dagen" in shown.out
    text = output.read_text(encoding="utf-8")
    assert "First name: Maria" in text and "016/27.27.72" in text
    for private in ("Peeters", "12A", "bus 3", "0470", "Brood"):
        assert private not in shown.out + text, private
    assert [(e.action, e.rows, e.filter) for e in staff.store.log_entries()] == [("handout", 1, "one help request")] * 2


def _font_sizes(reader: pypdf.PdfReader) -> set[float]:
    """The size in points of every piece of text as printed: the font size scaled by the text matrix and the
    current transformation matrix (WeasyPrint writes in CSS pixels and scales the page by 0.75)."""
    sizes = set()

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            vertical = (tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            sizes.add(round(size * math.hypot(*vertical), 1))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return sizes


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_task_slip_is_a_tagged_pdf_with_the_rules_and_the_phone(local_staff: Staff, lang: str) -> None:
    local_staff.add(help_request("H-1", postcode="3010", help=("groceries", "pharmacy"), health_consent="yes"))
    local_staff.add(volunteer("V-1", name="Ann Janssens", postcode="3010"))
    assert local_staff("match", "H-1", "V-1").code == 0
    output = local_staff.tmp_path / "slip.pdf"

    result = local_staff("slip", "H-1", "--output", str(output), lang=lang)

    assert result.code == 0, result.err
    pdf = output.read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == lang
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"], "tagged (PDF/UA-1)"
    assert len(reader.pages) == 1
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "016/27.27.72" in text
    assert ("Een taak voor Ann" if lang == "nl" else "A task for Ann") in text
    assert ("pincode" if lang == "nl" else "PIN code") in text
    assert ("kasticket" if lang == "nl" else "receipt") in text
    assert "Kerkstraat 1" in text and "Maria" in text and "Peeters" not in text
    sizes = _font_sizes(reader)
    assert min(sizes) >= 12 and 14 in sizes, "Clear Print: body 14 pt, no text under 12 pt"
    fonts = embedded_fonts(output)
    assert fonts and all(fonts.values()) and all("Atkinson-Hyperlegible" in name for name in fonts), fonts
    assert [e.action for e in local_staff.store.log_entries()] == ["slip"]


def test_a_slip_on_dynamodb_too(dynamodb_staff: Staff) -> None:
    staff = dynamodb_staff
    staff.add(help_request("H-1"), volunteer("V-1"))
    staff("match", "H-1", "V-1")
    output = staff.tmp_path / "slip.pdf"

    assert staff("slip", "H-1", "--output", str(output)).code == 0
    assert "016/27.27.72" in pypdf.PdfReader(output).pages[0].extract_text()


def test_a_slip_needs_a_match_first(local_staff: Staff) -> None:
    local_staff.add(help_request("H-1"))

    result = local_staff("slip", "H-1", "--output", str(local_staff.tmp_path / "s.pdf"))

    assert result.code == 1 and "helpt match H-1" in result.err
    assert not (local_staff.tmp_path / "s.pdf").exists()


def _for_mother(reference: str, phone: str = "", **changes: object) -> object:
    answers = {
        "for_whom": "someone-else", "phone": phone, "asker_name": "Els Peeters", "asker_phone": "0470 99 88 77",
        "asker_email": "els@example.com", "relationship": "mijn moeder", "agreed": "yes", **changes,
    }  # fmt: skip
    return help_request(reference, **answers)


def test_the_worklist_says_a_request_is_for_someone_else(local_staff: Staff) -> None:
    local_staff.add(_for_mother("H-1"), help_request("H-2", minutes_ago=30))

    worklist = local_staff("worklist", lang="nl").out

    first, second = worklist.split("H-2")
    assert "Voor iemand anders | Hoe de aanvrager de persoon kent: mijn moeder" in first
    assert "iemand anders" not in second
    assert "Els" not in worklist and "0470" not in worklist


def test_the_handout_names_the_person_who_needs_help_never_the_asker(local_staff: Staff) -> None:
    local_staff.add(_for_mother("H-1"))

    shown = local_staff("handout", "H-1").out

    assert "First name: Maria" in shown
    for askers in ("Els", "0470 99 88 77", "els@example.com", "moeder"):
        assert askers not in shown, askers


def _slip_text(staff: Staff, reference: str, lang: str = "en") -> str:
    staff.add(volunteer(f"V-{reference}", name="Ann Janssens"))
    assert staff("match", reference, f"V-{reference}").code == 0
    output = staff.tmp_path / f"{reference}.pdf"
    result = staff("slip", reference, "--output", str(output), lang=lang)
    assert result.code == 0, result.err
    reader = pypdf.PdfReader(output)
    assert len(reader.pages) == 1, "still one page"
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_task_slip_says_whom_to_call_the_person_first_else_the_asker(local_staff: Staff) -> None:
    old = help_request("H-OLD", phone="016 20 30 40")
    for name in ("asker_name", "asker_phone", "asker_email", "health_consent_other"):
        del old.answers[name]
    local_staff.add(_for_mother("H-ASKER"), _for_mother("H-OWN", phone="016 20 30 40"), old)

    asker = _slip_text(local_staff, "H-ASKER")
    own = _slip_text(local_staff, "H-OWN", lang="nl")
    before = _slip_text(local_staff, "H-OLD")

    assert "Call Els, who asked for this help for Maria (mijn moeder): 0470 99 88 77" in asker
    assert "Kerkstraat 1" in asker and "Peeters" not in asker and "els@example.com" not in asker
    assert "Bel Maria: 016 20 30 40" in own and "0470 99 88 77" not in own
    assert "Els vroeg deze hulp voor Maria (mijn moeder)." in own
    assert "Call Maria: 016 20 30 40" in before and "asked for this help" not in before
