"""The report's charts as plain data: what each shows, drawn in the browser by ECharts.

A spec is a small dict (``kind`` plus its figures and an accessible ``label``), embedded in the
report as JSON; ``assets/report.js`` turns each kind into an ECharts option when the chart first
scrolls into view. Text in a spec is app text: ECharts draws it as SVG text, and the script's
tooltips escape it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.report.stats import fmt_ms
from harness.report.view import CaseView, JourneyView

ROW_PX = 22
"""Height of one category row (a step or a journey)."""
FRAME_PX = 70
"""Room for the legend and the value axis."""
NAME_CHARS = 60


def _clip(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _name(index: int, keyword: str, text: str) -> str:
    return _clip(f"{index + 1}. {keyword} {text}".strip())


def _height(rows: int) -> int:
    return FRAME_PX + ROW_PX * max(rows, 1)


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass
class Charts:
    """The charts of one report, by id (``data-chart`` in the page)."""

    specs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, spec: dict[str, Any]) -> str:
        """Keep a spec and return its id."""
        key = f"c{len(self.specs) + 1}"
        self.specs[key] = spec
        return key


def waterfall(case: CaseView) -> dict[str, Any] | None:
    """Each step as a bar from when it started to when it ended (medians over the replays)."""
    steps, start = [], 0.0
    for step in case.steps:
        ms = step.median_ms or 0.0
        kind = "over" if step.status == "passed" and step.over_count else step.status
        steps.append({"name": _name(step.index, step.keyword, step.text), "start": round(start, 1),
                      "ms": round(ms, 1), "kind": kind, "budget": _ms(step.budget_ms)})
        start += ms
    if not steps or start <= 0:
        return None
    many = len(case.runs) > 1
    label = (f"Step waterfall of {case.title}: {len(steps)} steps, {fmt_ms(start)} in all"
             + (" (medians of the replays)" if many else "") + "; the steps table lists every figure.")
    return {"kind": "waterfall", "label": label, "height": _height(len(steps)), "steps": steps,
            "repeats": len(case.runs)}


def distribution(case: CaseView) -> dict[str, Any] | None:
    """Every replay's duration of every step, with the medians: how steady each step is."""
    if len(case.runs) < 2:
        return None
    runs: list[list[Any]] = []
    for row, step in enumerate(case.steps):
        runs.extend([row, round(ms, 1), status, repeat]
                    for ms, status, repeat in step.replays if ms is not None)
    if not runs:
        return None
    label = (f"Step durations over {len(case.runs)} replays of {case.title}: one mark per replay, "
             "a bar at each median; failed replays are triangles.")
    return {"kind": "strip", "label": label, "height": _height(len(case.steps)),
            "steps": [_name(s.index, s.keyword, s.text) for s in case.steps], "runs": runs,
            "medians": [_ms(s.median_ms) for s in case.steps]}


def journey_time(journeys: list[JourneyView]) -> dict[str, Any] | None:
    """Where users lose time: each journey's median scenario time, split into waiting and the rest."""
    cats, wait, rest, totals = [], [], [], []
    for journey in journeys:
        total = sum(c.total_ms or 0.0 for c in journey.cases)
        waited = sum(s.wait_ms or 0.0 for c in journey.cases for s in c.steps)
        cats.append(_clip(journey.name))
        totals.append(round(total, 1))
        wait.append(round(min(waited, total), 1))
        rest.append(round(max(total - waited, 0.0), 1))
    if not cats or not any(totals):
        return None
    order = sorted(range(len(cats)), key=lambda i: -totals[i])
    slowest = cats[order[0]]
    label = (f"Time per journey (sum of its scenarios' median times), longest first; {slowest} takes "
             f"{fmt_ms(totals[order[0]])}. Each bar splits into time waiting for the app and the rest.")
    return {"kind": "bars", "label": label, "height": _height(len(cats)), "axis": "median time per journey",
            "cats": [cats[i] for i in order], "totals": [totals[i] for i in order],
            "series": [{"name": "waiting for the app", "values": [wait[i] for i in order]},
                       {"name": "acting and the rest", "values": [rest[i] for i in order], "total": True}]}


def lines(*, x: list[str], series: list[tuple[str, list[float | None]]], unit: str, axis: str, label: str,
          low: float | None = None, high: float | None = None) -> dict[str, Any]:
    """Run-by-run lines, oldest to newest; each line has its own marker and dash, so colour is not needed."""
    return {"kind": "lines", "label": label, "height": 300, "x": x, "unit": unit, "axis": axis, "min": low,
            "max": high, "series": [{"name": _clip(name), "values": values} for name, values in series]}


def add_case_charts(journeys: list[JourneyView], charts: Charts) -> None:
    """Give each scenario case its waterfall and, with several replays, its distribution chart."""
    for journey in journeys:
        for case in journey.cases:
            spec = waterfall(case)
            case.waterfall_chart = charts.add(spec) if spec else None
            spec = distribution(case)
            case.spread_chart = charts.add(spec) if spec else None
