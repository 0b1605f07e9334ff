"""The optional `[notifications]` table of city.toml: its defaults, and each mistake named by its key."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LEUVEN, OTHER_CITY, copy_city

from helpt.settings import NotificationSettings, SettingsError, load_city


def test_the_table_is_optional_and_the_sender_defaults_to_the_info_address(tmp_path: Path) -> None:
    city = load_city(LEUVEN)
    assert city.notifications == NotificationSettings()
    assert city.notifications.sms is False, "SMS is off unless a city turns it on"
    assert city.sender_email == city.info_email
    city_file = copy_city(OTHER_CITY, tmp_path)
    city_file.write_text(city_file.read_text() + '\n[notifications]\nsender = "post@example.org"\nsms = true\n'
                         "per_recipient_per_hour = 3\nmax_attempts = 2\nsmtp = '127.0.0.1:1025'\n")  # fmt: skip
    other = load_city(city_file)
    assert other.notifications == NotificationSettings(sender="post@example.org", sms=True, per_recipient_per_hour=3,
                                                       max_attempts=2, smtp="127.0.0.1:1025")  # fmt: skip
    assert other.sender_email == "post@example.org"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("sender = 'nobody'", "notifications.sender: 'nobody' is not an e-mail address"),
        ("sms = 'yes'", "notifications.sms: should be true or false"),
        ("per_recipient_per_hour = 0", "notifications.per_recipient_per_hour: should be between 1 and 100"),
        ("max_attempts = true", "notifications.max_attempts: should be a whole number"),
        ("smtp = 'localhost'", "notifications.smtp: 'localhost' is not host:port"),
        ("sneder = 'a@b.be'", "notifications.sneder: not a setting; the settings are sender, sms"),
    ],
)
def test_each_mistake_is_named_by_its_key(tmp_path: Path, table: str, message: str) -> None:
    city_file = copy_city(OTHER_CITY, tmp_path)
    city_file.write_text(city_file.read_text() + f"\n[notifications]\n{table}\n")
    with pytest.raises(SettingsError) as raised:
        load_city(city_file)
    assert message in str(raised.value)
