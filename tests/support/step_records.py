"""Step records and run folders written by hand, for the tests of what reads them (no browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.contracts.records import RunInfo, StepRecord
from harness.runfolder.io import append_record, write_run_info

FEATURE = "journeys/demo/expenses.feature"
PROBED: dict[str, Any] = {"probed": True}


def rec(step_index: int = 0, status: str = "passed", repeat: int = 0, *, scenario: str = "Submit an expense",
        example: dict[str, str] | None = None, text: str | None = None, duration_ms: float | None = 100.0,
        journey: str = "Expenses", **fields: Any) -> StepRecord:
    """A step record with plain defaults; ``signals`` and ``artifacts`` are dicts."""
    return StepRecord.model_validate({
        "run_id": "run-1", "app": "demo", "journey": journey, "feature_file": FEATURE, "scenario": scenario,
        "scenario_line": 3, "example": example or {}, "repeat": repeat, "step_index": step_index,
        "keyword": "When", "text": text or f"step {step_index}", "line": 4 + step_index, "status": status,
        "duration_ms": duration_ms, **fields,
    })


def click(**signals: Any) -> dict[str, Any]:
    """The fields of a probed click on the export button (``signals`` override or add signals)."""
    return {"target": "expenses.export", "selector": "#export",
            "signals": {**PROBED, "action": "click", "clicked": {"element": "button#export", "text": "Export"},
                        **signals}}


def run_folder(path: Path, records: list[StepRecord], app: str = "nowhere-app", run_id: str = "run-1",
               features: list[str] | None = None) -> Path:
    """A run folder holding ``records`` (as run ``run_id``) and a run.json; return it."""
    path.mkdir(parents=True)
    write_run_info(path, RunInfo(run_id=run_id, app=app, base_url="http://app", harness_version="0.1.0",
                                 started_at="2026-01-01T00:00:00+00:00", features=features or []))
    for record in records:
        append_record(path, record.model_copy(update={"run_id": run_id}))
    return path


def scenario(name: str, loads: int, example: dict[str, str] | None = None) -> list[StepRecord]:
    """Four passed steps of a scenario; the first ``loads`` of them load a page."""
    return [rec(i, scenario=name, example=example, signals={"navigations": 1 if i < loads else 0})
            for i in range(4)]
