"""Timing rules: a step's figure, the median over the repeats in which it passed, against thresholds.

Each rule is a pure function of one scenario's runs and its settings. ``impact_ms`` is the
time over the medium threshold (over the budget for ``over-budget``); ``repeats`` lists the
repeats whose own figure was over the medium threshold.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.contracts.records import Finding, StepRecord
from harness.friction.finding import (
    fmt_ms,
    fmt_ratio,
    grade,
    make_finding,
    median,
    series,
    step_name,
    target_name,
    worst,
)
from harness.friction.groups import ScenarioRuns
from harness.spec.friction import Pair, ScenarioSettings


def _over(values: dict[int, float], medium: float) -> list[int]:
    return [repeat for repeat, value in values.items() if value > medium]


def _worst_repeat(values: dict[int, float]) -> int:
    return max(values, key=lambda repeat: (values[repeat], -repeat))


def _of_runs(values: dict[int, float]) -> str:
    return f" (median of {len(values)} runs)" if len(values) > 1 else ""


def _figures(values: dict[int, float], pair: Pair) -> dict[str, object]:
    return {"median": round(median(values), 3), "thresholds": list(pair),
            "values": {str(k): round(v, 3) for k, v in sorted(values.items())}}


def over_budget(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``over-budget``: the step's median duration over its budget times the ratio thresholds."""
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
        first = next(iter(step.values()))
        message = (f"{step_name(first)} took {fmt_ms(took)}{_of_runs(values)}, over its "
                   f"{fmt_ms(budget)} budget ({fmt_ratio(ratio)})")
        found.append(make_finding(
            "over-budget", severity, message, runs, step=step,
            repeats=[k for k, v in values.items() if v > budget * pair[0]],
            evidence={"duration_ms": round(took, 1), "budget_ms": budget, "ratio": round(ratio, 2),
                      "thresholds": list(pair), "values": {str(k): round(v, 1) for k, v in sorted(values.items())}},
            impact_ms=took - budget, screenshot_repeat=_worst_repeat(values)))
    return found


PAGE_METRICS = (("lcp_ms", "largest contentful paint"), ("ttfb_ms", "first byte"), ("load_ms", "load"))


def slow_page_load(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``slow-page-load``: LCP, TTFB and load time of the page the step loaded; the worst one decides."""
    found = []
    for step in runs.steps().values():
        measured: dict[str, dict[int, float]] = {}
        for metric, _ in PAGE_METRICS:
            values = series(step, lambda r, m=metric: getattr(r.signals.page_load, m) if r.signals.page_load else None)
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
                repeats.update(_over(measured[metric], medium))
                impact = max(impact, value - medium)
            parts.append(text)
        first = next(iter(step.values()))
        loads = [r.signals.page_load for r in step.values() if r.signals.page_load]
        url = loads[0].url if loads else (first.url or "")
        runs_note = _of_runs(max(measured.values(), key=len))
        message = f"{step_name(first)} loaded {url or 'a page'} slowly{runs_note}: " + ", ".join(parts)
        evidence: dict[str, object] = {m: _figures(v, settings.thresholds[m]) for m, v in measured.items()}
        evidence["url"] = url
        evidence["lcp_element"] = next((p.lcp_element for p in loads if p.lcp_element), None)
        worst_metric = max((m for m in grades if grades[m]), key=lambda m: median(measured[m]) / max(
            settings.thresholds[m][0], 1e-9))
        found.append(make_finding("slow-page-load", severity, message, runs, step=step, repeats=repeats,
                                  evidence=evidence, impact_ms=impact or None,
                                  screenshot_repeat=_worst_repeat(measured[worst_metric])))
    return found


def _simple(rule: str, runs: ScenarioRuns, settings: ScenarioSettings, threshold: str,
            value_of: Callable[[StepRecord], float | None], describe: Callable[[StepRecord, float, Pair], str],
            extra: Callable[[StepRecord], dict[str, object]], is_time: bool = True) -> list[Finding]:
    """One metric per step, median over repeats, graded against one threshold pair."""
    pair = settings.thresholds[threshold]
    found = []
    for step in runs.steps().values():
        values = series(step, value_of)
        if not values:
            continue
        value = median(values)
        severity = grade(value, pair)
        if severity is None:
            continue
        worst_repeat = _worst_repeat(values)
        record = step[worst_repeat]
        evidence: dict[str, object] = {threshold: round(value, 3), "thresholds": list(pair),
                                       "values": {str(k): round(v, 3) for k, v in sorted(values.items())}}
        evidence.update(extra(record))
        message = describe(record, value, pair) + _of_runs(values)
        found.append(make_finding(rule, severity, message, runs, step=step, repeats=_over(values, pair[0]),
                                  evidence=evidence, impact_ms=value - pair[0] if is_time else None,
                                  screenshot_repeat=worst_repeat))
    return found


def slow_interaction(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``slow-interaction``: the longest event-to-next-paint time of the step (INP thresholds)."""

    def describe(record: StepRecord, value: float, pair: Pair) -> str:
        event = f" to a {record.signals.interaction_event}" if record.signals.interaction_event else ""
        return (f"{step_name(record)}: the page took {fmt_ms(value)} to respond{event} "
                f"(over {fmt_ms(pair[0] if value < pair[1] else pair[1])})")

    return _simple("slow-interaction", runs, settings, "interaction_ms", lambda r: r.signals.interaction_ms,
                   describe, lambda r: {"interaction_event": r.signals.interaction_event})


def long_wait(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``long-wait``: time spent waiting for the step's target to become actionable."""

    def describe(record: StepRecord, value: float, pair: Pair) -> str:
        return (f"{step_name(record)} waited {fmt_ms(value)} for {target_name(record)} to become usable "
                f"(over {fmt_ms(pair[0] if value < pair[1] else pair[1])})")

    return _simple("long-wait", runs, settings, "wait_ms", lambda r: r.signals.wait_ms, describe,
                   lambda r: {"target": r.target, "selector": r.selector})


def layout_shift(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``layout-shift``: layout shift accumulated during the step (CLS thresholds)."""

    def describe(record: StepRecord, value: float, pair: Pair) -> str:
        return (f"{step_name(record)}: the layout shifted by {value:.2f} "
                f"(layout shift score over {pair[0] if value < pair[1] else pair[1]:g})")

    return _simple("layout-shift", runs, settings, "cls", lambda r: r.signals.cls if r.signals.probed else None,
                   describe, lambda r: {"shift_sources": list(r.signals.shift_sources[:10])}, is_time=False)


def blocking_scripts(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``blocking-scripts``: total blocking time of the long tasks during the step."""

    def describe(record: StepRecord, value: float, pair: Pair) -> str:
        longest = record.signals.longest_task_ms
        tasks = f"; {record.signals.long_tasks} long tasks" + (f", longest {fmt_ms(longest)}" if longest else "")
        return (f"{step_name(record)}: scripts blocked the page for {fmt_ms(value)} "
                f"(total blocking time over {fmt_ms(pair[0] if value < pair[1] else pair[1])}{tasks})")

    return _simple("blocking-scripts", runs, settings, "tbt_ms",
                   lambda r: r.signals.tbt_ms if r.signals.probed else None, describe,
                   lambda r: {"long_tasks": r.signals.long_tasks, "longest_task_ms": r.signals.longest_task_ms})
