"""The failures section: failed steps with their error, screenshot, trace and UI-map repair; healed steps."""

from __future__ import annotations

import shlex

from harness.contracts.records import StepRecord
from harness.report.html.images import Images, inside
from harness.report.load import RunData, ScenarioRun
from harness.report.repairs import healed_steps, repair_view
from harness.report.view import CaseView, FailureView, JourneyView

ERROR_LINES = 15
ERROR_CHARS = 4000


def clip_error(text: str | None) -> tuple[str, int]:
    """Return the first lines of an error message and how many lines were cut."""
    lines = (text or "").strip().splitlines()
    shown = "\n".join(lines[:ERROR_LINES])
    if len(shown) > ERROR_CHARS:
        shown = shown[:ERROR_CHARS] + " …"
    return shown, max(0, len(lines) - ERROR_LINES)


def failure_views(data: RunData, journeys: list[JourneyView], images: Images | None = None) -> list[FailureView]:
    """List every failed step, in journey/case/repeat order, with its artifacts resolved.

    Args:
        data: The loaded run.
        journeys: Its journeys (for the scenario anchors).
        images: Embeds the screenshots (default: a new budget for this list alone).
    """
    images = images or Images(data.run_dir)
    cases = [case for journey in journeys for case in journey.cases]
    case_of = {case.key: (n, case) for n, case in enumerate(cases)}
    found: list[tuple[int, int, int, CaseView, ScenarioRun, StepRecord]] = []
    for run in data.scenario_runs:
        order, case = case_of[run.case_key]
        found.extend((order, run.repeat, rec.step_index, case, run, rec)
                     for rec in run.steps if rec.status == "failed")
    found.sort(key=lambda f: f[:3])
    views: list[FailureView] = []
    for n, (_, _, _, case, run, rec) in enumerate(found, start=1):
        error, cut = clip_error(rec.error)
        view = FailureView(
            anchor=f"f{n}", case_anchor=case.anchor, journey=run.journey, scenario=case.title,
            repeat=run.repeat if len(case.runs) > 1 else None, record=rec, error=error, error_cut=cut,
            failed_requests=[f"{fr.method} {fr.url} → {fr.status or fr.failure or 'failed'}"
                             for fr in rec.signals.failed_requests],
            repair=repair_view(rec.repair, f"f{n}-rp") if rec.repair is not None else None,
        )
        shot = images.shot(rec.artifacts.screenshot, getattr(rec.artifacts, "screenshot_error", None))
        if shot is not None:
            view.screenshot, view.screenshot_note, view.screenshot_href = shot.src, shot.note, shot.href
        if rec.artifacts.trace:
            view.trace = rec.artifacts.trace
            view.trace_cmd = f"playwright show-trace {shlex.quote(rec.artifacts.trace)}"
            found_trace = inside(data.run_dir, rec.artifacts.trace)
            view.trace_missing = found_trace is None
            if found_trace is not None:
                view.trace_href = found_trace.relative_to(data.run_dir.resolve()).as_posix()
        views.append(view)
    return views


def healed_views(data: RunData, journeys: list[JourneyView]) -> list[FailureView]:
    """List every healed step (``--heal`` applied its repair at run time), in journey/case/repeat order.

    Each healed step's scenario step in the journeys tab links to its entry (``StepView.repair_anchor``).
    """
    cases = [case for journey in journeys for case in journey.cases]
    case_of = {case.key: (n, case) for n, case in enumerate(cases)}
    found = sorted((case_of[h.scenario.key][0], h.replay.repeat, h.step.step_index, n, h)
                   for n, h in enumerate(healed_steps(data.scenarios)) if h.scenario.key in case_of)
    views: list[FailureView] = []
    for n, (_, repeat, index, _, healed) in enumerate(found, start=1):
        case = case_of[healed.scenario.key][1]
        rec = healed.step
        error, cut = clip_error(rec.error)
        repair = rec.repair.model_copy(update={"healed": True}) if rec.repair is not None else None
        view = FailureView(
            anchor=f"h{n}", case_anchor=case.anchor, journey=case.journey, scenario=case.title,
            repeat=repeat if len(case.runs) > 1 else None, record=rec, error=error, error_cut=cut,
            repair=repair_view(repair, f"h{n}-rp") if repair is not None else None, healed=True)
        views.append(view)
        step = next((s for s in case.steps if s.index == index), None)
        if step is not None and step.repair_anchor is None:
            step.repair_anchor = view.anchor
    return views
