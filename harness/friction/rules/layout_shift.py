"""``layout-shift``: layout shift accumulated during the step (not caused by input), by web.dev's CLS limits."""

from __future__ import annotations

from harness.contracts.evidence import LayoutShiftEvidence
from harness.contracts.records import Finding, StepRecord
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.step_figure import judge_figure, over_limit
from harness.friction.words import MAX_ITEMS, step_name
from harness.spec.friction import Pair, ScenarioSettings


def _describe(record: StepRecord, value: float, pair: Pair) -> str:
    limit = over_limit(value, pair)
    return f"{step_name(record)}: the layout shifted by {value:.2f} (layout shift score over {limit:g})"


def _evidence(record: StepRecord, value: float, pair: Pair, values: dict[str, float]) -> LayoutShiftEvidence:
    return LayoutShiftEvidence(cls=value, thresholds=pair, values=values,
                               shift_sources=record.signals.shift_sources[:MAX_ITEMS])


def layout_shift(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Probed steps whose median ``cls`` is over the ``cls`` pair."""
    return judge_figure(RULE, runs, settings, lambda r: r.signals.cls if r.signals.probed else None, _describe,
                        _evidence, is_time=False)


RULE = Rule(
    id="layout-shift", title="Layout shift", description=__doc__ or "", severity="medium / high", scaled=False,
    thresholds=("cls",), needs=("signals.cls", "signals.shift_sources"), evidence=LayoutShiftEvidence,
    check=layout_shift)
