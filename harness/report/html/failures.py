"""The failures section: failed steps with their error, screenshot and trace."""

from __future__ import annotations

import shlex

from harness.contracts.records import StepRecord
from harness.report.html.images import Images, inside
from harness.report.load import RunData, ScenarioRun
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
