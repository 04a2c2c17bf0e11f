"""The history store on plain run folders written by the project's own writers (no browser)."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from harness.collect.config import new_run_id
from harness.contracts.metrics import HISTORY_COLUMNS, METRICS
from harness.contracts.records import FINDINGS_JSON, STEPS_PARQUET, PageLoad, RunInfo, StepRecord, StepSignals
from harness.runfolder.history import (
    INDEX_COLUMNS,
    INDEX_FILE,
    HistoryError,
    NoBaselineYet,
    RunRef,
    load_history_steps,
    load_steps,
    read_index,
    rebuild_index,
    register,
    resolve,
)
from harness.runfolder.io import append_record, read_records, write_run_info
from harness.runfolder.parquet import records_frame, write_parquet

GUIDES = "guides.json"


def make_run(root: Path, run_id: str, *, app: str = "demo", version: str | None = "1.0", env: str | None = "staging",
             branch: str | None = "main", labels: tuple[str, ...] = (), day: int = 1, status: str = "complete",
             exit_code: int | None = 0, failed: int = 0, steps: int = 3, repeats: int = 2, parquet: bool = True,
             extras: tuple[str, ...] = ()) -> Path:
    """A finished run folder: run.json, steps.jsonl (``steps`` steps x ``repeats``), steps.parquet."""
    folder = root / run_id
    folder.mkdir(parents=True)
    for repeat in range(repeats):
        for index in range(steps):
            signals = StepSignals(requests=index, probed=True, cls=0.01 * index, tbt_ms=5.0,
                                  page_load=PageLoad(url="http://x/", ttfb_ms=20.0 + index, lcp_ms=300.0))
            append_record(folder, StepRecord(
                run_id=run_id, app=app, journey="Submit", feature_file="submit.feature", scenario="Submit one",
                example={"who": "ana"}, repeat=repeat, test_id="t::submit", step_index=index, keyword="When",
                text=f"step {index}", status="failed" if failed and index == steps - 1 else "passed",
                duration_ms=100.0 * (index + 1) + repeat, signals=signals))
    if parquet:
        write_parquet(folder)
    write_run_info(folder, RunInfo(
        run_id=run_id, app=app, app_version=version, base_url="http://x/", harness_version="0.1.0", env=env,
        git_branch=branch, git_commit="abc123", labels=list(labels), started_at=f"2026-01-{day:02d}T10:00:00+00:00",
        ended_at=f"2026-01-{day:02d}T10:05:00+00:00", status=status, exit_code=exit_code,
        options={"repeat": repeats}, totals={"scenarios": repeats, "scenarios_failed": failed * repeats,
                                             "steps": steps * repeats}))
    for name in extras:
        (folder / name).write_text(json.dumps({"run_id": run_id}), encoding="utf-8")
    (folder / "artifacts").mkdir()
    (folder / "artifacts" / "shot.png").write_bytes(b"\x89PNG")
    return folder


# --- registering -----------------------------------------------------------------------------
def test_register_copies_the_small_files_and_the_index_reads_back(tmp_path: Path) -> None:
    history = tmp_path / "history"
    green = make_run(tmp_path / "src", "run-green", labels=("nightly", "release"), day=2,
                     extras=(FINDINGS_JSON, GUIDES))
    register(make_run(tmp_path / "src", "run-failed", day=1, exit_code=1, failed=1), history)
    ref = register(green, history)

    assert ref == RunRef("run-green", history / "runs" / "run-green", ref.info)
    assert ref.info.labels == ["nightly", "release"]
    kept = sorted(p.name for p in ref.folder.iterdir())
    assert kept == sorted(["run.json", STEPS_PARQUET, FINDINGS_JSON, GUIDES, "registered.json"])
    assert sorted(p.name for p in (history / "runs" / "run-failed").iterdir()) == ["registered.json", "run.json",
                                                                                  STEPS_PARQUET]
    assert pq.read_schema(ref.folder / STEPS_PARQUET).names == list(HISTORY_COLUMNS)

    index = read_index(history)
    assert tuple(index.columns) == INDEX_COLUMNS
    assert index["run_id"].tolist() == ["run-failed", "run-green"]  # by started_at
    assert index["green"].tolist() == [False, True]
    assert index["labels"].tolist() == [[], ["nightly", "release"]]
    assert str(index["started_at"].dtype).startswith("datetime64") and str(index["started_at"].dt.tz) == "UTC"
    assert index["started_at"].iloc[1] == pd.Timestamp("2026-01-02T10:00:00Z")
    assert index["source"].tolist() == [str((tmp_path / "src" / r).resolve()) for r in ("run-failed", "run-green")]
    assert index[["scenarios", "scenarios_failed", "steps", "repeat"]].iloc[0].tolist() == [2, 2, 6, 2]

    schema = pq.read_schema(history / INDEX_FILE)  # the file as other tools read it
    assert schema.field("labels").type == pa.list_(pa.string())
    assert schema.field("started_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("green").type == pa.bool_()
    plain = pd.read_parquet(history / INDEX_FILE)
    assert list(plain.loc[plain["run_id"] == "run-green", "labels"].iloc[0]) == ["nightly", "release"]


def test_registering_again_replaces_the_row_and_the_files(tmp_path: Path) -> None:
    history = tmp_path / "history"
    folder = make_run(tmp_path, "run-a", labels=("old",), extras=(FINDINGS_JSON,))
    register(folder, history)
    first = read_index(history)["registered_at"].iloc[0]

    (folder / FINDINGS_JSON).unlink()
    info = json.loads((folder / "run.json").read_text())
    info["labels"] = ["new"]
    (folder / "run.json").write_text(json.dumps(info))
    register(folder, history)

    index = read_index(history)
    assert index["run_id"].tolist() == ["run-a"] and index["labels"].tolist() == [["new"]]
    assert index["registered_at"].iloc[0] > first
    assert not (history / "runs" / "run-a" / FINDINGS_JSON).exists()
    assert sorted(p.name for p in (history / "runs").iterdir()) == ["run-a"]  # nothing left behind


def _register_many(history: str, root: str, worker: int) -> None:
    for i in range(20):
        register(make_run(Path(root), f"w{worker}-run{i:02d}", day=1 + i % 28, steps=2, repeats=1), Path(history))


def test_two_processes_registering_at_once_lose_no_run(tmp_path: Path) -> None:
    history = tmp_path / "history"
    procs = [multiprocessing.Process(target=_register_many, args=(str(history), str(tmp_path / "src"), w))
             for w in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    index = pd.read_parquet(history / INDEX_FILE)
    assert len(index) == 40 and index["run_id"].is_unique
    assert len(list((history / "runs").iterdir())) == 40
    assert not [p for p in history.iterdir() if p.name.endswith(".tmp")]


def _start_a_run(history: str, root: str, start: Any) -> None:
    start.wait()  # every process asks for its id at the same moment
    register(make_run(Path(root), new_run_id("shop"), app="shop", steps=1, repeats=1), Path(history))


def test_twenty_runs_started_in_the_same_second_get_their_own_ids_and_all_reach_the_history(tmp_path: Path) -> None:
    history = tmp_path / "history"
    start = multiprocessing.Event()
    procs = [multiprocessing.Process(target=_start_a_run, args=(str(history), str(tmp_path / "src"), start))
             for _ in range(20)]
    for proc in procs:
        proc.start()
    start.set()
    for proc in procs:
        proc.join(120)
    assert [p.exitcode for p in procs] == [0] * 20
    folders = sorted(p.name for p in (tmp_path / "src").iterdir())
    assert len(folders) == 20 and len({f.rsplit("-", 1)[0] for f in folders}) < 20  # several in one second
    index = pd.read_parquet(history / INDEX_FILE)
    assert sorted(index["run_id"]) == folders


def test_a_missing_or_corrupt_index_is_rebuilt_from_the_run_folders(tmp_path: Path) -> None:
    history = tmp_path / "history"
    for day, run_id in enumerate(("run-a", "run-b", "run-c"), start=1):
        register(make_run(tmp_path / "src", run_id, day=day, labels=("x",)), history)
    before = read_index(history)

    (history / INDEX_FILE).unlink()
    after = read_index(history)
    assert (history / INDEX_FILE).is_file()
    pd.testing.assert_frame_equal(after, before)  # source and registered_at come back too

    (history / INDEX_FILE).write_bytes(b"PAR1 this is not parquet")
    assert read_index(history)["run_id"].tolist() == ["run-a", "run-b", "run-c"]

    (history / INDEX_FILE).write_bytes(b"garbage")
    register(make_run(tmp_path / "src", "run-d", day=4), history)  # registering over a corrupt index
    assert read_index(history)["run_id"].tolist() == ["run-a", "run-b", "run-c", "run-d"]

    pq.write_table(pa.table({"run_id": ["run-a"]}), history / INDEX_FILE)  # readable but not an index
    assert len(rebuild_index(history)) == 4 and len(read_index(history)) == 4


def test_no_history_is_an_empty_index_with_the_columns(tmp_path: Path) -> None:
    index = read_index(tmp_path / "nothing")
    assert index.empty and tuple(index.columns) == INDEX_COLUMNS
    assert not (tmp_path / "nothing").exists()
    with pytest.raises(HistoryError, match="holds no run"):
        resolve("last", tmp_path / "nothing")


def test_a_folder_without_run_json_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="not a run folder"):
        register(tmp_path, tmp_path / "history")


# --- picking baselines -----------------------------------------------------------------------
@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Six runs: demo on staging (four, one failed, one errored), one of another app, demo on prod."""
    src, history = tmp_path / "src", tmp_path / "history"
    runs = [
        ("20260101-r1", {"day": 1, "labels": ("nightly",)}),
        ("20260102-r2", {"day": 2, "exit_code": 1, "failed": 1}),
        ("20260103-r3", {"day": 3, "version": "1.1", "branch": "dev", "labels": ("nightly", "release")}),
        ("20260104-r4", {"day": 4, "version": "1.1", "status": "errored", "exit_code": 2, "steps": 0}),
        ("20260105-r5", {"day": 5, "app": "shop", "version": "7"}),
        ("20260106-r6", {"day": 6, "version": "1.1", "env": "prod"}),
    ]
    for run_id, kw in runs:
        register(make_run(src, run_id, **kw), history)  # type: ignore[arg-type]
    return history


def ids(refs: list[RunRef]) -> list[str]:
    return [r.run_id for r in refs]


def test_last_picks_the_latest_runs_and_skips_errored_ones(history: Path) -> None:
    assert ids(resolve("last", history)) == ["20260106-r6"]
    assert ids(resolve("last", history, app="demo", env="staging")) == ["20260103-r3"]  # r4 errored
    assert ids(resolve("last:3", history, app="demo")) == ["20260106-r6", "20260103-r3", "20260102-r2"]
    assert ids(resolve("last:50", history, app="demo")) == ["20260106-r6", "20260103-r3", "20260102-r2",
                                                            "20260101-r1"]
    assert ids(resolve("last", history, app="demo", exclude=["20260106-r6"])) == ["20260103-r3"]
    ref = resolve("last", history, app="shop")[0]
    assert ref.folder == history / "runs" / "20260105-r5" and ref.info.app_version == "7"
    for bad in ("last:0", "last:x"):
        with pytest.raises(HistoryError, match="at least 1"):
            resolve(bad, history)


def test_green_picks_the_latest_green_run_on_a_branch(history: Path) -> None:
    assert ids(resolve("green", history, app="demo")) == ["20260106-r6"]
    assert ids(resolve("green", history, app="demo", env="staging")) == ["20260103-r3"]
    assert ids(resolve("green:main", history, app="demo", env="staging")) == ["20260101-r1"]
    assert ids(resolve("green:dev", history)) == ["20260103-r3"]
    with pytest.raises(HistoryError, match=r"no green run on branch release .*branches with a green run: dev, main"):
        resolve("green:release", history, app="demo")
    with pytest.raises(HistoryError, match="no green run"):
        resolve("green", history, app="demo", env="staging", exclude=["20260101-r1", "20260103-r3"])


def test_version_and_label_selectors(history: Path) -> None:
    assert ids(resolve("version:1.0", history, app="demo")) == ["20260102-r2"]
    assert ids(resolve("version:1.0:all", history, app="demo")) == ["20260102-r2", "20260101-r1"]
    assert ids(resolve("version:1.1:all", history, app="demo", env="prod")) == ["20260106-r6"]
    with pytest.raises(HistoryError, match=r"no run of version 2\.0 \(versions: 1\.0, 1\.1\)"):
        resolve("version:2.0", history, app="demo")
    assert ids(resolve("label:nightly", history)) == ["20260103-r3"]
    assert ids(resolve("label:nightly:5", history)) == ["20260103-r3", "20260101-r1"]
    assert ids(resolve("label:nightly:1", history, exclude=["20260103-r3"])) == ["20260101-r1"]
    with pytest.raises(HistoryError, match=r"no run labelled weekly \(labels: nightly, release\)"):
        resolve("label:weekly", history, app="demo")


def test_run_ids_prefixes_and_folders(history: Path, tmp_path: Path) -> None:
    assert ids(resolve("20260103-r3", history)) == ["20260103-r3"]
    assert ids(resolve("20260105", history)) == ["20260105-r5"]
    with pytest.raises(HistoryError, match=r"ambiguous.*20260101-r1, 20260102-r2"):
        resolve("2026010", history)
    with pytest.raises(HistoryError, match=r"6\+ characters.*latest 20260106-r6"):
        resolve("20260", history)
    with pytest.raises(HistoryError, match="no run folder, run id or selector"):
        resolve("nope-nope", history)

    loose = make_run(tmp_path / "elsewhere", "not-registered", day=9)
    [ref] = resolve(str(loose), history)
    assert ref.run_id == "not-registered" and ref.folder == loose.resolve()
    with pytest.raises(HistoryError, match="is excluded"):
        resolve(str(loose), history, exclude=["not-registered"])


def test_filters_say_what_exists(history: Path) -> None:
    with pytest.raises(NoBaselineYet, match=r"holds no run of app blog \(apps: demo, shop\)"):
        resolve("last", history, app="blog")
    with pytest.raises(NoBaselineYet, match=r"holds no green run on branch feature-x"):
        resolve("green:feature-x", history, app="demo")
    with pytest.raises(HistoryError, match=r"holds no run in env qa \(envs: prod, staging\)"):
        resolve("last", history, app="demo", env="qa")
    with pytest.raises(HistoryError, match="run 20260105-r5 is a run of app shop, not demo"):
        resolve("20260105-r5", history, app="demo")
    with pytest.raises(HistoryError, match="ran in env prod, not staging"):
        resolve("20260106", history, env="staging")
    with pytest.raises(HistoryError, match="is excluded") as named:
        resolve("20260106-r6", history, exclude=["20260106-r6"])
    assert not isinstance(named.value, NoBaselineYet)  # a run named outright is no selector
    with pytest.raises(HistoryError, match="holds no run but the excluded 20260105-r5"):
        resolve("last", history, app="shop", exclude=["20260105-r5"])
    with pytest.raises(HistoryError, match=r"every run of .* errored"):
        resolve("last", history, app="demo", env="staging",
                exclude=["20260101-r1", "20260102-r2", "20260103-r3"])


# --- reading steps ---------------------------------------------------------------------------
def test_load_steps_returns_the_history_columns_with_their_types(history: Path, tmp_path: Path) -> None:
    refs = resolve("version:1.0:all", history, app="demo") + resolve("20260103-r3", history)
    steps = load_steps(refs)
    assert tuple(steps.columns) == HISTORY_COLUMNS and len(steps) == 3 * 6
    assert steps.groupby("run_id").size().to_dict() == {"20260101-r1": 6, "20260102-r2": 6, "20260103-r3": 6}
    for metric in METRICS:
        assert steps[metric.column].dtype == "float64", metric.column
    assert steps["step_index"].dtype == "int64" and steps["repeat"].dtype == "int64"
    assert steps["ttfb_ms"].tolist()[:3] == [20.0, 21.0, 22.0] and steps["example"].iloc[0] == '{"who": "ana"}'
    assert steps.loc[steps["run_id"] == "20260102-r2", "status"].tolist().count("failed") == 2

    jsonl_only = make_run(tmp_path / "elsewhere", "jsonl-only", day=9, parquet=False)
    from_jsonl = load_steps(resolve(str(jsonl_only), history), columns=["run_id", "duration_ms"])
    assert list(from_jsonl.columns) == ["run_id", "duration_ms"] and len(from_jsonl) == 6
    assert load_steps([]).columns.tolist() == list(HISTORY_COLUMNS)
    with pytest.raises(HistoryError, match="keeps no column bogus"):
        load_steps(refs, columns=["bogus"])


def test_load_history_steps_reads_every_run_at_once(history: Path) -> None:
    every = load_history_steps(history, columns=["run_id", "step_index", "duration_ms"])
    assert list(every.columns) == ["run_id", "step_index", "duration_ms"]
    assert len(every) == 5 * 6 and every["run_id"].nunique() == 5  # r4 errored with no step
    some = load_history_steps(history, run_ids=["20260101-r1", "20260105-r5"])
    assert tuple(some.columns) == HISTORY_COLUMNS and sorted(some["run_id"].unique()) == ["20260101-r1",
                                                                                         "20260105-r5"]
    pd.testing.assert_frame_equal(some[some["run_id"] == "20260101-r1"].reset_index(drop=True),
                                  load_steps(resolve("20260101-r1", history)))
    with pytest.raises(HistoryError, match="holds no run nope"):
        load_history_steps(history, run_ids=["nope"])


def test_an_old_run_without_some_metric_columns_registers_with_nulls(tmp_path: Path) -> None:
    folder = make_run(tmp_path, "old-run", parquet=False)
    frame = records_frame(read_records(folder)[0])
    old = frame.drop(columns=["lcp_ms", "tbt_ms", "cls", "interaction_ms", "page_errors", "error_kind"])
    old["requests"] = old["requests"].astype("int64")  # written as integers by an older harness
    old.to_parquet(folder / STEPS_PARQUET, index=False)

    ref = register(folder, tmp_path / "history")
    table = pq.read_table(ref.folder / STEPS_PARQUET)
    assert table.schema.names == list(HISTORY_COLUMNS)
    for column in ("lcp_ms", "tbt_ms", "cls", "interaction_ms", "page_errors"):
        assert table.schema.field(column).type == pa.float64() and table.column(column).null_count == 6, column
    assert table.column("error_kind").null_count == 6
    assert table.schema.field("requests").type == pa.float64()
    assert table.column("requests").to_pylist() == [0.0, 1.0, 2.0] * 2
    steps = load_history_steps(tmp_path / "history")
    assert steps["lcp_ms"].isna().all() and steps["duration_ms"].notna().all()


def test_a_run_compared_with_a_selector_nothing_matches_yet_keeps_its_exit_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from harness.cli.main import _compare_after_run

    first = make_run(tmp_path / "runs", "20260110-first", day=10)
    history = str(tmp_path / "history")
    assert _compare_after_run(first, "green:main", history, None, json_out=False) == 0
    assert "note: nothing to compare with yet" in capsys.readouterr().err
    assert not (first / "comparison.json").exists()
    assert _compare_after_run(first, "no-such-run", history, None, json_out=False) == 2  # a run named outright
    assert "error: no comparison" in capsys.readouterr().err
