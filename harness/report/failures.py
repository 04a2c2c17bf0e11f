"""The failures section: failed steps with their error, screenshot and trace."""

from __future__ import annotations

import base64
import shlex
from pathlib import Path

from harness.report.load import RunData
from harness.report.view import FailureView, JourneyView

ERROR_LINES = 15
ERROR_CHARS = 4000
MAX_SCREENSHOTS = 40
"""Screenshots embedded in one report; later failures link to the file instead."""
MAX_SCREENSHOT_BYTES = 4 * 1024 * 1024
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def inside(run_dir: Path, rel: str | None) -> Path | None:
    """Return ``run_dir / rel`` when it is a file inside the run folder, else None."""
    if not rel:
        return None
    root = run_dir.resolve()
    try:
        path = (root / rel).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def data_uri(path: Path) -> str | None:
    """Return a PNG or JPEG file as a ``data:`` URI (None for other or too large files)."""
    try:
        if path.stat().st_size > MAX_SCREENSHOT_BYTES:
            return None
        raw = path.read_bytes()
    except OSError:
        return None
    mime = next((m for magic, m in IMAGE_TYPES.items() if raw.startswith(magic)), None)
    if mime is None:
        return None
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"


def clip_error(text: str | None) -> tuple[str, int]:
    """Return the first lines of an error message and how many lines were cut."""
    lines = (text or "").strip().splitlines()
    shown = "\n".join(lines[:ERROR_LINES])
    if len(shown) > ERROR_CHARS:
        shown = shown[:ERROR_CHARS] + " …"
    return shown, max(0, len(lines) - ERROR_LINES)


def failure_views(data: RunData, journeys: list[JourneyView]) -> list[FailureView]:
    """List every failed step, in journey/case/repeat order, with its artifacts resolved."""
    cases = [case for journey in journeys for case in journey.cases]
    case_of = {case.key: (n, case) for n, case in enumerate(cases)}
    found = []
    for run in data.scenario_runs:
        order, case = case_of[run.case_key]
        found.extend((order, run.repeat, rec.step_index, case, run, rec)
                     for rec in run.steps if rec.status == "failed")
    found.sort(key=lambda f: f[:3])
    views: list[FailureView] = []
    embedded = 0
    for n, (_, _, _, case, run, rec) in enumerate(found, start=1):
        error, cut = clip_error(rec.error)
        view = FailureView(
            anchor=f"f{n}", case_anchor=case.anchor, journey=run.journey, scenario=case.title,
            repeat=run.repeat if len(case.runs) > 1 else None, record=rec, error=error, error_cut=cut,
            failed_requests=[f"{fr.method} {fr.url} → {fr.status or fr.failure or 'failed'}"
                             for fr in rec.signals.failed_requests],
        )
        shot = inside(data.run_dir, rec.artifacts.screenshot)
        if shot is not None and embedded < MAX_SCREENSHOTS:
            view.screenshot = data_uri(shot)
            embedded += view.screenshot is not None
        if view.screenshot is None:
            if shot is not None:
                view.screenshot_note = f"Screenshot not embedded; file: {rec.artifacts.screenshot}"
            elif rec.artifacts.screenshot:
                view.screenshot_note = "Screenshot file not found in the run folder."
            elif getattr(rec.artifacts, "screenshot_error", None):
                view.screenshot_note = f"No screenshot: {rec.artifacts.screenshot_error}"
        if rec.artifacts.trace:
            view.trace = rec.artifacts.trace
            view.trace_cmd = f"playwright show-trace {shlex.quote(rec.artifacts.trace)}"
            view.trace_missing = inside(data.run_dir, rec.artifacts.trace) is None
        views.append(view)
    return views
