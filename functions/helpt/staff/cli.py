"""`helpt`, the staff tool's command line: one command per task, each with `--help` and an example.

This module only reads the command line and hands over to `commands.py`; what each command does lives in
the modules named for it. Help and messages are in the staff member's language (--lang, HELP_STAFF_LANG,
else the city's first language): the language is read before the parser is built, so `--help` speaks it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import textwrap
from collections.abc import Callable, Sequence

from helpt.forms import FORMS
from helpt.settings import SettingsError, load_city
from helpt.staff import account_commands, commands
from helpt.staff.argparse_words import speaking
from helpt.staff.casework_commands import add_arguments as add_casework_arguments
from helpt.staff.command_help import COMMANDS
from helpt.staff.context import StaffContext, city_file, store_choice
from helpt.staff.matching import STATUS_VALUES
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import Texts, available_languages, load_texts
from helpt.staff.verify_commands import add_arguments as add_verify_arguments
from helpt.stores import StoreError

LANG_VARIABLE = "HELPT_STAFF_LANG"


class _Parser(argparse.ArgumentParser):
    """argparse, with its own few words ("usage", "options", "error") in the staff member's language."""

    texts: Texts

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        error = self.texts.gettext("error")
        self.exit(2, f"{self.prog}: {error}: {message}\n")


def _formatter(texts: Texts) -> Callable[[str], argparse.HelpFormatter]:
    class Formatter(argparse.RawDescriptionHelpFormatter):
        def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[no-untyped-def]
            # argparse passes "" when it builds a command's name from the main usage: no prefix then.
            super().add_usage(usage, actions, groups, texts.gettext("Usage") + ": " if prefix is None else prefix)

    return lambda prog: Formatter(prog, width=_width())


def _width() -> int:
    try:
        return min(110, max(60, os.get_terminal_size().columns - 2))
    except OSError:
        return 100


def _paragraph(text: str) -> str:
    """A description wrapped to the terminal (the raw formatter keeps the examples' lines as they are)."""
    return textwrap.fill(text, _width())


def _localise(parser: _Parser, texts: Texts) -> _Parser:
    """argparse's own headings and -h in the staff member's language."""
    parser.texts = texts
    parser._positionals.title = texts.gettext("what to give")
    parser._optionals.title = texts.gettext("options")
    parser.add_argument("-h", "--help", action="help", help=texts.gettext("show this help and stop"))
    return parser


def _add_common(parser: _Parser, texts: Texts, languages: tuple[str, ...]) -> None:
    """The options every command takes, in a group of their own after the command's own options."""
    _ = texts.gettext
    common = parser.add_argument_group(_("language, city and store"))
    common.add_argument(
        "--lang", choices=languages, default=texts.lang, help=_("the language of the tool (default: %(default)s)")
    )
    common.add_argument("--city", metavar=_("FILE"), help=_("the city settings (default: city.toml)"))
    common.add_argument(
        "--sqlite", metavar=_("FILE"), help=_("the local store (default: data/helpt.sqlite3, or $HELPT_SQLITE_PATH)")
    )
    common.add_argument(
        "--dynamodb-table",
        metavar=_("NAME"),
        help=_("work on this DynamoDB table instead, with your own AWS credentials"),
    )
    common.add_argument(
        "--region", metavar=_("REGION"), help=_("the table's AWS region, for example eu-west-1 (default: $AWS_REGION)")
    )
    common.add_argument("--endpoint-url", metavar="URL", help=_("a DynamoDB-compatible server (for tests)"))


def _date(texts: Texts) -> Callable[[str], dt.date]:
    def parse(text: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(texts.gettext("write a day as 2020-03-16, not %r") % text) from None

    return parse


def build_parser(texts: Texts, languages: tuple[str, ...], site_name: str) -> _Parser:
    _ = texts.gettext
    parser = _Parser(
        prog="helpt", add_help=False, formatter_class=_formatter(texts),
        description=_paragraph(_("The staff tool of %(site)s: match volunteers to help requests, take requests "
                                 "by phone, export submissions, and handle people's privacy requests. Every "
                                 "command has its own --help with an example.") % {"site": site_name}),
        epilog=_("Examples") + ":\n  helpt worklist\n  helpt intake\n  helpt export --help",
    )  # fmt: skip
    _localise(parser, texts)
    commands_group = parser.add_subparsers(title=_("commands"), dest="command", metavar=_("COMMAND"), required=True)
    built: dict[str, _Parser] = {}
    example_word = _("Example")
    for name, (summary, description, example) in COMMANDS.items():
        sub = commands_group.add_parser(
            name, help=_(summary), description=_paragraph(_(description)), epilog=f"{example_word}:\n  {example}",
 add_help=False, formatter_class=_formatter(texts),
        )  # fmt: skip
        _localise(sub, texts).set_defaults(run=getattr(commands, name, None) or getattr(account_commands, name))
        built[name] = sub
    _arguments(built, texts, languages)
    leaves = account_commands.add_arguments(built.pop("accounts"), texts, _formatter(texts), _localise)
    for sub in [*built.values(), *leaves]:
        _add_common(sub, texts, languages)
    return parser


def _arguments(built: dict[str, _Parser], texts: Texts, languages: tuple[str, ...]) -> None:
    _ = texts.gettext
    date = _date(texts)
    reference = _("REFERENCE")
    built["worklist"].add_argument(
        "--suggestions", type=int, default=3, metavar="N", help=_("volunteers to suggest per request (default: 3)")
    )
    add_casework_arguments(built, texts)
    add_verify_arguments(built, texts, languages, date)
    built["match"].add_argument("request", metavar="H-REFERENCE", help=_("the help request"))
    built["match"].add_argument("volunteer", metavar="V-REFERENCE", help=_("the volunteer"))
    built["status"].add_argument("reference", metavar=reference, help=_("the request or volunteer"))
    built["status"].add_argument("status", choices=STATUS_VALUES, help=_("the new status"))
    built["status"].add_argument(
        "--reason", default="", metavar=_("REASON"), help=_("why (needed to close), in a few words")
    )
    built["show"].add_argument("reference", metavar=reference, help=_("the record to show"))
    built["correct"].add_argument("reference", metavar=reference, help=_("the record to correct"))
    built["correct"].add_argument(
        "--set", action="append", default=[], metavar=_("QUESTION=ANSWER"),
        help=_("the new answer to one question, without asking (repeat for several)"),
    )  # fmt: skip
    built["slip"].add_argument("reference", metavar="H-REFERENCE", help=_("the matched help request"))
    built["slip"].add_argument("--output", required=True, metavar=_("FILE"), help=_("the PDF to write"))
    built["slip"].add_argument("--paper", choices=("a5", "a4"), default="a5", help=_("paper size (default: a5)"))
    built["handout"].add_argument("reference", metavar="H-REFERENCE", help=_("the help request"))
    built["handout"].add_argument("--output", metavar=_("FILE"), help=_("write it to this file (default: show it)"))
    export = built["export"]
    export.add_argument("--output", required=True, metavar=_("FILE"), help=_("the file to write, e.g. requests.xlsx"))
    export.add_argument(
        "--format", choices=("csv", "xlsx"), help=_("csv or xlsx (default: from the file name's ending)")
    )
    export.add_argument("--form", choices=tuple(FORMS), help=_("only this form (default: all three)"))
    export.add_argument(
        "--from",
        dest="date_from",
        type=date,
        metavar=_("DAY"),
        help=_("only what came in on or after this day, as 2020-03-16"),
    )
    export.add_argument(
        "--to",
        dest="date_to",
        type=date,
        metavar=_("DAY"),
        help=_("only what came in on or before this day, as 2020-03-31"),
    )
    export.add_argument("--status", choices=STATUS_VALUES, help=_("only records with this status"))
    place = export.add_mutually_exclusive_group()
    place.add_argument("--neighbourhood", metavar=_("NAME"), help=_("only this neighbourhood, e.g. Kessel-Lo"))
    place.add_argument("--postcode", help=_("only this postcode, e.g. 3010"))
    export.add_argument(
        "--vacancy", metavar=_("KEY"),
        help=_("only the responses to this vacancy, by its key (the page's file name), e.g. food-parcels"),
    )  # fmt: skip
    export.add_argument(
        "--separator",
        default=",",
        choices=(",", ";", "tab"),
        metavar=_("CHARACTER"),
        help=_("between CSV columns: ',' (default), or ';' for Excel in Belgium or the Netherlands"),
    )
    export.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=_("show a progress bar (default: in a terminal)"),
    )
    for name in ("access", "erase"):
        who = built[name].add_mutually_exclusive_group(required=True)
        if name == "erase":
            who.add_argument("--reference", metavar=reference, help=_("the record's reference"))
        who.add_argument("--email", metavar=_("ADDRESS"), help=_("the person's e-mail address"))
        who.add_argument("--phone", metavar=_("NUMBER"), help=_("the person's phone number, written in any way"))
    built["erase"].add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    built["access"].add_argument("--output", required=True, metavar=_("FILE"), help=_("the file to write"))
    built["access"].add_argument(
        "--format", choices=("text", "json"), help=_("text or json (default: json for a .json file, else text)")
    )
    built["figures"].add_argument(
        "--from", dest="date_from", type=date, metavar=_("DAY"), help=_("from this day, as 2020-03-16")
    )
    built["figures"].add_argument(
        "--to", dest="date_to", type=date, metavar=_("DAY"), help=_("up to and including this day")
    )
    built["figures"].add_argument(
        "--chart", metavar=_("FILE"), help=_("also write a chart: figures.png, or figures.svg for a drawing")
    )
    built["figures"].add_argument(
        "--public", metavar=_("FILE"), help=_("also write the counts for the site's figures page, small ones left out")
    )


def _peek(argv: Sequence[str], option: str) -> str | None:
    """An option's value before the parser exists (the language the parser itself must speak)."""
    for index, argument in enumerate(argv):
        if argument == option and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith(option + "="):
            return argument.split("=", 1)[1]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status is 0 when done, 1 for a problem the staff member can fix."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ
    try:
        city = load_city(city_file(_peek(arguments, "--city"), environ))
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 1
    languages = available_languages(city.languages)
    wanted = _peek(arguments, "--lang") or environ.get(LANG_VARIABLE) or city.default_language
    texts = load_texts(wanted if wanted in languages else languages[0])
    with speaking(texts):
        args = build_parser(texts, languages, city.site_name.get(texts.lang, city.name)).parse_args(arguments)
    if args.lang != texts.lang:
        texts = load_texts(args.lang)
    choice = store_choice(
        sqlite=args.sqlite, table=args.dynamodb_table, region=args.region, endpoint_url=args.endpoint_url,
        environ=environ,
    )  # fmt: skip
    if choice.is_dynamodb and not choice.region:
        print(texts.gettext("Give the table's region: --region eu-west-1 (or set AWS_REGION)."), file=sys.stderr)
        return 1
    from helpt.notify.queue import notifier_from_environment

    context = StaffContext(city=city, texts=texts, choice=choice,
                           notifier_factory=lambda store: notifier_from_environment(environ, store))  # fmt: skip
    try:
        return int(args.run(context, args) or 0)
    except StaffProblem as problem:
        print(texts.gettext(problem.message) % problem.values, file=sys.stderr)
        return 1
    except StoreError as error:
        # StoreError names the operation and the kind of error, never what anybody typed.
        print(texts.gettext("The store did not answer as expected: %(error)s") % {"error": error}, file=sys.stderr)
        return 1
    except OSError as error:  # a file that cannot be written: a folder that does not exist, no permission
        where = error.filename or ""
        print(texts.gettext("Could not write %(file)s: %(error)s") % {"file": where, "error": error.strerror},
              file=sys.stderr)  # fmt: skip
        return 1
    except KeyboardInterrupt:
        print(texts.gettext("Stopped."), file=sys.stderr)
        return 130
