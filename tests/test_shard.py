"""Shards on plain data: the split (by count, by the history's durations), the settings, and merging folders."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from harness.collect.shard import expected_durations, history_weights, scenario_id, split
from harness.contracts.records import RUN_FILE, RunInfo
from harness.contracts.settings import RunSettings, parse_shard
from harness.errors import HarnessError
from harness.outcomes import example_key
from harness.pipeline import merge_shards
from harness.runfolder.history import register
from harness.runfolder.io import write_run_info
from harness.runfolder.settings import write_settings
from tests.support.step_records import rec, run_folder

# --- the split ---------------------------------------------------------------------------------


def _runs(durations: dict[str, float], repeat: int) -> list[tuple[str, str]]:
    return [(f"test_{name}[r{r}]", name) for r in range(repeat) for name in durations]


def test_parse_shard_takes_only_i_of_n() -> None:
    assert str(parse_shard("2/3")) == "2/3"
    for bad in ("0/3", "4/3", "3", "a/b", "1/0", "-1/2"):
        with pytest.raises(ValueError, match="I/N"):
            parse_shard(bad)
    with pytest.raises(ValueError, match="shard"):
        RunSettings(app="demo", shard="4/3")
    with pytest.raises(ValueError, match="not both"):
        RunSettings(app="demo", grid="http://grid:4444", connect="ws://server:3000")


def test_without_history_every_run_is_in_one_share_and_counts_differ_by_one_at_most() -> None:
    runs = _runs({f"s{i}": 0 for i in range(7)}, repeat=3)
    shares = split(runs, {}, 4)
    ids = [r for share in shares for r in share]
    assert sorted(ids) == sorted(r for r, _ in runs)  # each once
    assert max(map(len, shares)) - min(map(len, shares)) <= 1
    assert split(list(reversed(runs)), {}, 4) == [sorted(s, key=[r for r, _ in reversed(runs)].index) for s in shares]
    order = [r for r, _ in runs]
    assert all(share == sorted(share, key=order.index) for share in shares)  # pytest's order kept


def test_history_durations_balance_the_shares_where_counting_would_not() -> None:
    # one long scenario and many short ones: by count, a shard gets the long ones and ends last
    durations = {"long": 9000.0, **{f"short{i}": 600.0 + 40 * i for i in range(11)}}
    runs = _runs(durations, repeat=5)
    weights = {sid: ms for sid, ms in durations.items()}

    def loads(shares: list[list[str]]) -> list[float]:
        cost = {run: durations[sid] for run, sid in runs}
        return [sum(cost[r] for r in share) for share in shares]

    balanced, counted = loads(split(runs, weights, 3)), loads(split(runs, {}, 3))
    assert max(balanced) / statistics.mean(balanced) <= 1.05
    assert max(counted) / statistics.mean(counted) > max(balanced) / statistics.mean(balanced)
    assert split(runs, weights, 3) == split(runs, weights, 3)


def test_a_scenario_the_history_does_not_know_costs_the_median_of_those_it_knows() -> None:
    runs = [("a", "A"), ("b", "B"), ("c", "C"), ("new", "N")]
    shares = split(runs, {"A": 100.0, "B": 100.0, "C": 1000.0}, 2)
    assert sorted(map(sorted, shares)) == [["a", "b", "new"], ["c"]]


def test_expected_durations_are_the_median_replay_time_in_steps() -> None:
    key = example_key({})
    rows = [{"run_id": run, "feature_file": "f.feature", "scenario": "S", "example": key, "repeat": r, "attempt": 0,
             "duration_ms": ms} for run, r, ms in
            (("r1", 0, 100.0), ("r1", 0, 200.0), ("r1", 1, 500.0), ("r2", 0, 400.0), ("r2", 0, float("nan")))]
    assert expected_durations(rows) == {scenario_id("f.feature", "S", key): 400.0}  # replays of 300, 500, 400


def test_history_weights_come_from_the_apps_complete_runs(tmp_path: Path) -> None:
    history = tmp_path / "history"
    assert history_weights(history, "demo") == ({}, [])
    for run_id, app, ms in (("r1", "demo", 50.0), ("r2", "other", 5000.0)):
        folder = run_folder(tmp_path / run_id, [rec(i, duration_ms=ms) for i in range(3)], app=app, run_id=run_id)
        info = RunInfo.model_validate_json((folder / RUN_FILE).read_text())
        write_run_info(folder, info.model_copy(update={"status": "complete", "ended_at": info.started_at}))
        register(folder, history)
    weights, basis = history_weights(history, "demo")
    assert list(weights.values()) == [150.0] and basis == ["r1"]


# --- merging -----------------------------------------------------------------------------------


def _shard(root: Path, index: int, count: int, scenario: str, *, status: str = "passed", run_id: str = "ci-1",
           app_version: str = "1.0", repeat: int = 1, basis: tuple[str, ...] = ("r1",)) -> Path:
    folder = root / f"shard-{index}"
    records = [rec(i, status=status if i == 2 else "passed", scenario=scenario, scenario_steps=3,
                   test_id=f"test_harness_journeys.py::test_{scenario.lower().replace(' ', '_')}") for i in range(3)]
    run_folder(folder, records, app="nowhere-app", run_id=run_id, features=["f.feature"])
    info = RunInfo.model_validate_json((folder / RUN_FILE).read_text())
    write_run_info(folder, info.model_copy(update={
        "app_version": app_version, "status": "complete", "exit_code": 0,
        "started_at": f"2026-01-01T00:00:0{index}+00:00", "ended_at": f"2026-01-01T00:01:0{index}+00:00",
        "options": {"repeat": repeat, "shard": f"{index}/{count}", "shard_basis": list(basis)}}))
    write_settings(folder / "settings.json", RunSettings(
        app="nowhere-app", root=root / f"checkout-{index}", out=folder, run_id=run_id, shard=f"{index}/{count}",
        repeat=repeat, paths=[str(root / f"checkout-{index}" / "f.feature")]))
    return folder


def _outcomes(folder: Path) -> dict[str, object]:
    return json.loads((folder / RUN_FILE).read_text())["totals"]


def test_merged_shards_are_one_run_with_every_step_and_one_history_entry(tmp_path: Path) -> None:
    shards = [_shard(tmp_path, i, 3, f"Scenario {i}", status="failed" if i == 2 else "passed") for i in (1, 2, 3)]
    out = tmp_path / "merged"
    info = merge_shards(list(reversed(shards)), out, history=str(tmp_path / "history"))
    assert info.run_id == "ci-1" and info.status == "complete" and info.error is None
    assert info.totals["scenarios"] == 3 and info.totals["scenarios_failed"] == 1 and info.exit_code == 1
    assert info.started_at == "2026-01-01T00:00:01+00:00" and info.ended_at == "2026-01-01T00:01:03+00:00"
    saved = json.loads((out / RUN_FILE).read_text())
    assert saved["merged_from"] == {"1/3": "shard-1", "2/3": "shard-2", "3/3": "shard-3"}
    assert "shard" not in saved["options"] and "shard_basis" not in saved["options"]
    lines = [json.loads(x) for x in (out / "steps.jsonl").read_text().splitlines()]
    assert [x["scenario"] for x in lines[::3]] == ["Scenario 1", "Scenario 2", "Scenario 3"]
    assert {x["run_id"] for x in lines} == {"ci-1"}
    for name in ("report.html", "junit.xml", "summary.md", "findings.json", "steps.parquet"):
        assert (out / name).is_file(), name
    assert [p.name for p in (tmp_path / "history" / "runs").iterdir()] == ["ci-1"]
    assert json.loads((out / "settings.json").read_text())["shard"] is None


def test_merging_again_gives_the_same_folder(tmp_path: Path) -> None:
    shards = [_shard(tmp_path, i, 2, f"Scenario {i}") for i in (1, 2)]

    def contents(folder: Path) -> dict[str, list[str]]:
        return {p.relative_to(folder).as_posix(): [ln for ln in p.read_text().splitlines()
                                                    if "generated" not in ln and "Audited 20" not in ln]
                for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".parquet"}

    merge_shards(shards, tmp_path / "merged", history="off")
    first = contents(tmp_path / "merged")
    merge_shards(shards, tmp_path / "merged", history="off")
    assert contents(tmp_path / "merged") == first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_a_missing_shard_leaves_the_run_incomplete_and_named(tmp_path: Path) -> None:
    shards = [_shard(tmp_path, i, 3, f"Scenario {i}") for i in (1, 3)]
    info = merge_shards(shards, tmp_path / "merged", history="off")
    assert info.status == "incomplete" and info.exit_code == 2
    assert "shards 2/3 missing" in (info.error or "") or "shard 2/3 missing" in (info.error or "")
    assert json.loads((tmp_path / "merged" / RUN_FILE).read_text())["merged_from"]["2/3"] is None
    assert info.totals["scenarios"] == 2


@pytest.mark.parametrize(("change", "message"), [
    ({"app_version": "2.0"}, "app_version"),
    ({"repeat": 3}, "repeat"),
    ({"basis": ("r1", "r2")}, "split from the history's runs"),
    ({"run_id": "ci-2"}, None),  # a run id of its own is fine: the merged run takes the first's with -merged
])
def test_shards_of_different_runs_are_refused(tmp_path: Path, change: dict[str, object], message: str | None) -> None:
    one = _shard(tmp_path, 1, 2, "Scenario 1")
    two = _shard(tmp_path, 2, 2, "Scenario 2", **change)  # type: ignore[arg-type]
    if message is None:
        assert merge_shards([one, two], tmp_path / "merged", history="off").run_id == "ci-1-merged"
        return
    with pytest.raises(HarnessError, match=f"not of one run.*{message}"):
        merge_shards([one, two], tmp_path / "merged", history="off")
    assert not (tmp_path / "merged").exists()


def test_what_is_no_set_of_shards_is_refused(tmp_path: Path) -> None:
    one = _shard(tmp_path, 1, 2, "Scenario 1")
    with pytest.raises(HarnessError, match="given twice"):
        merge_shards([one, one], tmp_path / "merged", history="off")
    plain = run_folder(tmp_path / "plain", [rec(0)], app="nowhere-app", run_id="ci-1")
    with pytest.raises(HarnessError, match="no shard"):
        merge_shards([one, plain], tmp_path / "merged", history="off")
    with pytest.raises(HarnessError, match=r"no run\.json"):
        merge_shards([one, tmp_path / "nothing"], tmp_path / "merged", history="off")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(HarnessError, match="something else than a merged run"):
        merge_shards([one], tmp_path / "busy", history="off")
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_merged_shards_write_the_runs_allure_results_when_asked(tmp_path: Path) -> None:
    shards = [_shard(tmp_path, i, 2, f"Scenario {i}", status="failed" if i == 2 else "passed") for i in (1, 2)]
    allure = tmp_path / "allure-results"
    merge_shards(shards, tmp_path / "merged", history="off", allure_dir=allure)
    results = [json.loads(p.read_text()) for p in allure.glob("*-result.json")]
    assert sorted((r["name"], r["status"]) for r in results) == [("Scenario 1", "passed"), ("Scenario 2", "failed")]
    assert json.loads((tmp_path / "merged" / RUN_FILE).read_text())["options"]["allure_dir"] == str(allure.resolve())
