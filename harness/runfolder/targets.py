"""``targets.json``: the newest passing fingerprint of each UI-map target a run resolved.

The step records hold a fingerprint per UI-map target of each passed step (``StepRecord.fingerprints``);
``targets.json`` keeps the newest of each, written when the run closes and copied into the history with
the run. :func:`merge_newest` makes one file of several, newest first: the baselines
``runfolder.history.target_baselines`` gathers over an app's registered runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from harness.contracts.records import DONE_STEPS, StepRecord
from harness.contracts.targets import TARGETS_JSON, TargetPrint, TargetsFile
from harness.runfolder.files import write_atomic
from harness.runfolder.io import read_records


def targets_of(records: Iterable[StepRecord], app: str | None = None) -> TargetsFile:
    """The newest fingerprint of each UI-map target over passed (or healed) steps, by the step's start."""
    out: dict[str, TargetPrint] = {}
    when: dict[str, str] = {}
    for record in records:
        if record.status not in DONE_STEPS or not record.fingerprints:
            continue
        started = record.started_at or ""
        for target, fingerprint in record.fingerprints.items():
            if target in out and when[target] > started:
                continue
            selector = fingerprint.get("selector") if isinstance(fingerprint.get("selector"), str) else None
            out[target] = TargetPrint(
                target=target, selector=selector, fingerprint={k: v for k, v in fingerprint.items() if k != "selector"},
                run_id=record.run_id, recorded_at=record.started_at, feature_file=record.feature_file,
                scenario=record.scenario, step=record.text, url=record.url)
            when[target] = started
            app = app or record.app
    return TargetsFile(app=app, targets=dict(sorted(out.items())))


def write_targets(run_dir: Path) -> Path:
    """Write the run's ``targets.json`` from its step records."""
    records, _ = read_records(run_dir)
    path = run_dir / TARGETS_JSON
    write_atomic(path, targets_of(records).model_dump_json(indent=1))
    return path


def read_targets(path: Path) -> TargetsFile:
    """A ``targets.json``; an empty file of targets when it is missing or unreadable."""
    try:
        return TargetsFile.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return TargetsFile()


def merge_newest(files: Iterable[TargetsFile], app: str | None = None) -> TargetsFile:
    """One file of targets from several, newest first: each target from the first file that has it."""
    out: dict[str, TargetPrint] = {}
    for file in files:
        for name, found in file.targets.items():
            out.setdefault(name, found)
    return TargetsFile(app=app, targets=dict(sorted(out.items())))

