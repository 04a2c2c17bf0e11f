"""Benchmark: what collecting the friction signals costs a journey.

Three arms, run alternately (round robin, so drift in the machine's load hits each arm alike)
with the real ``harness run`` on the demo journeys against one demo app v1, one worker:

* ``off``: ``--no-probes`` (Playwright's event signals only, as before issue 4);
* ``probes``: the in-page probes, without axe-core (``--no-a11y``);
* ``all``: the probes and axe-core on every new page state (the default).

For each run it measures the journeys' wall time: per scenario run, from its first step's start
to the end of its last step, including the probes read after that step (``probe_ms``, which the
step durations exclude); summed over the run. It also reports the whole ``harness run``
process time. It prints the medians per arm and their ratios to ``off``. Never used as a timed
test assertion.

Usage: .venv/bin/python bench/probe_overhead.py [--repeat 3] [--rounds 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from harness.demo import DemoServer
from harness.runfolder.io import read_records

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "features" / "demo"
ARMS = {"off": ["--no-probes"], "probes": ["--no-a11y"], "all": []}


def journey_wall_ms(run_dir: Path) -> tuple[float, float, int]:
    """Sum over scenario runs of first start -> last end (probes included); also the probes' own time."""
    records, _ = read_records(run_dir)
    runs: dict[tuple[str, int], list] = defaultdict(list)
    for record in records:
        if record.started_at and record.duration_ms is not None:
            runs[(record.test_id, record.repeat)].append(record)
    wall = probes = 0.0
    for steps in runs.values():
        steps.sort(key=lambda r: r.started_at)
        first, last = steps[0], steps[-1]
        start = datetime.fromisoformat(first.started_at).timestamp() * 1000
        end = datetime.fromisoformat(last.started_at).timestamp() * 1000 + last.duration_ms
        wall += end - start + (last.signals.probe_ms or 0)
        probes += sum(r.signals.probe_ms or 0 for r in steps)
    return wall, probes, len(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="replays of each scenario per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per arm")
    parser.add_argument("--keep", type=Path, default=None, help="keep the run folders here")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-probes-"))
    results: dict[str, list[tuple[float, float, float, int]]] = defaultdict(list)
    with DemoServer(version=1, port=0) as server:
        for round_ in range(args.rounds):
            for arm, flags in ARMS.items():
                out = work / f"{arm}-{round_}"
                shutil.rmtree(out, ignore_errors=True)
                started = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "harness.cli", "run", str(FEATURES), "--app", "demo",
                                       "--base-url", server.url, "--out", str(out), "--repeat", str(args.repeat),
                                       "--trace", "off", *flags], cwd=ROOT, capture_output=True, text=True,
                                      check=False)
                process_ms = (time.perf_counter() - started) * 1000
                if done.returncode != 0:
                    print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                    return 1
                wall, probes, scenarios = journey_wall_ms(out)
                results[arm].append((wall, probes, process_ms, scenarios))
                print(f"round {round_ + 1} {arm:7} journeys {wall / 1000:6.2f} s  probes {probes / 1000:5.2f} s  "
                      f"process {process_ms / 1000:6.2f} s  ({scenarios} scenario runs)", flush=True)
    base_wall = statistics.median(r[0] for r in results["off"])
    base_process = statistics.median(r[2] for r in results["off"])
    print("\narm      journeys (median)  vs off   probe time   process (median)  vs off")
    for arm, rows in results.items():
        wall = statistics.median(r[0] for r in rows)
        probes = statistics.median(r[1] for r in rows)
        process = statistics.median(r[2] for r in rows)
        print(f"{arm:7}  {wall / 1000:8.2f} s        {wall / base_wall:5.3f}   {probes / 1000:6.2f} s    "
              f"{process / 1000:8.2f} s        {process / base_process:5.3f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
