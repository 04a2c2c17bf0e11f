"""A run under load: wall time, peak memory of the whole process tree, report size and open time.

Runs the bundled demo journeys (``features/demo``, 12 scenario runs per repeat) against a fresh
demo app v1 with ``harness run --workers 2 --repeat R``, R chosen so that the run holds at
least each asked number of scenario runs, and measures:

- the run's wall time (the whole command: checks, pytest and its workers, every Chromium, the
  outputs at the end);
- the peak memory of the whole process tree (the command and every descendant: pytest, its
  workers, the Playwright drivers, every Chromium process), sampled every 0.5 s with psutil, as
  the sum of RSS (counts shared pages once per process: an upper bound) and the sum of PSS
  (shares them out: what the tree really holds);
- the size of ``report.html`` and of the whole run folder;
- the time ``report.html`` takes to open in Chromium (navigation to the ``load`` event, median
  of 3 fresh pages), and the size of its DOM.

    .venv/bin/python bench/load.py                       # 200 and 1000 scenario runs
    .venv/bin/python bench/load.py --runs 200 --keep /tmp/bench-load
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.demo import DemoServer  # noqa: E402
from harness.spec.features import feature_files, parse_feature, scenario_runs  # noqa: E402
from tests.support.servers import chromium  # noqa: E402

FEATURES = ROOT / "features" / "demo"


class TreeMemory:
    """Samples the memory of a process and all its descendants from a thread; keeps the peaks."""

    def __init__(self, pid: int, every_s: float = 0.5) -> None:
        self.root = psutil.Process(pid)
        self.every_s = every_s
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                procs = [self.root, *self.root.children(recursive=True)]
                rss = pss = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        info = proc.memory_full_info()
                        rss += info.rss
                        pss += info.pss
                self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
                self.peak_processes = max(self.peak_processes, len(procs))
            self._stop.wait(self.every_s)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def open_times(report: Path, tries: int = 3) -> tuple[float, int]:
    """Median ms from navigation to ``load`` over fresh pages, and the number of DOM elements."""
    times, elements = [], 0
    with chromium() as browser:
        for _ in range(tries):
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(report.as_uri(), wait_until="load", timeout=120_000)
            times.append((time.perf_counter() - started) * 1000)
            elements = page.evaluate("() => document.getElementsByTagName('*').length")
            page.close()
    return statistics.median(times), elements


def one_load(runs: int, out: Path, workers: int) -> dict[str, float]:
    per_repeat = sum(len(scenario_runs(parse_feature(f))) for f in feature_files([FEATURES]))
    repeat = math.ceil(runs / per_repeat)
    with DemoServer(version=1, port=0) as server:
        cmd = [sys.executable, "-m", "harness.cli", "run", str(FEATURES), "--app", "demo", "--base-url", server.url,
               "--out", str(out), "--history", "off", "--workers", str(workers), "--repeat", str(repeat)]
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "CI": "true"}, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        memory = TreeMemory(proc.pid)
        _, stderr = proc.communicate()
        wall = time.perf_counter() - started
        memory.stop()
    if proc.returncode != 0:  # the demo v1 journeys all pass: a failure is the bench's, not a figure
        raise SystemExit(f"harness run: exit {proc.returncode}\n{stderr}")
    report = out / "report.html"
    open_ms, elements = open_times(report)
    return {"scenario_runs": per_repeat * repeat, "repeat": repeat, "wall_s": wall,
            "peak_rss_mib": memory.peak_rss / 2**20, "peak_pss_mib": memory.peak_pss / 2**20,
            "processes": memory.peak_processes, "report_mib": report.stat().st_size / 2**20,
            "folder_mib": folder_bytes(out) / 2**20, "open_ms": open_ms, "dom_elements": elements,
            "exit": proc.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[200, 1000], help="scenario runs per load")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the run folders here")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        print("| scenario runs | wall | per scenario run | peak RSS (sum) | peak PSS (sum) | processes | "
              "report.html | run folder | open (load) | DOM elements | exit |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for runs in args.runs:
            r = one_load(runs, base / f"load-{runs}", args.workers)
            print(f"| {r['scenario_runs']:.0f} | {r['wall_s']:.0f} s | {r['wall_s'] / r['scenario_runs']:.2f} s | "
                  f"{r['peak_rss_mib']:.0f} MiB | {r['peak_pss_mib']:.0f} MiB | {r['processes']:.0f} | "
                  f"{r['report_mib']:.2f} MiB | {r['folder_mib']:.1f} MiB | {r['open_ms']:.0f} ms | "
                  f"{r['dom_elements']:.0f} | {r['exit']:.0f} |", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
