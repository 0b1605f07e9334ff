"""Measuring in pairs: a baseline and Helpt's way, interleaved A B A B ..., so a busy machine slows both alike.

Timing the baseline in one block and Helpt in another lets a burst of load on a shared machine land on one
side only: two runs of the old benchmarks gave the build's ratio as 2.49 and as 1.09. Here every round
times the baseline and then Helpt, the pair's ratio is taken within the round, and the figure is the median
of the rounds' ratios (and the medians of the times, for scale). Each benchmark script returns its figures;
`benchmarks/run.py` prints them as one table, and each script alone prints its own.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

Timer = Callable[[], float]  # runs once and returns the seconds that count (it may time a part of itself)


@dataclass(frozen=True)
class Figure:
    """One measured pair: the baseline's and Helpt's median seconds and the median of their ratios."""

    name: str  # what Helpt does
    baseline: str  # what it is compared with
    baseline_seconds: float
    helpt_seconds: float
    ratio: float  # median over the rounds of helpt / baseline (for a throughput: helpt / baseline rate)
    target: float | None = None  # the ratio asked for
    rounds: int = 0
    unit: str = "s"  # "s": the two values are seconds; "/s": rates, higher is better; "MiB": memory

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.ratio >= self.target if self.unit == "/s" else self.ratio <= self.target


def timed(work: Callable[[], object]) -> Timer:
    """A Timer that times all of `work`."""

    def timer() -> float:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started

    return timer


def pair(
    name: str, baseline_name: str, baseline: Timer, helpt: Timer, rounds: int, *,
    target: float | None = None, warm_up: int = 0,
) -> Figure:  # fmt: skip
    """Time `baseline` then `helpt`, `rounds` times over, after `warm_up` untimed rounds of both."""
    for _ in range(warm_up):
        baseline(), helpt()
    base_times, helpt_times = [], []
    for _ in range(rounds):
        base_times.append(baseline())
        helpt_times.append(helpt())
    ratios = [ours / theirs for ours, theirs in zip(helpt_times, base_times, strict=True)]
    return Figure(name, baseline_name, statistics.median(base_times), statistics.median(helpt_times),
                  statistics.median(ratios), target, rounds=rounds)  # fmt: skip


def rate_figure(name: str, baseline_name: str, base_rates: list[float], helpt_rates: list[float],
                target: float | None = None) -> Figure:  # fmt: skip
    """A throughput pair, measured round by round elsewhere: the rates per second, the ratio helpt / baseline."""
    ratios = [ours / theirs for ours, theirs in zip(helpt_rates, base_rates, strict=True)]
    return Figure(name, baseline_name, statistics.median(base_rates), statistics.median(helpt_rates),
                  statistics.median(ratios), target, rounds=len(ratios), unit="/s")  # fmt: skip


def table(figures: Iterable[Figure]) -> str:
    """The figures as a plain-text table: times in ms (rates per second), ratio, target and whether it is met."""
    lines = [f"{'figure':58} {'baseline':34} {'base':>9} {'Helpt':>9} {'ratio':>6} {'target':>7}  met",
             "-" * 136]  # fmt: skip
    for figure in figures:
        if figure.unit == "/s":
            base, ours = f"{figure.baseline_seconds:7.0f}/s", f"{figure.helpt_seconds:7.0f}/s"
            target = f">={figure.target:.2f}" if figure.target is not None else ""
        elif figure.unit == "MiB":
            base, ours = f"{figure.baseline_seconds:5.1f} MiB", f"{figure.helpt_seconds:5.1f} MiB"
            target = f"<={figure.target:.2f}" if figure.target is not None else ""
        else:
            base, ours = _duration(figure.baseline_seconds), _duration(figure.helpt_seconds)
            target = f"<={figure.target:.2f}" if figure.target is not None else ""
        met = {True: "yes", False: "NO", None: ""}[figure.met]
        lines.append(f"{figure.name[:58]:58} {figure.baseline[:34]:34} {base:>9} {ours:>9} {figure.ratio:6.2f} "
                     f"{target:>7}  {met}")  # fmt: skip
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    return f"{seconds:7.2f} s" if seconds >= 10 else f"{seconds * 1000:6.0f} ms" if seconds >= 0.01 else \
        f"{seconds * 1000:6.2f} ms"  # fmt: skip


def report(figures: list[Figure], json_path: Path | None) -> None:
    """Print the table; with `json_path` (as run.py asks), also write the figures there for the joint table."""
    print(table(figures), flush=True)
    if json_path is not None:
        json_path.write_text(json.dumps([asdict(figure) for figure in figures]), encoding="utf-8")


def load(json_path: Path) -> list[Figure]:
    return [Figure(**entry) for entry in json.loads(json_path.read_text(encoding="utf-8"))]
