"""The run folder on plain data: live appends, redaction, reading back, parquet (totals: test_one_outcome)."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pandas as pd
import pytest

from harness.contracts.records import STEPS_JSONL, StepRecord, StepSignals
from harness.redaction import Secrets
from harness.runfolder.files import atomic_path
from harness.runfolder.io import append_record, read_records
from harness.runfolder.parquet import records_frame, write_parquet


def record(index: int, status: str = "passed", test_id: str = "t::a", repeat: int = 0, **extra: object) -> StepRecord:
    return StepRecord(run_id="r", app="demo", journey="J", feature_file="f.feature", scenario="S",
                      test_id=test_id, repeat=repeat, step_index=index, keyword="When", text=f"step {index}",
                      status=status, duration_ms=10.0 * index if status != "not_run" else None, **extra)


def test_append_redacts_and_reads_back(tmp_path: Path) -> None:
    append_record(tmp_path, record(1, "failed", error="password was hunter2"), secrets=Secrets(["hunter2"]))
    append_record(tmp_path, record(2, "not_run"))
    text = (tmp_path / STEPS_JSONL).read_text()
    assert "hunter2" not in text and "[redacted-1]" in text
    records, bad = read_records(tmp_path)
    assert [r.step_index for r in records] == [1, 2] and bad == 0


def test_redaction_never_renames_the_run(tmp_path: Path) -> None:
    # a weak password that is also a common word must not rewrite the names the harness gives (see test_secrets)
    append_record(tmp_path, record(1, "failed", error="login as demo failed", url="http://x/?p=demo"),
                  secrets=Secrets(["demo"]))
    [kept], _ = read_records(tmp_path)
    assert kept.app == "demo" and kept.error == "login as [redacted-1] failed" and kept.url == "http://x/?p=[redacted-1]"


def test_a_truncated_last_line_loses_only_that_line(tmp_path: Path) -> None:
    append_record(tmp_path, record(1))
    append_record(tmp_path, record(2))
    with (tmp_path / STEPS_JSONL).open("a") as fh:
        fh.write('{"run_id": "r", "app": "de')  # a kill in the middle of a write
    records, bad = read_records(tmp_path)
    assert [r.step_index for r in records] == [1, 2] and bad == 1


def _writer(folder: str, worker: int) -> None:
    for i in range(50):
        append_record(Path(folder), record(i, test_id=f"w{worker}", error="x" * 5000))


def test_parallel_writers_never_interleave_lines(tmp_path: Path) -> None:
    procs = [multiprocessing.Process(target=_writer, args=(str(tmp_path), w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    lines = (tmp_path / STEPS_JSONL).read_text().splitlines()
    assert len(lines) == 200
    assert all(json.loads(line)["error"] == "x" * 5000 for line in lines)


def test_parquet_has_one_row_per_step_with_flat_signals(tmp_path: Path) -> None:
    append_record(tmp_path, record(1, signals={"navigations": 1, "requests": 4, "wait_ms": 12.5,
                                               "failed_requests": [{"url": "http://x/a", "status": 500}]}))
    append_record(tmp_path, record(2))
    frame = pd.read_parquet(write_parquet(tmp_path))
    assert list(frame["step_index"]) == [1, 2]
    assert frame.loc[0, "requests"] == 4 and frame.loc[0, "failed_requests"] == 1 and frame.loc[0, "wait_ms"] == 12.5
    assert json.loads(frame.loc[0, "signals"])["failed_requests"][0]["status"] == 500
    assert records_frame([]).empty


def test_a_lone_surrogate_from_the_app_is_kept_as_text(tmp_path: Path) -> None:
    """JavaScript strings may hold a lone UTF-16 surrogate; UTF-8 cannot: the record is kept, the escape as text."""
    append_record(tmp_path, record(0, signals=StepSignals(console_errors=["broken \ud800 text"])))
    [kept], _ = read_records(tmp_path)
    assert kept.signals.console_errors == ["broken \\ud800 text"]
    assert "\ud800" not in (tmp_path / "steps.jsonl").read_text(encoding="utf-8")


def test_two_writers_of_one_file_never_share_a_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "steps.csv"
    with atomic_path(target) as first, atomic_path(target) as second:
        assert first != second and first.parent == second.parent == tmp_path
        first.write_text("a")
        second.write_text("b")
    assert target.read_text() == "a" and sorted(p.name for p in tmp_path.iterdir()) == ["steps.csv"]
    with pytest.raises(OSError), atomic_path(target) as broken:
        broken.write_text("half")
        raise OSError("disk full")
    assert target.read_text() == "a" and sorted(p.name for p in tmp_path.iterdir()) == ["steps.csv"]
