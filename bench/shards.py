"""Shards balanced by the history's durations against shards split by count, on the demo at ``--repeat 5``.

A CI runner per shard is emulated by running the shards one after the other on this machine (each
alone, as on its own runner). For each split the figure is the slowest shard over the mean of the
shards, for two times: the run's own (``run.json``: started to ended, pytest and Chromium included)
and the time in steps (the sum of its replays' step durations, what the split balances). The three
history-balanced shards are then merged and compared with one unsharded run at the same repeat:
scenario outcomes must be equal.

Usage: python bench/shards.py [--repeat 5] [--shards 3] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.demo import DemoServer  # noqa: E402
from harness.outcomes import scenarios  # noqa: E402
from harness.runfolder.io import read_records  # noqa: E402


def _harness(*args: str | Path) -> tuple[int, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "harness.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"harness {' '.join(map(str, args[:2]))} failed ({done.returncode}):\n{done.stderr}")
    return done.returncode, time.monotonic() - started


def _times(run_dir: Path) -> tuple[float, float, int]:
    """The run's own time (s), its time in steps (s) and its replays."""
    info = json.loads((run_dir / "run.json").read_text())
    own = (datetime.fromisoformat(info["ended_at"]) - datetime.fromisoformat(info["started_at"])).total_seconds()
    records, _ = read_records(run_dir)
    steps = sum(r.duration_ms or 0.0 for r in records) / 1000
    return own, steps, info["totals"].get("replays", 0)


def _outcomes(run_dir: Path) -> dict[tuple[str, str, str], str]:
    return {(s.key.feature_file, s.key.scenario, s.key.example): s.status for s in scenarios(read_records(run_dir)[0])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    features = ROOT / "features" / "demo"
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp, DemoServer(version=1) as server:
        work = Path(tmp)
        history = work / "history"
        common = ("--app", "demo", "--base-url", server.url, "--repeat", str(args.repeat))
        _harness("run", features, *common, "--out", work / "seed", "--history", history)  # the history to balance by
        print(f"demo at --repeat {args.repeat}, {args.shards} shards, each alone on the machine")
        print(f"{'split':<8} {'round':>5} {'replays per shard':>20} {'run s per shard':>26} {'max/mean run':>13} "
              f"{'step s per shard':>24} {'max/mean steps':>15}")
        for round_ in range(1, args.rounds + 1):
            for split, hist in (("history", str(history)), ("count", "off")):
                own, steps, replays = [], [], []
                folders = []
                for i in range(1, args.shards + 1):
                    out = work / f"{split}-{round_}-shard-{i}"
                    _harness("run", features, *common, "--shard", f"{i}/{args.shards}", "--run-id",
                             f"bench-{split}-{round_}", "--out", out, "--history", hist)
                    o, s, n = _times(out)
                    own.append(o)
                    steps.append(s)
                    replays.append(n)
                    folders.append(out)
                print(f"{split:<8} {round_:>5} {replays!s:>20} {' '.join(f'{x:.1f}' for x in own):>26} "
                      f"{max(own) / statistics.mean(own):>13.3f} {' '.join(f'{x:.1f}' for x in steps):>24} "
                      f"{max(steps) / statistics.mean(steps):>15.3f}")
                if split == "history" and round_ == 1:
                    merged = work / "merged"
                    _harness("merge", *folders, "--out", merged, "--history", "off")
                    _harness("run", features, *common, "--out", work / "whole", "--history", "off")
                    same = _outcomes(merged) == _outcomes(work / "whole")
                    print(f"{'':<8} merged {len(_outcomes(merged))} scenarios; outcomes equal to one unsharded "
                          f"run: {same}")


if __name__ == "__main__":
    main()
