"""Which questions of a form apply to a record, and which new problems a change brings: the form's own rules.

The phone intake and a correction both need to know which questions to ask (the asker's only when the
help is for someone else, the medicine consent that fits who gives it) and which answers to check. Both
read it from the form definition (`required_if`, `OneOf.when`, `sections`) through `helpt.forms` and
`helpt.validation`, so the staff tool cannot drift from the web form.
"""

from __future__ import annotations

from collections.abc import Mapping

from helpt.forms import Condition, Field, Form, holds
from helpt.settings import CitySettings
from helpt.submissions import Answer
from helpt.validation import Problem, validate


def _conditions(form: Form, question: Field) -> set[Condition]:
    """The conditions under which the form needs an answer to this question (empty: always, or never)."""
    found = set(question.required_if)
    for rule in form.one_of:
        if question.name in rule.fields:
            found.update(rule.when)
    return found


def section_conditions(form: Form, name: str) -> tuple[Condition, ...]:
    """The conditions a question's whole section depends on: those every question of the section shares.

    The asker's section has no condition of its own in the form, but each of its questions is needed only
    "for someone else" (by `required_if` or by its `OneOf.when`), so the section applies only then.

    >>> from helpt.forms import HELP_REQUEST
    >>> section_conditions(HELP_REQUEST, "asker_phone"), section_conditions(HELP_REQUEST, "phone")
    ((('for_whom', 'someone-else'),), ())
    """
    section = form.section_of(name)
    if section is None:
        return ()
    each = [_conditions(form, form.get(field)) for field in section.fields]
    if not all(each):
        return ()
    return tuple(sorted(set.intersection(*each)))


def applies(form: Form, question: Field, answers: Mapping[str, Answer]) -> bool:
    """Whether to ask this question, given the answers so far.

    A question needed only under conditions is asked only when they hold, like the medicine consents.
    Free text ("tell us more") is asked always: it is where the caller's shopping list goes.
    """
    if not all(holds(condition, answers) for condition in section_conditions(form, question.name)):
        return False
    return not question.required_if or question.kind == "textarea" or question.condition_holds(answers)


def one_of_partners(form: Form, question: Field, answers: Mapping[str, Answer]) -> tuple[str, ...]:
    """The other questions of a `OneOf` rule that applies now: answering one of them will do instead."""
    for rule in form.one_of:
        if question.name in rule.fields and rule.applies(answers):
            return tuple(name for name in rule.fields if name != question.name)
    return ()


def changed(before: Mapping[str, Answer], after: Mapping[str, Answer]) -> list[str]:
    """The names whose answer differs; no answer at all and an empty one are the same (older records lack
    the questions added since)."""
    names = [*before, *(name for name in after if name not in before)]
    return [name for name in names if (before.get(name) or "") != (after.get(name) or "")]


def empty(question: Field) -> Answer:
    return () if question.is_multiple else ""


def kept(form: Form, answers: Mapping[str, Answer]) -> dict[str, Answer]:
    """Every question of the form, with the answers of those that do not apply emptied (a new record).

    What was typed for a question that no longer applies (the asker's phone, after the worker changed
    "for someone else" into "for myself") is not stored: the record keeps only what its case needs.
    Answers that are no question of the form (`consent_read_aloud`) are kept as they are.
    """
    result = dict(answers)
    for question in form.fields:
        value = answers.get(question.name, empty(question))
        result[question.name] = value if applies(form, question, answers) else empty(question)
    return result


def corrected(form: Form, before: Mapping[str, Answer], changes: Mapping[str, Answer]) -> dict[str, Answer]:
    """A stored record's answers with changes, and the answers of questions the changes made inapplicable
    emptied. Only those: an older record may hold an answer today's rules would not ask (a medicine consent
    given under the form's earlier wording), and a correction of its phone number must not drop that."""
    after = {**before, **changes}
    for question in form.fields:
        if question.name not in changes and applies(form, question, before) and not applies(form, question, after):
            after[question.name] = empty(question)
    return after


def new_problems(
    form: Form, before: Mapping[str, Answer], after: Mapping[str, Answer], city: CitySettings
) -> list[Problem]:
    """The problems of `after` that a change brings: every problem of a changed answer, and any problem
    elsewhere that `before` did not have.

    A record stored under older rules (a request for someone else from before the asker's own questions
    existed) can still be corrected: its old gaps are not the correction's fault.
    """
    different = set(changed(before, after))
    earlier = {(problem.field, problem.message) for problem in validate(form, before, city)}
    return [
        problem
        for problem in validate(form, after, city)
        if problem.field in different or (problem.field, problem.message) not in earlier
    ]
