"""``slow-interaction``: the step's longest event-to-next-paint time (Event Timing), by web.dev's INP limits."""

from __future__ import annotations

from harness.contracts.evidence import SlowInteractionEvidence
from harness.contracts.records import Finding, StepRecord
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.step_figure import judge_figure, over_limit
from harness.friction.words import fmt_ms, step_name
from harness.spec.friction import Pair, ScenarioSettings


def _describe(record: StepRecord, value: float, pair: Pair) -> str:
    event = f" to a {record.signals.interaction_event}" if record.signals.interaction_event else ""
    limit = fmt_ms(over_limit(value, pair))
    return f"{step_name(record)}: the page took {fmt_ms(value)} to respond{event} (over {limit})"


def _evidence(record: StepRecord, value: float, pair: Pair, values: dict[str, float]) -> SlowInteractionEvidence:
    return SlowInteractionEvidence(interaction_ms=value, thresholds=pair, values=values,
                                   interaction_event=record.signals.interaction_event)


def slow_interaction(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Steps whose median ``interaction_ms`` is over the ``interaction_ms`` pair."""
    return judge_figure(RULE, runs, settings, lambda r: r.signals.interaction_ms, _describe, _evidence)


RULE = Rule(
    id="slow-interaction", title="Slow interaction", description=__doc__ or "", severity="medium / high",
    scaled=False, thresholds=("interaction_ms",), needs=("signals.interaction_ms", "signals.interaction_event"),
    evidence=SlowInteractionEvidence, check=slow_interaction)
