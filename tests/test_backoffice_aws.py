"""The back office as the Lambda handler builds it: the city's sign-in is the only way in, and the theme's
compiled catalogs of the bundle give the forms' words in the staff member's language."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from backoffice_support import Browser

from helpt.i18n import DOMAIN
from helpt.staff.texts import load_texts
from helpt.staff.web.handler import back_office_from_environment
from helpt_site.build import PROJECT_DIR


class CitySignIn:
    """Stands in for the city's provider only to say that one is configured; its flow is tested for real
    against a running OpenID provider in test_backoffice_oidc.py."""

    def start(self, request: object, next_path: str) -> tuple[str, str]:
        return "https://idp.example/authorize", "state"

    def finish(self, request: object, state: str) -> str | None:
        return None


def test_theme_words_come_from_the_bundles_compiled_catalogs(tmp_path: Path) -> None:
    with (PROJECT_DIR / "theme/translations/nl/LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as stream:
        catalog = read_po(stream, locale="nl")
    mo_file = tmp_path / "nl" / "LC_MESSAGES" / f"{DOMAIN}.mo"
    mo_file.parent.mkdir(parents=True)
    with mo_file.open("wb") as stream:
        write_mo(stream, catalog)
    assert load_texts("nl", tmp_path).form("Street and house number") == "Straat en huisnummer"


def _office(tmp_path: Path, monkeypatch, **environ: str):  # type: ignore[no-untyped-def]
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    monkeypatch.setattr("helpt.staff.web.handler.oidc_from_environment", lambda environ: CitySignIn())
    return back_office_from_environment(
        {
            "HELPT_BUNDLE_DIR": str(bundle),
            "HELPT_CITY": str(PROJECT_DIR / "city.toml"),
            "HELPT_SQLITE_PATH": str(tmp_path / "data/h.sqlite3"),
            **environ,
        }
    )


def test_with_the_citys_sign_in_no_password_is_a_way_in(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    browser = Browser(_office(tmp_path, monkeypatch))
    page = browser.get("/staff/signin")
    assert page.status == 200 and 'id="oidc"' in page.body
    assert 'name="password"' not in page.body
    assert browser.post("/staff/signin", {"name": "ann", "password": "x" * 12}).status == 404
    assert browser.get("/staff/signin/link", {"token": "x"}).status == 404
    assert browser.post("/staff/signin/link", {"token": "x"}).status == 404


def test_city_it_can_turn_passwords_on_knowingly(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    browser = Browser(_office(tmp_path, monkeypatch, HELPT_STAFF_PASSWORDS="on"))
    assert 'name="password"' in browser.get("/staff/signin").body
