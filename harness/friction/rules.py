"""The friction rules: which exist, the scenario-level ``longer-journey`` rule, and running them all.

Every rule is a pure function of one scenario's runs (:class:`ScenarioRuns`) and the settings
in force for it (:class:`ScenarioSettings`); the contract is in docs/friction.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from harness.contracts.records import Finding, Severity
from harness.friction.events import (
    a11y_violation,
    console_error,
    covered_target,
    dead_click,
    failed_request,
    refused_input,
)
from harness.friction.finding import fmt_ms, fmt_ratio, grade, make_finding, worst
from harness.friction.groups import ScenarioFigures, ScenarioRuns, figures
from harness.friction.timing import (
    blocking_scripts,
    layout_shift,
    long_wait,
    over_budget,
    slow_interaction,
    slow_page_load,
)
from harness.spec.friction import ScenarioSettings

StepRule = Callable[[ScenarioRuns, ScenarioSettings], list[Finding]]

STEP_RULES: dict[str, StepRule] = {
    "over-budget": over_budget,
    "slow-page-load": slow_page_load,
    "slow-interaction": slow_interaction,
    "long-wait": long_wait,
    "layout-shift": layout_shift,
    "blocking-scripts": blocking_scripts,
    "failed-request": failed_request,
    "console-error": console_error,
    "refused-input": refused_input,
    "dead-click": dead_click,
    "covered-target": covered_target,
    "a11y-violation": a11y_violation,
}
"""Rule id -> its function, for the rules judged step by step."""

MIN_EXTRA = 2
"""``longer-journey`` fires only when the journey took at least this many more page loads or steps."""


def longer_journey(runs: ScenarioRuns, settings: ScenarioSettings, baseline: ScenarioFigures | None = None,
                   baseline_run: str | None = None) -> list[Finding]:
    """``longer-journey``: more page loads or steps than the baseline run (else the journey's ``expected``).

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
    evidence: dict[str, object] = {"baseline": baseline_run if baseline is not None else "expected"}
    parts, grades = [], []
    for metric, words in (("page_loads", "page loads"), ("steps", "steps")):
        base, value = reference[metric], getattr(now, metric)
        if base is None or value - base < MIN_EXTRA:
            continue
        ratio = value / base if base else math.inf
        pair = settings.thresholds[f"{metric}_ratio"]
        severity = grade(ratio, pair)
        if severity is None:
            continue
        grades.append(severity)
        shown = fmt_ratio(ratio) if base else "none before"
        parts.append(f"{value} {words} against {base} {against} ({shown})")
        evidence[metric] = {"value": value, "baseline": base, "ratio": round(ratio, 2) if base else None,
                            "thresholds": list(pair)}
    severity: Severity | None = worst(grades)
    if severity is None:
        return []
    impact = None
    if baseline is not None and baseline.time_ms is not None and now.time_ms is not None:
        impact = max(now.time_ms - baseline.time_ms, 0.0) or None
        evidence["time_ms"] = {"value": now.time_ms, "baseline": baseline.time_ms}
    message = "The journey took " + " and ".join(parts)
    if impact:
        message += f", {fmt_ms(impact)} longer"
    return [make_finding("longer-journey", severity, message, runs, repeats=runs.runs, evidence=evidence,
                         impact_ms=impact)]


def judge(runs: ScenarioRuns, settings: ScenarioSettings, baseline: ScenarioFigures | None = None,
          baseline_run: str | None = None) -> list[Finding]:
    """Run every rule not disabled on one scenario; findings in rule order, then step order."""
    found: list[Finding] = []
    for rule, function in STEP_RULES.items():
        if rule not in settings.disabled:
            found += function(runs, settings)
    if "longer-journey" not in settings.disabled:
        found += longer_journey(runs, settings, baseline, baseline_run)
    return found
