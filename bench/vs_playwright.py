"""Benchmark: the harness against bare Playwright and hand-written pytest-bdd (issue 16).

The same journeys, run as separate processes, interleaved in one run (each round runs every arm
once, starting from a different arm each round, so the machine's drift hits all arms alike):

* ``bare``: a plain Playwright script (``bench/vs_playwright/bare.py``): one natural call per step,
  timed alone with ``perf_counter``; one browser, a fresh context per replay, as the harness does;
* ``bdd``: hand-written pytest-bdd steps with Playwright (``bench/vs_playwright/bdd/``), no harness
  (``-p no:harness``), each step timed from ``pytest_bdd_before_step_call`` to ``pytest_bdd_after_step``;
* ``lean``: ``harness run ... --no-probes --no-a11y --trace off``;
* ``probes`` / ``all``: ``--no-a11y --trace off`` / ``--trace off`` (the probes part);
* ``default``: ``harness run ...`` with its default options.

Every browser is the one the harness would pick (``harness.collect.browser.resolve_browser``),
launched with the harness's own switches (``launch_options``). The site
(``bench/vs_playwright/site/``) is served by a threaded ``http.server`` on 127.0.0.1 started here;
``?delay=MS`` on any page makes the server answer it MS later.

Parts (``--parts``, all by default):

* ``steps``: the 40-step journey (``features/form.feature``), ``--replays`` replays per arm and
  round: each step type's median duration, harness (lean and default) against bare; aim: within
  max(10 %, 3 ms) of bare. Also split by target kind (UI-map name or text) and, for the harness,
  into ``wait_ms`` (finding the target, waiting until actionable), ``action_ms`` and the rest;
* ``probes``: the 40-step journey at ``--probes-repeat`` (3): journeys' wall time (each scenario
  run from its first step's start to its last step's end plus that step's ``probe_ms``) of
  ``lean`` (no probes), ``probes`` (no axe-core) and ``all``, all ``--trace off``;
  aims: probes add at most 10 %, axe-core at most 10 % more;
* ``process``: the whole command's wall time (``python bare.py``, ``python -m pytest``,
  ``python -m harness.cli run``) for one replay and for ``--replays``; aims: lean at most
  1.5 s over bdd for one replay, at most 1.3x bare at ``--replays`` (the runs of ``steps`` are
  reused when both parts run);
* ``workers``: ``features/workers.feature`` (~1 s a replay) at ``--repeat 20``, lean, with
  ``--workers 1`` and ``--workers 2``; aim: two workers at least 1.6x faster (whole command);
* ``long``: ``features/long.feature``: a click and an open that wait ~2 s for the server, and their
  short twins; harness (lean, default) against bare: does the harness add more to a long step?
* ``demo``: ``features/demo`` against a fresh demo app v1, lean and default (wall time, step types),
  and ``harness demo --version 2`` (aim: at most 45 s).

Prints one table per part, with the aim and PASS/FAIL. Never used as a timed test assertion.

Usage: PYTHONPATH=. .venv/bin/python bench/vs_playwright.py [--parts steps,probes,process,workers,long,demo]
       [--rounds 3] [--replays 10] [--probes-repeat 3] [--workers-runs 20] [--long-replays 5]
       [--keep DIR] [--json FILE] [--project DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from harness.collect.browser import launch_options, resolve_browser
from harness.contracts.records import StepRecord
from harness.demo import DemoServer
from harness.runfolder.io import read_records
from harness.spec.profile import AppProfile, load_profile
from harness.spec.targets import UnknownTarget, classify_target

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "bench" / "vs_playwright"
SITE = HERE / "site"
FEATURES = HERE / "features"
APP = HERE / "journeys" / "vsbench" / "app.yaml"
BARE = HERE / "bare.py"
BDD = HERE / "bdd"

PARTS = ("steps", "probes", "process", "workers", "long", "demo")
HARNESS_FLAGS: dict[str, list[str]] = {
    "lean": ["--no-probes", "--no-a11y", "--trace", "off"],
    "probes": ["--no-a11y", "--trace", "off"],
    "all": ["--trace", "off"],
    "default": [],
}
STEP_TYPES = ("fill", "click", "check", "select", "navigation", "text check")
ACTION_TYPES = {"fill": "fill", "click": "click", "check": "check", "select": "select", "open": "navigation"}
TEXT_TYPES = (
    (re.compile(r"^I open "), "navigation"),
    (re.compile(r"^I fill "), "fill"),
    (re.compile(r"^I select "), "select"),
    (re.compile(r"^I check "), "check"),
    (re.compile(r"^I click "), "click"),
    (re.compile(r'^I should see "|^"[^"]*" should contain "'), "text check"),
)
TARGET = re.compile(r'^I (?:fill|check|click) "(?P<t>[^"]*)"|^I select "[^"]*" from "(?P<s>[^"]*)"'
                    r'|^"(?P<c>[^"]*)" should contain ')
TARGET_KINDS = {"map": "UI-map target", "text": "text target", "-": "no target"}
STEP_AIM_SHARE, STEP_AIM_MS = 0.10, 3.0
PROBES_AIM = AXE_AIM = 1.10
ONE_REPLAY_AIM_S = 1.5
REPEAT_AIM = 1.3
WORKERS_AIM = 1.6
DEMO_AIM_S = 45.0
SUBPROCESS_TIMEOUT_S = 1800


# --- the site -----------------------------------------------------------------------------------
class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files of the site; ``?delay=MS`` answers MS later; nothing cached, nothing logged."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        delay = parse_qs(urlsplit(self.path).query).get("delay")
        if delay:
            time.sleep(int(delay[0]) / 1000)
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing."""


@contextmanager
def site_server() -> Iterator[str]:
    """Serve ``bench/vs_playwright/site/`` on 127.0.0.1 from a thread; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_SiteHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, name="vs-playwright-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- runs ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """One command the bench runs once per round.

    Attributes:
        arm: ``bare``, ``bdd``, a key of :data:`HARNESS_FLAGS`, or ``demo-v2``.
        journey: ``form``, ``long``, ``workers`` or ``demo``.
        repeat: Replays of each scenario.
        workers: ``harness run --workers``.
    """

    arm: str
    journey: str
    repeat: int
    workers: int = 1

    @property
    def key(self) -> str:
        """A name for the run (its folder)."""
        return f"{self.journey}-{self.arm}-x{self.repeat}" + (f"-w{self.workers}" if self.workers > 1 else "")


@dataclass
class Sample:
    """One step of one replay.

    Attributes:
        index: The step's index in its scenario.
        text: The step's text (without its keyword).
        ms: Its recorded duration.
        replay: The replay (the harness's ``repeat``; a scenario's id for several scenarios).
        wait_ms: The harness's ``signals.wait_ms``.
        action_ms: The harness's ``signals.action_ms``.
        probe_ms: The harness's ``signals.probe_ms``.
        loaded_ms: Bare: until the next page's ``load`` (a click that leads to another page).
        action: The harness's ``signals.action``.
        start_ms: When the step's clock started (ms; the harness's ``started_at``, else ``perf_counter``).
        gap_ms: From the end of its recorded duration to the next step's start: time off the step clocks
            (the harness's own work in the step, its probes, writing the record...); None for a last step.
    """

    index: int
    text: str
    ms: float
    replay: str
    wait_ms: float | None = None
    action_ms: float | None = None
    probe_ms: float | None = None
    loaded_ms: float | None = None
    action: str | None = None
    start_ms: float | None = None
    gap_ms: float | None = None


@dataclass
class Result:
    """What one run measured."""

    spec: Spec
    round: int
    process_s: float
    samples: list[Sample] = field(default_factory=list)
    journeys_ms: float | None = None
    """Harness: the journeys' wall time (sum over scenario runs, last step's probes included)."""
    span_ms: float | None = None
    """Harness: from the first step's start to the last step's end, over the whole run."""
    scenario_runs: int = 0
    failed_steps: int = 0
    exit_code: int = 0
    browser_version: str | None = None
    phases: dict[str, float] = field(default_factory=dict)
    """Harness: where the command's time went (s), from the run folder's files (:func:`harness_phases`)."""


@dataclass(frozen=True)
class Setup:
    """Where and how the commands run.

    Attributes:
        project: The project folder whose harness is measured (commands run from it, its ``harness``
            package first on the path): this checkout by default, another with ``--project``.
        url: The site's base URL.
        launch: ``chromium.launch`` keyword arguments of the bare and bdd arms (the harness's own).
    """

    project: Path
    url: str
    launch: dict[str, Any]

    def run(self, cmd: Sequence[str], log: Path, extra_env: dict[str, str] | None = None) -> tuple[float, int, float]:
        """Run a command from the project folder (its output goes to ``log``).

        Its environment is this one without an enclosing pytest's or harness run's variables, with the
        project first on ``PYTHONPATH``.

        Returns:
            Its wall time (s), its exit code and when it started (``time.time()``).
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HARNESS_RUN_"))}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.project), env.get("PYTHONPATH")]))
        env.update(extra_env or {})
        with log.open("w", encoding="utf-8") as out:
            epoch, started = time.time(), time.perf_counter()
            done = subprocess.run(list(cmd), cwd=self.project, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  check=False, timeout=SUBPROCESS_TIMEOUT_S)
            return time.perf_counter() - started, done.returncode, epoch


def run_bare(spec: Spec, folder: Path, setup: Setup) -> Result:
    """``python bare.py``: the bare Playwright arm."""
    out = folder / "bare.json"
    cmd = [sys.executable, str(BARE), "--base-url", setup.url, "--journey", spec.journey, "--replays",
           str(spec.repeat), "--out", str(out), "--launch", json.dumps(setup.launch)]
    seconds, code, _ = setup.run(cmd, folder / "output.txt")
    result = Result(spec, 0, seconds, exit_code=code)
    if code == 0:
        data = json.loads(out.read_text())
        result.browser_version = data.get("browser_version")
        for replay, steps in enumerate(data["replays"]):
            result.samples += [Sample(i, s["text"], s["ms"], str(replay), loaded_ms=s.get("loaded_ms"),
                                      start_ms=s["at"] * 1000) for i, s in enumerate(steps)]
        result.scenario_runs = len(data["replays"])
    return result


def run_bdd(spec: Spec, folder: Path, setup: Setup) -> Result:
    """``python -m pytest``: the hand-written pytest-bdd arm (the harness's plugin not loaded)."""
    out = folder / "bdd.json"
    cmd = [sys.executable, "-m", "pytest", str(BDD / "test_form.py"), "-c", str(BDD / "pytest.ini"),
           "--rootdir", str(BDD), "-p", "no:cacheprovider", "-p", "no:harness", "-p", "no:xdist", "-q"]
    env = {"VSB_BASE_URL": setup.url, "VSB_REPLAYS": str(spec.repeat), "VSB_OUT": str(out),
           "VSB_LAUNCH": json.dumps(setup.launch)}
    seconds, code, _ = setup.run(cmd, folder / "output.txt", env)
    result = Result(spec, 0, seconds, exit_code=code)
    if out.is_file():
        steps = json.loads(out.read_text())["steps"]
        index: dict[str, int] = defaultdict(int)
        for step in steps:
            if step["status"] != "passed":
                result.failed_steps += 1
                continue
            result.samples.append(Sample(index[step["test_id"]], step["text"], step["ms"], step["test_id"],
                                         start_ms=step["at"] * 1000))
            index[step["test_id"]] += 1
        result.scenario_runs = len(index)
    return result


def run_harness(spec: Spec, folder: Path, setup: Setup, url: str) -> Result:
    """``python -m harness.cli run``: a harness arm (against ``url``)."""
    features = setup.project / "features" / "demo" if spec.journey == "demo" else FEATURES / f"{spec.journey}.feature"
    app = "demo" if spec.journey == "demo" else str(APP)
    run_dir = folder / "run"
    cmd = [sys.executable, "-m", "harness.cli", "run", str(features), "--app", app, "--base-url", url,
           "--out", str(run_dir), "--repeat", str(spec.repeat), "--workers", str(spec.workers),
           *HARNESS_FLAGS[spec.arm]]
    seconds, code, epoch = setup.run(cmd, folder / "output.txt")
    result = Result(spec, 0, seconds, exit_code=code)
    records, _ = read_records(run_dir)
    add_harness_records(result, records)
    result.phases = harness_phases(run_dir, records, epoch, seconds)
    return result


def run_demo_v2(spec: Spec, folder: Path, setup: Setup) -> Result:
    """``harness demo --version 2`` from the project folder (default options; the guide check after)."""
    cmd = [sys.executable, "-m", "harness.cli", "demo", "--version", "2", "--out", str(folder / "run")]
    seconds, code, _ = setup.run(cmd, folder / "output.txt")
    result = Result(spec, 0, seconds, exit_code=code)
    records, _ = read_records(folder / "run")
    result.scenario_runs = len({(r.test_id, r.repeat) for r in records})
    return result


def add_harness_records(result: Result, records: list[StepRecord]) -> None:
    """The harness's step records as samples, and its journeys' wall time (as ``bench/probe_overhead.py``)."""
    runs: dict[tuple[str, int], list[StepRecord]] = defaultdict(list)
    for record in records:
        if record.status != "passed":
            result.failed_steps += record.status == "failed"
            continue
        if record.started_at and record.duration_ms is not None:
            runs[(record.test_id, record.repeat)].append(record)
            signals = record.signals
            result.samples.append(Sample(record.step_index, record.text, record.duration_ms,
                                         f"{record.test_id}#{record.repeat}", signals.wait_ms, signals.action_ms,
                                         signals.probe_ms, action=signals.action,
                                         start_ms=stamp_ms(record.started_at)))
    wall, first, last = 0.0, float("inf"), 0.0
    for steps in runs.values():
        steps.sort(key=lambda r: r.started_at or "")
        start = stamp_ms(steps[0].started_at)
        end = stamp_ms(steps[-1].started_at) + (steps[-1].duration_ms or 0)
        wall += end - start + (steps[-1].signals.probe_ms or 0)
        first, last = min(first, start), max(last, end)
    result.journeys_ms = wall
    result.span_ms = last - first if runs else None
    result.scenario_runs = len(runs)


PHASES = ("CLI start and checks", "pytest start", "browser launch", "to the first step", "steps",
          "end of the run", "after the run")


def harness_phases(run_dir: Path, records: list[StepRecord], epoch: float, seconds: float) -> dict[str, float]:
    """Where a ``harness run`` command's time went (s), read from the times its run folder's files carry.

    The CLI writes ``settings.json`` just before it starts pytest; the plugin opens ``run.json``
    (``started_at``) when pytest has started, the first worker writes ``.browser.json`` once its
    Chromium is up; the steps carry their times; ``run.json``'s ``ended_at`` is the end of the
    run's outputs (audit, Parquet, reports); what is left is pytest's exit and the CLI's summary.
    """
    try:
        info = json.loads((run_dir / "run.json").read_text())
        marks = [epoch, (run_dir / "settings.json").stat().st_mtime, stamp_ms(info["started_at"]) / 1000,
                 (run_dir / ".browser.json").stat().st_mtime]
        timed = [r for r in records if r.started_at and r.duration_ms is not None]
        marks += [min(stamp_ms(r.started_at) for r in timed) / 1000,
                  max(stamp_ms(r.started_at) + (r.duration_ms or 0) for r in timed) / 1000,
                  stamp_ms(info["ended_at"]) / 1000, epoch + seconds]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {name: end - start for name, start, end in zip(PHASES, marks, marks[1:], strict=False)}


def stamp_ms(iso: str | None) -> float:
    """An ISO-8601 time in milliseconds since the epoch."""
    return datetime.fromisoformat(iso or "").timestamp() * 1000


def execute(spec: Spec, folder: Path, setup: Setup) -> Result:
    """Run one spec once (a fresh demo app v1 for the demo journeys)."""
    folder.mkdir(parents=True, exist_ok=True)
    if spec.arm == "bare":
        result = run_bare(spec, folder, setup)
    elif spec.arm == "bdd":
        result = run_bdd(spec, folder, setup)
    elif spec.arm == "demo-v2":
        result = run_demo_v2(spec, folder, setup)
    elif spec.journey == "demo":
        with DemoServer(version=1, port=0) as server:
            result = run_harness(spec, folder, setup, server.url)
    else:
        result = run_harness(spec, folder, setup, setup.url)
    for steps in replays(result.samples).values():
        for step, following in pairwise(steps):
            if step.start_ms is not None and following.start_ms is not None:
                step.gap_ms = following.start_ms - step.start_ms - step.ms
    return result


def replays(samples: list[Sample]) -> dict[str, list[Sample]]:
    """Samples by replay, each in step order."""
    grouped: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        grouped[sample.replay].append(sample)
    return {replay: sorted(steps, key=lambda s: s.index) for replay, steps in grouped.items()}


def replay_wall(steps: list[Sample]) -> float | None:
    """A replay's wall time: its first step's start to its last step's end (and that step's probes)."""
    first, last = steps[0], steps[-1]
    if first.start_ms is None or last.start_ms is None:
        return None
    return last.start_ms + last.ms + (last.probe_ms or 0) - first.start_ms


def specs_for(parts: Sequence[str], args: argparse.Namespace) -> list[Spec]:
    """The runs each round needs for these parts (a run two parts need is made once)."""
    wanted: list[Spec] = []
    if "steps" in parts:
        wanted += [Spec(arm, "form", args.replays) for arm in ("bare", "bdd", "lean", "default")]
    if "probes" in parts:
        wanted += [Spec(arm, "form", args.probes_repeat) for arm in ("lean", "probes", "all")]
    if "process" in parts:
        wanted += [Spec(arm, "form", 1) for arm in ("bare", "bdd", "lean")]
        wanted += [Spec(arm, "form", args.replays) for arm in ("bare", "bdd", "lean")]
    if "workers" in parts:
        wanted += [Spec("lean", "workers", args.workers_runs, workers) for workers in (1, 2)]
    if "long" in parts:
        wanted += [Spec(arm, "long", args.long_replays) for arm in ("bare", "lean", "default")]
    if "demo" in parts:
        wanted += [Spec("lean", "demo", 1), Spec("default", "demo", 1), Spec("demo-v2", "demo", 1)]
    return list(dict.fromkeys(wanted))


# --- figures ------------------------------------------------------------------------------------
def step_type(text: str, action: str | None = None) -> str:
    """A step's type: from the harness's ``signals.action`` when it names one, else from its text."""
    if action in ACTION_TYPES:
        return ACTION_TYPES[action]
    if action == "login":
        return "login"
    return next((kind for pattern, kind in TEXT_TYPES if pattern.search(text)), "other")


def target_kind(text: str, profile: AppProfile) -> str:
    """``map`` when the step names its target by a UI-map name, ``text`` when by its text, else ``-``."""
    found = TARGET.search(text)
    if not found:
        return "-"
    written = found.group("t") or found.group("s") or found.group("c") or ""
    try:
        return "text" if classify_target(written, profile).kind == "text" else "map"
    except UnknownTarget:
        return "?"


def median(values: Sequence[float | None]) -> float | None:
    """The median of the values that are there, or None."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def pooled(results: list[Result], spec: Spec) -> list[Sample]:
    """Every sample of a spec over the rounds."""
    return [s for r in results if r.spec == spec for s in r.samples]


def of(results: list[Result], spec: Spec) -> list[Result]:
    """The rounds' results of a spec."""
    return [r for r in results if r.spec == spec]


def step_aim(bare: float, harness: float) -> bool:
    """Within max(10 %, 3 ms) of bare (faster is within)."""
    return harness - bare <= max(STEP_AIM_SHARE * bare, STEP_AIM_MS)


def verdict(ok: bool | None) -> str:
    """PASS, FAIL or - (not measured)."""
    return "-" if ok is None else "PASS" if ok else "FAIL"


def fmt(value: float | None, digits: int = 1, unit: str = "") -> str:
    """A number for a table, ``-`` when missing."""
    return "-" if value is None else f"{value:,.{digits}f}{unit}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [str(cell).ljust(width) if i == 0 else str(cell).rjust(width) for i, (cell, width) in pairs]
        return "  ".join(cells).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *map(line, rows)])


@dataclass
class Report:
    """The printed tables and the figures for ``--json``."""

    lines: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def section(self, title: str, body: str, note: str = "") -> None:
        """Add a titled table (and a note under it)."""
        self.lines += ["", f"== {title}", body] + ([note] if note else [])


def by_type(samples: list[Sample], profile: AppProfile, kind: str | None = None) -> dict[str, list[Sample]]:
    """Samples grouped by step type (only those whose target is of ``kind``, when given)."""
    grouped: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        if kind is None or target_kind(sample.text, profile) == kind:
            grouped[step_type(sample.text, sample.action)].append(sample)
    return grouped


def mismatches(arms: dict[str, list[Sample]]) -> list[tuple[str, int, str]]:
    """Steps whose text differs from the bare script's step at the same index: (arm, index, text)."""
    texts = {s.index: s.text for s in arms.get("bare", [])}
    return sorted({(arm, s.index, s.text) for arm, samples in arms.items() for s in samples
                   if s.index in texts and texts[s.index] != s.text})


def replay_sums(samples: list[Sample]) -> list[float]:
    """The sum of step durations of each replay."""
    sums: dict[str, float] = defaultdict(float)
    for sample in samples:
        sums[sample.replay] += sample.ms
    return list(sums.values())


def steps_part(results: list[Result], args: argparse.Namespace, profile: AppProfile, report: Report) -> None:
    """Per step type: harness lean and default against bare (and bdd, for reference)."""
    arms = {arm: pooled(results, Spec(arm, "form", args.replays)) for arm in ("bare", "bdd", "lean", "default")}
    if not arms["bare"]:
        report.section("steps", "no bare Playwright samples: nothing to compare with")
        return
    rows: list[list[str]] = []
    figures: dict[str, Any] = {}
    texts = {s.index: s.text for s in arms["bare"]}
    report.lines += [f"note: step {i} of the {arm} arm is {t!r}, not {texts[i]!r} as in bare.py"
                     for arm, i, t in mismatches(arms)]
    typed = {arm: by_type(samples, profile) for arm, samples in arms.items()}
    for kind in (*STEP_TYPES, "all 40 steps, summed"):
        if kind.startswith("all"):
            med = {arm: median(replay_sums(samples)) for arm, samples in arms.items()}
            count = len(replay_sums(arms["bare"]))
        else:
            med = {arm: median([s.ms for s in typed[arm].get(kind, [])]) for arm in arms}
            count = len(typed["bare"].get(kind, []))
        bare = med["bare"]
        row = [kind, str(count), fmt(bare), fmt(med["bdd"])]
        figures[kind] = {"samples_bare": count, **{f"{arm}_median_ms": med[arm] for arm in arms}}
        for arm in ("lean", "default"):
            value = med[arm]
            ok = step_aim(bare, value) if bare is not None and value is not None else None
            diff = value - bare if bare is not None and value is not None else None
            ratio = value / bare if bare and value is not None else None
            row += [fmt(value), fmt(diff, unit=""), fmt(ratio, 2, "x"), verdict(ok)]
            figures[kind].update({f"{arm}_diff_ms": diff, f"{arm}_ratio": ratio, f"{arm}_pass": ok})
        rows.append(row)
    headers = ["step type", "n", "bare ms", "bdd ms", "lean ms", "diff", "ratio", "aim", "default ms", "diff",
               "ratio", "aim"]
    report.section(f"steps: the 40-step journey, {args.replays} replays x {args.rounds} rounds per arm; median "
                   f"step duration per type (aim: harness within max(10%, 3 ms) of bare)", table(headers, rows),
                   "n: steps of that type over every replay (for the sum: replays); bdd: hand-written pytest-bdd, for "
                   "reference.")
    report.figures["steps"] = figures

    wall_rows = []
    bare_wall = median([replay_wall(steps) for steps in replays(arms["bare"]).values()])
    for arm, samples in arms.items():
        walls = [replay_wall(steps) for steps in replays(samples).values()]
        wall, summed = median(walls), median(replay_sums(samples))
        wall_rows.append([arm, fmt(wall), fmt(summed), fmt(wall - summed if wall is not None and summed else None),
                          fmt(wall - bare_wall if wall is not None and bare_wall else None),
                          fmt(wall / bare_wall if wall is not None and bare_wall else None, 2, "x")])
        figures[f"replay_wall_{arm}_ms"] = wall
    report.section("steps: a replay's wall time (its first step's start to its last step's end, probes included), "
                   "median", table(["arm", "wall ms", "sum of steps", "off the clocks", "- bare", "/ bare"], wall_rows),
                   "off the clocks: the wall minus the steps' recorded durations: the time between steps (the "
                   "harness's records, probes, its own work taken out of a step's duration).")

    kind_rows = []
    for target in ("map", "text", "-"):
        split = {arm: by_type(samples, profile, target) for arm, samples in arms.items()}
        for kind in STEP_TYPES:
            bare = median([s.ms for s in split["bare"].get(kind, [])])
            if bare is None:
                continue
            row = [f"{kind}, {TARGET_KINDS[target]}", str(len({s.index for s in split["bare"][kind]})), fmt(bare),
                   fmt(median([s.ms for s in split["bdd"].get(kind, [])]))]
            for arm in ("lean", "default"):
                value = median([s.ms for s in split[arm].get(kind, [])])
                row += [fmt(value), fmt(value - bare if value is not None else None)]
            kind_rows.append(row)
    report.section("steps by target kind (UI-map target: one CSS selector; text target: a label, button or link "
                   "found by its text; no target: I open, I should see)",
                   table(["step type", "steps", "bare ms", "bdd ms", "lean ms", "diff", "default ms", "diff"],
                         kind_rows))

    split_rows = []
    for kind in STEP_TYPES:
        row = [kind, fmt(median([s.ms for s in typed["bare"].get(kind, [])])),
               fmt(median([s.gap_ms for s in typed["bare"].get(kind, [])]))]
        for arm in ("lean", "default"):
            samples = typed[arm].get(kind, [])
            row += [fmt(median([s.ms for s in samples])), fmt(median([s.wait_ms for s in samples])),
                    fmt(median([s.action_ms for s in samples])),
                    fmt(median([s.ms - (s.wait_ms or 0) - (s.action_ms or 0) for s in samples])),
                    fmt(median([s.probe_ms for s in samples])), fmt(median([s.gap_ms for s in samples]))]
        split_rows.append(row)
    report.section("where the harness's step time goes (medians; rest = duration - wait - action)",
                   table(["step type", "bare ms", "after", "lean ms", "wait", "action", "rest", "probe", "after",
                          "default ms", "wait", "action", "rest", "probe", "after"], split_rows),
                   "wait: finding the target and waiting until it is actionable; action: the action and the wait "
                   "for a page it loads; probe: probe_ms, outside the duration; after: from the end of the step's "
                   "duration to the next step's start (probe_ms, writing the record, and the harness's own work "
                   "that it takes out of the duration); the harness's start times are to the millisecond.")

    per_step = []
    for index, text in sorted(texts.items()):
        per_step.append({"index": index, "text": text, "type": step_type(text),
                         "target": target_kind(text, profile),
                         **{f"{arm}_median_ms": median([s.ms for s in samples if s.index == index])
                            for arm, samples in arms.items()}})
    report.figures["steps_per_step"] = per_step


def probes_part(results: list[Result], args: argparse.Namespace, report: Report) -> None:
    """The journeys' wall time without probes, with probes, with probes and axe-core."""
    rows: list[list[str]] = []
    figures: dict[str, Any] = {}
    base = median([r.journeys_ms for r in of(results, Spec("lean", "form", args.probes_repeat))])
    previous = base
    for arm, label, aim in (("lean", "off (--no-probes --no-a11y)", None), ("probes", "probes (--no-a11y)", PROBES_AIM),
                            ("all", "probes + axe-core", AXE_AIM)):
        runs = of(results, Spec(arm, "form", args.probes_repeat))
        wall = median([r.journeys_ms for r in runs])
        probe = median([sum(s.probe_ms or 0 for s in r.samples) for r in runs])
        process = median([r.process_s for r in runs])
        step_ratio = wall / previous if wall is not None and previous else None
        ok = step_ratio <= aim if aim is not None and step_ratio is not None else None
        rows.append([label, fmt(wall and wall / 1000, 2, " s"), fmt(base and wall and wall / base, 3),
                     fmt(step_ratio, 3) if aim else "", f"<= {aim:.2f}" if aim else "", verdict(ok) if aim else "",
                     fmt(probe and probe / 1000, 2, " s"), fmt(process, 2, " s")])
        figures[arm] = {"journeys_s": wall and wall / 1000, "probe_s": probe and probe / 1000, "process_s": process,
                        "vs_previous": step_ratio, "pass": ok}
        previous = wall
    walls = {arm: {r.round: r.journeys_ms or 0.0 for r in of(results, Spec(arm, "form", args.probes_repeat))}
             for arm in ("lean", "probes", "all")}
    paired = {f"{b}/{a}": [walls[b][n] / walls[a][n] for n in sorted(walls[a]) if walls[a][n] and walls[b].get(n)]
              for a, b in (("lean", "probes"), ("probes", "all"))}
    figures["per_round"] = paired
    report.section(f"probes: the 40-step journey at --repeat {args.probes_repeat}, --trace off; journeys' wall time "
                   "(first step's start to last step's end + its probe_ms, summed over scenario runs), median of "
                   "rounds", table(["arm", "journeys", "vs off", "vs previous", "aim", "", "in probes", "process"],
                                   rows),
                   "vs previous: probes against off (aim: probes add at most 10 %), probes + axe-core against "
                   "probes (aim: axe-core at most 10 % more); the ratio of the medians. Round by round: "
                   + "; ".join(f"{name.replace('lean', 'off')} {', '.join(f'{v:.3f}' for v in values)}"
                               for name, values in paired.items()) + ".")
    report.figures["probes"] = figures


def process_part(results: list[Result], args: argparse.Namespace, report: Report) -> None:
    """The whole command's wall time, for one replay and for ``--replays``."""
    rows: list[list[str]] = []
    figures: dict[str, Any] = {}
    for repeat in sorted({1, args.replays}):
        med = {arm: median([r.process_s for r in of(results, Spec(arm, "form", repeat))])
               for arm in ("bare", "bdd", "lean", "default")}
        for arm, value in med.items():
            if value is None:
                continue
            aim, ok = "", None
            if arm == "lean" and repeat == 1 and med["bdd"] is not None:
                aim, ok = f"<= bdd + {ONE_REPLAY_AIM_S} s", value - med["bdd"] <= ONE_REPLAY_AIM_S
            if arm == "lean" and repeat == args.replays > 1 and med["bare"] is not None:
                aim, ok = f"<= {REPEAT_AIM}x bare", value / med["bare"] <= REPEAT_AIM
            rows.append([f"{arm}, {repeat} replay{'s' if repeat > 1 else ''}", fmt(value, 2, " s"),
                         fmt(value - med["bare"] if med["bare"] else None, 2, " s"),
                         fmt(value / med["bare"] if med["bare"] else None, 2, "x"),
                         fmt(value - med["bdd"] if med["bdd"] else None, 2, " s"), aim, verdict(ok) if aim else ""])
            figures[f"{arm}_x{repeat}"] = {"process_s": value, "pass": ok}
    report.section("process: the whole command's wall time (python bare.py / python -m pytest / harness run), "
                   "median of rounds", table(["arm", "wall", "- bare", "/ bare", "- bdd", "aim", ""], rows),
                   "The bare script replays in one process, one browser, a fresh context per replay; bdd: "
                   "python -m pytest -p no:harness.")
    report.figures["process"] = figures

    phase_specs = dict.fromkeys([Spec("lean", "form", 1), Spec("lean", "form", args.replays),
                                 Spec("default", "form", args.replays)])
    columns = [(spec, of(results, spec)) for spec in phase_specs if of(results, spec)]
    phase_rows = [[name, *(fmt(median([r.phases.get(name) for r in runs]), 2, " s") for _, runs in columns)]
                  for name in PHASES]
    phase_rows.append(["whole command", *(fmt(median([r.process_s for r in runs]), 2, " s") for _, runs in columns)])
    report.section("process: where a harness run's time goes (medians, from its run folder's file times)",
                   table(["phase", *(f"{spec.arm}, {spec.repeat} replay{'s' if spec.repeat > 1 else ''}"
                                     for spec, _ in columns)], phase_rows),
                   "CLI start and checks: to settings.json (imports, the profile and features, the browser "
                   "lookup, the app's reachability); pytest start: to run.json's start; browser launch: to "
                   ".browser.json; end of the run: the last step's end to run.json's end (audit, Parquet, "
                   "reports); after the run: pytest's exit and the CLI's summary.")
    report.figures["process_phases"] = {spec.key: {name: median([r.phases.get(name) for r in runs])
                                                   for name in PHASES} for spec, runs in columns}


def workers_part(results: list[Result], args: argparse.Namespace, report: Report) -> None:
    """One worker against two on ~1 s journeys."""
    rows: list[list[str]] = []
    figures: dict[str, Any] = {}
    med = {}
    for workers in (1, 2):
        runs = of(results, Spec("lean", "workers", args.workers_runs, workers))
        med[workers] = median([r.process_s for r in runs])
        span = median([r.span_ms for r in runs])
        replay = median([s for r in runs for s in replay_sums(r.samples)])
        rows.append([f"--workers {workers}", fmt(med[workers], 2, " s"), fmt(span and span / 1000, 2, " s"),
                     fmt(replay and replay / 1000, 2, " s"), str(runs[0].scenario_runs if runs else 0)])
        figures[f"workers_{workers}"] = {"process_s": med[workers], "span_s": span and span / 1000,
                                         "replay_s": replay and replay / 1000}
    speedup = med[1] / med[2] if med[1] and med[2] else None
    ok = speedup >= WORKERS_AIM if speedup is not None else None
    figures["speedup"], figures["pass"] = speedup, ok
    report.section(f"workers: features/workers.feature at --repeat {args.workers_runs}, harness lean; whole command, "
                   "median of rounds", table(["run", "wall", "steps span", "one replay", "scenario runs"], rows),
                   f"speed-up with two workers: {fmt(speedup, 2, 'x')} (aim: >= {WORKERS_AIM}x) {verdict(ok)}; "
                   "steps span: first step's start to last step's end; one replay: its steps' durations summed "
                   "(median).")
    report.figures["workers"] = figures


def long_part(results: list[Result], args: argparse.Namespace, report: Report) -> None:
    """Long steps (the server answers after 2 s) against their short twins: harness minus bare."""
    arms = {arm: pooled(results, Spec(arm, "long", args.long_replays)) for arm in ("bare", "lean", "default")}
    rows: list[list[str]] = []
    figures: dict[str, Any] = {}
    report.lines += [f"note: long step {i} of the {arm} arm is {t!r}, not as in bare.py"
                     for arm, i, t in mismatches(arms)]
    # (short twin, long step, what bare is compared on): a click is timed until the load, as the harness waits for it
    pairs = ((0, 4, "open", False), (3, 1, "click", True))
    for short, long, kind, loaded in pairs:
        bare_short, bare_long = (median([(s.loaded_ms if loaded else s.ms) for s in arms["bare"] if s.index == i])
                                 for i in (short, long))
        for arm in ("lean", "default"):
            short_ms, long_ms = (median([s.ms for s in arms[arm] if s.index == i]) for i in (short, long))
            if bare_short is None or bare_long is None or short_ms is None or long_ms is None:
                continue
            extra_short, extra_long = short_ms - bare_short, long_ms - bare_long
            leak = extra_long - extra_short
            ok = leak <= max(STEP_AIM_MS, 0.01 * bare_long)
            rows.append([f"{kind}, {arm}", fmt(bare_short), fmt(short_ms), fmt(extra_short), fmt(bare_long),
                         fmt(long_ms), fmt(extra_long), fmt(leak), verdict(ok)])
            figures[f"{kind}_{arm}"] = {"bare_short_ms": bare_short, "harness_short_ms": short_ms,
                                        "bare_long_ms": bare_long, "harness_long_ms": long_ms, "leak_ms": leak,
                                        "pass": ok}
    bare_click = median([s.ms for s in arms["bare"] if s.index == 1])
    report.section(f"long: a step that waits ~2 s for the server against its short twin, {args.long_replays} replays "
                   "x rounds; medians",
                   table(["step", "bare short", "harness", "extra", "bare long", "harness", "extra", "long - short",
                          "no leak"], rows),
                   "extra: harness minus bare; no leak: the long step's extra at most max(3 ms, 1 %) over the short "
                   "one's (this bench's yardstick, not the issue's). Bare clicks are timed until the new page's "
                   f"load, as the harness's are (the click call alone, long: {fmt(bare_click)} ms).")
    report.figures["long"] = figures


def demo_part(results: list[Result], report: Report) -> None:
    """The demo journeys lean against default, and ``harness demo --version 2``."""
    lean, default = of(results, Spec("lean", "demo", 1)), of(results, Spec("default", "demo", 1))
    rows: list[list[str]] = []
    figures: dict[str, Any] = {}
    for label, runs in (("lean", lean), ("default", default)):
        rows.append([label, fmt(median([r.process_s for r in runs]), 2, " s"),
                     fmt(median([r.journeys_ms and r.journeys_ms / 1000 for r in runs]), 2, " s"),
                     str(runs[0].scenario_runs if runs else 0), str(sum(r.failed_steps for r in runs))])
        figures[label] = {"process_s": median([r.process_s for r in runs]),
                          "journeys_s": median([r.journeys_ms and r.journeys_ms / 1000 for r in runs])}
    v2 = of(results, Spec("demo-v2", "demo", 1))
    v2_s = median([r.process_s for r in v2])
    ok = v2_s <= DEMO_AIM_S if v2_s is not None else None
    figures["demo_v2_s"], figures["demo_v2_pass"] = v2_s, ok
    figures["demo_v2_each_s"] = [r.process_s for r in v2]
    note = (f"harness demo --version 2: {fmt(v2_s, 2, ' s')} median "
            f"({', '.join(fmt(r.process_s, 1, ' s') for r in v2)}; exit {', '.join(str(r.exit_code) for r in v2)}; "
            f"aim <= {DEMO_AIM_S:.0f} s) {verdict(ok)}")
    report.section("demo: features/demo against a fresh demo app v1, --repeat 1; median of rounds",
                   table(["arm", "process", "journeys", "scenario runs", "failed steps (all rounds)"], rows), note)
    type_rows = []
    lean_t = by_type([s for r in lean for s in r.samples], AppProfile(name="-"))
    default_t = by_type([s for r in default for s in r.samples], AppProfile(name="-"))
    for kind in sorted(set(lean_t) | set(default_t), key=lambda k: (k not in STEP_TYPES, k)):
        a, b = median([s.ms for s in lean_t.get(kind, [])]), median([s.ms for s in default_t.get(kind, [])])
        type_rows.append([kind, str(len(lean_t.get(kind, []))), fmt(a), fmt(b), fmt(b - a if a and b else None),
                          fmt(b / a if a and b else None, 2, "x")])
        figures[f"type_{kind}"] = {"lean_ms": a, "default_ms": b}
    report.section("demo: median step duration per type, lean against default",
                   table(["step type", "n (lean)", "lean ms", "default ms", "diff", "ratio"], type_rows))
    report.figures["demo"] = figures


# --- main ---------------------------------------------------------------------------------------
def git_commit(project: Path) -> str:
    """The project's commit (short), with ``+`` when its ``harness/`` has changes; ``?`` outside a git checkout."""
    def git(*cmd: str) -> str:
        done = subprocess.run(["git", *cmd], cwd=project, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit or Path(git("rev-parse", "--show-toplevel") or "/").resolve() != project.resolve():
        return "?"
    return commit + ("+" if git("status", "--porcelain", "--", "harness") else "")


def main(argv: list[str] | None = None) -> int:
    """Run the parts' commands round robin, then print one table per part."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of: {', '.join(PARTS)}")
    parser.add_argument("--rounds", type=int, default=3, help="runs of every command, round robin (default 3)")
    parser.add_argument("--replays", type=int, default=10, help="replays of the 40-step journey per run (default 10)")
    parser.add_argument("--probes-repeat", type=int, default=3, help="--repeat of the probes part (default 3)")
    parser.add_argument("--workers-runs", type=int, default=20, help="--repeat of the workers part (default 20)")
    parser.add_argument("--long-replays", type=int, default=5, help="replays of the long journey (default 5)")
    parser.add_argument("--keep", type=Path, default=None, help="keep every run folder and output here")
    parser.add_argument("--json", type=Path, default=None, help="write every figure to this file")
    parser.add_argument("--project", type=Path, default=ROOT,
                        help="the project folder whose harness is measured (default: this checkout; e.g. an "
                             "export of an older commit, for a before/after)")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}")

    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-vs-playwright-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    choice = resolve_browser(headless=True)
    launch = {k: v for k, v in launch_options(choice).items() if k != "headless"}
    profile = load_profile(APP)
    specs = specs_for(parts, args)
    load_start = os.getloadavg()
    project = args.project.resolve()
    print(f"{len(specs)} commands x {args.rounds} rounds, parts {', '.join(parts)}; {os.cpu_count()} cores, "
          f"load {load_start[0]:.2f}; browser {choice.path or '(Playwright bundled)'}; harness of {project} "
          f"(commit {git_commit(project)})", flush=True)
    results: list[Result] = []
    started = time.perf_counter()
    with site_server() as url:
        setup = Setup(project, url, launch)
        for round_no in range(args.rounds):
            shift = round_no % len(specs)
            for spec in specs[shift:] + specs[:shift]:  # each round starts from another command
                result = execute(spec, work / f"round{round_no + 1}" / spec.key, setup)
                result.round = round_no + 1
                for sample in result.samples:  # a replay of one round is not the same replay of another
                    sample.replay = f"{result.round}/{sample.replay}"
                results.append(result)
                problem = (f"  EXIT {result.exit_code}" if result.exit_code not in (0, 1) or
                           (result.exit_code == 1 and spec.arm != "demo-v2") else "")
                problem += f"  {result.failed_steps} FAILED STEPS" if result.failed_steps and spec.journey != "demo" \
                    else ""
                print(f"round {round_no + 1} {spec.key:24} {result.process_s:7.2f} s  {result.scenario_runs:3} "
                      f"scenario runs  {len(result.samples):5} steps{problem}", flush=True)
    load_end = os.getloadavg()

    report = Report()
    if "steps" in parts:
        steps_part(results, args, profile, report)
    if "probes" in parts:
        probes_part(results, args, report)
    if "process" in parts:
        process_part(results, args, report)
    if "workers" in parts:
        workers_part(results, args, report)
    if "long" in parts:
        long_part(results, args, report)
    if "demo" in parts:
        demo_part(results, report)
    version = next((r.browser_version for r in results if r.browser_version), None)
    print("\n".join(report.lines))
    print(f"\n{len(results)} runs in {(time.perf_counter() - started) / 60:.1f} min; load average "
          f"{load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end; Chromium {version or '?'} "
          f"({choice.path or 'Playwright bundled'})")
    if args.json:
        args.json.write_text(json.dumps({
            "date": datetime.now().isoformat(timespec="seconds"), "project": str(project),
            "commit": git_commit(project), "cores": os.cpu_count(),
            "load_start": load_start, "load_end": load_end, "browser": choice.path, "browser_version": version,
            "args": {k: str(v) for k, v in vars(args).items()}, "figures": report.figures,
            "runs": [{"key": r.spec.key, "round": r.round, "process_s": r.process_s, "exit_code": r.exit_code,
                      "journeys_ms": r.journeys_ms, "span_ms": r.span_ms, "scenario_runs": r.scenario_runs,
                      "failed_steps": r.failed_steps,
                      "steps_ms": [[s.index, round(s.ms, 2)] for s in r.samples]} for r in results],
        }, indent=1))
        print(f"figures: {args.json}")
    if args.keep:
        print(f"run folders: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
