"""``blocking-scripts``: total blocking time of the long tasks during the step (Lighthouse's TBT)."""

from __future__ import annotations

from harness.contracts.evidence import BlockingScriptsEvidence
from harness.contracts.records import Finding, StepRecord
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.step_figure import judge_figure, over_limit
from harness.friction.words import fmt_ms, step_name
from harness.spec.friction import Pair, ScenarioSettings


def _describe(record: StepRecord, value: float, pair: Pair) -> str:
    longest = record.signals.longest_task_ms
    tasks = f"; {record.signals.long_tasks} long tasks" + (f", longest {fmt_ms(longest)}" if longest else "")
    return (f"{step_name(record)}: scripts blocked the page for {fmt_ms(value)} "
            f"(total blocking time over {fmt_ms(over_limit(value, pair))}{tasks})")


def _evidence(record: StepRecord, value: float, pair: Pair, values: dict[str, float]) -> BlockingScriptsEvidence:
    return BlockingScriptsEvidence(tbt_ms=value, thresholds=pair, values=values, long_tasks=record.signals.long_tasks,
                                   longest_task_ms=record.signals.longest_task_ms)


def blocking_scripts(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Probed steps whose median ``tbt_ms`` is over the ``tbt_ms`` pair."""
    return judge_figure(RULE, runs, settings, lambda r: r.signals.tbt_ms if r.signals.probed else None, _describe,
                        _evidence)


RULE = Rule(
    id="blocking-scripts", title="Blocking scripts", description=__doc__ or "", severity="medium / high",
    scaled=False, thresholds=("tbt_ms",), needs=("signals.tbt_ms", "signals.long_tasks", "signals.longest_task_ms"),
    evidence=BlockingScriptsEvidence, check=blocking_scripts)
