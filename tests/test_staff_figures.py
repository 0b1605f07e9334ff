"""`helpt figures`: counts per form, per day and per neighbourhood, and the chart as a PNG picture."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from PIL import Image
from test_staff_support import Staff, expired, help_request, vacancy_response, volunteer

from helpt.settings import load_city

pytest_plugins = ["dynamodb_servers", "test_staff_support"]
LEUVEN_RED = (0xA3, 0x00, 0x1B)
VOLUNTEER_BLUE = (0x1F, 0x4E, 0x79)


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
