"""The shape of the single-figure timing rules: one figure per step, its median graded against one pair.

``slow-interaction``, ``long-wait``, ``layout-shift`` and ``blocking-scripts`` differ only in the
figure, the words and the evidence beside it. ``impact_ms`` is the median over the medium
threshold (for a time); ``repeats`` lists the repeats whose own figure was over it.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.contracts.evidence import StepFigureEvidence
from harness.contracts.records import Finding, StepRecord
from harness.friction.finding import make_finding
from harness.friction.grading import grade
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.series import median, of_runs, over, per_repeat, series, worst_repeat
from harness.spec.friction import Pair, ScenarioSettings

Describe = Callable[[StepRecord, float, Pair], str]
"""The message: the worst repeat's record, the median, the pair."""
MakeEvidence = Callable[[StepRecord, float, Pair, dict[str, float]], StepFigureEvidence]
"""The evidence: the worst repeat's record, the median (rounded), the pair, the figure per repeat."""


def over_limit(value: float, pair: Pair) -> float:
    """The threshold a figure is over: the high one from it, else the medium one."""
    return pair[0] if value < pair[1] else pair[1]


def judge_figure(rule: Rule, runs: ScenarioRuns, settings: ScenarioSettings,
                 value_of: Callable[[StepRecord], float | None], describe: Describe, evidence: MakeEvidence,
                 is_time: bool = True) -> list[Finding]:
    """Grade one figure per step, its median over repeats, against the rule's one threshold pair.

    Args:
        rule: The rule (its first threshold is the pair).
        runs: The scenario's runs.
        settings: Its settings.
        value_of: The figure of one record (``None``: not measured).
        describe: The message.
        evidence: The evidence.
        is_time: The figure is a time (``impact_ms`` is set).
    """
    pair = settings.thresholds[rule.thresholds[0]]
    found = []
    for step in runs.steps().values():
        values = series(step, value_of)
        if not values:
            continue
        value = median(values)
        severity = grade(value, pair)
        if severity is None:
            continue
        worst = worst_repeat(values)
        record = step[worst]
        found.append(make_finding(
            rule, severity, describe(record, value, pair) + of_runs(values), runs,
            evidence(record, round(value, 3), pair, per_repeat(values)), step=step, repeats=over(values, pair[0]),
            impact_ms=value - pair[0] if is_time else None, screenshot_repeat=worst))
    return found
