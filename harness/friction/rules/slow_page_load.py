"""``slow-page-load``: the median LCP, TTFB and load time of the page the step loaded; the worst one decides.

The evidence lists every figure measured, with its thresholds; ``impact_ms`` is the most any of
them is over its medium threshold; the screenshot is the worst repeat of the figure most over.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.contracts.evidence import RepeatFigures, SlowPageLoadEvidence
from harness.contracts.records import Finding, StepRecord
from harness.friction.finding import make_finding
from harness.friction.grading import grade, worst
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.series import first, median, of_runs, over, per_repeat, series, worst_repeat
from harness.friction.words import fmt_ms, step_name
from harness.spec.friction import ScenarioSettings

PAGE_METRICS = (("lcp_ms", "largest contentful paint"), ("ttfb_ms", "first byte"), ("load_ms", "load"))
"""The figures of ``signals.page_load`` judged (each is also its threshold's name), in message order."""


def _page_figure(metric: str) -> Callable[[StepRecord], float | None]:
    def value(record: StepRecord) -> float | None:
        load = record.signals.page_load
        return getattr(load, metric) if load else None
    return value


def _figures(measured: dict[str, dict[int, float]], metric: str, settings: ScenarioSettings) -> RepeatFigures | None:
    values = measured.get(metric)
    if values is None:
        return None
    return RepeatFigures(median=round(median(values), 3), thresholds=settings.thresholds[metric],
                         values=per_repeat(values))


def slow_page_load(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Steps whose page loaded slowly: each measured figure graded against its own pair, the worst wins."""
    found = []
    for step in runs.steps().values():
        measured: dict[str, dict[int, float]] = {}
        for metric, _ in PAGE_METRICS:
            values = series(step, _page_figure(metric))
            if values:
                measured[metric] = values
        grades = {m: grade(median(v), settings.thresholds[m]) for m, v in measured.items()}
        severity = worst(grades.values())
        if severity is None:
            continue
        parts, repeats, impact = [], set(), 0.0
        for metric, words in PAGE_METRICS:
            if metric not in measured:
                continue
            value, (medium, _high) = median(measured[metric]), settings.thresholds[metric]
            text = f"{words} {fmt_ms(value)}"
            if grades[metric]:
                text += f" (over {fmt_ms(medium)})"
                repeats.update(over(measured[metric], medium))
                impact = max(impact, value - medium)
            parts.append(text)
        loads = [r.signals.page_load for r in step.values() if r.signals.page_load]
        url = loads[0].url if loads else (first(step).url or "")
        runs_note = of_runs(max(measured.values(), key=len))
        message = f"{step_name(first(step))} loaded {url or 'a page'} slowly{runs_note}: " + ", ".join(parts)
        evidence = SlowPageLoadEvidence(
            lcp_ms=_figures(measured, "lcp_ms", settings), ttfb_ms=_figures(measured, "ttfb_ms", settings),
            load_ms=_figures(measured, "load_ms", settings), url=url,
            lcp_element=next((p.lcp_element for p in loads if p.lcp_element), None))
        worst_metric = max((m for m in grades if grades[m]), key=lambda m: median(measured[m]) / max(
            settings.thresholds[m][0], 1e-9))
        found.append(make_finding(RULE, severity, message, runs, evidence, step=step, repeats=repeats,
                                  impact_ms=impact or None, screenshot_repeat=worst_repeat(measured[worst_metric])))
    return found


RULE = Rule(
    id="slow-page-load", title="Slow page load", description=__doc__ or "", severity="medium / high",
    scaled=False, thresholds=tuple(metric for metric, _ in PAGE_METRICS), needs=("signals.page_load",),
    evidence=SlowPageLoadEvidence, check=slow_page_load)
