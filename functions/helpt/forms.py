"""The three forms, defined once: Pelican renders the pages from these, the handler validates with them.

Labels, hints and messages are English message ids marked with `N_`, translated through the theme's
catalogs when a page is rendered, so the HTML form and the validator cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from helpt.i18n import language_name
from helpt.settings import CitySettings
from helpt.submissions import Answer

# (question, value): the answer to the question is, or includes, the value.
Condition = tuple[str, str]


def N_(message: str) -> str:
    """Mark a string for the catalogs; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    # A language's own name ("Nederlands") is not translated, and says which language it is in.
    lang: str = ""


@dataclass(frozen=True)
class Field:
    """One question. `kind` decides the control: text, email, tel, postcode, textarea, radios, checkboxes,
    consent (one checkbox that must be ticked when required)."""

    name: str
    kind: str
    label: str
    hint: str = ""
    required: bool = True
    max_length: int = 200
    autocomplete: str = ""
    choices: tuple[Choice, ...] = ()
    # Required only when every one of these (field, value) conditions holds, e.g. (("help", "pharmacy"),).
    # Such a question is labelled by when it is needed ("only if ..."), never "optional".
    required_if: tuple[Condition, ...] = ()
    # Messages: what to do, never "invalid". %(example)s and %(max)s are filled in.
    missing: str = ""
    wrong: str = ""
    # A postcode of the right shape that is not the city's: what to do instead (differs per form).
    outside: str = ""

    @property
    def input_type(self) -> str:
        return {"email": "email", "tel": "tel"}.get(self.kind, "text")

    @property
    def is_group(self) -> bool:
        """Radios and checkboxes sit in a fieldset with a legend."""
        return self.kind in ("radios", "checkboxes", "consent")

    @property
    def is_multiple(self) -> bool:
        return self.kind == "checkboxes"

    def condition_holds(self, answers: Mapping[str, Answer]) -> bool:
        """Whether this question's `required_if` conditions all hold for these answers (False without any)."""
        return bool(self.required_if) and all(holds(condition, answers) for condition in self.required_if)


def holds(condition: Condition, answers: Mapping[str, Answer]) -> bool:
    """Whether the answer to `condition[0]` is, or (for several answers) includes, the value `condition[1]`.

    >>> holds(("help", "pharmacy"), {"help": ("groceries", "pharmacy")}), holds(("for_whom", "self"), {})
    (True, False)
    """
    name, wanted = condition
    given = answers.get(name, "")
    return wanted in given if isinstance(given, tuple) else given == wanted


@dataclass(frozen=True)
class OneOf:
    """At least one of these questions must be answered (how to reach someone), when the conditions hold."""

    fields: tuple[str, ...]
    message: str
    when: tuple[Condition, ...] = ()

    def applies(self, answers: Mapping[str, Answer]) -> bool:
        return all(holds(condition, answers) for condition in self.when)


@dataclass(frozen=True)
class Section:
    """Questions shown together in a fieldset: who needs help, who is asking. `fields` are consecutive."""

    name: str
    legend: str
    hint: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Form:
    name: str  # the record's form name
    slug: str  # the URL: POST /api/<slug>
    reference_prefix: str
    fields: tuple[Field, ...]
    title: str
    submit: str
    # Groups of questions of which at least one must be answered (how to reach the person).
    one_of: tuple[OneOf, ...] = ()
    sections: tuple[Section, ...] = ()

    def get(self, name: str) -> Field:
        return next(item for item in self.fields if item.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.fields)

    def is_optional(self, question: Field) -> bool:
        """Optional in every case: only such a question is labelled "(optional)"."""
        conditional = question.required_if or any(question.name in rule.fields and rule.when for rule in self.one_of)
        return not question.required and not conditional

    def layout(self) -> list[tuple[Section | None, tuple[Field, ...]]]:
        """The questions in page order, grouped: (section, its questions), or (None, one question)."""
        by_first = {section.fields[0]: section for section in self.sections}
        groups: list[tuple[Section | None, tuple[Field, ...]]] = []
        skip: set[str] = set()
        for question in self.fields:
            if question.name in skip:
                continue
            section = by_first.get(question.name)
            if section is None:
                groups.append((None, (question,)))
            else:
                groups.append((section, tuple(self.get(name) for name in section.fields)))
                skip.update(section.fields)
        return groups

    def section_of(self, name: str) -> Section | None:
        return next((section for section in self.sections if name in section.fields), None)


HONEYPOT = "website"
LANG_FIELD = "lang"
VACANCY_FIELD = "vacancy"

HELP_KINDS = (
    Choice("groceries", N_("Groceries")),
    Choice("pharmacy", N_("Picking up medicines at the pharmacy")),
    Choice("dog", N_("Walking the dog")),
    Choice("call", N_("A phone or video call for a chat")),
    Choice("letter", N_("Writing a letter")),
    Choice("other", N_("Something else")),
)
URGENCY = (
    Choice("today", N_("Today: it is urgent")),
    Choice("days", N_("In the next few days")),
    Choice("week", N_("This week")),
    Choice("regular", N_("Regularly, for example every week")),
)
FOR_WHOM = (Choice("self", N_("For myself")), Choice("someone-else", N_("For someone else")))
AVAILABILITY = (
    Choice("weekday-mornings", N_("Weekday mornings")),
    Choice("weekday-afternoons", N_("Weekday afternoons")),
    Choice("evenings", N_("Evenings")),
    Choice("weekends", N_("Weekends")),
)


def _name(label: str, name: str = "name", **options: object) -> Field:
    options = {"missing": N_("Enter your name, for example Maria Peeters"), "autocomplete": "name", **options}
    return Field(name, "text", label, max_length=100, **options)  # type: ignore[arg-type]


def _email(required: bool, hint: str = "", name: str = "email", label: str = N_("E-mail address")) -> Field:
    return Field(
        name, "email", label, hint=hint, required=required, max_length=254, autocomplete="email",
        missing=N_("Enter your e-mail address, for example name@example.com"),
        wrong=N_("Enter an e-mail address with an @ and a domain, for example name@example.com"),
    )  # fmt: skip


def _phone(required: bool, hint: str = "", name: str = "phone", label: str = N_("Phone number")) -> Field:
    return Field(
        name, "tel", label, hint=hint, required=required, max_length=30, autocomplete="tel",
        missing=N_("Enter your phone number, for example 0470 12 34 56"),
        wrong=N_("Enter a phone number with only digits, spaces and + / . -, for example 0470 12 34 56"),
    )  # fmt: skip


def _postcode(outside: str) -> Field:
    return Field(
        "postcode", "postcode", N_("Postcode"), max_length=10, autocomplete="postal-code",
        missing=N_("Enter your postcode, for example %(example)s"),
        wrong=N_("Enter a postcode like %(example)s"), outside=outside,
    )  # fmt: skip


def _help_kinds(label: str) -> Field:
    return Field(
        "help", "checkboxes", label, hint=N_("Choose all that apply."), choices=HELP_KINDS,
        missing=N_("Choose at least one kind of help"),
    )  # fmt: skip


def _consent(label: str) -> Field:
    return Field(
        "consent", "consent", N_("Your data"), hint=label, choices=(Choice("yes", N_("I agree")),),
        missing=N_("Tick the box to agree, or call us if you prefer not to"),
    )  # fmt: skip


_REACH_THE_PERSON = N_(
    "If the help is for you, give a phone number or an e-mail address, or both. For someone else: only if they "
    "have one."
)
SELF = ("for_whom", "self")
SOMEONE_ELSE = ("for_whom", "someone-else")
PHARMACY = ("help", "pharmacy")

# A request is about one person, the person who needs help (`name`, `street`, `phone`...: the same answers a
# request for oneself has, so records from before the asker's own questions existed read the same). Someone
# asking for another person adds themselves in the `asker_*` answers; staff reach either.
HELP_REQUEST = Form(
    name="help_request",
    slug="help-request",
    reference_prefix="H",
    title=N_("Ask for help online"),
    submit=N_("Send my request"),
    one_of=(
        OneOf(("phone", "email"), N_("Enter a phone number or an e-mail address, so that we can reach you"), (SELF,)),
        OneOf(
            ("asker_phone", "asker_email"),
            N_("Enter your own phone number or e-mail address, so that we can reach you"),
            (SOMEONE_ELSE,),
        ),
    ),
    sections=(
        Section(
            "person", N_("The person who needs help"), N_("That is you, if you ask for yourself."),
            ("name", "street", "postcode", "phone", "email", "language"),
        ),
        Section(
            "asker", N_("About you: only if you ask for someone else"),
            N_("So that we can reach you too. Leave this part empty if you ask for yourself."),
            ("asker_name", "asker_phone", "asker_email", "relationship", "agreed"),
        ),
    ),
    fields=(
        Field(
            "for_whom", "radios", N_("Who is the help for?"), choices=FOR_WHOM,
            missing=N_("Choose whether the help is for you or for someone else"),
        ),
        _name(N_("Name"), missing=N_("Enter the name of the person who needs help, for example Maria Peeters")),
        Field(
            "street", "text", N_("Street and house number"), max_length=150, autocomplete="address-line1",
            missing=N_("Enter the street and house number, for example Kerkstraat 1"),
        ),
        _postcode(N_("We can only help in %(city)s (%(postcodes)s). Call %(phone)s: we will look for help near you.")),
        _phone(False, _REACH_THE_PERSON),
        _email(False, _REACH_THE_PERSON),
        Field(
            "language", "radios", N_("In which language shall we talk to the person who needs help?"), choices=(),
            missing=N_("Choose a language"),
        ),
        _name(
            N_("Your name"), "asker_name", required=False, required_if=(SOMEONE_ELSE,),
            autocomplete="section-asker name",
        ),
        _phone(
            False, N_("Give a phone number or an e-mail address, or both."), "asker_phone", N_("Your phone number")
        ),
        _email(False, name="asker_email", label=N_("Your e-mail address")),
        Field(
            "relationship", "text", N_("How do you know the person who needs help?"), required=False,
            required_if=(SOMEONE_ELSE,), max_length=100, hint=N_("For example: my mother, my neighbour."),
            missing=N_("Tell us how you know the person who needs help, for example my neighbour"),
        ),
        Field(
            "agreed", "consent", N_("Their agreement"), required=False,
            required_if=(SOMEONE_ELSE,), choices=(Choice("yes", N_("The person knows and agrees")),),
            hint=N_("They must know that you ask for help for them."),
            missing=N_("Ask the person first: we can only help if they know and agree"),
        ),
        _help_kinds(N_("What do you need help with?")),
        Field(
            "details", "textarea", N_("Tell us more"), required=False, required_if=(("help", "other"),),
            max_length=1000, hint=N_("For example what you need from the shop. Needed if you chose something else."),
            missing=N_("Describe the other help you need"),
        ),
        Field("urgency", "radios", N_("When do you need help?"), choices=URGENCY,
              missing=N_("Choose when you need help")),
        _consent(N_("The city keeps your details only to organise this help, then deletes them.")),
        Field(
            "health_consent", "consent", N_("Medicines for yourself"), required=False,
            required_if=(PHARMACY, SELF),
            choices=(Choice("yes", N_("I explicitly agree that the city knows I need medicines")),),
            hint=N_("Only if you ask for help at the pharmacy for yourself. "
                    "This tells us something about your health."),
            missing=N_("Tick the box to agree, or call us: we need your explicit consent for medicines"),
        ),
        Field(
            "health_consent_other", "consent", N_("Medicines for someone else"), required=False,
            required_if=(PHARMACY, SOMEONE_ELSE),
            choices=(Choice("yes", N_(
                "I explicitly agree that the city knows that the person I ask for needs medicines, "
                "and they agree to it too"
            )),),
            hint=N_("Only if you ask for help at the pharmacy for someone else. This tells us something about "
                    "their health."),
            missing=N_("Tick the box once the person agrees, or call us: we need explicit consent for medicines"),
        ),
    ),
)  # fmt: skip

VOLUNTEER_SIGNUP = Form(
    name="volunteer_signup",
    slug="volunteer",
    reference_prefix="V",
    title=N_("Sign up online"),
    submit=N_("Sign up as a volunteer"),
    fields=(
        _name(N_("Your name")),
        _email(True),
        _phone(True),
        _postcode(N_(
            "You can volunteer through this site if you live in %(city)s (%(postcodes)s). Thank you for wanting "
            "to help: ask your own municipality whether it looks for volunteers too."
        )),
        _help_kinds(N_("What can you help with?")),
        Field(
            "availability", "checkboxes", N_("When can you help?"), hint=N_("Choose all that apply."),
            choices=AVAILABILITY, missing=N_("Choose at least one moment when you can help"),
        ),
        Field(
            "languages", "checkboxes", N_("Which languages do you speak?"), choices=(),
            hint=N_("Choose all that apply."), missing=N_("Choose at least one language"),
        ),
        Field(
            "other_languages", "text", N_("Other languages you speak"), required=False, max_length=100,
        ),
        Field(
            "adult", "consent", N_("Age"), choices=(Choice("yes", N_("I am 18 or older")),),
            missing=N_("Volunteers must be 18 or older: tick the box if you are"),
        ),
        Field(
            "safety", "consent", N_("Safety rules"), choices=(Choice("yes", N_("I have read the safety rules")),),
            hint=N_("Read them on this page before you sign up."),
            missing=N_("Read the safety rules on this page, then tick the box"),
        ),
        _consent(N_("The city keeps your details to match you with people who need help, then deletes them.")),
    ),
)  # fmt: skip

VACANCY_RESPONSE = Form(
    name="vacancy_response",
    slug="vacancy-response",
    reference_prefix="R",
    title=N_("Respond to this vacancy"),
    submit=N_("Send my response"),
    fields=(
        _name(N_("Your name")),
        _email(True),
        _phone(False),
        Field(
            "message", "textarea", N_("Your message to the organisation"), max_length=2000,
            hint=N_("Why you would like to help, and when you are free."),
            missing=N_("Write a short message to the organisation"),
        ),
        _consent(N_("The city passes your response to this organisation only, then deletes it.")),
    ),
)  # fmt: skip

FORMS = {form.name: form for form in (HELP_REQUEST, VOLUNTEER_SIGNUP, VACANCY_RESPONSE)}
FORMS_BY_SLUG = {form.slug: form for form in FORMS.values()}


def field_anchor(form_name: str, field_name: str, city: CitySettings) -> str:
    """The id an error summary links to: the control itself, or a group's first option."""
    question = FORMS[form_name].get(field_name)
    if question.is_group:
        return f"f-{field_name}-{choices(question, city)[0].value}"
    return f"f-{field_name}"


def choices(question: Field, city: CitySettings) -> tuple[Choice, ...]:
    """A question's choices; the language questions offer the city's languages, named in themselves."""
    if question.name in ("language", "languages"):
        return tuple(Choice(lang, language_name(lang), lang) for lang in city.languages)
    return question.choices
