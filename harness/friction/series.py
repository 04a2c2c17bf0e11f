"""A step across repeats: the repeats it ran in, one figure per repeat, and what the timing rules say of them."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from harness.contracts.records import StepRecord

StepRepeats = dict[int, StepRecord]
"""One step across repeats: repeat index -> its record."""


def first(step: StepRepeats) -> StepRecord:
    """The step's record in its first repeat."""
    return next(iter(step.values()))


def executed(step: StepRepeats, passed_only: bool = False) -> StepRepeats:
    """The repeats in which the step ran (passed, or passed or failed)."""
    wanted = ("passed",) if passed_only else ("passed", "failed")
    return {repeat: r for repeat, r in step.items() if r.status in wanted}


def series(step: StepRepeats, value: Callable[[StepRecord], float | None]) -> dict[int, float]:
    """Repeat -> the metric, for the repeats where the step passed and the metric is known."""
    out: dict[int, float] = {}
    for repeat, record in executed(step, passed_only=True).items():
        got = value(record)
        if got is not None:
            out[repeat] = float(got)
    return out


def median(values: dict[int, float]) -> float:
    """The median of a series."""
    return float(statistics.median(values.values()))


def over(values: dict[int, float], limit: float) -> list[int]:
    """The repeats whose figure is over ``limit``."""
    return [repeat for repeat, value in values.items() if value > limit]


def worst_repeat(values: dict[int, float]) -> int:
    """The repeat with the highest figure (the first of equals)."""
    return max(values, key=lambda repeat: (values[repeat], -repeat))


def of_runs(values: dict[int, float]) -> str:
    """`` (median of 3 runs)`` for a message, nothing for one run."""
    return f" (median of {len(values)} runs)" if len(values) > 1 else ""


def per_repeat(values: dict[int, float], digits: int = 3) -> dict[str, float]:
    """The series as evidence: repeat index (as text) -> figure, rounded."""
    return {str(k): round(v, digits) for k, v in sorted(values.items())}
