"""A progress bar on stderr for long work, so the output file or piped stdout stays clean.

Shown when stderr is a terminal (or when asked for); otherwise silent. The total is not known in advance
(counting would read the whole store once more), so the bar shows rows done and the time taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

UPDATE_EVERY = 500  # rows between redraws: a redraw per row would cost more than writing the row


class Tally:
    """Counts rows; `done()` after each one. Redraws the bar now and then, not every row."""

    def __init__(self, bar: object | None = None, task: object | None = None) -> None:
        self.count = 0
        self._bar, self._task = bar, task

    def done(self) -> None:
        self.count += 1
        if self._bar is not None and self.count % UPDATE_EVERY == 0:
            self._bar.update(self._task, completed=self.count)  # type: ignore[attr-defined]


@contextmanager
def progress_bar(description: str, unit: str, *, enabled: bool) -> Iterator[Tally]:
    """A Tally whose count is drawn as a progress bar on stderr while the block runs, if enabled."""
    if not enabled:
        yield Tally()
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn(description), BarColumn(), TextColumn("{task.completed} " + unit), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=None)
        tally = Tally(bar, task)
        try:
            yield tally
        finally:
            bar.update(task, completed=tally.count, total=max(tally.count, 1))
