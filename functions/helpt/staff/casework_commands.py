"""The case-work commands of `helpt`: the working list, claims, call notes, proposing, confirming and undoing
matches, pausing volunteers. Thin: the work is done by `casework`, `worklist` and `suggestions`, the same
operations the web back office calls; this module reads the arguments and says what happened.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Iterator
from typing import cast
from zoneinfo import ZoneInfo

from helpt.forms import HELP_KINDS, HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.settings import CitySettings
from helpt.staff import casework
from helpt.staff.answers import (
    STATUSES,
    answer_text,
    first_name,
    labelled,
    local_time,
    named,
    neighbourhood,
    question_label,
)
from helpt.staff.context import StaffContext
from helpt.staff.suggestions import VolunteerPool, reason_text, suggest
from helpt.staff.texts import Texts
from helpt.staff.worklist import OPEN_STATUSES, Filters, WorkItem, counts, working_list
from helpt.stores import BackOfficeStore, Event, StaffStore
from helpt.submissions import Submission

__all__ = ["claim", "confirm", "match", "note", "pause", "propose", "release", "resume", "undo", "worklist"]
NOTE_SHOWN = 70  # characters of the latest note on the working list; `helpt show` has it whole


def _say(text: str = "") -> None:
    print(text, flush=True)


def records(store: StaffStore, form: str, now: dt.datetime) -> Iterator[tuple[Submission, list[Event]]]:
    """Every live record of a form with its history, in one read of the store (the back office's)."""
    return cast(BackOfficeStore, store).records(form=form, now=now)


def promise_hours(city: CitySettings) -> float:
    """The city's promise of a first contact, in hours (setting `staff.promise_hours`, 24 if not set)."""
    return float(city.staff.promise_hours)


def worklist(context: StaffContext, args: argparse.Namespace) -> int:
    now, city = context.now(), context.city
    filters = Filters(
        status=args.status, neighbourhood=args.neighbourhood, help=args.kind, language=args.language,
        claimed_by=context.who if args.mine else None, unclaimed=args.unclaimed,
    )  # fmt: skip
    requests = list(records(context.store, HELP_REQUEST.name, now))
    items = working_list(requests, now=now, city=city, filters=filters, promise_hours=promise_hours(city))
    _say(_count_line(counts(items), promise_hours(city), context.texts))
    limit = max(args.suggestions, 0)
    pool = None
    if limit and any(item.needs_volunteer for item in items):
        # A volunteer's proposal or match for a request that is done or closed is no longer a task they have.
        still_open = {request.reference for request, _events in requests if request.status in OPEN_STATUSES}
        pool = VolunteerPool(records(context.store, VOLUNTEER_SIGNUP.name, now), city, still_open)
    for item in items:
        _say()
        _say("\n".join(_item_lines(item, pool, limit, context)))
    return 0


def _count_line(counted: dict[str, int], hours: float, texts: Texts) -> str:
    _ = texts.gettext
    total = texts.ngettext("%(count)d open help request", "%(count)d open help requests", counted["open"])
    parts = [
        total % {"count": counted["open"]},
        labelled(_("urgent, not contacted"), str(counted["urgent"])),
        labelled(_("call-backs due"), str(counted["due"])),
        labelled(_("waiting over %(hours)s h") % {"hours": f"{hours:g}"}, str(counted["overdue"])),
        labelled(_("nobody's"), str(counted["unclaimed"])),
    ]
    return " | ".join(parts)


def _item_lines(item: WorkItem, pool: VolunteerPool | None, limit: int, context: StaffContext) -> list[str]:
    _, texts, city, now = context.texts.gettext, context.texts, context.city, context.now()
    request, state = item.request, item.state
    flags = [named(STATUSES, state.status, texts)]
    if item.call_back_due and state.call_back_at is not None:
        flags.insert(0, _("CALL BACK NOW (%(time)s)") % {"time": local_time(state.call_back_at, city)})
    elif item.call_back_later is not None:
        flags.append(_("call back %(time)s") % {"time": local_time(item.call_back_later, city)})
    if item.urgent and state.status == "new":
        flags.insert(0, _("URGENT"))
    if item.overdue:
        flags.insert(0, _("OVERDUE"))
    if state.claimed_by:
        flags.append(labelled(_("claimed by"), state.claimed_by))
    received = local_time(request.created_at, city)
    lines = [f"{request.reference}  {received}  {neighbourhood(request, city) or '?'}  " + " | ".join(flags)]
    answers = request.answers
    kinds = answer_text(HELP_REQUEST.get("help"), answers.get("help", ()), texts, city)
    when = answer_text(HELP_REQUEST.get("urgency"), answers.get("urgency", ""), texts, city)
    language = answer_text(HELP_REQUEST.get("language"), answers.get("language", ""), texts, city)
    lines.append(f"    {kinds} | {when} | {language}")
    if answers.get("for_whom") == "someone-else":
        # Two people to call: say so before anyone is matched, and how the asker knows the person.
        for_whom = answer_text(HELP_REQUEST.get("for_whom"), "someone-else", texts, city)
        relationship = str(answers.get("relationship", "")).strip()
        known = labelled(question_label(HELP_REQUEST, "relationship", texts), relationship) if relationship else ""
        lines.append("    " + " | ".join(part for part in (for_whom, known) if part))
    if state.note:
        text = " ".join(state.note.split())
        text = text if len(text) <= NOTE_SHOWN else text[: NOTE_SHOWN - 1] + "…"
        lines.append("    " + labelled(_("note"), text))
    if state.proposals:
        lines.append("    " + labelled(_("proposed"), ", ".join(state.proposals)))
    if state.confirmed:
        lines.append("    " + labelled(_("matched with"), ", ".join(state.confirmed)))
    if pool is None or not item.needs_volunteer:
        return lines
    found = suggest(request, pool, now=now, city=city, limit=limit, exclude=state.proposals, spread=True)
    for number, suggestion in enumerate(found, start=1):
        volunteer = suggestion.volunteer
        name = first_name(str(volunteer.answers.get("name", "")))
        # Short lines: the neighbourhood is in brackets after the name, and every one speaks the language.
        why = [reason_text(r, texts) for r in suggestion.reasons if not {"neighbourhood", "language"} & set(r.values)]
        lines.append(
            f"    {number}. {volunteer.reference}  {name} ({neighbourhood(volunteer, city) or '?'}): " + ", ".join(why)
        )
    if not found:
        lines.append("    " + _("No volunteer offers this help in this language yet."))
    return lines


def claim(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    if args.from_who:
        casework.hand_over(context.store, args.reference, args.from_who, context.who, context.now(), by=context.who)
        _say(_("You took %(reference)s over from %(who)s.") % {"reference": args.reference, "who": args.from_who})
    else:
        casework.claim(context.store, args.reference, context.who, context.now())
        _say(_("%(reference)s is yours now: the others see that you handle it.") % {"reference": args.reference})
    return 0


def release(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    if args.to_who:
        casework.hand_over(context.store, args.reference, context.who, args.to_who, context.now())
        _say(_("You handed %(reference)s over to %(who)s.") % {"reference": args.reference, "who": args.to_who})
    else:
        casework.release(context.store, args.reference, context.who, context.now())
        _say(_("%(reference)s is nobody's now: anybody can take it.") % {"reference": args.reference})
    return 0


def note(context: StaffContext, args: argparse.Namespace) -> int:
    _, city = context.texts.gettext, context.city
    call_back = args.call_back.replace(tzinfo=ZoneInfo(city.timezone)) if args.call_back else None
    state = casework.add_note(context.store, args.reference, context.who, args.text, call_back, context.now())
    _say(_("The note is kept with %(reference)s.") % {"reference": args.reference})
    if state.call_back_at is not None:
        text = _("Call back on %(time)s: the request comes to the top of the working list then.")
        _say(text % {"time": local_time(state.call_back_at, city)})
    return 0


def _pair(args: argparse.Namespace) -> dict[str, str]:
    return {"request": args.request, "volunteer": args.volunteer}


def propose(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.matching import can_help

    _ = context.texts.gettext
    casework.propose(context.store, args.request, args.volunteer, context.who, context.now())
    _say(_("Proposed: %(volunteer)s for %(request)s.") % _pair(args))
    _tell_volunteer(context, "proposal", args)
    request, volunteer = (context.store.get(ref, now=context.now()) for ref in (args.request, args.volunteer))
    if request is not None and volunteer is not None and not can_help(request, volunteer):
        _say(_("Note: this volunteer did not sign up for this kind of help in this language."))
    _say(_("Once both sides agreed: helpt confirm %(request)s %(volunteer)s") % _pair(args))
    return 0


def confirm(context: StaffContext, args: argparse.Namespace) -> int:
    return _matched_message(context, args, casework.confirm)


def match(context: StaffContext, args: argparse.Namespace) -> int:
    return _matched_message(context, args, casework.match)


def _matched_message(context: StaffContext, args: argparse.Namespace, step: Callable[..., casework.Confirmed]) -> int:
    _ = context.texts.gettext
    confirmed = step(context.store, args.request, args.volunteer, context.who, context.now())
    _say(_("Recorded: %(volunteer)s takes %(request)s.") % _pair(args))
    _tell_volunteer(context, "confirm", args)
    if not confirmed.fits:
        _say(_("Note: this volunteer did not sign up for this kind of help in this language."))
    _say(_("Next: print the task slip with: helpt slip %(request)s --output slip.pdf") % _pair(args))
    return 0


def _tell_volunteer(context: StaffContext, step: str, args: argparse.Namespace) -> None:
    """Queue the volunteer's message, as the back office does after the same step (never fails the step)."""
    from helpt.notify.triggers import after_match_step
    from helpt.staff.texts import load_texts

    if context.notifier is None:
        return
    sent = after_match_step(step, context.store, context.city, context.notifier, context.links, load_texts,
                            args.request, args.volunteer, context.now())  # fmt: skip
    if sent:
        _say(context.texts.gettext("A message to the volunteer is on its way."))


def undo(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    casework.undo(context.store, args.request, args.volunteer, args.reason, context.who, context.now())
    _say(_("Undone: %(volunteer)s no longer takes %(request)s; the request is back to contacted.") % _pair(args))
    return 0


def pause(context: StaffContext, args: argparse.Namespace) -> int:
    casework.pause(context.store, args.reference, args.reason, context.who, context.now())
    text = context.texts.gettext("%(reference)s is paused: not suggested until helpt resume %(reference)s.")
    _say(text % {"reference": args.reference})
    return 0


def resume(context: StaffContext, args: argparse.Namespace) -> int:
    casework.resume(context.store, args.reference, context.who, context.now())
    _say(context.texts.gettext("%(reference)s is suggested again.") % {"reference": args.reference})
    return 0


def _local_time(texts: Texts) -> Callable[[str], dt.datetime]:
    def parse(text: str) -> dt.datetime:
        try:
            return dt.datetime.strptime(text.strip().replace("T", " "), "%Y-%m-%d %H:%M")
        except ValueError:
            raise argparse.ArgumentTypeError(texts.gettext("write a time as 2020-03-16 14:00, not %r") % text) from None

    return parse


def add_arguments(built: dict[str, argparse.ArgumentParser], texts: Texts) -> None:
    """The arguments of the case-work commands (the command line builds the parsers)."""
    _ = texts.gettext
    listing = built["worklist"]
    listing.add_argument("--status", choices=OPEN_STATUSES, help=_("only requests with this status"))
    listing.add_argument("--neighbourhood", metavar=_("NAME"), help=_("only this neighbourhood, e.g. Kessel-Lo"))
    kinds = tuple(choice.value for choice in HELP_KINDS)
    listing.add_argument("--kind", choices=kinds, help=_("only requests for this kind of help"))
    listing.add_argument("--language", metavar=_("LANGUAGE"), help=_("only requests in this language, e.g. nl"))
    whose = listing.add_mutually_exclusive_group()
    whose.add_argument("--mine", action="store_true", help=_("only the requests you claimed"))
    whose.add_argument("--unclaimed", action="store_true", help=_("only the requests nobody claimed"))
    reference, request, volunteer = _("REFERENCE"), _("the help request"), _("the volunteer")
    built["claim"].add_argument("reference", metavar="H-REFERENCE", help=request)
    built["claim"].add_argument(
        "--from", dest="from_who", metavar=_("NAME"), help=_("take it over from this colleague (a hand-over)")
    )
    built["release"].add_argument("reference", metavar="H-REFERENCE", help=request)
    built["release"].add_argument(
        "--to", dest="to_who", metavar=_("NAME"), help=_("hand it over to this colleague instead")
    )
    built["note"].add_argument("reference", metavar=reference, help=_("the request or volunteer"))
    built["note"].add_argument("text", metavar=_("TEXT"), help=_("what the call said, in quotes"))
    built["note"].add_argument(
        "--call-back", type=_local_time(texts), metavar=_("TIME"), help=_('when to call back, as "2020-03-16 14:00"')
    )
    for name in ("propose", "confirm", "undo"):
        built[name].add_argument("request", metavar="H-REFERENCE", help=request)
        built[name].add_argument("volunteer", metavar="V-REFERENCE", help=volunteer)
    built["undo"].add_argument("--reason", required=True, metavar=_("REASON"), help=_("why, in a few words"))
    built["pause"].add_argument("reference", metavar="V-REFERENCE", help=volunteer)
    built["pause"].add_argument("--reason", required=True, metavar=_("REASON"), help=_("why, in a few words"))
    built["resume"].add_argument("reference", metavar="V-REFERENCE", help=volunteer)
