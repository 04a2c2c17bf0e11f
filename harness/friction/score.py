"""A scenario's friction summary and score, and the ranking of findings.

The score of a scenario is the sum of its findings' points (high 10, medium 3, low 1; event
rules scaled by the share of repeats they occurred in): nothing else goes into it.
"""

from __future__ import annotations

from collections import Counter

from harness.contracts.evidence import RefusedInputEvidence
from harness.contracts.records import Finding, JourneyFriction, ScorePart
from harness.friction.grading import SEVERITY_RANK
from harness.friction.groups import ScenarioRuns, figures
from harness.outcomes import example_key
from harness.spec.friction import ScenarioSettings


def rank_key(finding: Finding) -> tuple[object, ...]:
    """Severity, then points, then time lost (most first); ties broken by place, for a stable order."""
    return (SEVERITY_RANK[finding.severity], -finding.points, -(finding.impact_ms or 0.0), finding.feature_file,
            finding.scenario, example_key(finding.example),
            -1 if finding.step_index is None else finding.step_index, finding.rule, finding.id)


def rank(findings: list[Finding]) -> list[Finding]:
    """The findings, most harmful first."""
    return sorted(findings, key=rank_key)


def _refused(finding: Finding) -> int:
    return finding.evidence.count if isinstance(finding.evidence, RefusedInputEvidence) else 0


def summarise(runs: ScenarioRuns, settings: ScenarioSettings, findings: list[Finding]) -> JourneyFriction:
    """The friction summary of one scenario from its runs and its findings."""
    figs = figures(runs, settings)
    ranked = rank(findings)
    breakdown = [ScorePart(finding=f.id, rule=f.rule, severity=f.severity, step_index=f.step_index, points=f.points)
                 for f in ranked]
    counts = Counter(f.severity for f in findings)
    refused = sum(_refused(f) for f in findings)
    return JourneyFriction(
        journey=runs.journey, feature_file=runs.feature_file, scenario=runs.scenario,
        scenario_line=runs.scenario_line, example=dict(runs.example), runs=figs.runs, status=figs.status,
        time_ms=figs.time_ms, steps=figs.steps, page_loads=figs.page_loads, wait_ms=figs.wait_ms,
        errors=figs.errors, refused_inputs=refused,
        findings={s: counts.get(s, 0) for s in ("high", "medium", "low")},
        score=round(sum(part.points for part in breakdown), 2), breakdown=breakdown,
    )
