"""The one place that chains the stages: collect → audit → compare → report.

The CLI and the pytest plugin call these functions; the stages never call each other.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from harness.audit.findings import audit_run
from harness.collect.runner import Prepared, RunOptions, execute
from harness.contracts.records import RunInfo, StepRecord, final_attempts
from harness.report.outputs import write_outputs
from harness.runfolder.findings import write_findings
from harness.runfolder.history import register
from harness.runfolder.io import (
    BROWSER_INFO,
    RUN_ERROR,
    history_dir,
    now_iso,
    read_records,
    read_run_info,
    totals,
    write_parquet,
    write_run_info,
)
from harness.spec.friction import FrictionSettings


def finish_run(run_dir: Path, exitstatus: int, build: bool = True, status: str | None = None,
               friction: FrictionSettings | None = None, history: Path | None = None) -> RunInfo:
    """Close a run folder: parquet, totals, status, findings, its entry in the history, the HTML report.

    Args:
        run_dir: The run folder.
        exitstatus: pytest's exit status.
        build: Write report.html.
        status: Force the run's status (``incomplete`` after an interruption).
        friction: The app's friction thresholds (``None``: found from the run, else defaults).
        history: The history store to register the run in (``None``: not registered).
    """
    info = read_run_info(run_dir)
    records, _bad = read_records(run_dir)
    browser = run_dir / BROWSER_INFO
    if browser.exists():
        for key, value in json.loads(browser.read_text()).items():
            setattr(info, key, value)
    error = run_dir / RUN_ERROR
    if error.exists():
        info.error = error.read_text(encoding="utf-8").strip()
        status = status or "errored"
    info.totals = totals(final_attempts(records))
    info.ended_at = now_iso()
    info.status = status or ("complete" if exitstatus in (0, 1, 5) else "errored")
    info.exit_code = 1 if info.totals.get("scenarios_failed") else (0 if exitstatus in (0, 5) else 2)
    if info.error:
        info.exit_code = 2
    write_parquet(run_dir)
    write_run_info(run_dir, info)
    try:
        write_findings(run_dir, audit_run(run_dir, friction))
    except Exception as exc:  # the measurements are safe on disk; `harness audit` can try again
        print(f"harness: findings.json could not be written: {type(exc).__name__}: {exc}", file=sys.stderr)
    if history is not None:
        try:
            register(run_dir, history)
        except Exception as exc:  # the run folder is complete; `harness history add` can register it later
            print(f"harness: the run was not added to the history at {history}: {type(exc).__name__}: {exc}",
                  file=sys.stderr)
    if build:
        write_outputs(run_dir)  # each output that fails is named on stderr; the measurements are safe
    return info


def run_journeys(options: RunOptions, prepared: Prepared, on_records: Callable[[list[StepRecord]], None]) -> RunInfo:
    """Collect: replay the prepared journeys in pytest; the run is closed (audited, registered, reported)."""
    history = history_dir(prepared.run_dir, options.history)

    def finish(run_dir: Path, exitstatus: int, status: str | None = None) -> RunInfo:
        return finish_run(run_dir, exitstatus, status=status, history=history)

    return execute(options, prepared, on_records, finish)
