"""Benchmark: what recording the UI-map targets' fingerprints costs a journey step (issue 18: at most 2 ms).

Two parts, side by side in one run:

* ``call``: on the demo app v1 in Chromium, signed in, for each UI-map target of the pages the journeys
  visit, interleaved ``--rounds`` times each: the look a step makes before acting on a ready CSS target
  (``Journey.ready``), the same look reading the target's fingerprint too (what a step pays: the
  difference), ``anchors.fingerprint`` alone (a target that had to be waited for), and, as the outside
  reference, one bare Playwright call on the same locator (``locator.count()``); medians and p95.
* ``run``: ``harness demo`` (v1) with ``--repairs`` and with ``--no-repairs``, alternated ``--runs`` times;
  each run's wall time per step, and per step the fingerprints a passing step recorded. The per-step cost
  is fingerprints per step × the median call; the wall times are noisy on 2 cores and only shown.

Never a timed test assertion. Usage: .venv/bin/python bench/fingerprints.py [--rounds 30] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from harness.collect.anchors import fingerprint
from harness.collect.browser import launch_options, resolve_browser
from harness.collect.journey import _LOOK_CSS_JS, _look_css_fingerprint_js
from harness.demo import DemoServer
from harness.spec.profile import load_profile
from harness.spec.selectors import plain_css

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("/home", "/expenses", "/expenses/new", "/tickets", "/tickets/new")


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def call_costs(rounds: int) -> dict[str, float]:
    """Median and p95 ms of one fingerprint and of one bare Playwright call, over the demo's targets."""
    profile = load_profile(ROOT / "journeys" / "demo" / "app.yaml")
    prints: list[float] = []
    bare: list[float] = []
    looks: list[float] = []
    printed_looks: list[float] = []
    with DemoServer(version=1, port=0) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(resolve_browser()))
        page = browser.new_page(base_url=server.url, viewport={"width": 1280, "height": 800})
        page.goto("/login")
        page.fill("#username", "alice")
        page.fill("#password", "alice-demo-pw")
        page.click("#login-button")
        page.wait_for_url("**/home")
        for path in PAGES:
            page.goto(path)
            for target in profile.targets.values():
                locator = page.locator(target.selectors[0])
                if locator.count() != 1:
                    continue
                css = plain_css(target.selectors[0])
                if css is None:
                    continue
                for _ in range(rounds):
                    start = time.perf_counter()
                    page.evaluate(_LOOK_CSS_JS, [css, "attached"])
                    looks.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    assert page.evaluate(_look_css_fingerprint_js(), [css, "attached"])[2]
                    printed_looks.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    assert fingerprint(locator, plain_css(target.selectors[0])) is not None
                    prints.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    locator.count()
                    bare.append((time.perf_counter() - start) * 1000)
        browser.close()
    return {"calls": len(prints), "look_median_ms": statistics.median(looks),
            "look_with_fingerprint_median_ms": statistics.median(printed_looks),
            "added_to_the_look_ms": statistics.median(printed_looks) - statistics.median(looks),
            "fingerprint_median_ms": statistics.median(prints),
            "fingerprint_p95_ms": _p95(prints), "bare_call_median_ms": statistics.median(bare),
            "bare_call_p95_ms": _p95(bare)}


def run_costs(runs: int) -> dict[str, object]:
    """Wall time per step of ``harness demo`` with and without fingerprints, alternated; fingerprints per step."""
    walls: dict[str, list[float]] = {"--repairs": [], "--no-repairs": []}
    per_step: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            for flag in walls:
                out = Path(tmp) / f"{flag.strip('-')}-{i}"
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "harness.cli", "demo", "--out", str(out), "--history", "off",
                                "--no-a11y"], cwd=ROOT, check=True, capture_output=True)
                took = time.perf_counter() - start
                records = [json.loads(line) for line in (out / "steps.jsonl").read_text().splitlines()]
                walls[flag].append(took * 1000 / len(records))
                if flag == "--repairs":
                    passed = [r for r in records if r["status"] == "passed"]
                    per_step.append(sum(len(r.get("fingerprints") or {}) for r in passed) / len(passed))
    return {"wall_ms_per_step": {k: statistics.median(v) for k, v in walls.items()},
            "fingerprints_per_passed_step": statistics.median(per_step)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    calls = call_costs(args.rounds)
    print(json.dumps(calls, indent=1))
    runs = run_costs(args.runs)
    print(json.dumps(runs, indent=1))
    per_step = float(runs["fingerprints_per_passed_step"])  # type: ignore[arg-type]
    print(f"fingerprint cost per passed step, read with the look: {per_step * calls['added_to_the_look_ms']:.2f} ms; "
          f"read apart (a waited-for target): {per_step * calls['fingerprint_median_ms']:.2f} ms (aim: at most 2 ms)")


if __name__ == "__main__":
    main()
