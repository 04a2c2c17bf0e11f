"""The demo journeys on a real Selenium Grid 4 against the same journeys on local Chromium.

A hub and two nodes (the ``@nightwatch/selenium-server`` 4.20.0 jar on Java 17, Debian's
chromedriver and Chromium, ``tests/support/selenium_grid.py``) on this machine; the demo app v1;
``harness run features/demo --repeat R --workers W`` once with ``--grid`` and once locally, in
alternation for ``--rounds``. Printed: wall times, the sum of step durations, whether the scenario
statuses and the friction findings (rule, scenario, step) are the same, and what ``harness compare``
(local as the baseline, the grid as the candidate) says: the run-wide shift, and the steps it calls
slower or faster beyond it.

Usage: PYTHONPATH=. python bench/grid.py [--repeat 3] [--workers 4] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.demo import DemoServer  # noqa: E402
from harness.outcomes import scenarios  # noqa: E402
from harness.runfolder.io import read_records  # noqa: E402
from tests.support.run_folders import event_rules  # noqa: E402
from tests.support.selenium_grid import install_selenium_server, selenium_grid  # noqa: E402

EVENTS = event_rules()
"""Rules that judge events; the others judge a figure against a threshold (a time, a shift, a scan)."""


def _run(out: Path, url: str, repeat: int, workers: int, grid: str | None) -> float:
    started = time.monotonic()
    cmd = [sys.executable, "-m", "harness.cli", "run", "features/demo", "--app", "demo", "--base-url", url,
           "--repeat", str(repeat), "--workers", str(workers), "--out", str(out), "--history", "off"]
    done = subprocess.run([*cmd, *(["--grid", grid] if grid else [])], cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"harness run failed ({done.returncode}):\n{done.stderr}")
    return time.monotonic() - started


def _statuses(run_dir: Path) -> dict[tuple[str, str, str], str]:
    return {(s.key.feature_file, s.key.scenario, s.key.example): s.status for s in scenarios(read_records(run_dir)[0])}


def _findings(run_dir: Path, timed: bool) -> Counter[tuple[str, str, str]]:
    data = json.loads((run_dir / "findings.json").read_text())
    return Counter((f["rule"], f["scenario"], f.get("step_text") or "") for f in data["findings"]
                   if (f["rule"] not in EVENTS) == timed)


def _steps_s(run_dir: Path) -> float:
    return sum(r.duration_ms or 0.0 for r in read_records(run_dir)[0]) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    jar = install_selenium_server("npm")
    with tempfile.TemporaryDirectory(prefix="bench-grid-") as tmp, DemoServer(version=1) as demo:
        work = Path(tmp)
        with selenium_grid(jar, work / "grid", nodes=2, sessions=2) as grid:
            print(f"grid {grid.url}: 2 nodes × 2 chrome slots; demo v1; "
                  f"--repeat {args.repeat} --workers {args.workers}")
            for round_ in range(1, args.rounds + 1):
                runs = {}
                for mode in ("local", "grid"):
                    out = work / f"{mode}-{round_}"
                    wall = _run(out, demo.url, args.repeat, args.workers, grid.url if mode == "grid" else None)
                    runs[mode] = out
                    print(f"round {round_} {mode:<5}: wall {wall:5.1f} s, steps {_steps_s(out):5.1f} s, "
                          f"{len(_statuses(out))} scenarios, {Counter(_statuses(out).values())}", flush=True)
                local, remote = runs["local"], runs["grid"]
                print(f"  same statuses: {_statuses(local) == _statuses(remote)}; same findings (event rules): "
                      f"{_findings(local, False) == _findings(remote, False)}; findings of thresholds: local "
                      f"{dict(_findings(local, True))}, grid {dict(_findings(remote, True))}")
                done = subprocess.run([sys.executable, "-m", "harness.cli", "compare", str(local), str(remote),
                                       "--no-gate", "--json", "--history", str(work / "history")], cwd=ROOT,
                                      capture_output=True, text=True)
                if done.returncode != 0:
                    print(f"  compare failed: {done.stderr.strip()[:400]}")
                    continue
                comparison = json.loads(done.stdout)
                for wide in comparison["run_wide"]:
                    print(f"  run-wide {wide['metric']}: ×{wide['factor']:.2f} [{wide['low']:.2f}, {wide['high']:.2f}] "
                          f"over {wide['steps']} steps, applied {wide['applied']}, {wide['verdict']}")
                steps = [c for c in comparison["changes"] if c["where"]["level"] == "step"]
                print(f"  settings {comparison['settings']}; step verdicts {Counter(c['verdict'] for c in steps)}")
                flagged = [c for c in steps if c["verdict"] in ("slower", "faster")]
                print(f"  step changes beyond the run-wide shift: {len(flagged)} of {len(steps)} step metrics")
                for c in flagged[:12]:
                    print(f"    {c['verdict']:<7} {c['metric']:<14} ×{c.get('ratio') or 0:.2f} "
                          f"{c['where']['scenario']} › {c['where']['text']}")


if __name__ == "__main__":
    main()
