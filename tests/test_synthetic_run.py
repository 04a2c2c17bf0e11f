"""The synthetic run folder of tests/support/synthetic_run.py reads back and reports (no browser)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from harness.report.load import load_run
from harness.report.outputs import write_outputs
from harness.runfolder.findings import read_findings
from harness.runfolder.guides import read_guides
from tests.support.synthetic_run import make_run


def test_small_run_loads_and_reports(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", journeys=8, scenarios_per_journey=(2, 4), steps_per_scenario=(4, 7), repeats=3,
                   fail_rate=0.15, seed=3)
    data = load_run(run.folder)
    assert data.source == "steps.jsonl" and not data.warnings and not data.bad_lines
    assert len(data.records) == run.records
    assert len(data.scenario_runs) == run.scenario_runs == run.cases * 3
    assert data.info.totals["replays_failed"] == run.failed_runs > 0
    assert any(r.example for r in data.records), "some scenarios are Outline rows"
    assert any("<script>" in r.text for r in data.records)
    assert len(pd.read_parquet(run.folder / "steps.parquet")) == run.records
    failed = [r for r in data.records if r.status == "failed"]
    assert failed and all(r.error and r.artifacts.screenshot and r.artifacts.trace for r in failed)
    for record in failed:
        assert (run.folder / record.artifacts.screenshot).read_bytes().startswith(b"\x89PNG")
        assert (run.folder / record.artifacts.trace).stat().st_size > 100_000
    findings = read_findings(run.folder)
    assert findings is not None and len(findings.findings) == run.findings > 0
    guides = read_guides(run.folder)
    assert guides is not None and not guides.warnings and len(guides.file.guides) == 5

    result = write_outputs(run.folder, strict=True)
    assert not result.failed and run.folder / "report.html" in result.written
    html = (run.folder / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(" not in html


def test_same_seed_same_run(tmp_path: Path) -> None:
    one = make_run(tmp_path / "a", journeys=3, repeats=2, seed=7, findings=False, with_artifacts=False)
    two = make_run(tmp_path / "b", journeys=3, repeats=2, seed=7, findings=False, with_artifacts=False)
    assert (one.folder / "steps.jsonl").read_bytes() == (two.folder / "steps.jsonl").read_bytes()
    assert json.loads((one.folder / "guides.json").read_text()) == json.loads((two.folder / "guides.json").read_text())


def test_steps_parquet_is_rewritten_only_when_steps_jsonl_is_newer(tmp_path: Path) -> None:
    from harness.report.outputs import write_steps_parquet
    from harness.runfolder.io import append_record, read_records

    run = make_run(tmp_path / "run", journeys=1, repeats=1, with_artifacts=False, guides=0, findings=False)
    parquet = write_steps_parquet(run.folder)
    stamp = parquet.stat().st_mtime_ns
    assert write_steps_parquet(run.folder) == parquet and parquet.stat().st_mtime_ns == stamp  # up to date: kept
    record = read_records(run.folder)[0][0].model_copy(update={"step_index": 99})
    append_record(run.folder, record)  # the run's record grows after the parquet was written
    write_steps_parquet(run.folder)
    assert parquet.stat().st_mtime_ns > stamp and len(pd.read_parquet(parquet)) == run.records + 1
