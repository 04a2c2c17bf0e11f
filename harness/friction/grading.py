"""Severities: grading a figure against a threshold pair, and the points a severity is worth."""

from __future__ import annotations

from collections.abc import Iterable

from harness.contracts.records import Severity
from harness.spec.friction import Pair

SEVERITY_POINTS: dict[Severity, float] = {"high": 10.0, "medium": 3.0, "low": 1.0}
"""Points a finding adds to its scenario's score, by severity (event rules scale them by occurrence)."""
SEVERITY_RANK: dict[Severity, int] = {"high": 0, "medium": 1, "low": 2}
"""Severities, most severe first."""


def grade(value: float, pair: Pair) -> Severity | None:
    """``high`` from the second threshold, ``medium`` over the first, else ``None``."""
    medium, high = pair
    if value <= medium:
        return None
    return "high" if value >= high else "medium"


def worst(severities: Iterable[Severity | None]) -> Severity | None:
    """The most severe of some severities (``None`` when there is none)."""
    found = set(severities)
    return next((s for s in SEVERITY_RANK if s in found), None)
