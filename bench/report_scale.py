"""Benchmark: how long the report stage takes at scale, how big its outputs are, how fast report.html opens.

For each size it writes a synthetic run folder (``tests/support/synthetic_run.py``: run.json, steps.jsonl,
steps.parquet, findings.json from the real audit, guides.json, screenshots and traces), then:

- times ``write_outputs(run_dir)`` (every output of the report stage) and each writer of
  ``writers()`` alone, median of ``--rounds``;
- prints the size of every output and of the run folder's inputs;
- opens report.html in Chromium (``file://``, a fresh context per round) and reads the Performance
  API: ``loadEventEnd`` of the navigation entry and ``first-contentful-paint``, the JS heap and DOM
  size (CDP ``Performance.getMetrics``), console errors and page errors, and every request other
  than the file itself and ``data:`` URIs (an offline report makes none).

Sizes: ``scale`` is ``--scenarios`` scenario cases (5 per journey, 6-10 steps) × ``--repeats``
(default 1,000 × 10 ≈ 80,000 step records); ``issue`` is issue 6's "100 journeys × 10 repeats"
(1-3 scenarios per journey, 6-10 steps). Never used as a timed test assertion.

Usage: PYTHONPATH=. .venv/bin/python bench/report_scale.py [--preset scale] [--preset issue]
       [--scenarios 1000] [--repeats 10] [--rounds 3] [--json FILE] [--keep DIR] [--no-browser]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.contracts.records import ARTIFACTS_DIR
from harness.report.outputs import write_outputs, writers
from tests.support.synthetic_run import folder_size, make_run

DATA_URI = re.compile(rb"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")
INPUTS = ("run.json", "steps.jsonl", "steps.parquet", "findings.json", "guides.json")
PAGE_TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    dcl_ms: nav ? nav.domContentLoadedEventEnd : null,
    load_ms: nav ? nav.loadEventEnd : null,
    fcp_ms: fcp ? fcp.startTime : null,
    elements: document.getElementsByTagName('*').length,
  };
}"""


@dataclass
class Shape:
    """One size of run folder to measure."""

    name: str
    journeys: int
    scenarios_per_journey: int | tuple[int, int]
    steps_per_scenario: int | tuple[int, int]
    repeats: int


@dataclass
class Result:
    """Everything measured for one size."""

    shape: Shape
    records: int = 0
    cases: int = 0
    scenario_runs: int = 0
    failed_runs: int = 0
    findings: int = 0
    generate_s: float = 0.0
    generate_parts_s: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, int] = field(default_factory=dict)
    """Input file -> bytes; ``artifacts`` is the sum of the artifact files."""
    artifact_files: int = 0
    write_outputs_s: list[float] = field(default_factory=list)
    writers_s: dict[str, list[float]] = field(default_factory=dict)
    outputs: dict[str, int] = field(default_factory=dict)
    """Output file -> bytes."""
    report_images: tuple[int, int] = (0, 0)
    """Images embedded in report.html as ``data:`` URIs: how many, and their bytes."""
    failed_outputs: dict[str, str] = field(default_factory=dict)
    browser: list[dict[str, Any]] = field(default_factory=list)
    """One dict per round: load, FCP, heap, elements, console errors, other requests."""


def shapes(presets: list[str], scenarios: int, repeats: int) -> list[Shape]:
    """The sizes asked for, in order."""
    out = []
    for preset in presets:
        if preset == "scale":
            out.append(Shape(f"{scenarios:,} scenarios × {repeats}", max(1, round(scenarios / 5)), 5, (6, 10),
                             repeats))
        else:
            out.append(Shape(f"100 journeys × {repeats} (issue 6)", 100, (1, 3), (6, 10), repeats))
    return out


def measure_outputs(run_dir: Path, rounds: int, result: Result) -> None:
    """Time ``write_outputs`` and each writer alone; record the outputs' sizes."""
    for _ in range(rounds):
        started = time.perf_counter()
        written = write_outputs(run_dir)
        result.write_outputs_s.append(time.perf_counter() - started)
    result.failed_outputs = dict(written.failed)
    result.outputs = {p.name: p.stat().st_size for p in written.written}
    report = run_dir / "report.html"
    if report.is_file():
        images = DATA_URI.findall(report.read_bytes())
        result.report_images = (len(images), sum(len(i) for i in images))
    for name, write in writers():
        times = result.writers_s.setdefault(name, [])
        for _ in range(rounds):
            started = time.perf_counter()
            try:
                write(run_dir)
            except Exception as exc:  # already named by write_outputs; keep measuring the others
                result.failed_outputs.setdefault(name, f"{type(exc).__name__}: {exc}")
                break
            times.append(time.perf_counter() - started)


def open_report(report: Path, rounds: int) -> list[dict[str, Any]]:
    """Open ``report`` in Chromium ``rounds`` times, each in a fresh context; return what each round saw."""
    from playwright.sync_api import sync_playwright

    from harness.collect.browser import launch_options, resolve_browser

    url = report.resolve().as_uri()
    seen: list[dict[str, Any]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(resolve_browser()))
        try:
            for _ in range(rounds):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                errors: list[str] = []
                requests: list[str] = []
                page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.on("request", lambda r, requests=requests: requests.append(r.url))
                cdp = context.new_cdp_session(page)
                cdp.send("Performance.enable")
                started = time.perf_counter()
                page.goto(url, wait_until="load", timeout=180_000)
                wall = (time.perf_counter() - started) * 1000
                timings = page.evaluate(PAGE_TIMINGS)
                metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                others = [u for u in requests if u != url and not u.startswith("data:")]
                seen.append({**timings, "goto_ms": round(wall, 1), "heap_mb": metrics.get("JSHeapUsedSize", 0) / 1e6,
                             "dom_nodes": metrics.get("Nodes"), "console_errors": errors, "other_requests": others})
                context.close()
        finally:
            browser.close()
    return seen


def measure(shape: Shape, work: Path, rounds: int, browser: bool, seed: int) -> Result:
    """Generate one run folder and measure the report stage on it."""
    result = Result(shape=shape)
    run_dir = work / shape.name.split()[0].replace(",", "")
    started = time.perf_counter()
    run = make_run(run_dir, journeys=shape.journeys, scenarios_per_journey=shape.scenarios_per_journey,
                   steps_per_scenario=shape.steps_per_scenario, repeats=shape.repeats, seed=seed)
    result.generate_s = time.perf_counter() - started
    result.generate_parts_s = run.timings
    result.records, result.cases, result.scenario_runs = run.records, run.cases, run.scenario_runs
    result.failed_runs, result.findings = run.failed_runs, run.findings
    result.inputs = {name: (run_dir / name).stat().st_size for name in INPUTS if (run_dir / name).is_file()}
    result.artifact_files, result.inputs["artifacts"] = folder_size(run_dir / ARTIFACTS_DIR)
    print(f"[{shape.name}] generated {run.records:,} records in {result.generate_s:.1f} s", file=sys.stderr)
    measure_outputs(run_dir, rounds, result)
    print(f"[{shape.name}] write_outputs median {statistics.median(result.write_outputs_s):.2f} s", file=sys.stderr)
    if browser and (run_dir / "report.html").is_file():
        result.browser = open_report(run_dir / "report.html", rounds)
    return result


def _mb(size: int) -> str:
    return f"{size / 1e6:.2f} MB" if size >= 100_000 else f"{size / 1e3:.1f} KB"


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _best(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def table(results: list[Result]) -> str:
    """The results as markdown tables, one column per size."""
    head = "| | " + " | ".join(r.shape.name for r in results) + " |\n| --- |" + " ---: |" * len(results) + "\n"
    rows: list[tuple[str, list[str]]] = [
        ("step records", [f"{r.records:,}" for r in results]),
        ("scenario runs (cases × repeats), failed", [f"{r.scenario_runs:,} ({r.cases:,} × {r.shape.repeats}), "
                                                     f"{r.failed_runs:,}" for r in results]),
        ("findings", [f"{r.findings:,}" for r in results]),
        ("generate the run folder", [f"{r.generate_s:.1f} s (" + ", ".join(f"{k} {v:.1f}" for k, v in
                                                                         r.generate_parts_s.items()) + ")"
                                     for r in results]),
    ]
    for name in INPUTS:
        rows.append((f"input {name}", [_mb(r.inputs[name]) if name in r.inputs else "–" for r in results]))
    rows.append(("input artifacts", [f"{_mb(r.inputs['artifacts'])} ({r.artifact_files:,} files)" for r in results]))
    rows.append((f"**`write_outputs`**, median (best) of {len(results[0].write_outputs_s)}",
                 [f"**{statistics.median(r.write_outputs_s):.2f} s** ({min(r.write_outputs_s):.2f})"
                  for r in results]))
    for name in dict.fromkeys(n for r in results for n in r.writers_s):
        rows.append((f"writer {name} alone", [
            f"{statistics.median(r.writers_s[name]):.2f} s ({min(r.writers_s[name]):.2f})" if r.writers_s.get(name)
            else "failed" for r in results]))
    for name in dict.fromkeys(n for r in results for n in r.outputs):
        rows.append((f"output {name}", [f"**{_mb(r.outputs[name])}**" if name in r.outputs else "–"
                                        for r in results]))
    rows.append(("report.html: of which embedded images", [
        f"{_mb(r.report_images[1])} ({r.report_images[0]} images)" for r in results]))
    if any(r.browser for r in results):
        for label, key in (("report.html: first contentful paint", "fcp_ms"), ("report.html: load event", "load_ms"),
                           ("report.html: `goto` until load (wall)", "goto_ms")):
            rows.append((label + ", median (best)", [
                f"{_ms(_median([b[key] for b in r.browser]))} ({_ms(_best([b[key] for b in r.browser]))})"
                for r in results]))
        rows.append(("report.html: JS heap, DOM nodes", [
            f"{_median([b['heap_mb'] for b in r.browser]):.1f} MB, {_median([b['dom_nodes'] for b in r.browser]):,.0f}"
            if r.browser else "–" for r in results]))
        rows.append(("report.html: console errors, other requests", [
            f"{max(len(b['console_errors']) for b in r.browser)}, {max(len(b['other_requests']) for b in r.browser)}"
            if r.browser else "–" for r in results]))
    return head + "".join(f"| {label} | " + " | ".join(cells) + " |\n" for label, cells in rows)


def commit() -> str:
    """The commit of the measured ``harness`` code (its last change), and whether it has local changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(["git", "log", "-1", "--format=%h %s", "--abbrev=12", "--", "harness"], cwd=root,
                             capture_output=True, text=True, check=False).stdout.strip()[:90]
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "harness"], cwd=root,
                               capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "unknown"
    return sha + (" (with local changes)" if dirty else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", action="append", choices=("scale", "issue"),
                        help="scale: --scenarios × --repeats; issue: 100 journeys × --repeats (repeatable)")
    parser.add_argument("--scenarios", type=int, default=1000, help="scenario cases of the scale preset")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write every figure (per round) to this file")
    parser.add_argument("--keep", type=Path, help="keep the run folders in this folder")
    parser.add_argument("--no-browser", action="store_true", help="do not open report.html in Chromium")
    args = parser.parse_args()
    todo = shapes(args.preset or ["scale"], args.scenarios, args.repeats)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="report-scale-") as tmp:
        work = args.keep or Path(tmp)
        results = [measure(shape, work, args.rounds, not args.no_browser, args.seed) for shape in todo]
    print(f"harness at {commit()}; {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {load_before[0]:.1f} → {os.getloadavg()[0]:.1f}")
    print(table(results))
    for r in results:
        for name, error in r.failed_outputs.items():
            print(f"[{r.shape.name}] {name} failed: {error}")
        for b in r.browser[:1]:
            for line in b["console_errors"][:5]:
                print(f"[{r.shape.name}] console error: {line[:200]}")
            for url in b["other_requests"][:5]:
                print(f"[{r.shape.name}] request other than the file: {url[:200]}")
    if args.json:
        args.json.write_text(json.dumps({"commit": commit(), "load_average": [load_before, os.getloadavg()],
                                         "results": [asdict(r) for r in results]}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
