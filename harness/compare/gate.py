"""The CI gate: does a comparison fail the build under the policy, and why (one screen)."""

from __future__ import annotations

from harness.contracts.comparison import Comparison, GateResult
from harness.spec.regressions import GatePolicy

SEVERITIES = ("high", "medium", "low")
MAX_LINES = 8
"""Lines per reason before "... and N more": the explanation must fit one screen."""


def _lines(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    shown = [f"  - {item}" for item in items[:MAX_LINES]]
    if len(items) > MAX_LINES:
        shown.append(f"  ... and {len(items) - MAX_LINES} more (see comparison.json)")
    return [f"{title} ({len(items)}):", *shown]


def _pct(ratio: float | None) -> str:
    return f"{ratio * 100:+.0f}%" if ratio is not None else "n/a"


def evaluate(comparison: Comparison, policy: GatePolicy) -> GateResult:
    """Return whether the comparison fails the policy, with one reason block per rule that fired."""
    reasons: list[str] = []
    if policy.new_failures:
        failing = [s for s in comparison.statuses if s.kind in ("new_failure", "now_broken")]
        reasons += _lines("Newly failing scenarios", [
            f"{s.where.label()}: {s.outcome()} at {s.step or 'an unknown step'}"
            + (f" ({s.error_kind})" if s.error_kind else "") for s in failing])
    if policy.new_flaky:
        flaky = [s for s in comparison.statuses if s.kind == "new_flaky"]
        reasons += _lines("Newly flaky scenarios", [
            f"{s.where.label()}: {s.outcome()}" for s in flaky])
    if policy.broken_guides:
        broken = [g for g in comparison.guides if g.kind == "broken"]
        reasons += _lines("Newly broken guide steps", [
            f"{g.guide} / {g.step}: {g.candidate}" + (f" (repair: {g.suggestion})" if g.suggestion else "")
            for g in broken])
    if policy.slowdown_pct is not None:
        slow = [c for c in comparison.changes if c.verdict == "slower" and c.metric in policy.slowdown_metrics
                and c.ratio is not None and c.ratio * 100 >= policy.slowdown_pct]
        reasons += _lines(f"Significant slowdowns of {policy.slowdown_pct:g}% or more", [
            f"{c.where.label()}: {c.label} {_pct(c.ratio)} ({c.change:+.0f} {c.unit}, "
            f"{c.baseline.median if c.baseline else 0:.0f} -> {c.candidate.median if c.candidate else 0:.0f}, "
            f"q = {c.q_value:.2g})" for c in slow])
    if policy.run_wide_pct is not None:
        whole = [r for r in comparison.run_wide if r.metric in policy.slowdown_metrics and r.verdict == "slower"
                 and (r.factor - 1) * 100 >= policy.run_wide_pct]
        reasons += _lines(f"Every step alike {policy.run_wide_pct:g}% slower or more", [
            f"{r.label}: {r.pct()} over {r.steps} steps (interval {r.interval()}): the app as a whole, "
            "or a slower machine" for r in whole])
    if policy.findings != "never":
        worst = SEVERITIES.index(policy.findings)
        new = [f for f in comparison.findings if f.kind == "new" and f.severity in SEVERITIES[:worst + 1]]
        reasons += _lines(f"New friction findings ({policy.findings} or worse)", [
            f"[{f.severity}] {f.title}: {f.journey} › {f.scenario}" + (f" › {f.step_text}" if f.step_text else "")
            for f in new])
    if policy.drift:
        drifting = [t for t in comparison.trends if t.drifting]
        reasons += _lines("Slow drifts over the last runs", [
            f"{t.where.label()}: {t.metric} {_pct(t.ratio)} over {len(t.runs)} runs" for t in drifting])
    return GateResult(failed=bool(reasons), reasons=reasons, policy=policy.model_dump())
