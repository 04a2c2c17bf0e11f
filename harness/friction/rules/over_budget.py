"""``over-budget``: the step's median duration over its budget (``budgets:``) times the ratio thresholds.

``impact_ms`` is the time over the budget; ``repeats`` lists the repeats over the budget times the
medium ratio; the screenshot is the slowest repeat's.
"""

from __future__ import annotations

from harness.contracts.evidence import OverBudgetEvidence
from harness.contracts.records import Finding
from harness.friction.finding import make_finding
from harness.friction.grading import grade
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.series import first, median, of_runs, per_repeat, series, worst_repeat
from harness.friction.words import fmt_ms, fmt_ratio, step_name
from harness.spec.friction import ScenarioSettings


def over_budget(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Steps whose median duration is over their budget times the ``budget_ratio`` pair."""
    pair = settings.thresholds["budget_ratio"]
    found = []
    for step in runs.steps().values():
        budget = next((r.budget_ms for r in step.values() if r.budget_ms), None)
        values = series(step, lambda r: r.duration_ms)
        if not budget or not values:
            continue
        took = median(values)
        ratio = took / budget
        severity = grade(ratio, pair)
        if severity is None:
            continue
        message = (f"{step_name(first(step))} took {fmt_ms(took)}{of_runs(values)}, over its "
                   f"{fmt_ms(budget)} budget ({fmt_ratio(ratio)})")
        evidence = OverBudgetEvidence(duration_ms=round(took, 1), budget_ms=budget, ratio=round(ratio, 2),
                                      thresholds=pair, values=per_repeat(values, 1))
        found.append(make_finding(
            RULE, severity, message, runs, evidence, step=step,
            repeats=[k for k, v in values.items() if v > budget * pair[0]], impact_ms=took - budget,
            screenshot_repeat=worst_repeat(values)))
    return found


RULE = Rule(
    id="over-budget", title="Over budget", description=__doc__ or "", severity="medium over 1x, high from 2x",
    scaled=False, thresholds=("budget_ratio",), needs=("duration_ms", "budget_ms"), evidence=OverBudgetEvidence,
    check=over_budget)
