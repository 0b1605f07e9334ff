"""The city settings file: Leuven's public values, and clear messages for every mistake."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import LEUVEN, OTHER_CITY, copy_city

from helpt.settings import SettingsError, StaffSettings, contrast_ratio, load_city
from helpt_site.build import PROJECT_DIR


def test_leuven_ships_its_public_values() -> None:
    city = load_city(LEUVEN)
    assert city.name == "Leuven"
    assert city.site_name == {"nl": "Leuven Helpt", "en": "Leuven Helps"}
    assert city.languages == ("nl", "en") and city.default_language == "nl"
    assert (city.phone, city.phone_uri) == ("016/27.27.72", "tel:+3216272772")
    assert (city.hours.days, city.hours.opens, city.hours.closes) == ("daily", dt.time(8), dt.time(20))
    assert (city.help_email, city.info_email) == ("leuven.helpt@leuven.be", "corona@leuven.be")
    assert city.postcodes == {
        "3000": "Leuven", "3001": "Heverlee", "3010": "Kessel-Lo", "3012": "Wilsele", "3018": "Wijgmaal",
    }  # fmt: skip
    assert city.retention_days == 90
    assert contrast_ratio(city.primary_colour, "#ffffff") >= 4.5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('phone = "09/123.45.67"', 'phone = "call us"'), "contact.phone: 'call us' is not a phone number"),
        (
            ('help_email = "zorg@zonnedorp.example"', 'help_email = "zorg"'),
            "contact.help_email: 'zorg' is not",
        ),
        (('days = "weekdays"', 'days = "sometimes"'), "contact.hours.days: should be one of daily, weekdays"),
        (('opens = "09:00"', 'opens = "18:00"'), "contact.hours: the line should open before it closes"),
        (("retention_days = 30", "retention_days = 0"), "city.retention_days: should be between 1 and 3650"),
        (("retention_days = 30", 'retention_days = "30"'), "city.retention_days: should be a whole number"),
        (('order = ["nl", "en"]', 'order = ["nl", "EN"]'), "languages.order: 'EN' is not a language code"),
        (('en = "Zonnedorp Cares"', ""), "city.site_name.en: missing (one site name per language)"),
        (('tint = "#eef6fb"', 'tint = "#333333"'), "theme.tint: black text on #333333 is too faint"),
        (('logo = "images/sun.svg"', 'logo = "images/moon.svg"'), "theme.logo:"),
        (('timezone = "Europe/Brussels"', 'timezone = "Mars/Olympus"'), "city.timezone: 'Mars/Olympus'"),
        (('postcodes = ["9991", "9992"]', 'postcodes = ["9991", "9990"]'), "postcode 9990 is listed twice"),
        (
            ('site_url = "https://helpt.zonnedorp.example"', 'site_url = "helpt.example"'),
            "not an https:// URL",
        ),
    ],
)
def test_each_mistake_is_named_by_its_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    city_file = copy_city(OTHER_CITY, tmp_path)
    original = city_file.read_text()
    assert change[0] in original
    city_file.write_text(original.replace(change[0], change[1]))
    with pytest.raises(SettingsError) as raised:
        load_city(city_file)
    assert message in str(raised.value)


def test_all_mistakes_are_reported_together(tmp_path: Path) -> None:
    city_file = copy_city(OTHER_CITY, tmp_path)
    text = re.sub(r"\[contact\]\n", "[contact_typo]\n", city_file.read_text())
    city_file.write_text(text.replace('primary = "#005a8c"', 'primary = "blue"'))
    with pytest.raises(SettingsError) as raised:
        load_city(city_file)
    problems = raised.value.problems
    assert "contact.phone: missing" in problems and "contact.help_email: missing" in problems
    assert "theme.primary: 'blue' is not a colour like #a3001b" in problems


def test_a_missing_or_broken_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="the file does not exist"):
        load_city(tmp_path / "nowhere.toml")
    (tmp_path / "broken.toml").write_text("[city\nname=")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_city(tmp_path / "broken.toml")


def test_no_template_or_page_hard_codes_the_citys_facts() -> None:
    """Pages use placeholders, so another city can copy them; vacancies may name real places."""
    city = load_city(LEUVEN)
    facts = [
        city.name,
        *city.site_name.values(),
        city.phone,
        city.help_email,
        city.info_email,
        city.dpo_email,
    ]
    sources = [*(PROJECT_DIR / "content" / "pages").glob("*.md"), *(PROJECT_DIR / "theme").rglob("*.*")]
    sources = [path for path in sources if path.suffix in (".md", ".html", ".css", ".po", ".pot")]
    assert len(sources) > 20
    found = {str(path.relative_to(PROJECT_DIR)): fact for path in sources for fact in facts if fact in path.read_text()}
    assert found == {}


def test_the_staff_table_is_optional_and_its_defaults_are_the_documented_ones(tmp_path: Path) -> None:
    assert load_city(LEUVEN).staff == load_city(OTHER_CITY).staff == StaffSettings()
    defaults = StaffSettings()
    assert (defaults.session_idle_minutes, defaults.session_max_hours, defaults.promise_hours) == (30, 10, 24)
    assert (defaults.failed_signin_limit, defaults.lockout_minutes) == (5, 15)
    city_file = copy_city(OTHER_CITY, tmp_path)
    city_file.write_text(city_file.read_text() + "\n[staff]\nsession_idle_minutes = 20\npromise_hours = 4\n")
    assert load_city(city_file).staff == StaffSettings(session_idle_minutes=20, promise_hours=4)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("session_idle_minutes = 0", "staff.session_idle_minutes: should be between 1 and 1440"),
        ("lockout_minutes = '15'", "staff.lockout_minutes: should be a whole number"),
        ("failed_signin_limit = true", "staff.failed_signin_limit: should be a whole number"),
        ("session_max_hours = 1\nsession_idle_minutes = 90", "should not be longer than staff.session_max_hours"),
        ("session_idle_minute = 5", "staff.session_idle_minute: not a setting; the settings are session_idle_minutes"),
    ],
)
def test_each_staff_mistake_is_named_by_its_key(tmp_path: Path, table: str, message: str) -> None:
    city_file = copy_city(OTHER_CITY, tmp_path)
    city_file.write_text(city_file.read_text() + f"\n[staff]\n{table}\n")
    with pytest.raises(SettingsError) as raised:
        load_city(city_file)
    assert message in str(raised.value)
