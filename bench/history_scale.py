"""Benchmark: the history store at scale (100 runs x 10,000 step records = 1,000,000 records).

Builds a synthetic history in a temporary folder: each run is a run folder (run.json written
from a :class:`RunInfo`, steps.parquet written by pandas with HISTORY_COLUMNS) registered with
:func:`harness.runfolder.history.register`. The runs share 1,000 step keys (50 journeys x 4
scenarios x 5 steps), each step repeated to make up the records; durations are lognormal around
a per-step base, with a slow drift on a tenth of the steps and a few failures. Then it times,
median of ``--repeat`` rounds:

- registering one more run (its first registration, then re-registrations of it);
- ``read_index``;
- ``load_history_steps`` of every record with the step key and duration columns;
- the trend table: the median duration per (run, step), pivoted into a run x step table with
  the runs in time order;
- what ``harness compare`` does for its trends: load the last 20 runs (and all of them), then
  ``trends()``: per journey, scenario and step, the median per run, a Theil-Sen slope and a
  Mann-Kendall test, adjusted together.

Never used as a timed test assertion.

Usage: .venv/bin/python bench/history_scale.py [--runs 100] [--records 10000] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from harness.compare.trends import trends
from harness.contracts.metrics import HISTORY_COLUMNS, STEP_KEY
from harness.contracts.records import STEPS_PARQUET, RunInfo
from harness.runfolder.history import INDEX_FILE, RUNS_DIR, load_history_steps, read_index, register
from harness.runfolder.io import write_run_info
from harness.spec.regressions import CompareSettings

JOURNEYS, SCENARIOS, STEPS = 50, 4, 5
START = datetime(2026, 1, 1, tzinfo=UTC)


def step_keys() -> pd.DataFrame:
    """The 1,000 step keys with each one's base duration (ms) and drift per run."""
    rng = np.random.default_rng(7)
    j, s, i = (a.ravel() for a in np.meshgrid(range(JOURNEYS), range(SCENARIOS), range(STEPS), indexing="ij"))
    n = j.size
    return pd.DataFrame({
        "journey": [f"Journey {x:02d}" for x in j],
        "feature_file": [f"features/journey_{x:02d}.feature" for x in j],
        "scenario": [f"Scenario {y}" for y in s],
        "example": np.where(s % 2 == 0, "{}", '{"user": "ana"}'),
        "step_index": i.astype("int64"),
        "text": [f"I do step {z} of scenario {y}" for y, z in zip(s, i, strict=True)],
        "base": rng.lognormal(np.log(250), 0.9, n),
        "drift": np.where(rng.random(n) < 0.1, rng.normal(0.004, 0.002, n), 0.0),
        "navigates": i == 0,
    })


def run_frame(keys: pd.DataFrame, run_id: str, number: int, records: int, rng: np.random.Generator) -> pd.DataFrame:
    """``records`` step records of run ``number``: the keys cycled, one repeat per pass."""
    pick = np.arange(records) % len(keys)
    k = keys.iloc[pick].reset_index(drop=True)
    n = len(k)
    failed = rng.random(n) < 0.003
    nav = k["navigates"].to_numpy()

    def nav_only(values: np.ndarray) -> np.ndarray:
        return np.where(nav, values, np.nan)

    ttfb = rng.lognormal(np.log(80), 0.4, n)
    frame = pd.DataFrame({
        **{c: k[c] for c in STEP_KEY},
        "run_id": run_id,
        "repeat": (np.arange(records) // len(keys)).astype("int64"),
        "attempt": np.zeros(n, dtype="int64"),
        "action": np.where(nav, "open", "click"),
        "status": np.where(failed, "failed", "passed"),
        "error_kind": np.where(failed, "timeout", None),
        "error": np.where(failed, "Timeout 10000ms exceeded waiting for the target", None),
        "test_id": k["journey"] + "::" + k["scenario"],
        "duration_ms": k["base"].to_numpy() * (1 + k["drift"].to_numpy() * number) * rng.lognormal(0, 0.25, n),
        "wait_ms": rng.exponential(15, n),
        "action_ms": k["base"].to_numpy() * 0.8,
        "ttfb_ms": nav_only(ttfb),
        "dcl_ms": nav_only(ttfb * 2.5),
        "load_ms": nav_only(ttfb * 4),
        "lcp_ms": nav_only(ttfb * 3.2),
        "interaction_ms": np.where(nav, np.nan, rng.lognormal(np.log(40), 0.5, n)),
        "tbt_ms": rng.exponential(20, n),
        "cls": rng.exponential(0.01, n),
        "requests": rng.poisson(4, n).astype("float64"),
        "failed_requests": failed.astype("float64"),
        "console_errors": (rng.random(n) < 0.01).astype("float64"),
        "page_errors": np.zeros(n),
    })
    return frame[list(HISTORY_COLUMNS)]


def make_run(root: Path, keys: pd.DataFrame, number: int, records: int) -> Path:
    """A synthetic run folder: run.json and steps.parquet."""
    run_id = f"{(START + timedelta(hours=number)).strftime('%Y%m%d-%H%M%S')}-{number:04d}"
    folder = root / run_id
    folder.mkdir(parents=True)
    run_frame(keys, run_id, number, records, np.random.default_rng(number)).to_parquet(folder / STEPS_PARQUET,
                                                                                        index=False)
    started = START + timedelta(hours=number)
    write_run_info(folder, RunInfo(
        run_id=run_id, app="bench", app_version=f"1.{number // 10}", base_url="http://127.0.0.1/",
        harness_version="0.1.0", env="staging", git_branch="main", git_commit=f"{number:040x}",
        labels=["nightly"] if number % 7 == 0 else [], started_at=started.isoformat(),
        ended_at=(started + timedelta(minutes=20)).isoformat(), status="complete", exit_code=0,
        options={"repeat": max(1, records // len(keys))},
        totals={"scenarios": records // STEPS, "scenarios_failed": 0, "steps": records}))
    return folder


def trend_table(steps: pd.DataFrame, index: pd.DataFrame) -> pd.DataFrame:
    """Median duration per (run, step key), as a run x step table with the runs in time order."""
    medians = steps.groupby(["run_id", *STEP_KEY], sort=False, observed=True)["duration_ms"].median()
    table = medians.unstack(list(STEP_KEY))
    return table.reindex([r for r in index["run_id"] if r in table.index])


def timed(rounds: int, action: Callable[[], Any]) -> tuple[list[float], Any]:
    """Wall seconds of each round, and the last round's result."""
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return times, result


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    """Build the synthetic history and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--records", type=int, default=10_000, help="step records per run")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per timing (median shown)")
    parser.add_argument("--keep", type=Path, help="build the history here and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-history-"))
    sources, history = work / "sources", work / "history"
    try:
        keys = step_keys()
        started = time.perf_counter()
        register_times = []
        for number in range(args.runs):
            folder = make_run(sources, keys, number, args.records)
            tick = time.perf_counter()
            register(folder, history)
            register_times.append(time.perf_counter() - tick)
        built = time.perf_counter() - started
        total = args.runs * args.records
        print(f"history of {args.runs} runs x {args.records:,} records = {total:,} records, {len(keys):,} step keys; "
              f"built in {built:.1f} s (registering: median {statistics.median(register_times) * 1000:.0f} ms a run); "
              f"{folder_size(history / RUNS_DIR) / 2**20:.1f} MB of steps.parquet")

        extra = make_run(sources, keys, args.runs, args.records)
        rows: list[tuple[str, list[float], str]] = []
        times, _ = timed(args.repeat, lambda: register(extra, history))
        rows.append(("register one more run", times, f"index {(history / INDEX_FILE).stat().st_size:,} bytes"))
        times, index = timed(args.repeat, lambda: read_index(history))
        rows.append(("read_index", times, f"{len(index)} runs"))
        columns = ["run_id", *STEP_KEY, "duration_ms"]
        times, steps = timed(args.repeat, lambda: load_history_steps(history, columns=columns))
        rows.append(("load_history_steps (key + duration)", times,
                     f"{len(steps):,} rows, {steps.memory_usage(deep=True).sum() / 2**20:.0f} MB in pandas"))
        times, table = timed(args.repeat, lambda: trend_table(steps, index))
        rows.append(("median per (run, step) + pivot", times, f"{table.shape[0]} runs x {table.shape[1]} steps"))
        everything = [sum(t) / len(t) for t in (rows[1][1], rows[2][1], rows[3][1])]
        wide = ["run_id", *STEP_KEY, "status", "test_id", "repeat", "duration_ms"]
        run_order = list(index.sort_values("started_at")["run_id"])
        for last in (20, len(run_order)):
            chosen = run_order[-last:]
            times, series = timed(args.repeat, lambda chosen=chosen: trends(
                load_history_steps(history, chosen, wide), chosen, CompareSettings()))
            rows.append((f"load + trends(), last {len(chosen)} runs", times,
                         f"{len(series):,} series (journeys, scenarios, steps), "
                         f"{sum(1 for t in series if t.drifting)} drifting"))

        print(f"\n{'operation':<38} {'median':>9} {'min':>9}   result")
        for label, times, note in rows:
            print(f"{label:<38} {statistics.median(times):8.3f}s {min(times):8.3f}s   {note}")
        print(f"{'index + load + trend (mean, total)':<38} {sum(everything):8.3f}s")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
