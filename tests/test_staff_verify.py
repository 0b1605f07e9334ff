"""The verification commands on every store: `helpt verify`, `helpt check`, `helpt card` and `helpt unverify`,
the access report that shows a volunteer their verification, and erasure that takes it away.
"""

from __future__ import annotations

import io
import json

from pypdf import PdfReader
from test_staff_support import NOW, Staff, volunteer

from helpt.verification import display_code

pytest_plugins = ["dynamodb_servers", "test_staff_support"]


def test_verify_check_card_and_unverify_from_the_command_line(staff: Staff) -> None:
    staff.add(volunteer("V-AAAA-AAAA", name="Олена Коваль", postcode="3000", help=("groceries",),
                        email="olena@example.org"))  # fmt: skip
    refused = staff("card", "V-AAAA-AAAA", "--output", str(staff.tmp_path / "card.pdf"))
    assert refused.code != 0 and "verify them first" in refused.err + refused.out
    done = staff("verify", "V-AAAA-AAAA", "--method", "partner", "--checked-by", "Rode Kruis Leuven",
                 "--checked-on", "2020-03-15")  # fmt: skip
    assert done.code == 0, done.err
    code = staff.store.verification("V-AAAA-AAAA", now=NOW).code
    assert display_code(code) in done.out
    known = staff("check", display_code(code).lower())
    assert known.code == 0 and "Олена" in known.out and "Leuven" in known.out
    assert staff("check", "KFM7X RT9AC").code == 1
    card = staff.tmp_path / "card.pdf"
    printed = staff("card", "V-AAAA-AAAA", "--output", str(card), "--design", "card-a6", "--card-language", "en")
    assert printed.code == 0, printed.err
    reader = PdfReader(io.BytesIO(card.read_bytes()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Олена" in text and display_code(code).split()[0] in text and "016/27.27.72" in text
    assert len(reader.pages) == 2, "front and back of one A6 card"
    gone = staff("unverify", "V-AAAA-AAAA", "--reason", "gestopt")
    assert gone.code == 0 and staff("check", code).code == 1


def test_the_access_report_shows_the_volunteer_their_verification_and_erasure_removes_it(staff: Staff) -> None:
    staff.add(volunteer("V-AAAA-AAAA", name="Zoë Wąsik", email="zoe@example.org", help=("dog",)))
    assert staff("verify", "V-AAAA-AAAA", "--method", "in_person", "--checked-by", "An Peeters").code == 0
    code = staff.store.verification("V-AAAA-AAAA", now=NOW).code
    assert staff("unverify", "V-AAAA-AAAA", "--reason", "moved away").code == 0
    report = staff.tmp_path / "zoe.json"
    assert staff("access", "--email", "zoe@example.org", "--output", str(report)).code == 0
    (item,) = json.loads(report.read_text(encoding="utf-8"))["submissions"]
    assert item["verification"]["method"] == "in_person" and item["verification"]["code"] == code
    assert item["verification"]["withdrawn_reason"] == "moved away"
    assert "An Peeters" not in report.read_text(encoding="utf-8"), "no staff names"
    assert [event["what"] for event in item["history"]] == ["verify", "unverify"]
    text = staff.tmp_path / "zoe.txt"
    assert staff("access", "--email", "zoe@example.org", "--output", str(text), lang="nl").code == 0
    words = text.read_text(encoding="utf-8")
    assert "Nagekeken door de stad: identiteitskaart gezien bij een gesprek" in words and "moved away" in words
    assert staff("erase", "--email", "zoe@example.org", "--yes").code == 0
    assert staff.store.verification("V-AAAA-AAAA", now=NOW) is None
    assert staff("check", code).code == 1
