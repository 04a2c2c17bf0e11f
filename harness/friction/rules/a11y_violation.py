"""``a11y-violation``: one finding per axe-core rule violated on a page state, on the step that scanned it first.

Severity follows axe-core's impact. The audit keeps one finding per (page state, axe rule) in the
whole run: the first in feature, scenario, example and step order.
"""

from __future__ import annotations

from harness.contracts.evidence import A11yViolationEvidence, NodeItem
from harness.contracts.records import Finding, Severity, StepRecord
from harness.friction.finding import make_finding
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.series import executed
from harness.friction.words import clip, step_name
from harness.spec.friction import ScenarioSettings

A11Y_SEVERITY: dict[str, Severity] = {"critical": "high", "serious": "high", "moderate": "medium", "minor": "low"}
"""axe-core impact -> finding severity (an unknown impact counts as moderate)."""
MAX_NODES = 5
"""Elements listed per violation."""


def a11y_violation(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """One finding per axe-core rule violated on the page states the scenario's steps scanned."""
    found = []
    for step in runs.steps().values():
        first_seen: dict[str, tuple[StepRecord, list[int]]] = {}
        for repeat, record in executed(step).items():
            scan = record.signals.a11y
            for violation in scan.violations if scan else []:
                first_seen.setdefault(violation.id, (record, []))[1].append(repeat)
        for rule_id, (record, repeats) in first_seen.items():
            scan = record.signals.a11y
            assert scan is not None
            v = next(v for v in scan.violations if v.id == rule_id)
            count = v.count or len(v.nodes)
            message = (f"{step_name(record)}: accessibility rule {clip(v.id, 80)} ({v.impact or 'unknown impact'}) "
                       f"fails on {count} element{'s' if count != 1 else ''} of {clip(scan.url, 120)}: "
                       f"{clip(v.help, 200)}")
            evidence = A11yViolationEvidence(
                axe_rule=v.id, impact=v.impact, help=clip(v.help, 200), help_url=clip(v.help_url, 300), count=count,
                state=clip(scan.state, 300), url=clip(scan.url), engine=scan.engine,
                nodes=[NodeItem(target=clip(n.target, 200), html=clip(n.html, 300)) for n in v.nodes[:MAX_NODES]])
            found.append(make_finding(
                RULE, A11Y_SEVERITY.get(v.impact or "", "medium"), message, runs, evidence, step=step, repeats=repeats,
                discriminator=v.id, screenshot_repeat=repeats[0]))
    return found


RULE = Rule(
    id="a11y-violation", title="Accessibility violation", description=__doc__ or "",
    severity="critical/serious high, moderate medium, minor low", scaled=False, needs=("signals.a11y",),
    evidence=A11yViolationEvidence, check=a11y_violation)
