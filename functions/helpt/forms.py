"""The three forms, defined once: Pelican renders the pages from these, the handler validates with them.

Labels, hints and messages are English message ids marked with `N_`, translated through the theme's
catalogs when a page is rendered, so the HTML form and the validator cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpt.i18n import language_name
from helpt.settings import CitySettings


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
    # Required only when another field has this value, e.g. ("help", "pharmacy").
    required_if: tuple[str, str] | None = None
    # Messages: what to do, never "invalid". %(example)s and %(max)s are filled in.
    missing: str = ""
    wrong: str = ""

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


@dataclass(frozen=True)
class Form:
    name: str  # the record's form name
    slug: str  # the URL: POST /api/<slug>
    reference_prefix: str
    fields: tuple[Field, ...]
    title: str
    submit: str
    # At least one of these must be answered (how to reach the person).
    one_of: tuple[str, ...] = ()
    one_of_message: str = ""

    def get(self, name: str) -> Field:
        return next(item for item in self.fields if item.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.fields)


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


def _name(label: str) -> Field:
    return Field(
        "name", "text", label, max_length=100, autocomplete="name",
        missing=N_("Enter your name, for example Maria Peeters"),
    )  # fmt: skip


def _email(required: bool, hint: str = "") -> Field:
    return Field(
        "email", "email", N_("E-mail address"), hint=hint, required=required, max_length=254, autocomplete="email",
        missing=N_("Enter your e-mail address, for example name@example.com"),
        wrong=N_("Enter an e-mail address with an @ and a domain, for example name@example.com"),
    )  # fmt: skip


def _phone(required: bool, hint: str = "") -> Field:
    return Field(
        "phone", "tel", N_("Phone number"), hint=hint, required=required, max_length=30, autocomplete="tel",
        missing=N_("Enter your phone number, for example 0470 12 34 56"),
        wrong=N_("Enter a phone number with only digits, spaces and + / . -, for example 0470 12 34 56"),
    )  # fmt: skip


def _postcode() -> Field:
    return Field(
        "postcode", "postcode", N_("Postcode"), max_length=10, autocomplete="postal-code",
        missing=N_("Enter your postcode, for example %(example)s"),
        wrong=N_("We can only help in %(city)s (%(postcodes)s). Call %(phone)s: we will look for help near you."),
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


HELP_REQUEST = Form(
    name="help_request",
    slug="help-request",
    reference_prefix="H",
    title=N_("Ask for help online"),
    submit=N_("Send my request"),
    one_of=("phone", "email"),
    one_of_message=N_("Enter a phone number or an e-mail address, so that we can reach you"),
    fields=(
        _name(N_("Your name, or the name of the person who needs help")),
        _phone(False, N_("We usually call back. Give a phone number or an e-mail address, or both.")),
        _email(False),
        Field(
            "street", "text", N_("Street and house number"), max_length=150, autocomplete="address-line1",
            missing=N_("Enter the street and house number, for example Kerkstraat 1"),
        ),
        _postcode(),
        _help_kinds(N_("What do you need help with?")),
        Field(
            "details", "textarea", N_("Tell us more"), required=False, required_if=("help", "other"),
            max_length=1000, hint=N_("For example what you need from the shop. Needed if you chose something else."),
            missing=N_("Describe the other help you need"),
        ),
        Field("urgency", "radios", N_("When do you need help?"), choices=URGENCY,
              missing=N_("Choose when you need help")),
        Field(
            "for_whom", "radios", N_("Who is the help for?"), choices=FOR_WHOM,
            missing=N_("Choose whether the help is for you or for someone else"),
        ),
        Field(
            "relationship", "text", N_("How do you know the person who needs help?"), required=False,
            required_if=("for_whom", "someone-else"), max_length=100,
            hint=N_("Only if you ask for someone else. For example: my mother, my neighbour."),
            missing=N_("Tell us how you know the person who needs help, for example my neighbour"),
        ),
        Field(
            "agreed", "consent", N_("Asking for someone else"), required=False,
            required_if=("for_whom", "someone-else"), choices=(Choice("yes", N_("The person knows and agrees")),),
            hint=N_("Only if you ask for someone else: they must know you ask for help for them."),
            missing=N_("Ask the person first: we can only help if they know and agree"),
        ),
        Field(
            "language", "radios", N_("In which language shall we talk to you?"), choices=(),
            missing=N_("Choose a language"),
        ),
        _consent(N_("The city keeps your details only to organise this help, then deletes them.")),
        Field(
            "health_consent", "consent", N_("Medicines"), required=False, required_if=("help", "pharmacy"),
            choices=(Choice("yes", N_("I explicitly agree that the city knows I need medicines")),),
            hint=N_("Only if you need help at the pharmacy. This tells us something about your health."),
            missing=N_("Tick the box to agree, or call us: we need your explicit consent for medicines"),
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
        _postcode(),
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
