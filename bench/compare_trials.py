"""Benchmark: does the comparison cry wolf (A/A), and does it see a real slowdown (power)?

Two pools of real ``harness run`` runs of three demo journeys (open a ticket, approve an
expense, export expenses) at ``--repeat 10`` against demo app v1, each run on a fresh demo
server (so no run sees the tickets or approvals of the one before):

* ``A``: ``GET /tickets/new`` answers after an extra 500 ms, so the step that opens it
  (``I click "tickets.new"``) takes about 0.5 s;
* ``B``: the same page after an extra 650 ms: that one step is 150 ms (about 30%) slower.

Runs alternate A, B, A, B... so drift in the machine's load hits both pools alike. Then:

* **false alarms**: every pair of A runs is compared (``harness compare``'s code with the
  default settings); a trial is clean when no journey, scenario or step is called slower or
  faster on any metric;
* **power**: every (A, B) pair is compared; a trial is a hit when the injected step is called
  slower (on any of its metrics: duration, time to first byte, page load...), and nothing else
  is called slower or faster except the totals of the scenario and journey that contain it.
  How often the step's duration itself was called slower is counted apart.

Prints the counts and rates, and the time each comparison took. Never a timed test assertion.

Usage: .venv/bin/python bench/compare_trials.py [--runs 8] [--repeat 10] [--workers 1] [--keep DIR]
       [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.compare.build import build_comparison
from harness.demo import DemoServer
from harness.runfolder.history import resolve
from harness.spec.regressions import load_config

ROOT = Path(__file__).resolve().parents[1]
FEATURES = [ROOT / "features" / "demo" / name for name in
            ("open_ticket.feature", "approve_expense.feature", "export_expenses.feature")]
PAGE = "GET /tickets/new"
"""Only the page's GET: the form posts to the same path, from another step."""
STEP = 'I click "tickets.new"'
POOLS = {"A": 500, "B": 650}
"""Pool -> extra milliseconds on PAGE."""


def run_once(folder: Path, delay_ms: int, repeat: int, workers: int) -> Path:
    """One ``harness run`` of the three journeys against a fresh demo app v1."""
    with DemoServer(version=1, path_latency={PAGE: delay_ms}) as server:
        cmd = [sys.executable, "-m", "harness.cli", "run", *map(str, FEATURES), "--app", "demo",
               "--base-url", server.url, "--repeat", str(repeat), "--workers", str(workers), "--out", str(folder),
               "--history", "off", "--no-a11y"]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"run failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return folder


def called(comparison: object) -> list[tuple[str, str, str | None, str, str]]:
    """(level, metric, step text, verdict, journey) of every change called slower or faster."""
    return [(c.where.level, c.metric, c.where.text, c.verdict, c.where.journey)
            for c in comparison.changes  # type: ignore[attr-defined]
            if c.verdict in ("slower", "faster")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="runs per pool")
    parser.add_argument("--repeat", type=int, default=10, help="replays of each scenario per run")
    parser.add_argument("--workers", type=int, default=1,
                        help="browsers per run (two on two cores slow each other: the injected delay shifts "
                             "the other browser's steps)")
    parser.add_argument("--keep", type=Path, help="keep the run folders here (and reuse the runs it holds)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a [tool.harness.compare] setting (repeatable), e.g. min_effect_ms=100")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="compare-trials-"))
    work.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[Path]] = {pool: [] for pool in POOLS}
    started = time.perf_counter()
    for i in range(args.runs):
        for pool, delay in POOLS.items():
            folder = work / f"{pool}{i:02d}"
            if not (folder / "run.json").is_file():
                run_once(folder, delay, args.repeat, args.workers)
            runs[pool].append(folder)
            print(f"  {folder.name} done ({time.perf_counter() - started:.0f} s)", flush=True)
    config = load_config(ROOT)
    overrides = dict(item.split("=", 1) for item in args.set)
    config.compare = config.compare.model_validate({**config.compare.model_dump(), **overrides})
    refs = {pool: [resolve(str(p))[0] for p in folders] for pool, folders in runs.items()}
    took: list[float] = []

    def compare(base: object, cand: object) -> list[tuple[str, str, str | None, str, str]]:
        comparison = build_comparison([base], cand, config)  # type: ignore[list-item, arg-type]
        took.append(comparison.duration_ms or 0.0)
        return called(comparison)

    aa = [compare(a, b) for a, b in itertools.combinations(refs["A"], 2)]
    clean = sum(1 for flagged in aa if not flagged)
    hits = misses = wrong = on_duration = 0
    by_metric: dict[str, int] = {}
    others_seen: list[list[tuple[str, str, str | None, str, str]]] = []
    for a, b in itertools.product(refs["A"], refs["B"]):
        flagged = compare(a, b)
        found = [metric for level, metric, text, verdict, _ in flagged
                 if level == "step" and text == STEP and verdict == "slower"]
        # the totals of the journey and scenario that contain the step are slower too, rightly
        journeys = {journey for level, _, text, _, journey in flagged if level == "step" and text == STEP}
        others = [f for f in flagged if f[3] != "slower" or not (
            (f[0] == "step" and f[2] == STEP) or (f[0] != "step" and f[4] in journeys))]
        hits += bool(found) and not others
        on_duration += "duration_ms" in found
        for metric in found:
            by_metric[metric] = by_metric.get(metric, 0) + 1
        misses += not found
        wrong += bool(others)
        if others:
            others_seen.append(others)
    pairs = len(refs["A"]) * len(refs["B"])
    print(f"\n{args.runs} runs per pool at --repeat {args.repeat}, --workers {args.workers}, three journeys; "
          f"folders in {work}")
    print(f"false alarms (A/A): {len(aa) - clean} of {len(aa)} comparisons flagged anything; "
          f"clean in {clean / max(len(aa), 1):.1%}")
    for flagged in (f for f in aa if f):
        print(f"  flagged: {flagged}")
    print(f"power (+150 ms, ~+30% on '{STEP}'): {hits} of {pairs} comparisons flagged that step slower and "
          f"nothing else ({hits / pairs:.1%}); missed {misses}, flagged something else in {wrong}; the step's "
          f"duration itself was flagged in {on_duration} ({on_duration / pairs:.1%})")
    print("  the step's metrics called slower: " + ", ".join(f"{m} {n}/{pairs}" for m, n in sorted(
        by_metric.items(), key=lambda item: -item[1])))
    for others in others_seen:
        print(f"  also flagged: {others}")
    print(f"comparison time: median {statistics.median(took):.0f} ms, max {max(took):.0f} ms")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
