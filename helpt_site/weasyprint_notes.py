"""WeasyPrint's warnings that it fell back to a slower way of doing the same thing, as notes, not stops.

A machine without HarfBuzz's subsetter renders the cards the same, only slower: the build (pelican_run.py)
and the card worker (card_worker.py) print a note once and go on. WeasyPrint's other warnings and errors
(a card that would come out wrong) still stop the build.
"""

from __future__ import annotations

import logging
import sys

# WeasyPrint warnings that announce a slower fallback with the same result, and what makes it fast again.
FALLBACKS = {
    "Using fontTools instead of HarfBuzz-Subset": "install libharfbuzz-subset0 (`make build` does so as root)",
}


class FallbackNotes(logging.Filter):
    """Turns WeasyPrint's fallback warnings into one note each on stderr, so that they do not stop the build."""

    def __init__(self) -> None:
        super().__init__()
        self.noted: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        remedy = next((fix for start, fix in FALLBACKS.items() if message.startswith(start)), None)
        if remedy is None:
            return True
        if message not in self.noted:
            self.noted.add(message)
            print(f"Note: {message} The build goes on, slower: {remedy}.", file=sys.stderr)
        # Filtered out: Pelican's FatalLogger only stops the build on records that pass the filters.
        return False


def watch_weasyprint() -> FallbackNotes:
    notes = FallbackNotes()
    # First in line: Pelican's de-duplicating filter may rewrite a record's message before a later filter.
    logging.getLogger("weasyprint").filters.insert(0, notes)
    return notes
