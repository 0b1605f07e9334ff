"""Which messages Helpt's steps produce (helpt.notify.triggers), and the hooks that hand them over: after a form
is stored (a real Intake over a built site), after a proposal and a confirmation (the back office and the
command line), and the morning digest (with a clock). The messages are caught by a notifier that keeps them:
what is checked is what each message's values hold, and what they must not hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from backoffice_support import Clock, make_account, signed_in
from conftest import LEUVEN
from forms_support import VALID, event, form_body
from test_staff_support import NOW, help_request, vacancy_response, volunteer

from helpt.app import build_intake
from helpt.intake import Intake
from helpt.notify import Message
from helpt.notify.links import Links
from helpt.notify.triggers import (
    after_submission,
    confirmed_messages,
    digest_messages,
    proposal_messages,
    run_digest,
    sms_enabled,
)
from helpt.settings import NotificationSettings, load_city
from helpt.staff import casework
from helpt.staff.texts import load_texts
from helpt.staff.vacancies import Vacancies, vacancies_from_site_data
from helpt.staff.web.app import BackOffice
from helpt.stores import Account, StoreError
from helpt.stores.sqlite import SQLiteStore

CITY = load_city(LEUVEN)
LINKS = Links(b"k" * 32, CITY.site_url)
EN = load_texts("en")


class Kept:
    """A notifier that keeps what it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, message: Message) -> None:
        self.messages.append(message)


class Raising:
    def send(self, message: Message) -> None:
        raise RuntimeError("queue down")


def all_values(messages: list[Message]) -> str:
    return " ".join(" ".join(m.values.values()) for m in messages)


# Pure triggers ----------------------------------------------------------------------------------------------


def test_an_urgent_request_alerts_the_help_mailbox_with_a_link_and_never_the_answers() -> None:
    request = help_request("H-AAAA-BBBB", urgency="today", email="maria@example.com", details="insulin please")
    messages = after_submission(request, CITY, LINKS)
    urgent = [m for m in messages if m.kind == "staff_urgent"]
    assert len(urgent) == 1 and urgent[0].to == CITY.help_email
    assert urgent[0].values == {"link": f"{CITY.site_url.rstrip('/')}/staff/requests/H-AAAA-BBBB"}
    assert "Maria" not in all_values(urgent) and "insulin" not in all_values(urgent)


def test_a_request_for_this_week_alerts_nobody() -> None:
    assert [m.kind for m in after_submission(help_request("H-AAAA-BBBB", urgency="week"), CITY, LINKS)] == []


def test_the_resident_confirmation_goes_to_who_asked_in_their_language_and_says_nothing_about_health() -> None:
    own = help_request("H-AAAA-BBBB", email="maria@example.com", help=("pharmacy",), health_consent="yes", lang="en")
    (message,) = after_submission(own, CITY, LINKS)
    assert (message.kind, message.to, message.lang) == ("resident_confirmation", "maria@example.com", "en")
    assert set(message.values) == {"unsubscribe"} and "pharmacy" not in all_values([message])
    for_mother = help_request("H-CCCC-DDDD", for_whom="someone-else", email="mother@example.com",
                              asker_email="els@example.com")  # fmt: skip
    assert [m.to for m in after_submission(for_mother, CITY, LINKS)] == ["els@example.com"]
    no_asker_mail = dataclasses.replace(for_mother, answers={**for_mother.answers, "asker_email": ""})
    assert [m.to for m in after_submission(no_asker_mail, CITY, LINKS)] == ["mother@example.com"]
    nobody = help_request("H-EEEE-FFFF", email="")
    assert after_submission(nobody, CITY, LINKS) == []


def test_a_new_volunteer_is_welcomed_by_first_name() -> None:
    (message,) = after_submission(volunteer("V-AAAA-BBBB", name="Ann Janssens", lang="en"), CITY, LINKS,
                                  safety_link="https://x/en/volunteer/")  # fmt: skip
    assert (message.kind, message.lang, message.values["name"]) == ("volunteer_welcome", "en", "Ann")
    assert message.values["safety_link"] == "https://x/en/volunteer/" and "Janssens" not in all_values([message])


def test_a_vacancy_response_goes_to_the_organisations_mail_accounts_or_else_the_help_mailbox() -> None:
    from test_backoffice_responses import VACANCIES

    response = vacancy_response("R-AAAA-BBBB", vacancy="food-parcels", message="I can help on Tuesdays")
    accounts = [Account("kar@example.org", "organisation", organisation="volle-kar"),
                Account("kar-login", "organisation", organisation="volle-kar"),  # not an address
                Account("old@example.org", "organisation", organisation="volle-kar", active=False),
                Account("hart@example.org", "organisation", organisation="groene-hart")]  # fmt: skip
    (message,) = after_submission(response, CITY, LINKS, accounts=accounts, vacancies=VACANCIES)
    assert (message.kind, message.to) == ("organisation_response", "kar@example.org")
    assert (
        message.values["link"].endswith("/staff/responses") and message.values["vacancy_title"] == "Food parcels (nl)"
    )
    assert "Tuesdays" not in all_values([message])
    (fallback,) = after_submission(response, CITY, LINKS, accounts=[], vacancies=VACANCIES)
    assert fallback.to == CITY.help_email


def test_a_proposal_gives_the_task_in_general_terms_and_the_name_and_street_only_after_confirm() -> None:
    request = help_request("H-AAAA-BBBB", name="Maria Peeters", street="Kerkstraat 1", postcode="3000",
                           help=("groceries",), urgency="today")  # fmt: skip
    helper = volunteer("V-AAAA-BBBB", name="Ann Janssens", lang="en")
    (proposal,) = proposal_messages(request, helper, CITY, EN, LINKS, NOW)
    assert proposal.kind == "volunteer_proposal" and proposal.to == helper.answers["email"]
    assert proposal.values["help"] == "Groceries" and proposal.values["neighbourhood"]
    assert "Maria" not in all_values([proposal]) and "Kerkstraat" not in all_values([proposal])
    assert LINKS.read_answer(proposal.values["yes_link"].split("token=")[1].split("&")[0], NOW).answer == "yes"
    (confirmed,) = confirmed_messages(request, helper, CITY, EN, LINKS)
    assert (confirmed.values["requester_name"], confirmed.values["street"]) == ("Maria", "Kerkstraat 1")
    assert "Peeters" not in all_values([confirmed])


def test_a_volunteer_with_only_a_phone_gets_an_sms_only_where_the_city_sends_them() -> None:
    request = help_request("H-AAAA-BBBB")
    phone_only = volunteer("V-AAAA-BBBB", email="")
    assert not sms_enabled(CITY) and proposal_messages(request, phone_only, CITY, EN, LINKS, NOW) == []
    texting = dataclasses.replace(CITY, notifications=NotificationSettings(sms=True))
    (message,) = proposal_messages(request, phone_only, texting, EN, LINKS, NOW)
    assert (message.channel, message.to) == ("sms", phone_only.answers["phone"])


def test_the_digest_lists_requests_waiting_past_the_promise_with_a_clock(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    hours = CITY.staff.promise_hours
    for record in (help_request("H-AAAA-BBBB", 60 * hours + 5, name="Maria Peeters"),
                   help_request("H-CCCC-DDDD", 60 * hours - 5)):  # fmt: skip
        store.add(record)
    kept = Kept()
    assert run_digest(store, CITY, kept, NOW) == ["H-AAAA-BBBB"]
    (digest,) = kept.messages
    assert digest.kind == "staff_digest" and digest.to == CITY.help_email
    assert digest.values["count"] == "1" and digest.values["references"] == "H-AAAA-BBBB"
    assert "Maria" not in all_values([digest])
    assert run_digest(store, CITY, kept, NOW + dt.timedelta(minutes=10)) == ["H-AAAA-BBBB", "H-CCCC-DDDD"]
    assert digest_messages([], CITY) == []


# The hooks --------------------------------------------------------------------------------------------------


# The site data a build writes, cut down to what storing a form reads (which page each form is on, and the
# vacancy's organisation): storing and telling need no page to be rendered.
SITE = {"siteurl": "", "theme_static_dir": "theme", "form_action_base": "/api", "page_urls": {}, "menus": {},
        "vacancy_index": {}, "form_pages": {
            "ask-for-help": {"nl": {"key": "ask-for-help", "lang": "nl", "form": "help_request",
                                    "url": "hulp-vragen/"}},
            "volunteer": {"nl": {"key": "volunteer", "lang": "nl", "form": "volunteer_signup",
                                 "url": "vrijwilliger-worden/"}},
            "food-parcels": {"nl": {"key": "food-parcels", "lang": "nl", "form": "vacancy_response",
                                    "title": "Voedselpakketten", "organisation_id": "volle-kar", "url": "v/"}},
        }}  # fmt: skip


def intake_with(tmp_path: Path, notifier: object) -> Intake:
    site_data = tmp_path / "site.json"
    site_data.write_text(json.dumps(SITE), encoding="utf-8")
    theme = Path(__file__).resolve().parents[1] / "theme"
    return build_intake(city_file=LEUVEN, templates_dir=theme / "templates", translations_dir=theme / "translations",
                        site_data_file=site_data, store=SQLiteStore(tmp_path / "helpt.sqlite3"), notifier=notifier,
                        links=LINKS)  # fmt: skip


def test_a_stored_request_is_told_once_and_a_repeat_is_not(tmp_path: Path) -> None:
    kept = Kept()
    intake = intake_with(tmp_path, kept)
    fields = {**VALID["help-request"], "urgency": "today", "email": "maria@example.com"}
    first = intake.handle(event("help-request", form_body(fields)))
    again = intake.handle(event("help-request", form_body(fields)))
    assert first["statusCode"] == again["statusCode"] == 303
    assert sorted(m.kind for m in kept.messages) == ["resident_confirmation", "staff_urgent"]
    bot = intake.handle(event("help-request", form_body({**fields, "website": "spam", "name": "Bot"})))
    assert bot["statusCode"] == 303 and len(kept.messages) == 2, "a quarantined post tells nobody"


def test_a_notifier_that_raises_never_fails_the_form(tmp_path: Path) -> None:
    intake = intake_with(tmp_path, Raising())
    answer = intake.handle(event("help-request", form_body({**VALID["help-request"], "urgency": "today"})))
    assert answer["statusCode"] == 303 and "confirmation" in answer["headers"]["location"]
    assert len(list(intake.store.submissions())) == 1


def test_the_vacancy_hook_reads_the_organisation_from_the_site(tmp_path: Path) -> None:
    kept = Kept()
    intake = intake_with(tmp_path, kept)
    organisation = vacancies_from_site_data(intake.renderer.site).organisation_of("food-parcels")
    make_account(intake.store, "kar@example.org", "organisation", organisation=organisation)
    assert intake.handle(event("vacancy-response", form_body(VALID["vacancy-response"])))["statusCode"] == 303
    assert [(m.kind, m.to) for m in kept.messages] == [("organisation_response", "kar@example.org")]


def test_a_form_handler_that_may_not_read_accounts_tells_the_help_mailbox(tmp_path: Path) -> None:
    """On AWS the form handler's role only adds submissions: reading the accounts is refused there."""
    kept = Kept()
    intake = intake_with(tmp_path, kept)
    make_account(intake.store, "kar@example.org", "organisation", organisation="volle-kar")

    def refused() -> list:
        raise StoreError("AccessDeniedException")

    intake.store.accounts = refused  # as DynamoDB answers a role without the right: the store raises
    assert intake.handle(event("vacancy-response", form_body(VALID["vacancy-response"])))["statusCode"] == 303
    assert [(m.kind, m.to) for m in kept.messages] == [("organisation_response", CITY.help_email)]
    assert len(list(intake.store.submissions())) == 1


def test_the_back_office_and_the_command_line_tell_the_volunteer(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    for record in (help_request("H-AAAA-BBBB", name="Maria Peeters", street="Kerkstraat 1"),
                   volunteer("V-AAAA-BBBB", lang="en"), volunteer("V-CCCC-DDDD")):  # fmt: skip
        store.add(record)
    kept = Kept()
    office = BackOffice(CITY, store, clock=Clock(NOW), secure=True, notifier=kept, links=LINKS, vacancies=Vacancies())
    coordinator = signed_in(office, make_account(store, "cora", "coordinator"))
    page = coordinator.get("/staff/requests/H-AAAA-BBBB")
    csrf = page.csrf()
    path = "/staff/requests/H-AAAA-BBBB"
    assert coordinator.post(f"{path}/propose", {"csrf": csrf, "volunteer": "V-AAAA-BBBB"}).status == 303
    assert [(m.kind, m.lang) for m in kept.messages] == [("volunteer_proposal", "en")]
    assert "Maria" not in all_values(kept.messages)
    assert coordinator.post(f"{path}/confirm", {"csrf": csrf, "volunteer": "V-AAAA-BBBB"}).status == 303
    assert kept.messages[-1].kind == "volunteer_confirmed" and kept.messages[-1].values["requester_name"] == "Maria"
    # A refused step (proposing the same volunteer again) sends nothing.
    assert coordinator.post(f"{path}/propose", {"csrf": csrf, "volunteer": "V-AAAA-BBBB"}).status == 409
    assert len(kept.messages) == 2
    # The command line calls the same core after the same step.
    from helpt.staff.casework_commands import _tell_volunteer
    from helpt.staff.context import StaffContext, StoreChoice

    store.add(help_request("H-CCCC-DDDD"))
    casework.propose(store, "H-CCCC-DDDD", "V-CCCC-DDDD", "cli", NOW)
    context = StaffContext(CITY, load_texts("nl"), StoreChoice(sqlite_path=tmp_path / "helpt.sqlite3"),
                           clock=lambda: NOW, notifier_factory=lambda _store: kept)  # fmt: skip
    _tell_volunteer(context, "proposal", type("Args", (), {"request": "H-CCCC-DDDD", "volunteer": "V-CCCC-DDDD"}))
    assert kept.messages[-1].kind == "volunteer_proposal" and kept.messages[-1].to == VALID["volunteer"]["email"]
