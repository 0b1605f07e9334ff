"""The site's check page for a personal card's code, over real HTTP through the local preview: in both
languages, a known code gives the first name, neighbourhood and end date; an unknown, withdrawn or expired one
says not to open the door, with the phone number; the limit per client answers 429 with the phone number; the
route reads nothing else and logs no caller data; a city can switch it off. Its pages pass the HTML checker.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from browser_support import VNU_JAR, require_vnu, serve_directory
from conftest import LEUVEN, BuiltSite, build, copy_city

from helpt.card_check import CardCheckPage
from helpt.settings import load_city
from helpt.staff import verifying
from helpt.submissions import Submission
from helpt.verification import CHECKS_PER_CLIENT, display_code
from helpt_site.build import PROJECT_DIR
from helpt_site.local_api import LocalApi

CITY = load_city(LEUVEN)
PHONE = CITY.phone


def volunteer(reference: str, name: str, expires_in_days: int = 90) -> Submission:
    now = dt.datetime.now(dt.UTC)
    return Submission(
        reference=reference, form="volunteer_signup", lang="nl", created_at=now - dt.timedelta(days=1),
        expires_at=int((now + dt.timedelta(days=expires_in_days)).timestamp()),
        answers={"name": name, "postcode": "3010", "help": ("groceries",)},
    )  # fmt: skip


@dataclasses.dataclass
class Served:
    url: str
    api: LocalApi
    codes: dict[str, str]  # "known", "withdrawn", "replaced", "expired" -> code


@pytest.fixture
def served(leuven_site: BuiltSite, tmp_path: Path) -> Iterator[Served]:
    api = LocalApi(PROJECT_DIR, leuven_site.root, LEUVEN, tmp_path / "data")
    store, now = api.store, dt.datetime.now(dt.UTC)
    for reference, name in (("V-AAAA-AAAA", "Zoë Wąsik-Quaix"), ("V-BBBB-BBBB", "Jan"), ("V-CCCC-CCCC", "Олена")):
        store.add(volunteer(reference, name))
    options = {"method": "in_person", "checked_by": "An", "checked_on": now.date(), "card_name": "", "who": "c"}
    known = verifying.verify(store, CITY, "V-AAAA-AAAA", now=now, **options)
    withdrawn = verifying.verify(store, CITY, "V-BBBB-BBBB", now=now, **options)
    verifying.withdraw(store, "V-BBBB-BBBB", "stopped", "c", now)
    replaced = verifying.verify(store, CITY, "V-CCCC-CCCC", now=now, **options)
    verifying.verify(store, CITY, "V-CCCC-CCCC", now=now, **options)
    # An expired verification as the store holds it until it is purged: its record's time is past.
    expired = dataclasses.replace(
        known, reference="V-DDDD-DDDD", code="XXXXXAAAAA", expires_at=int(now.timestamp()) - 1
    )
    store.put_verification(expired)
    with serve_directory(leuven_site.root, api) as url:
        yield Served(url, api, {"known": known.code, "withdrawn": withdrawn.code, "replaced": replaced.code,
                                "expired": expired.code})  # fmt: skip


def get(url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    answer = connection.getresponse()
    body = answer.read().decode("utf-8")
    connection.close()
    return answer.status, body, {name.lower(): value for name, value in answer.getheaders()}


def test_a_known_code_names_the_volunteer_in_both_languages(served: Served) -> None:
    code = served.codes["known"]
    status, body, headers = get(served.url, f"/controle/?code={code}")
    assert status == 200 and "Dit kaartje is van een vrijwilliger die de stad kent" in body
    assert "<strong>Zoë</strong>" in body and "Kessel-Lo" in body and "Geldig tot" in body
    assert "Wąsik" not in body, "the first name only, as the coordinator confirmed it"
    assert headers["cache-control"] == "no-store"
    status, body, _ = get(served.url, f"/en/check/?code={quote(display_code(code).lower())}")
    assert status == 200 and "This card belongs to a volunteer the city knows" in body and "Valid until" in body
    assert '<html lang="en">' in body


@pytest.mark.parametrize("which", ["withdrawn", "replaced", "expired", "never-issued", "malformed"])
def test_withdrawn_expired_and_unknown_codes_all_answer_do_not_open_the_door(served: Served, which: str) -> None:
    code = {"never-issued": "KFM7XRT9AC", "malformed": "=HYPERLINK(1)"}.get(which) or served.codes[which]
    for path, words in (("/controle/", "We kennen deze code niet"), ("/en/check/", "We do not know this code")):
        status, body, _ = get(served.url, f"{path}?code={quote(code)}")
        assert status == 200 and words in body and PHONE in body
        assert "Zoë" not in body and "Олена" not in body and "Jan" not in body
    # The code typed stays in the field, escaped, to correct a typo.
    assert 'value="=HYPERLINK(1)"' in body or which != "malformed"


def test_the_page_without_a_code_is_the_plain_form_and_an_empty_code_is_a_problem(served: Served) -> None:
    status, body, _ = get(served.url, "/controle/")
    assert status == 200 and 'method="get"' in body and 'name="code"' in body and "We kennen" not in body
    status, body, _ = get(served.url, "/en/check/?code=+")
    assert status == 200 and body.count("Type the code from the back of the card") == 2
    assert "<title>Error: Check a neighbour card" in body and 'aria-invalid="true"' in body


def test_checks_are_limited_per_client_with_a_page_that_gives_the_phone(served: Served) -> None:
    answers = [get(served.url, "/en/check/?code=AAAAAAAAAA")[0] for _ in range(CHECKS_PER_CLIENT)]
    assert answers == [200] * CHECKS_PER_CLIENT
    status, body, headers = get(served.url, f"/controle/?code={served.codes['known']}")
    assert status == 429, "even a right code, once the limit is reached"
    assert "Te veel controles vanaf je verbinding" in body and PHONE in body and "Zoë" not in body
    assert headers["retry-after"] == "3600"
    # A header a client sends itself is not believed where CloudFront does not set it (the preview) ...
    spoofed = {"CloudFront-Viewer-Address": "198.51.100.7:40123"}
    assert get(served.url, "/en/check/?code=AAAAAAAAAA", spoofed)[0] == 429
    # ... and behind CloudFront another visitor is not held back by this one.
    served.api.intake.card_check.client_header = "cloudfront-viewer-address"
    status, body, _ = get(served.url, f"/controle/?code={served.codes['known']}",
                          {"CloudFront-Viewer-Address": "198.51.100.7:40123"})  # fmt: skip
    assert status == 200 and "<strong>Zoë</strong>" in body


def test_a_household_changing_its_ipv6_address_stays_one_client(served: Served) -> None:
    served.api.reload()
    served.api.intake.card_check.client_header = "cloudfront-viewer-address"  # as behind CloudFront
    for number in range(CHECKS_PER_CLIENT):
        viewer = f"2001:db8:aa:bb:{number:x}::1:5000"
        assert get(served.url, "/en/check/?code=AAAAAAAAAA", {"CloudFront-Viewer-Address": viewer})[0] == 200
    viewer = "2001:db8:aa:bb:ffff::9:5000"
    assert get(served.url, "/en/check/?code=AAAAAAAAAA", {"CloudFront-Viewer-Address": viewer})[0] == 429


class Spy:
    """The real store, with every call it is asked for written down."""

    def __init__(self, store: Any) -> None:
        self.store, self.calls = store, []

    def __getattr__(self, name: str) -> Any:
        self.calls.append(name)
        return getattr(self.store, name)


def test_the_check_reads_only_the_codes_item_and_logs_no_caller_data(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    served.api.reload()
    intake = served.api.intake
    spy = Spy(served.api.store)
    intake.card_check = CardCheckPage(intake.city, intake.renderer, spy, b"k" * 32)
    code = served.codes["known"]
    with caplog.at_level(logging.INFO, logger="helpt"):
        for query in (f"code={code}", "code=KFM7XRT9AC"):
            assert get(served.url, f"/controle/?{query}")[0] == 200
    assert spy.calls == ["take_rate", "take_rate", "card_check"] * 2, "rate counts and the one code, nothing else"
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert '{"check": "known"}' in logged and '{"check": "unknown"}' in logged
    assert code not in logged and "KFM7XRT9AC" not in logged and "127.0.0.1" not in logged and "Zoë" not in logged


def test_a_stalled_or_broken_store_says_so_and_gives_the_phone(served: Served) -> None:
    served.api.reload()
    intake = served.api.intake

    class Broken:
        def take_rate(self, *args: Any, **kwargs: Any) -> bool:
            raise OSError("disk I/O error")

    intake.card_check = CardCheckPage(intake.city, intake.renderer, Broken(), b"k" * 32)
    status, body, _ = get(served.url, f"/en/check/?code={served.codes['known']}")
    assert status == 503 and "the check does not work right now" in body and PHONE in body
    assert "do not open the door" in body


def test_a_city_can_switch_the_web_check_off(tmp_path: Path) -> None:
    city_file = copy_city(LEUVEN, tmp_path / "city")
    city_file.write_text(city_file.read_text(encoding="utf-8") + "\n[card_check]\nweb = false\n", encoding="utf-8")
    site = build(tmp_path, city_file)
    assert not (site.root / "controle").exists() and not (site.root / "en" / "check").exists()
    site_data = json.loads((site.root / ".helpt" / "site.json").read_text(encoding="utf-8"))
    assert site_data["check_pages"] == {}
    api = LocalApi(PROJECT_DIR, site.root, city_file, tmp_path / "data")
    with serve_directory(site.root, api) as url:
        status, _body, _headers = get(url, "/controle/?code=KFM7XRT9AC")
    assert status == 404


def test_the_check_pages_pass_the_html_checker(served: Served, tmp_path: Path) -> None:
    java = require_vnu()
    pages = []
    for name, path in {
        "known-nl": f"/controle/?code={served.codes['known']}", "unknown-en": "/en/check/?code=KFM7XRT9AC",
        "empty-nl": "/controle/?code=", "form-en": "/en/check/",
    }.items():  # fmt: skip
        page = tmp_path / f"{name}.html"
        page.write_text(get(served.url, path)[1], encoding="utf-8")
        pages.append(page)
    for _ in range(CHECKS_PER_CLIENT):
        get(served.url, "/controle/?code=AAAAAAAAAA")
    limited = tmp_path / "limited-nl.html"
    limited.write_text(get(served.url, "/controle/?code=AAAAAAAAAA")[1], encoding="utf-8")
    checked = subprocess.run(
        [str(java), "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, [*pages, limited])],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    report = json.loads(checked.stderr or checked.stdout)
    assert [f"{m.get('url', '')}: {m['message']}" for m in report["messages"]] == []


def test_axe_finds_nothing_on_the_answers_with_javascript_on_and_off(browser, served: Served) -> None:
    from browser_support import Sweep

    sweep = Sweep()
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        for name, path in (("known", f"/controle/?code={served.codes['known']}"), ("unknown", "/en/check/?code=X"),
                           ("empty", "/controle/?code=")):  # fmt: skip
            page.goto(served.url + path)
            if javascript:
                sweep.check(page, name)
        # The form works from the keyboard with JavaScript off: type, Enter, the answer.
        page.goto(served.url + "/en/check/")
        page.fill("#f-code", display_code(served.codes["known"]))
        page.press("#f-code", "Enter")
        page.wait_for_load_state()
        assert "This card belongs to a volunteer the city knows" in page.content()
        assert "?code=" in page.url
        context.close()
    assert sweep.clean(), (sweep.findings, sweep.overflowing)
