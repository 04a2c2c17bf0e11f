"""Benchmark: what reusing the worker's stored login session saves on the demo journeys.

Two arms, run alternately against a fresh demo app v1 each time, with the real ``harness run``:

* ``reuse``: the demo features that start with ``Given I am logged in as "..."`` (and the French
  ``Soit je suis connectée en tant que "..."``), copied verbatim: each user logs in through the
  form once per worker, later scenarios reuse the stored session.
* ``fresh``: the same features, generated with that step rewritten to ``I log in as "..."``
  (``je me connecte en tant que "..."``): a form login in every scenario.

Prints the median suite wall time per arm and their ratio, and the median duration of the login
step per arm read back from each run's ``steps.parquet``. Never used as a timed test assertion.

Usage: .venv/bin/python bench/login_reuse.py [--repeat 3] [--rounds 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from harness.demo import DemoServer
from harness.spec.features import parse_feature, scenario_runs

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "features" / "demo"
APP = ROOT / "journeys" / "demo" / "app.yaml"

#: "Be logged in (reuse the session)" -> "log in through the form now", English and French.
REWRITES = (
    (re.compile(r'I am logged in as "'), 'I log in as "'),
    (re.compile(r'je suis connectée? en tant que "'), 'je me connecte en tant que "'),
)
#: The login step of either arm, as recorded in steps.parquet.
LOGIN_STEP = re.compile(r'^(I am logged in as|I log in as|je suis connectée? en tant que|'
                        r'je me connecte en tant que) "[^"]*"$')
ARMS = ("reuse", "fresh")


def login_dependent(folder: Path) -> list[Path]:
    """The demo features that use the session-reusing login step."""
    return [path for path in sorted(folder.glob("*.feature"))
            if any(pattern.search(path.read_text(encoding="utf-8")) for pattern, _ in REWRITES)]


def build_arms(work: Path) -> dict[str, Path]:
    """Write the two feature folders (with the upload files beside them); return arm -> folder."""
    sources = login_dependent(FEATURES)
    folders = {}
    for arm in ARMS:
        folder = work / "features" / arm
        shutil.copytree(FEATURES / "files", folder / "files")
        for source in sources:
            text = source.read_text(encoding="utf-8")
            if arm == "fresh":
                for pattern, replacement in REWRITES:
                    text = pattern.sub(replacement, text)
            (folder / source.name).write_text(text, encoding="utf-8")
        folders[arm] = folder
    fresh = "".join(p.read_text() for p in folders["fresh"].glob("*.feature"))
    assert not any(pattern.search(fresh) for pattern, _ in REWRITES), "the fresh arm still reuses sessions"
    return folders


def run_arm(features: Path, out: Path, repeat: int) -> float:
    """Run one arm once against its own fresh demo app v1; return the wall time in seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HARNESS_RUN_"))}
    env["CI"] = "true"
    with DemoServer(version=1, port=0) as server:
        cmd = [sys.executable, "-m", "harness.cli", "run", str(features), "--app", str(APP),
               "--base-url", server.url, "--out", str(out), "--repeat", str(repeat), "--json"]
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{features.name} arm failed (exit {done.returncode}); see {out}\n{done.stderr[-2000:]}")
    return wall


def step_durations(run_dir: Path) -> tuple[pd.Series, float]:
    """The login steps' durations (ms) of one run and the sum of all its step durations (s), from steps.parquet."""
    steps = pd.read_parquet(run_dir / "steps.parquet", columns=["text", "status", "duration_ms"])
    login = steps[steps["text"].str.match(LOGIN_STEP) & (steps["status"] == "passed")]
    return login["duration_ms"].astype(float), float(steps["duration_ms"].sum()) / 1000


def main(argv: list[str] | None = None) -> int:
    """Run both arms alternately and print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="harness run --repeat N (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each arm, alternated (default 3)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the run folders in this folder")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-login-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        folders = build_arms(work)
        features = sorted(folders["reuse"].glob("*.feature"))
        scenarios = sum(len(scenario_runs(parse_feature(path))) for path in features)
        print(f"{len(features)} login-dependent features, {scenarios} scenarios, "
              f"--repeat {args.repeat}, {args.rounds} rounds per arm, {os.cpu_count()} cores")
        walls: dict[str, list[float]] = {arm: [] for arm in ARMS}
        logins: dict[str, list[pd.Series]] = {arm: [] for arm in ARMS}
        in_steps: dict[str, list[float]] = {arm: [] for arm in ARMS}
        for round_no in range(args.rounds):
            order = ARMS if round_no % 2 == 0 else ARMS[::-1]  # alternate which arm goes first
            for arm in order:
                out = work / "runs" / f"{arm}-{round_no + 1}"
                wall = run_arm(folders[arm], out, args.repeat)
                walls[arm].append(wall)
                login, total = step_durations(out)
                logins[arm].append(login)
                in_steps[arm].append(total)
                print(f"  round {round_no + 1} {arm:5s} wall {wall:6.2f} s, steps {total:6.2f} s", flush=True)

        print()
        print(f"{'arm':6s} {'suite wall':>11s} {'sum of steps':>13s} {'login step':>11s} {'login steps':>12s}")
        print(f"{'':6s} {'(median)':>11s} {'(median)':>13s} {'(median)':>11s} {'per run':>12s}")
        wall_med, steps_med = {}, {}
        for arm in ARMS:
            wall_med[arm], steps_med[arm] = statistics.median(walls[arm]), statistics.median(in_steps[arm])
            pooled = pd.concat(logins[arm])
            print(f"{arm:6s} {wall_med[arm]:9.2f} s {steps_med[arm]:11.2f} s {pooled.median():8.0f} ms "
                  f"{len(pooled) / args.rounds:12.0f}")
        print(f"ratio fresh / reuse: suite wall {wall_med['fresh'] / wall_med['reuse']:.2f}, "
              f"sum of steps {steps_med['fresh'] / steps_med['reuse']:.2f}")
        if args.keep:
            print(f"run folders: {work / 'runs'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
