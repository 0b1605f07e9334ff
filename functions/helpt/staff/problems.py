"""A problem the staff member can fix (a wrong reference, a missing reason): said in their language.

Commands raise it with an English message id and its values; the command line translates it, prints it
on stderr and exits with status 1. It never carries what a resident typed.
"""

from __future__ import annotations


class StaffProblem(Exception):
    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values
