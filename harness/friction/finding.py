"""A finding made by a rule: its stable id, its points, its screenshot."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import cast

from harness.contracts.evidence import Evidence, RuleEvidence
from harness.contracts.records import Finding, Severity
from harness.friction.grading import SEVERITY_POINTS
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.series import StepRepeats
from harness.outcomes import example_key


def finding_id(rule: str, runs: ScenarioRuns, step_index: int | None, discriminator: str = "") -> str:
    """A short id, stable across audits: rule, feature file, scenario, example, step (and a discriminator)."""
    raw = "\x1f".join([rule, runs.feature_file, runs.scenario, example_key(runs.example),
                       "" if step_index is None else str(step_index), discriminator])
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]


def screenshot_of(step: StepRepeats, first: int | None = None) -> str | None:
    """The screenshot of repeat ``first`` when it has one, else of the first repeat that has one."""
    order = ([first] if first is not None else []) + sorted(step)
    for repeat in order:
        record = step.get(repeat)
        if record is not None and record.artifacts.screenshot:
            return record.artifacts.screenshot
    return None


def make_finding(rule: Rule, severity: Severity, message: str, runs: ScenarioRuns, evidence: Evidence, *,
                 step: StepRepeats | None = None, repeats: Iterable[int] = (), impact_ms: float | None = None,
                 discriminator: str = "", screenshot_repeat: int | None = None) -> Finding:
    """A finding on a step (``step`` given) or on the whole scenario.

    Args:
        rule: The rule that fired.
        severity: Its severity.
        message: What happened, with the figures.
        runs: The scenario's runs.
        evidence: The figures and texts behind the message: the rule's evidence model.
        step: The step across repeats, for a step finding.
        repeats: The repeats it occurred in.
        impact_ms: Time it cost the user, when known.
        discriminator: Tells apart several findings of one rule on one step.
        screenshot_repeat: The repeat whose screenshot to prefer.
    """
    if not isinstance(evidence, rule.evidence):
        raise TypeError(f"rule {rule.id} gave {type(evidence).__name__}, not {rule.evidence.__name__}")
    repeats = sorted(set(repeats))
    count = max(len(runs.runs), 1)
    points = SEVERITY_POINTS[severity] * (len(repeats) / count if rule.scaled and repeats else 1.0)
    first = next(iter(step.values())) if step else None
    return Finding(
        id=finding_id(rule.id, runs, first.step_index if first else None, discriminator),
        rule=rule.id, severity=severity, title=rule.title, message=message,
        journey=runs.journey, feature_file=runs.feature_file, scenario=runs.scenario,
        scenario_line=runs.scenario_line, example=dict(runs.example),
        step_index=first.step_index if first else None, step_text=first.text if first else None,
        step_line=first.line if first else None, repeats=repeats, runs=count, points=round(points, 2),
        impact_ms=round(impact_ms, 1) if impact_ms is not None else None,
        evidence=cast(RuleEvidence, evidence),  # checked above: the rule's model
        screenshot=screenshot_of(step, screenshot_repeat) if step else None,
    )
