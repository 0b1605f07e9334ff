"""City settings: the one file that makes the kit a given city's platform.

Everything a page, card or handler says about the city (name, phone line, e-mail addresses, languages,
colours, neighbourhoods, retention) is read from here, so another city re-brands the kit by editing one
TOML file. Loading validates the whole file and reports every problem at once, named by its key.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_SETTINGS_FILE = "city.toml"
HOURS_DAYS = ("daily", "weekdays")
MIN_TEXT_CONTRAST = 4.5

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_POSTCODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z ]{1,8}$")
_KIND_NAMES = {str: "text in quotes", int: "a whole number", list: "a list [...]", dict: "a table"}
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class SettingsError(ValueError):
    """The settings file has problems; `problems` lists each one in words."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the city settings:\n{listing}")


@dataclass(frozen=True)
class OpeningHours:
    days: str
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class Neighbourhood:
    name: str
    postcodes: tuple[str, ...]


@dataclass(frozen=True)
class StaffSettings:
    """The back office's rules (optional `[staff]` table): a session lasts about a working day at most, and the
    lock-out slows down guessing a password without keeping a staff member out for long."""

    session_idle_minutes: int = 30  # signed out after this long without a request
    session_max_hours: int = 10  # signed out this long after signing in, however busy
    promise_hours: int = 24  # the city promises to call a person back within this many hours
    failed_signin_limit: int = 5  # wrong passwords in a row before the account is locked ...
    lockout_minutes: int = 15  # ... for this long


@dataclass(frozen=True)
class NotificationSettings:
    """How Helpt sends messages (optional `[notifications]` table; docs/CITY-SETUP.md).

    E-mail is always on; SMS only when `sms` is true (it costs money per message and needs AWS's SMS set up).
    The rate limit keeps a mistake (a loop, a flood of proposals) from burying one person in messages: a message
    over it waits for the next hour, it is never dropped."""

    sender: str = ""  # From: of every e-mail; "" is contact.info_email (on AWS: an identity SES verified)
    sms: bool = False  # send the SMS form of the volunteer messages to volunteers who gave only a phone number
    per_recipient_per_hour: int = 5  # at most this many messages to one address or number in one clock hour
    max_attempts: int = 6  # deliveries tried (with growing pauses) before a message is given up and logged
    smtp: str = ""  # the preview only: "host:port" of a mail server to send through as well as the outbox


_NOTIFICATION_KEYS = {"sender": str, "sms": bool, "per_recipient_per_hour": int, "max_attempts": int, "smtp": str}
_NOTIFICATION_LIMITS = {"per_recipient_per_hour": (1, 100), "max_attempts": (1, 20)}
_HOST_PORT = re.compile(r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")

# Each `[staff]` key's smallest and largest sensible value.
_STAFF_LIMITS = {"session_idle_minutes": (1, 1440), "session_max_hours": (1, 168), "promise_hours": (1, 336),
                 "failed_signin_limit": (1, 100), "lockout_minutes": (1, 1440)}  # fmt: skip


@dataclass(frozen=True)
class CitySettings:
    """A city's settings, validated. Paths are absolute."""

    source: Path
    name: str
    timezone: str
    site_url: str
    retention_days: int
    site_name: dict[str, str]
    languages: tuple[str, ...]
    phone: str
    phone_country_code: str
    help_email: str
    info_email: str
    hours: OpeningHours
    controller: str
    dpo_email: str
    primary_colour: str
    tint_colour: str
    logo: str
    content_dir: Path
    menu: tuple[str, ...]
    neighbourhoods: tuple[Neighbourhood, ...]
    staff: StaffSettings = StaffSettings()
    notifications: NotificationSettings = NotificationSettings()
    # `[card_check] web`: whether the site's check page answers for the personal cards' codes. Off, the cards
    # and the page say to call the city with the code, and the call centre's check goes on.
    web_card_check: bool = True

    @property
    def sender_email(self) -> str:
        """The From: address of Helpt's e-mail: `[notifications] sender`, else contact.info_email."""
        return self.notifications.sender or self.info_email

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def phone_uri(self) -> str:
        return tel_uri(self.phone, self.phone_country_code)

    @property
    def postcodes(self) -> dict[str, str]:
        """Postcode to neighbourhood name, for matching and validation."""
        return {code: hood.name for hood in self.neighbourhoods for code in hood.postcodes}


def load_city(path: str | Path = DEFAULT_SETTINGS_FILE) -> CitySettings:
    """Read and validate a city settings file; raise SettingsError naming every problem."""
    path = Path(path).resolve()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(path, ["the file does not exist"]) from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(path, [f"not valid TOML: {error}"]) from None
    return _Reader(path, raw).city()


class _Reader:
    """Reads values by dotted key, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path, raw: dict) -> None:
        self.path = path
        self.raw = raw
        self.problems: list[str] = []

    def get(self, key: str, kind: type) -> object:
        node: object = self.raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                self.problems.append(f"{key}: missing")
                return None
            node = node[part]
        if not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
            self.problems.append(f"{key}: should be {_KIND_NAMES[kind]}, not {node!r}")
            return None
        return node

    def text(self, key: str, pattern: re.Pattern | None = None, hint: str = "") -> str:
        value = self.get(key, str)
        if value is None:
            return ""
        if not value.strip():
            self.problems.append(f"{key}: is empty")
        elif pattern and not pattern.match(value):
            self.problems.append(f"{key}: {value!r} is not {hint}")
        return value

    def time(self, key: str) -> dt.time:
        value = self.text(key, _TIME, "a time like 08:00")
        return dt.time.fromisoformat(value) if _TIME.match(value) else dt.time(0, 0)

    def timezone(self, key: str) -> str:
        value = self.text(key)
        try:
            ZoneInfo(value)
        except (ValueError, ZoneInfoNotFoundError):
            self.problems.append(f"{key}: {value!r} is not a time zone like Europe/Brussels")
        return value

    def city(self) -> CitySettings:
        languages = tuple(self.get("languages.order", list) or ())
        if not languages:
            self.problems.append("languages.order: list at least one language, the default first")
        for lang in languages:
            if not isinstance(lang, str) or not _LANG.match(lang):
                self.problems.append(f"languages.order: {lang!r} is not a language code like 'nl'")
        site_name = self.get("city.site_name", dict) or {}
        for lang in languages:
            if not isinstance(site_name.get(lang), str) or not site_name[lang].strip():
                self.problems.append(f"city.site_name.{lang}: missing (one site name per language)")

        retention_days = self.get("city.retention_days", int)
        if retention_days is not None and not 1 <= retention_days <= 3650:
            self.problems.append("city.retention_days: should be between 1 and 3650 days")
        site_url = self.text("city.site_url", re.compile(r"^https://[^/\s]+(/[^\s]*)?$"), "an https:// URL")

        hours = OpeningHours(
            days=self.text("contact.hours.days"),
            opens=self.time("contact.hours.opens"),
            closes=self.time("contact.hours.closes"),
        )
        if hours.days and hours.days not in HOURS_DAYS:
            self.problems.append(f"contact.hours.days: should be one of {', '.join(HOURS_DAYS)}")
        if hours.opens >= hours.closes and hours.closes != dt.time(0, 0):
            self.problems.append("contact.hours: the line should open before it closes")

        primary = self.text("theme.primary", _COLOUR, "a colour like #a3001b")
        tint = self.text("theme.tint", _COLOUR, "a colour like #fbeff1")
        if _COLOUR.match(primary) and contrast_ratio(primary, "#ffffff") < MIN_TEXT_CONTRAST:
            self.problems.append(
                f"theme.primary: white text on {primary} has contrast "
                f"{contrast_ratio(primary, '#ffffff'):.2f}:1; pick a darker colour (at least 4.5:1)"
            )
        if _COLOUR.match(tint) and contrast_ratio(tint, "#000000") < MIN_TEXT_CONTRAST:
            self.problems.append(f"theme.tint: black text on {tint} is too faint; pick a lighter colour")

        base = self.path.parent
        content_dir = base / self.text("content.folder")
        if not content_dir.is_dir():
            self.problems.append(f"content.folder: {content_dir} is not a folder")
        logo = self.text("theme.logo")
        if logo and not (content_dir / logo).is_file():
            self.problems.append(f"theme.logo: {content_dir / logo} does not exist")

        city = CitySettings(
            source=self.path,
            name=self.text("city.name"),
            timezone=self.timezone("city.timezone"),
            site_url=site_url.rstrip("/"),
            retention_days=retention_days or 0,
            site_name={lang: site_name.get(lang, "") for lang in languages},
            languages=languages,
            phone=self.text("contact.phone", re.compile(r"^[0-9+][0-9 ./()-]{5,}$"), "a phone number"),
            phone_country_code=self.text("contact.phone_country_code", re.compile(r"^\+[0-9]{1,3}$"), "+NN"),
            help_email=self.text("contact.help_email", _EMAIL, "an e-mail address"),
            info_email=self.text("contact.info_email", _EMAIL, "an e-mail address"),
            hours=hours,
            controller=self.text("privacy.controller"),
            dpo_email=self.text("privacy.dpo_email", _EMAIL, "an e-mail address"),
            primary_colour=primary,
            tint_colour=tint,
            logo=logo,
            content_dir=content_dir,
            menu=tuple(self.get("content.menu", list) or ()),
            neighbourhoods=self.neighbourhoods(),
            staff=self.staff(),
            notifications=self.notifications(),
            web_card_check=self.card_check_web(),
        )
        if self.problems:
            raise SettingsError(self.path, self.problems)
        return city

    def staff(self) -> StaffSettings:
        """The optional `[staff]` table: a key left out keeps its default; an unknown key is a typo, reported."""
        table = self.raw.get("staff", {})
        if not isinstance(table, dict):
            self.problems.append(f"staff: should be {_KIND_NAMES[dict]}, not {table!r}")
            return StaffSettings()
        for key in sorted(set(table) - set(_STAFF_LIMITS)):
            self.problems.append(f"staff.{key}: not a setting; the settings are {', '.join(_STAFF_LIMITS)}")
        values = {}
        for key, (low, high) in _STAFF_LIMITS.items():
            value = self.get(f"staff.{key}", int) if key in table else None
            if value is not None and not low <= value <= high:
                self.problems.append(f"staff.{key}: should be between {low} and {high}")
            elif value is not None:
                values[key] = value
        staff = StaffSettings(**values)
        if staff.session_idle_minutes > staff.session_max_hours * 60:
            self.problems.append("staff.session_idle_minutes: should not be longer than staff.session_max_hours")
        return staff

    def notifications(self) -> NotificationSettings:
        """The optional `[notifications]` table, read like `[staff]`: defaults for what is left out."""
        table = self.raw.get("notifications", {})
        if not isinstance(table, dict):
            self.problems.append(f"notifications: should be {_KIND_NAMES[dict]}, not {table!r}")
            return NotificationSettings()
        for key in sorted(set(table) - set(_NOTIFICATION_KEYS)):
            self.problems.append(
                f"notifications.{key}: not a setting; the settings are {', '.join(_NOTIFICATION_KEYS)}"
            )
        values: dict[str, object] = {}
        for key, kind in _NOTIFICATION_KEYS.items():
            if key not in table:
                continue
            value = table[key]
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                wanted = "true or false" if kind is bool else _KIND_NAMES[kind]
                self.problems.append(f"notifications.{key}: should be {wanted}, not {value!r}")
                continue
            low, high = _NOTIFICATION_LIMITS.get(key, (None, None))
            if low is not None and not low <= value <= high:  # type: ignore[operator]
                self.problems.append(f"notifications.{key}: should be between {low} and {high}")
                continue
            values[key] = value
        if values.get("sender") and not _EMAIL.match(str(values["sender"])):
            self.problems.append(f"notifications.sender: {values['sender']!r} is not an e-mail address")
        if values.get("smtp") and not _HOST_PORT.match(str(values["smtp"])):
            self.problems.append(f"notifications.smtp: {values['smtp']!r} is not host:port, like 127.0.0.1:1025")
        return NotificationSettings(**values)  # type: ignore[arg-type]

    def card_check_web(self) -> bool:
        """The optional `[card_check]` table's one key, `web` (true unless set to false)."""
        table = self.raw.get("card_check", {})
        if not isinstance(table, dict):
            self.problems.append(f"card_check: should be {_KIND_NAMES[dict]}, not {table!r}")
            return True
        for key in sorted(set(table) - {"web"}):
            self.problems.append(f"card_check.{key}: not a setting; the setting is web")
        value = table.get("web", True)
        if not isinstance(value, bool):
            self.problems.append(f"card_check.web: should be true or false, not {value!r}")
            return True
        return value

    def neighbourhoods(self) -> tuple[Neighbourhood, ...]:
        hoods = []
        seen: set[str] = set()
        for index, entry in enumerate(self.get("neighbourhoods", list) or ()):
            name = entry.get("name") if isinstance(entry, dict) else None
            codes = entry.get("postcodes") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name.strip():
                self.problems.append(f"neighbourhoods[{index}].name: missing")
            if not isinstance(codes, list) or not codes:
                self.problems.append(f"neighbourhoods[{index}].postcodes: list at least one postcode")
                codes = []
            for code in codes:
                if not isinstance(code, str) or not _POSTCODE.match(code):
                    self.problems.append(f"neighbourhoods[{index}].postcodes: {code!r} is not a postcode")
                elif code in seen:
                    self.problems.append(f"neighbourhoods: postcode {code} is listed twice")
                seen.add(str(code))
            hoods.append(Neighbourhood(name=str(name), postcodes=tuple(str(c) for c in codes)))
        if not hoods:
            self.problems.append("neighbourhoods: list at least one neighbourhood with its postcodes")
        return tuple(hoods)


def contrast_ratio(colour_a: str, colour_b: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours.

    >>> round(contrast_ratio("#000000", "#ffffff"), 1)
    21.0
    """
    light, dark = sorted((_luminance(colour_a), _luminance(colour_b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def tel_uri(phone: str, country_code: str) -> str:
    """A national phone number as a `tel:` URI in international form.

    >>> tel_uri("016/27.27.72", "+32")
    'tel:+3216272772'
    """
    digits = re.sub(r"\D", "", phone)
    return f"tel:{country_code}{digits.removeprefix('0')}"
