"""argparse's own messages ("unrecognized arguments", "the following arguments are required") in the staff
member's language, through the tool's catalog, so that no message mixes two languages.

argparse looks its messages up with the `_` and `ngettext` it imported from gettext, at the moment it
needs one; `speaking` swaps them for the staff catalog's while the command line is read, and puts them back.
The message ids below are argparse's own, word for word (tests check that argparse still uses each).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from helpt.staff.texts import N_, Texts

MESSAGES = (
    N_("usage: "),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
)


@contextmanager
def speaking(texts: Texts) -> Iterator[None]:
    """argparse's messages from the staff catalog within the block."""
    module = vars(argparse)
    saved = module["_"], module["ngettext"]
    module["_"], module["ngettext"] = texts.gettext, texts.ngettext
    try:
        yield
    finally:
        module["_"], module["ngettext"] = saved
