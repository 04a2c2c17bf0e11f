"""``long-wait``: time the step spent waiting for its target to become actionable."""

from __future__ import annotations

from harness.contracts.evidence import LongWaitEvidence
from harness.contracts.records import Finding, StepRecord
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.step_figure import judge_figure, over_limit
from harness.friction.words import fmt_ms, step_name, target_name
from harness.spec.friction import Pair, ScenarioSettings


def _describe(record: StepRecord, value: float, pair: Pair) -> str:
    return (f"{step_name(record)} waited {fmt_ms(value)} for {target_name(record)} to become usable "
            f"(over {fmt_ms(over_limit(value, pair))})")


def _evidence(record: StepRecord, value: float, pair: Pair, values: dict[str, float]) -> LongWaitEvidence:
    return LongWaitEvidence(wait_ms=value, thresholds=pair, values=values, target=record.target,
                            selector=record.selector)


def long_wait(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Steps whose median ``wait_ms`` is over the ``wait_ms`` pair."""
    return judge_figure(RULE, runs, settings, lambda r: r.signals.wait_ms, _describe, _evidence)


RULE = Rule(
    id="long-wait", title="Long wait", description=__doc__ or "", severity="medium / high", scaled=False,
    thresholds=("wait_ms",), needs=("signals.wait_ms", "target", "selector"), evidence=LongWaitEvidence,
    check=long_wait)
