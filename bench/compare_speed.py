"""Benchmark: how long a comparison takes at scale, from files to comparison.json.

Builds two synthetic run folders of N step records each (default 10,000: 50 journeys x 2
scenarios x 10 steps x 10 repeats, lognormal durations, page-load figures on the first step of
each scenario, a few failures), written with the project's own writers (run.json, steps.jsonl,
steps.parquet), registers them in a history store in a temporary folder, and times
``build_comparison`` (reading both step tables, samples, the statistics of every metric of
every journey, scenario and step, outcomes, the gate) and ``write_comparison``, best and median
of a few rounds. Never used as a timed test assertion.

Usage: .venv/bin/python bench/compare_speed.py [--records 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from harness.compare.build import build_comparison
from harness.contracts.records import STEPS_JSONL, PageLoad, RunInfo, StepRecord, StepSignals
from harness.runfolder.comparison import write_comparison
from harness.runfolder.history import register, resolve
from harness.runfolder.io import write_run_info
from harness.runfolder.parquet import write_parquet
from harness.spec.regressions import RegressionConfig

STEPS, SCENARIOS, REPEATS = 10, 2, 10


def make_run(folder: Path, run_id: str, records: int, seed: int, slower: float) -> None:
    """Write a run folder of ``records`` step records; ``slower`` scales step 3 of the first journey's scenarios."""
    rng = np.random.default_rng(seed)
    journeys = max(1, records // (STEPS * SCENARIOS * REPEATS))
    centre = np.random.default_rng(0).uniform(40, 900, size=(journeys, SCENARIOS, STEPS))  # the same app
    centre[0, :, 3] = 500.0  # the step made slower: 500 ms, so +30% is over the 50 ms minimum effect
    folder.mkdir(parents=True)
    write_run_info(folder, RunInfo(run_id=run_id, app="shop", base_url="http://127.0.0.1:9", harness_version="bench",
                                   started_at=f"2026-11-27T0{seed % 10}:00:00+00:00", status="complete", exit_code=0,
                                   options={"repeat": REPEATS}))
    lines = []
    for j in range(journeys):
        for s in range(SCENARIOS):
            for r in range(REPEATS):
                for i in range(STEPS):
                    ms = float(centre[j, s, i] * rng.lognormal(0, 0.08)) * (slower if (j, i) == (0, 3) else 1.0)
                    failed = (j, s, i) == (1, 0, 5) and r < 3
                    signals = StepSignals(requests=int(rng.integers(0, 4)), probed=True)
                    if i == 0:
                        signals.page_load = PageLoad(url="http://127.0.0.1:9/", ttfb_ms=ms * 0.2, load_ms=ms * 0.8,
                                                     dom_content_loaded_ms=ms * 0.6, lcp_ms=ms * 0.7)
                    record = StepRecord(run_id=run_id, app="shop", journey=f"Journey {j}", feature_file=f"j{j}.feature",
                                        scenario=f"Scenario {s}", test_id=f"j{j}::s{s}[{r}]", repeat=r, step_index=i,
                                        keyword="When", text=f"I do step {i}", status="failed" if failed else "passed",
                                        duration_ms=ms, signals=signals)
                    lines.append(record.model_dump_json())
    (folder / STEPS_JSONL).write_text("\n".join(lines) + "\n")
    write_parquet(folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000, help="step records per run")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="compare-speed-") as tmp:
        work = Path(tmp)
        make_run(work / "base", "base", args.records, 1, 1.0)
        make_run(work / "cand", "cand", args.records, 2, 1.3)
        history = work / "history"
        for name in ("base", "cand"):
            register(work / name, history)
        base, cand = resolve("base", history)[0], resolve(str(work / "cand"), history)[0]
        config = RegressionConfig()
        times, writes = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            comparison = build_comparison([base], cand, config, history=history)
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            write_comparison(work / "cand", comparison)
            writes.append(time.perf_counter() - started)
        tests = sum(1 for c in comparison.changes if c.q_value is not None)
        print(f"{args.records:,} step records per run; {len(comparison.changes):,} changes ({tests:,} tests), "
              f"{comparison.counts.get('slower', 0)} slower, {len(comparison.trends)} trend series")
        print(f"build_comparison: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
              f"({args.rounds} rounds); write comparison.json: median {statistics.median(writes):.3f} s, "
              f"{(work / 'cand' / 'comparison.json').stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
