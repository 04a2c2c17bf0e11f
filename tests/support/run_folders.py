"""Read a run folder back: its run.json, its step records by scenario run, and all its text."""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from pathlib import Path

from harness.contracts.records import RunInfo, StepRecord
from harness.runfolder.io import read_records


def run_info(run_dir: Path) -> RunInfo:
    """The run's ``run.json``."""
    return RunInfo.model_validate_json((run_dir / "run.json").read_text())


def records(run_dir: Path) -> list[StepRecord]:
    """Every step record of the run; each line of ``steps.jsonl`` must be a whole, valid record."""
    found, bad = read_records(run_dir)
    assert bad == 0
    return found


def scenario_runs(run_dir: Path) -> dict[tuple[str, str, str, int], list[StepRecord]]:
    """Step records by (feature file name, scenario, example values, repeat), in step order."""
    runs: dict[tuple[str, str, str, int], list[StepRecord]] = defaultdict(list)
    for record in records(run_dir):
        key = (Path(record.feature_file).name, record.scenario, json.dumps(record.example, sort_keys=True),
               record.repeat)
        runs[key].append(record)
    for steps in runs.values():
        steps.sort(key=lambda r: r.step_index)
    return runs


def event_rules() -> set[str]:
    """The friction rules that judge events (a failed request, a refused input, a dead click...): their verdict
    is the same on a fast and a slow machine, unlike a threshold on a time (``Rule.scaled``)."""
    from harness.friction.rules import RULES

    return {rule.id for rule in RULES if rule.scaled}


def event_findings(run_dir: Path) -> set[tuple[str, str, str, str]]:
    """The findings of :func:`event_rules`: (rule, feature file name, scenario, step text)."""
    data = json.loads((run_dir / "findings.json").read_text())
    events = event_rules()
    return {(f["rule"], Path(f["feature_file"]).name, f["scenario"], f.get("step_text") or "")
            for f in data["findings"] if f["rule"] in events}


def folder_text(run_dir: Path) -> str:
    """Every byte of a run folder as text, traces unzipped: to search it for secrets."""
    chunks = []
    for path in run_dir.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                chunks.extend(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        else:
            chunks.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(chunks)
