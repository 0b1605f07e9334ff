"""The help request as two people, labels that tell the truth about what is needed, and references that
never merge two people's requests: through the handler, on a real built site and a real SQLite store."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from conftest import BuiltSite
from forms_support import VALID, event, form_body, make_intake

import helpt.intake
from helpt.forms import HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.intake import Intake
from helpt.stores import Event
from helpt.stores.sqlite import SQLiteStore

BRUSSELS = ZoneInfo("Europe/Brussels")
FOR_DAUGHTER = dict(
    VALID["help-request"],
    for_whom="someone-else",
    name="Josée Vermeulen",
    phone="",
    street="Diestsestraat 7",
    language="nl",
    asker_name="Lien Vermeulen",
    asker_phone="0470 99 88 77",
    asker_email="lien@example.com",
    relationship="mijn moeder",
    agreed="yes",
)


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "data" / "helpt.sqlite3")


@pytest.fixture
def intake(leuven_site: BuiltSite, store: SQLiteStore) -> Intake:
    return make_intake(leuven_site.root, store)


def reference_of(answer: dict) -> str:
    assert answer["statusCode"] == 303, answer["body"][:2000]
    return parse_qs(urlsplit(answer["headers"]["location"]).query)["ref"][0]


def errors(answer: dict) -> dict[str, str]:
    assert answer["statusCode"] == 422, answer["statusCode"]
    soup = BeautifulSoup(answer["body"], "html.parser")
    return {tag["id"].removeprefix("f-").removesuffix("-error"): tag.get_text(" ", strip=True)
            for tag in soup.select(".error-message")}  # fmt: skip


def at(*moment: int) -> dt.datetime:
    return dt.datetime(*moment, tzinfo=BRUSSELS).astimezone(dt.UTC)


# Two people ---------------------------------------------------------------------------------------------


def test_a_request_for_someone_else_keeps_both_people_apart(intake: Intake, store: SQLiteStore) -> None:
    kept = store.get(reference_of(intake.handle(event("help-request", form_body(FOR_DAUGHTER)))))
    assert kept is not None
    assert (kept.answers["name"], kept.answers["street"], kept.answers["phone"]) == ("Josée Vermeulen",
                                                                                     "Diestsestraat 7", "")  # fmt: skip
    assert (kept.answers["asker_name"], kept.answers["asker_phone"], kept.answers["asker_email"]) == (
        "Lien Vermeulen", "0470 99 88 77", "lien@example.com")  # fmt: skip
    assert kept.answers["relationship"] == "mijn moeder"


def test_asking_for_someone_else_needs_a_way_to_reach_the_asker_not_the_person(intake: Intake) -> None:
    without_asker = dict(FOR_DAUGHTER, asker_name="", asker_phone="", asker_email="", relationship="", agreed="")
    problems = errors(intake.handle(event("help-request", form_body(without_asker, "en"))))
    assert set(problems) == {"asker_name", "asker_phone", "relationship", "agreed"}
    assert "your own phone number or e-mail address" in problems["asker_phone"]
    only_email = dict(FOR_DAUGHTER, asker_phone="")
    assert intake.handle(event("help-request", form_body(only_email)))["statusCode"] == 303


def test_asking_for_yourself_leaves_the_askers_part_empty_and_needs_your_own_contact(intake: Intake) -> None:
    problems = errors(intake.handle(event("help-request", form_body(dict(VALID["help-request"], phone="")))))
    assert set(problems) == {"phone"}
    assert intake.handle(event("help-request", form_body(VALID["help-request"])))["statusCode"] == 303


@pytest.mark.parametrize(
    ("for_whom", "needed", "not_needed", "wording"),
    [
        ("self", "health_consent", "health_consent_other", "the city knows I need medicines"),
        ("someone-else", "health_consent_other", "health_consent", "the person I ask for needs medicines"),
    ],
)
def test_the_medicines_consent_is_given_by_whoever_asks_in_their_own_words(
    intake: Intake, leuven_site: BuiltSite, for_whom: str, needed: str, not_needed: str, wording: str
) -> None:
    base = VALID["help-request"] if for_whom == "self" else FOR_DAUGHTER
    problems = errors(intake.handle(event("help-request", form_body(dict(base, help=["pharmacy"]), "en"))))
    assert needed in problems and not_needed not in problems
    built = leuven_site.soup(leuven_site.root / "en" / "ask-for-help" / "index.html")
    assert wording in built.find("label", attrs={"for": f"f-{needed}-yes"}).get_text()
    fixed = dict(base, help=["pharmacy"], **{needed: "yes"})
    assert intake.handle(event("help-request", form_body(fixed)))["statusCode"] == 303


@pytest.mark.parametrize(("lang", "path", "words"), [
    ("nl", "hulp-vragen", "alleen als je voor iemand anders vraagt"),
    ("en", "en/ask-for-help", "only if you ask for someone else"),
])  # fmt: skip
def test_the_form_shows_the_askers_part_as_a_fieldset_that_says_when_it_applies(
    leuven_site: BuiltSite, lang: str, path: str, words: str
) -> None:
    soup = leuven_site.soup(leuven_site.root / path / "index.html")
    form = soup.select_one("form.form")
    assert not form.find("script") and not soup.find("script")
    asker = form.find(id="f-asker_name").find_parent("fieldset")
    assert words in asker.legend.get_text().lower()
    assert asker.find(id="f-asker_phone") and asker.find(id="f-relationship") and asker.find(id="f-agreed-yes")
    person = form.find(id="f-name").find_parent("fieldset")
    assert person is not asker and person.find(id="f-street") and person.find(id="f-language-nl")


def test_records_stored_before_the_askers_questions_still_read(intake: Intake, store: SQLiteStore) -> None:
    from helpt.submissions import Submission

    old = Submission(
        reference="H-AAAA-BBBB", form="help_request", lang="nl", created_at=dt.datetime.now(dt.UTC),
        expires_at=int(dt.datetime.now(dt.UTC).timestamp()) + 86400,
        answers={key: value for key, value in VALID["help-request"].items() if not key.startswith("asker")
                 and key != "health_consent_other"} | {"help": ("groceries",)},
    )  # fmt: skip
    assert store.add(old)
    assert store.get("H-AAAA-BBBB") == old


# Labels that say what is needed -------------------------------------------------------------------------


@pytest.mark.parametrize("form_page", ["hulp-vragen", "en/ask-for-help", "vrijwilliger-worden", "en/volunteer"])
def test_no_question_labelled_optional_is_ever_refused_as_missing(
    intake: Intake, leuven_site: BuiltSite, form_page: str
) -> None:
    """Every combination of the answers that make other questions needed: whatever is labelled optional
    can be left empty, and whatever comes back as missing is not labelled optional."""
    soup = leuven_site.soup(leuven_site.root / form_page / "index.html")
    optional_words = ("(optioneel)", "(optional)")
    optional = set()
    for label in soup.select("form.form label, form.form legend"):
        if any(word in label.get_text() for word in optional_words):
            target = label.get("for") or label.find_next("input")["id"]
            optional.add(target.removeprefix("f-").split("-")[0])
    form = HELP_REQUEST if "hulp" in form_page or "help" in form_page else VOLUNTEER_SIGNUP
    # Every question of the help request is needed in some case, so none of them says "optional" there.
    assert bool(optional) == (form is VOLUNTEER_SIGNUP)
    slug = "help-request" if form is HELP_REQUEST else "volunteer"
    lang = "en" if form_page.startswith("en/") else "nl"
    scenarios = itertools.product(("self", "someone-else"), (["groceries"], ["pharmacy"], ["other"]))
    for for_whom, help_kinds in scenarios:
        base = (FOR_DAUGHTER if for_whom == "someone-else" else VALID["help-request"]) if slug == "help-request" \
            else VALID["volunteer"]  # fmt: skip
        answers = dict(base, **({"help": help_kinds} if slug == "help-request" else {}))
        answers.update({name: "" for name in optional if name in answers})
        answer = intake.handle(event(slug, form_body(answers, lang)))
        if answer["statusCode"] == 422:
            refused = set(errors(answer))
            assert not refused & optional, (for_whom, help_kinds, refused & optional)


def test_a_question_needed_only_sometimes_says_when_and_never_optional(leuven_site: BuiltSite) -> None:
    soup = leuven_site.soup(leuven_site.root / "en" / "ask-for-help" / "index.html")
    for name in ("details", "relationship", "agreed", "health_consent", "health_consent_other", "phone", "email",
                 "asker_name", "asker_phone"):  # fmt: skip
        node = soup.find(id=f"f-{name}") or soup.find(id=f"f-{name}-yes")
        question = node.find_parent("div", class_="field")
        label = question.find(["legend", "label"]).get_text()
        assert "(optional)" not in label, name
        legends = " ".join(fieldset.legend.get_text() for fieldset in question.find_parents("fieldset"))
        said = question.get_text(" ") + " " + legends
        assert "only if" in said.lower() or "needed if" in said.lower() or "if the help is for you" in said.lower(), (
            name
        )


# References ---------------------------------------------------------------------------------------------


def test_two_people_never_share_a_reference_even_when_the_random_draw_repeats(
    intake: Intake, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws = iter(["H-AAAA-AAAA", "H-AAAA-AAAA", "H-AAAA-AAAA", "H-BBBB-BBBB"])
    monkeypatch.setattr(helpt.intake, "new_reference", lambda form: next(draws))
    first = reference_of(intake.handle(event("help-request", form_body(VALID["help-request"]))))
    second = reference_of(intake.handle(event("help-request", form_body(dict(VALID["help-request"], name="Karel")))))
    assert (first, second) == ("H-AAAA-AAAA", "H-BBBB-BBBB")
    assert {kept.answers["name"] for kept in store.submissions()} == {"Maria Peeters", "Karel"}


def test_a_thousand_different_requests_are_a_thousand_records(intake: Intake, store: SQLiteStore) -> None:
    references = [
        reference_of(intake.handle(event("volunteer", form_body(dict(VALID["volunteer"], name=f"Vrijwilliger {n}")))))
        for n in range(1000)
    ]
    assert len(set(references)) == 1000 == len(list(store.submissions()))


def test_a_double_click_from_two_threads_at_once_stores_one(intake: Intake, store: SQLiteStore) -> None:
    body = form_body(VALID["help-request"])
    references: list[str] = []
    barrier = threading.Barrier(8)

    def post() -> None:
        barrier.wait()
        references.append(reference_of(intake.handle(event("help-request", body))))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(references)) == 1 and len(list(store.submissions())) == 1


@pytest.mark.parametrize("finished", ["done", "closed"])
def test_the_same_request_after_the_first_was_finished_is_a_new_request(
    intake: Intake, store: SQLiteStore, finished: str
) -> None:
    body = form_body(VALID["help-request"])
    first = reference_of(intake.handle(event("help-request", body)))
    assert reference_of(intake.handle(event("help-request", body))) == first, "still open: a repeat"
    store.record_event(first, Event(at=dt.datetime.now(dt.UTC), kind="status", status=finished, reason="klaar"))
    again = reference_of(intake.handle(event("help-request", body)))
    assert again != first
    assert [kept.status for kept in store.submissions()] == [finished, "new"]


def test_the_same_day_is_the_citys_day(leuven_site: BuiltSite, store: SQLiteStore) -> None:
    moments = iter([at(2020, 3, 16, 23, 30), at(2020, 3, 17, 0, 10), at(2020, 3, 17, 0, 40), at(2020, 3, 17, 23, 50)])
    intake = make_intake(leuven_site.root, store)
    intake.clock = lambda: next(moments)
    body = form_body(VALID["help-request"])
    late, early, later_that_night, before_midnight = (
        reference_of(intake.handle(event("help-request", body))) for _ in range(4)
    )
    assert late != early, "23:30 and 00:10 in Brussels are two days, though both are 16 March in UTC"
    assert early == later_that_night == before_midnight, "00:10 and 23:50 on 17 March are one day in Brussels"
    assert len(list(store.submissions(now=at(2020, 3, 18, 0, 0)))) == 2


def test_a_repeat_after_erasure_is_a_new_request(intake: Intake, store: SQLiteStore) -> None:
    body = form_body(VALID["help-request"])
    first = reference_of(intake.handle(event("help-request", body)))
    store.erase(first)
    again = reference_of(intake.handle(event("help-request", body)))
    assert again != first and store.get(again) is not None


@pytest.mark.parametrize(
    ("postcode", "says", "never"),
    [
        ("30010", "Enter a postcode like 3000", "near you"),
        ("1000", "You can volunteer through this site if you live in Leuven", "we will look for help near you"),
    ],
)
def test_a_volunteer_with_a_wrong_postcode_is_told_what_fits_a_volunteer(
    intake: Intake, postcode: str, says: str, never: str
) -> None:
    problems = errors(intake.handle(event("volunteer", form_body(dict(VALID["volunteer"], postcode=postcode), "en"))))
    assert says in problems["postcode"] and never not in problems["postcode"]


def test_references_hold_no_characters_that_read_as_others() -> None:
    drawn = "".join(helpt.intake.new_reference(HELP_REQUEST)[2:].replace("-", "") for _ in range(2000))
    assert not set(drawn) & set("0O1I89"), "read out on the phone: nothing to take for another character"
    assert len(set(drawn)) == 30
