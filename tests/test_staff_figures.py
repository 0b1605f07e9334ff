"""`helpt figures`: counts per form, day, neighbourhood and status, the times to a first contact and to a match,
the chart as a PNG picture or an SVG drawing, and the public counts file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections import Counter
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from PIL import Image
from test_staff_support import Staff, expired, help_request, vacancy_response, volunteer

from helpt.settings import load_city
from helpt.staff.figures import count, hours
from helpt.staff.figures_public import read_public
from helpt.stores import Event

pytest_plugins = ["dynamodb_servers", "test_staff_support"]
LEUVEN_RED = (0xA3, 0x00, 0x1B)
VOLUNTEER_BLUE = (0x1F, 0x4E, 0x79)
SVG = "{http://www.w3.org/2000/svg}"


def test_figures_count_per_form_day_and_neighbourhood(staff: Staff) -> None:
    records = [
        help_request("H-1", minutes_ago=60 * 24 * 3, postcode="3010"),
        help_request("H-2", minutes_ago=5, postcode="3010"),
        volunteer("V-1", minutes_ago=60 * 24 * 3, postcode="3000"),
        volunteer("V-2", minutes_ago=60 * 24 * 3 + 1, postcode="3010"),
        volunteer("V-3", minutes_ago=6, postcode="3001"),
        vacancy_response("R-1", minutes_ago=7),
    ]
    staff.add(*records, expired(help_request("H-OLD")))

    result = staff("figures", lang="nl")

    assert result.code == 0, result.err
    lines = [line.split() for line in result.out.splitlines()]
    assert (
        ["Hulpvraag", "2"] in lines and ["Vrijwilliger", "3"] in lines and ["Reactie", "op", "vacature", "1"] in lines
    )
    # Per day of the city's calendar; counted from the records, so a run just after midnight agrees too.
    tz = ZoneInfo(load_city().timezone)
    forms = ("help_request", "volunteer_signup", "vacancy_response")
    per_day: dict[str, list[int]] = {}
    for record in records:
        per_day.setdefault(str(record.created_at.astimezone(tz).date()), [0, 0, 0])[forms.index(record.form)] += 1
    for day, numbers in per_day.items():
        assert [day, *map(str, numbers)] in lines, day
    assert ["Kessel-Lo", "2", "1", "0"] in lines and ["Heverlee", "0", "1", "0"] in lines
    assert ["?", "0", "0", "1"] in lines, "a vacancy response has no postcode"


def test_the_chart_is_a_png_with_both_series(local_staff: Staff) -> None:
    local_staff.add(
        *(help_request(f"H-{n}", minutes_ago=60 * 24 * n + 1) for n in range(4)),
        *(volunteer(f"V-{n}", minutes_ago=60 * 24 * (n % 5) + 2) for n in range(12)),
    )
    chart = local_staff.tmp_path / "cijfers.png"

    result = local_staff("figures", "--chart", str(chart), lang="nl")

    assert result.code == 0, result.err
    image = Image.open(io.BytesIO(chart.read_bytes()))
    assert image.format == "PNG" and image.width >= 1000
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    counts = {colour: count for count, colour in colours}
    red, blue = counts.get(LEUVEN_RED, 0), counts.get(VOLUNTEER_BLUE, 0)
    assert red > 1000 and blue > 1000, "bars of both series are drawn"
    assert blue > 2 * red, "12 sign-ups against 4 requests: the sign-up bars are taller"
    assert len(colours) > 20, "text and lines, not a blank page"


def test_a_chart_of_nothing_says_so(local_staff: Staff) -> None:
    chart = local_staff.tmp_path / "leeg.png"

    assert local_staff("figures", "--chart", str(chart)).code == 0
    image = Image.open(chart).convert("RGB")
    assert len(image.getcolors(maxcolors=1_000_000)) > 2, "a title and a message, not a blank picture"


# A known data set ---------------------------------------------------------------------------------------------
# Help requests and volunteers at known moments (UTC) in Leuven (Europe/Brussels, UTC+1 in March 2020), with
# histories whose times to a first contact and to a match are computed by hand below.
UTC = dt.UTC
LIVE_UNTIL = int(dt.datetime.now(UTC).timestamp()) + 30 * 86400  # live for the tool's real clock too
H = dt.timedelta(hours=1)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2020, 3, day, hour, minute, tzinfo=UTC)


# reference, created (UTC), postcode, [(hours after, kind, status, other)]
KNOWN_REQUESTS = [
    ("H-AAAA-AAA1", at(16, 8), "3000", [(1, "note", "", ""), (24, "proposal", "", "V-AAAA-AAA1"),
                                         (24, "confirm", "matched", "V-AAAA-AAA1")]),
    # 23:30 in Leuven on the 16th; a claim is not a contact, the status change 3 hours later is.
    ("H-AAAA-AAA2", at(16, 22, 30), "3010", [(0.5, "claim", "", "ann"), (3, "status", "contacted", ""),
                                             (5, "proposal", "", "V-AAAA-AAA2"),
                                             (30, "confirm", "matched", "V-AAAA-AAA2")]),
    # 00:30 in Leuven on the 17th (still the 16th in UTC); a correction is not a contact, a proposal is.
    ("H-AAAA-AAA3", at(16, 23, 30), "3010", [(1, "correction", "", "details"), (2, "proposal", "", "V-AAAA-AAA1")]),
    ("H-AAAA-AAA4", at(17, 10), "3001", [(10, "status", "closed", "")]),
    ("H-AAAA-AAA5", at(17, 12), "3001", []),  # still waiting: in neither time
    ("H-AAAA-AAA6", at(18, 9), "3000", [(48, "match", "matched", "V-AAAA-AAA3")]),  # `helpt match` of old
    # Outside the city's postcodes; matched after 8 hours and undone: the first match still counts.
    ("H-AAAA-AAA7", at(18, 10), "1000", [(6, "status", "contacted", ""), (7, "proposal", "", "V-AAAA-AAA3"),
                                         (8, "confirm", "matched", "V-AAAA-AAA3"),
                                         (9, "undo", "contacted", "V-AAAA-AAA3")]),
]  # fmt: skip
KNOWN_VOLUNTEERS = [
    ("V-AAAA-AAA1", at(16, 23, 10), "3000", "new"),  # 00:10 on the 17th in Leuven
    ("V-AAAA-AAA2", at(16, 12), "3010", "new"),
    ("V-AAAA-AAA3", at(18, 9), "3018", "closed"),
]
# By hand: first contact after 1, 3, 2, 10, 48 and 6 hours (H5 none): sorted 1 2 3 6 10 48; the median is
# between the 3rd and 4th (4.5), the 90th percentile at rank 0.9 * 5 = 4.5, between 10 and 48 (29).
# Matches after 24, 30, 48 and 8 hours: sorted 8 24 30 48; median 27, 90th at rank 2.7: 30 + 0.7 * 18 = 42.6.
KNOWN_TIMES = {"first_contact": (6, 4.5, 29.0), "match": (4, 27.0, 42.6)}


def add_known(store) -> None:
    for reference, created, postcode, history in KNOWN_REQUESTS:
        record = dataclasses.replace(help_request(reference, postcode=postcode), created_at=created,
                                     expires_at=LIVE_UNTIL)  # fmt: skip
        assert store.add(record)
        for after, kind, status, other in history:
            assert store.record_event(reference, Event(created + after * H, kind, status, other=other, by="ann"))
    for reference, created, postcode, status in KNOWN_VOLUNTEERS:
        record = dataclasses.replace(volunteer(reference, postcode=postcode), created_at=created,
                                     expires_at=LIVE_UNTIL, status=status)  # fmt: skip
        assert store.add(record)


def test_the_known_figures_per_day_in_the_city_s_time_zone_per_neighbourhood_and_status(staff: Staff) -> None:
    add_known(staff.store)
    city = load_city()

    figures = count(staff.store, city, dt.datetime.now(UTC))

    per_day = {day.isoformat(): dict(counts) for day, counts in figures.per_day.items()}
    assert per_day == {
        "2020-03-16": {"help_request": 2, "volunteer_signup": 1},
        "2020-03-17": {"help_request": 3, "volunteer_signup": 1},
        "2020-03-18": {"help_request": 2, "volunteer_signup": 1},
    }, "23:30 and 00:30 in Leuven are two days, though both are the 16th in UTC"
    assert {hood: dict(counts) for hood, counts in figures.per_neighbourhood.items()} == {
        "Leuven": {"help_request": 2, "volunteer_signup": 1},
        "Kessel-Lo": {"help_request": 2, "volunteer_signup": 1},
        "Heverlee": {"help_request": 2},
        "Wijgmaal": {"volunteer_signup": 1},
        "?": {"help_request": 1},
    }
    assert {status: dict(counts) for status, counts in figures.per_status.items()} == {
        "new": {"help_request": 2, "volunteer_signup": 2},
        "contacted": {"help_request": 1},
        "matched": {"help_request": 3},
        "closed": {"help_request": 1, "volunteer_signup": 1},
    }
    for name, (number, median, p90) in KNOWN_TIMES.items():
        timing = figures.timing(name)
        assert (timing.count, hours(timing.median), hours(timing.p90)) == (number, median, p90), name


def test_a_period_is_the_city_s_days_from_and_to_both_included(local_staff: Staff) -> None:
    add_known(local_staff.store)

    result = local_staff("figures", "--from", "2020-03-17", "--to", "2020-03-17", lang="en")

    assert result.code == 0, result.err
    lines = [line.split() for line in result.out.splitlines()]
    assert ["Help", "request", "3"] in lines and ["Volunteer", "1"] in lines, "H3, H4, H5 and V1: local days"
    assert ["2020-03-17", "3", "1", "0"] in lines and not any(line[:1] == ["2020-03-16"] for line in lines)
    assert ["new", "2", "1", "0"] in lines and ["closed", "1", "0", "0"] in lines
    # First contact after 2 (H3) and 10 hours (H4): median 6, 90th percentile 2 + 0.9 * 8 = 9.2.
    assert ["First", "contact", "2", "6.0", "9.2"] in lines
    assert ["Matched", "with", "a", "volunteer", "0", "-", "-"] in lines


def test_the_whole_store_s_times_are_printed_with_how_many_requests_make_them(local_staff: Staff) -> None:
    add_known(local_staff.store)

    lines = [line.split() for line in local_staff("figures", lang="en").out.splitlines()]

    assert ["First", "contact", "6", "4.5", "29.0"] in lines
    assert ["Matched", "with", "a", "volunteer", "4", "27.0", "42.6"] in lines
    assert ["?", "1", "0", "0"] in lines and ["Wijgmaal", "0", "1", "0"] in lines


def test_the_chart_can_be_an_svg_drawing_without_weasyprint(local_staff: Staff) -> None:
    add_known(local_staff.store)
    drawing = local_staff.tmp_path / "figures.svg"

    result = local_staff("figures", "--chart", str(drawing), lang="en")

    assert result.code == 0, result.err
    svg = ElementTree.fromstring(drawing.read_bytes())
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Help requests and volunteer sign-ups per day"
    shapes = [(rect.get("fill"), float(rect.get("height"))) for rect in svg.iter(f"{SVG}rect")]
    assert Counter(fill for fill, _height in shapes) == {"#ffffff": 1, "#a3001b": 1 + 3, "#1f4e79": 1 + 3}
    requests = [height for fill, height in shapes[3:] if fill == "#a3001b"]  # after the background and legend
    sign_ups = [height for fill, height in shapes[3:] if fill == "#1f4e79"]
    assert requests[1] == 1.5 * requests[0] == 1.5 * requests[2] and sign_ups[0] == sign_ups[1] == sign_ups[2] > 0
    assert not any("style" in element.attrib for element in svg.iter()), "presentation attributes only"
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert [label for label in labels if "/" in label] == ["16/03", "17/03", "18/03"]


def test_the_public_counts_leave_small_counts_out(local_staff: Staff) -> None:
    add_known(local_staff.store)
    counts_file = local_staff.tmp_path / "figures.json"

    result = local_staff("figures", "--public", str(counts_file), lang="en")

    assert result.code == 0, result.err and f"Wrote the public figures to {counts_file}" in result.out
    counts = read_public(counts_file, load_city())
    assert counts["totals"] == {"help_request": 7, "volunteer_signup": "fewer"}
    # Each neighbourhood and status has fewer than 5 requests, and four such add up to 7 in more than one
    # way; the 3 volunteers are too few for any table.
    fewer = [["Leuven", "fewer"], ["Heverlee", "fewer"], ["Kessel-Lo", "fewer"], ["Wilsele", 0], ["Wijgmaal", 0],
             ["?", "fewer"]]  # fmt: skip
    assert counts["per_neighbourhood"] == {"help_request": fewer, "volunteer_signup": None}
    statuses = [["new", "fewer"], ["contacted", "fewer"], ["matched", "fewer"], ["done", 0], ["closed", "fewer"],
                ["other", 0]]  # fmt: skip
    assert counts["per_status"] == {"help_request": statuses}
    assert counts["times"] == {"first_contact": {"median_hours": 4.5, "p90_hours": 29.0}, "match": None}
    assert "H-AAAA" not in counts_file.read_text(encoding="utf-8")
