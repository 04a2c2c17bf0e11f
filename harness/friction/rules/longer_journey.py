"""``longer-journey``: the whole scenario took more page loads or steps than the baseline run, else its ``expected:``.

Scenario-level (``step_index`` null): median page loads and executed steps against the same
scenario (journey, scenario, example) in the baseline run, else against the journey's
``expected:``; only when at least :data:`MIN_EXTRA` more, graded by the ratio.
"""

from __future__ import annotations

import math

from harness.contracts.evidence import Growth, LongerJourneyEvidence, TimeGrowth
from harness.contracts.records import Finding, Severity
from harness.friction.finding import make_finding
from harness.friction.grading import grade, worst
from harness.friction.groups import ScenarioFigures, ScenarioRuns, figures
from harness.friction.rule import Rule
from harness.friction.words import fmt_ms, fmt_ratio
from harness.spec.friction import ScenarioSettings

MIN_EXTRA = 2
"""``longer-journey`` fires only when the journey took at least this many more page loads or steps."""


def longer_journey(runs: ScenarioRuns, settings: ScenarioSettings, baseline: ScenarioFigures | None = None,
                   baseline_run: str | None = None) -> list[Finding]:
    """The scenario, if it took longer than its baseline.

    Args:
        runs: The scenario's runs.
        settings: Its settings (thresholds ``page_loads_ratio``, ``steps_ratio``; ``expected``).
        baseline: The same scenario's figures in the baseline run, when there is one.
        baseline_run: The baseline run's id, for the message.
    """
    now = figures(runs, settings)
    if baseline is not None:
        reference: dict[str, int | None] = {"page_loads": baseline.page_loads, "steps": baseline.steps}
        against = f"in baseline run {baseline_run}" if baseline_run else "in the baseline run"
    elif settings.expected is not None:
        reference = {"page_loads": settings.expected.page_loads, "steps": settings.expected.steps}
        against = "expected"
    else:
        return []
    growth: dict[str, Growth] = {}
    parts, grades = [], []
    for metric, words in (("page_loads", "page loads"), ("steps", "steps")):
        base, value = reference[metric], getattr(now, metric)
        if base is None or value - base < MIN_EXTRA:
            continue
        ratio = value / base if base else math.inf
        pair = settings.thresholds[f"{metric}_ratio"]
        graded = grade(ratio, pair)
        if graded is None:
            continue
        grades.append(graded)
        shown = fmt_ratio(ratio) if base else "none before"
        parts.append(f"{value} {words} against {base} {against} ({shown})")
        growth[metric] = Growth(value=value, baseline=base, ratio=round(ratio, 2) if base else None, thresholds=pair)
    severity: Severity | None = worst(grades)
    if severity is None:
        return []
    impact, time = None, None
    if baseline is not None and baseline.time_ms is not None and now.time_ms is not None:
        impact = max(now.time_ms - baseline.time_ms, 0.0) or None
        time = TimeGrowth(value=now.time_ms, baseline=baseline.time_ms)
    message = "The journey took " + " and ".join(parts)
    if impact:
        message += f", {fmt_ms(impact)} longer"
    evidence = LongerJourneyEvidence(baseline=baseline_run if baseline is not None else "expected",
                                     page_loads=growth.get("page_loads"), steps=growth.get("steps"), time_ms=time)
    return [make_finding(RULE, severity, message, runs, evidence, repeats=runs.runs, impact_ms=impact)]


RULE = Rule(
    id="longer-journey", title="Longer journey", description=__doc__ or "", severity="medium / high by ratio",
    scaled=False, thresholds=("page_loads_ratio", "steps_ratio"), evidence=LongerJourneyEvidence,
    check=longer_journey, uses_baseline=True)
