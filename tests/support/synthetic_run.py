"""A synthetic run folder of any size, deterministic for a seed, for tests and benchmarks.

:func:`make_run` writes what a finished ``harness run`` leaves behind, through the project's
own models and writers: ``run.json``, ``steps.jsonl`` (valid :class:`StepRecord` lines with
realistic signals), ``steps.parquet`` (``write_parquet``'s frame), ``findings.json`` (the real
``audit_run`` on those records), ``guides.json`` (``summarise`` of guide step results, read back
through the report's models) and the artifacts: a screenshot of every failed or notable step (the
harness's own ``notable`` rule) and a trace of every failed scenario run. Screenshots are a real
1280×800 screenshot of the demo app (``fixtures/synthetic/page.png``); traces are deterministic zip
files of a real trace's size. Each screenshot's bytes differ (a ``tEXt`` chunk names it), so a report
cannot embed one image for all; trace copies are hard links when the file system allows.

App text holds HTML and markdown specials (``<script>``, ``|``, backticks, ``**``) so every output's
escaping is exercised, and some scenarios are Scenario Outlines with Examples rows.
"""

from __future__ import annotations

import io
import json
import os
import random
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness.audit.findings import audit_run
from harness.collect.probes import notable
from harness.contracts.guides import GuidesFile, GuideStepCheck
from harness.contracts.records import (
    ARTIFACTS_DIR,
    STEPS_JSONL,
    STEPS_PARQUET,
    A11yNode,
    A11yScan,
    A11yViolation,
    ClickedElement,
    FailedRequest,
    Overlay,
    PageLoad,
    RunInfo,
    SlowRequest,
    StepArtifacts,
    StepRecord,
    StepSignals,
    ValidationMessage,
)
from harness.guides.results import GuideOutline, summarise
from harness.guides.status import DEFAULT_FAIL_ON
from harness.outcomes import totals
from harness.runfolder.findings import write_findings
from harness.runfolder.guides import parse_guides, write_guides
from harness.runfolder.io import write_run_info
from harness.runfolder.parquet import records_frame

SCREENSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "synthetic" / "page.png"
"""A real screenshot (1280×800, ~90 KB) of the demo app's approvals page."""
BASE_URL = "https://shop.example.test"
STARTED = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
TRACE_FRAMES = 5
"""Screenshots inside each trace zip: about 0.45 MB, what a short failed scenario's trace weighs."""
SPECIAL = ("<script>alert('x')</script>", "a | b", "`code`", "**bold**", "50% & more", "\"quoted\"")
"""Texts that must come out escaped in HTML, markdown, XML and CSV."""

Range = int | tuple[int, int]


@dataclass
class SyntheticRun:
    """What :func:`make_run` wrote."""

    folder: Path
    run_id: str
    records: int = 0
    cases: int = 0
    """Scenario cases (a Scenario, or one Examples row of an Outline)."""
    scenario_runs: int = 0
    failed_runs: int = 0
    screenshots: int = 0
    traces: int = 0
    findings: int = 0
    guides: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per part: ``records`` (with artifacts and run.json), ``parquet``, ``findings``, ``guides``."""


@dataclass
class _Step:
    keyword: str
    text: str
    action: str | None
    target: str | None
    centre_ms: float
    loads: bool


@dataclass
class _Case:
    journey: str
    feature_file: str
    scenario: str
    scenario_line: int
    example: dict[str, str]
    tags: list[str]
    slug: str
    steps: list[_Step]
    fail_at: int
    """The step a failed replay of this case fails on."""


def _pick(rng: random.Random, value: Range) -> int:
    return rng.randint(*value) if isinstance(value, tuple) else value


def _step(rng: random.Random, index: int, user: str) -> _Step:
    """One step of a scenario: the first logs in or opens a page, the others act or check."""
    page = rng.choice(("orders", "cart", "search", "settings", "reports", "invoices"))
    if index == 0:
        if rng.random() < 0.6:
            return _Step("Given", f'I am logged in as "{user}"', "login", "login.submit", rng.uniform(600, 1800), True)
        return _Step("Given", f'I open "{page}"', "open", None, rng.uniform(150, 900), True)
    kind = rng.choices(("open", "click", "fill", "select", "see", "visible"), (2, 4, 2, 1, 3, 2))[0]
    special = rng.choice(SPECIAL)
    if kind == "open":
        return _Step("When", f'I open "{page}"', "open", None, rng.uniform(120, 900), True)
    if kind == "click":
        loads = rng.random() < 0.5
        return _Step("When", f'I click "{page}.action{index}"', "click", f"{page}.action{index}",
                     rng.uniform(60, 700) if loads else rng.uniform(30, 250), loads)
    if kind == "fill":
        return _Step("And", f'I fill "{page}.field{index}" with "{special}"', "fill", f"{page}.field{index}",
                     rng.uniform(40, 300), False)
    if kind == "select":
        return _Step("And", f'I select "Express | 2 days" in "{page}.shipping"', "select", f"{page}.shipping",
                     rng.uniform(30, 150), False)
    if kind == "see":
        return _Step("Then", f'I should see "{special}"', None, None, rng.uniform(20, 120), False)
    return _Step("And", f'"{page}.panel{index}" should be visible', None, None, rng.uniform(15, 90), False)


def _cases(rng: random.Random, journeys: int, scenarios: Range, steps: Range) -> list[_Case]:
    """The run's scenario cases: ``scenarios`` per journey, a fifth of them rows of an Outline."""
    cases: list[_Case] = []
    for j in range(journeys):
        special = SPECIAL[j % len(SPECIAL)] if j % 7 == 0 else ""
        journey = f"Journey {j:04d}: buy and return {special}".strip()
        feature = f"features/shop/journey_{j:04d}.feature"
        wanted, made, line = _pick(rng, scenarios), 0, 4
        while made < wanted:
            rows = min(wanted - made, rng.randint(2, 3)) if wanted - made >= 2 and rng.random() < 0.2 else 1
            n_steps = _pick(rng, steps)
            outline = rows > 1
            name = f"Scenario {made:02d} of journey {j:04d}" + (" with <user>" if outline else "")
            users = rng.sample(("alice", "bob", "chloé", "dmitri", "eve"), rows)
            tags = rng.sample(("smoke", "checkout", "critical", "slow", "i18n"), rng.randint(0, 2))
            for row in range(rows):
                user = users[row]
                example = {"user": user, "note": SPECIAL[(j + row) % len(SPECIAL)]} if outline else {}
                # every row of an outline shares its steps (but the user)
                step_rng = random.Random(f"{j}-{made}")
                case_steps = [_step(step_rng, i, user) for i in range(n_steps)]
                slug = f"journey_{j:04d}-test_scenario_{made:02d}" + (f"-{row}" if outline else "")
                cases.append(_Case(journey, feature, name, line, example, tags, slug, case_steps,
                                   fail_at=rng.randint(1, n_steps - 1) if n_steps > 1 else 0))
            made += rows
            line += n_steps + 2 + (rows + 3 if outline else 0)
    return cases


def _page_load(rng: random.Random, url: str, ms: float) -> PageLoad:
    ttfb = ms * rng.uniform(0.05, 0.3)
    dcl = ttfb + ms * rng.uniform(0.1, 0.3)
    load = dcl + ms * rng.uniform(0.05, 0.3)
    return PageLoad(url=url, ttfb_ms=round(ttfb, 1), dom_content_loaded_ms=round(dcl, 1), load_ms=round(load, 1),
                    lcp_ms=round(dcl + ms * rng.uniform(0, 0.2), 1), lcp_element=rng.choice(("h1", "img.hero", "p")),
                    transfer_bytes=rng.randint(3_000, 120_000))


def _signals(rng: random.Random, step: _Step, ms: float, url: str, first_visit: bool) -> StepSignals:
    """Signals for one step, each kind of friction on a few percent of the steps."""
    s = StepSignals(action=step.action, probed=True, probe_ms=round(rng.uniform(3, 12), 1))
    if step.action is not None:
        s.wait_ms = round(ms * rng.uniform(0.05, 0.4), 2)
        s.action_ms = round(ms - s.wait_ms - rng.uniform(0, 5), 2)
    if step.loads:
        s.navigations = 1 + (step.action == "login")
        s.requests = rng.randint(4, 20)
        s.bytes = s.requests * rng.randint(2_000, 30_000)
        s.page_load = _page_load(rng, url, ms)
        s.slowest_request = SlowRequest(url=f"{url}/api/data?page=1", status=200,
                                        duration_ms=round(ms * rng.uniform(0.1, 0.6), 1))
        s.dom_mutations = rng.randint(50, 2500)
        s.url_changed = True
        if first_visit and rng.random() < 0.5:
            violations = [A11yViolation(id="color-contrast", impact="serious", help="Elements must meet minimum "
                                        "color contrast ratio thresholds", help_url="https://dequeuniversity.com/"
                                        "rules/axe/4.12/color-contrast", count=3,
                                        nodes=[A11yNode(target=".muted", html='<p class="muted">a | b</p>')])]
            s.a11y = A11yScan(state=f"{url} │ Orders │ │ Orders", url=url, engine="axe-core 4.12.1",
                              duration_ms=round(rng.uniform(50, 650), 1),
                              violations=violations if rng.random() < 0.3 else [])
    elif step.action is not None:
        s.requests = rng.randint(0, 3)
        s.dom_mutations = rng.randint(0, 80)
    if step.action == "click":
        s.clicked = ClickedElement(element=f"button#{(step.target or 'x').replace('.', '-')}.btn", text="Save <b>")
        if not step.loads and rng.random() < 0.03:  # a dead click
            s.requests = s.dom_mutations = 0
    if step.action == "fill":
        s.input_events = len(step.text)
        s.interaction_ms = round(rng.choice((24, 32, 48, 64, 96)) * (6 if rng.random() < 0.03 else 1), 1)
        s.interaction_event = "keydown"
        if rng.random() < 0.03:
            s.validation = [ValidationMessage(message="Enter a valid amount (e.g. 12.50) | <b>required</b>",
                                              field="amount", source="error-text")]
    if rng.random() < 0.02 and step.action:
        s.console_errors = ["Uncaught TypeError: Cannot read properties of undefined (reading 'total') "
                            "at <anonymous>:1:23 | `render()`"]
    if rng.random() < 0.01 and step.loads:
        s.failed_requests = [FailedRequest(url=f"{url}/api/charts.png?weeks=8&x=<y>", status=500)]
        s.console_errors.append("Failed to load resource: the server responded with a status of 500 "
                                "(INTERNAL SERVER ERROR)")
    if step.loads and rng.random() < 0.04:
        s.cls = round(rng.uniform(0.05, 0.3), 4)
        s.shift_sources = ["footer.app-footer", "div.tiles", "h1"]
    if step.loads and rng.random() < 0.1:
        s.long_tasks = rng.randint(1, 3)
        s.longest_task_ms = round(rng.uniform(60, 300), 1)
        s.tbt_ms = round(s.longest_task_ms - 50, 1)
    if step.loads and rng.random() < 0.05:
        s.overlays = [Overlay(element="div#cookie-banner.cookie-banner", role="region", area_pct=13.0,
                              text="We use cookies <and> | `trackers`. Manage Accept")]
    return s


def _error(rng: random.Random, step: _Step) -> tuple[str, str]:
    if step.action is None:
        return (f'AssertionError: expected the page to show "{rng.choice(SPECIAL)}"\n'
                "  page text: Orders | Invoices <script>x()</script>\n  waited 5000 ms", "assertion")
    if rng.random() < 0.5:
        return (f"TimeoutError: Locator.{step.action}: Timeout 10000ms exceeded.\nCall log:\n"
                f"  - waiting for locator(\"#{step.target}\")\n  - element is not visible", "timeout")
    return (f"cannot {step.action} '{step.target}' (#{step.target}): it is not visible — element is not visible",
            "hidden")


def tagged_png(png: bytes, tag: str) -> bytes:
    """The same image with a ``tEXt`` chunk naming ``tag``: every screenshot's bytes differ, as real ones do."""
    body = b"tEXt" + b"Comment\x00" + tag.encode()
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    return png[:-12] + chunk + png[-12:]  # before IEND


class _Files:
    """Writes artifacts: screenshots each with their own bytes; copies of a trace as hard links to the first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.first: dict[str, Path] = {}

    def put(self, rel: str, kind: str, content: bytes) -> None:
        path = self.folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "png":
            path.write_bytes(tagged_png(content, rel))
            return
        first = self.first.get(kind)
        if first is not None:
            try:
                os.link(first, path)
                return
            except OSError:
                pass
        path.write_bytes(content)
        self.first.setdefault(kind, path)


def trace_zip() -> bytes:
    """A deterministic zip shaped like a Playwright trace (events, network, screencast frames)."""
    png = SCREENSHOT.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        events = "\n".join(json.dumps({"type": "action", "callId": f"call@{i}", "startTime": i * 37.5,
                                       "method": "click", "params": {"selector": f"#b{i}"}}) for i in range(400))
        for name, text in (("trace.trace", events), ("trace.network", events.replace("action", "resource"))):
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 27, 8, 0, 0)), text)
        for i in range(TRACE_FRAMES):
            info = zipfile.ZipInfo(f"resources/page@frame-{i}.png", date_time=(2026, 11, 27, 8, 0, 0))
            zf.writestr(info, png, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def _records(run_id: str, cases: list[_Case], repeats: int, fail_rate: float, rng: random.Random,
             files: _Files | None, out: SyntheticRun) -> list[StepRecord]:
    png = SCREENSHOT.read_bytes() if files else b""
    trace = trace_zip() if files else b""
    records: list[StepRecord] = []
    clock = STARTED
    visited: set[tuple[int, str]] = set()
    for repeat in range(repeats):  # replays run round-robin, as the harness orders them
        for n, case in enumerate(cases):
            out.scenario_runs += 1
            failed = rng.random() < fail_rate
            out.failed_runs += failed
            test_id = (f"test_harness_journeys.py::test_{case.slug.replace('-', '_')}"
                       f"[{case.example.get('user', 'plain')}-{repeat + 1}-{repeats}]")
            folder_rel = f"{ARTIFACTS_DIR}/{case.slug}-r{repeat}"
            status = "passed"
            for i, step in enumerate(case.steps):
                if status != "passed":
                    records.append(StepRecord(
                        run_id=run_id, app="shop", journey=case.journey, feature_file=case.feature_file,
                        scenario=case.scenario, scenario_line=case.scenario_line, example=case.example,
                        tags=case.tags, repeat=repeat, test_id=test_id, step_index=i, keyword=step.keyword,
                        text=step.text, line=case.scenario_line + 1 + i, status="not_run"))
                    continue
                fails = failed and i == case.fail_at
                ms = step.centre_ms * rng.lognormvariate(0, 0.15) + (10_000 if fails and rng.random() < 0.5 else 0)
                page = step.text.split('"')[1].split(".")[0] if '"' in step.text else "home"
                url = f"{BASE_URL}/{page}"
                signals = _signals(rng, step, ms, url, (n, page) not in visited)
                visited.add((n, page))
                record = StepRecord(
                    run_id=run_id, app="shop", journey=case.journey, feature_file=case.feature_file,
                    scenario=case.scenario, scenario_line=case.scenario_line, example=case.example, tags=case.tags,
                    repeat=repeat, test_id=test_id, worker="gw0" if n % 2 else "gw1", step_index=i,
                    keyword=step.keyword, text=step.text, line=case.scenario_line + 1 + i,
                    status="failed" if fails else "passed", started_at=clock.isoformat(timespec="milliseconds"),
                    duration_ms=round(ms, 3), budget_ms=5000.0, over_budget=ms > 5000, url=url, target=step.target,
                    selector=f"#{step.target}" if step.target else None, fallback_used=rng.random() < 0.05,
                    signals=signals)
                clock += timedelta(milliseconds=ms + 15)
                if fails:
                    record.error, record.error_kind = _error(rng, step)
                    status = "failed"
                if files is not None and (fails or notable(signals) or record.over_budget):
                    shot = f"{folder_rel}/step-{i:02d}.png"
                    files.put(shot, "png", png)
                    record.artifacts = StepArtifacts(screenshot=shot)
                    out.screenshots += 1
                    if fails:
                        record.artifacts.trace = f"{folder_rel}/trace.zip"
                        files.put(record.artifacts.trace, "trace", trace)
                        out.traces += 1
                records.append(record)
    return records


def _guides(cases: list[_Case], count: int, rng: random.Random, files: _Files | None) -> GuidesFile:
    """``guides.json`` for ``count`` guides of 3-8 steps, a fifth of the steps not ok."""
    png = SCREENSHOT.read_bytes() if files else b""
    statuses = ("missing", "hidden", "covered", "text_changed", "drifted")
    results, guides = [], []
    for g in range(count):
        gid = f"guide-{g:02d}"
        case = cases[g % len(cases)]
        steps = []
        for i in range(rng.randint(3, 8)):
            sid = f"step-{i}"
            steps.append(sid)
            status = rng.choice(statuses) if rng.random() < 0.2 else "ok"
            box = {"x": 16 + i, "y": 168, "width": 188, "height": 38}
            fingerprint = {"tag": "button", "id": f"b{i}", "classes": ["btn"], "text": "Save <b>", "role": "button",
                           "name": "Save", "attributes": {"type": "submit"}, "box": box,
                           "viewport": {"width": 1280, "height": 800}, "neighbours": ["Cancel | Back"]}
            evidence: dict[str, Any] = {
                "box": box, "boxes": [box], "covered_by": None, "expected_text": "Save <b>",
                "actual_text": "Save <b>" if status != "text_changed" else "Store `now`", "actual_name": "Save",
                "similarity": 0.9 if status == "ok" else 0.55, "diff": [], "fingerprint": fingerprint,
                "baseline_fingerprint": fingerprint, "screenshot": None, "baseline_screenshot": None,
            }
            suggestion = None
            if status != "ok":
                evidence["diff"] = [{"field": "classes", "old": ["btn"], "new": ["btn", "btn--primary"]}]
                if status == "covered":
                    evidence["covered_by"] = {"tag": "div", "id": "cookie-banner", "classes": [],
                                              "text": "We use cookies <and> trackers"}
                if status in ("missing", "text_changed", "drifted"):
                    suggestion = {"target": f'role=button[name="Save {i}"]', "css": f"button#b{i}", "score": 0.62,
                                  "reasons": ["same text", "same role"], "alternatives": [{"target": "text=Save",
                                                                                          "score": 0.41}]}
                if files is not None:
                    for key, name in (("screenshot", f"{sid}.png"), ("baseline_screenshot", f"{sid}.baseline.png")):
                        rel = f"{ARTIFACTS_DIR}/guides/{gid}/{name}"
                        files.put(rel, "png", png)
                        evidence[key] = rel
            after = ({"feature": case.feature_file, "scenario": case.scenario, "step": case.steps[0].text}
                     if i == 0 else None)
            results.append(GuideStepCheck.model_validate({
                "guide": gid, "step": sid, "index": i, "title": f"Step {i}: click **Save** | `go`",
                "body": "Press <kbd>Save</kbd> to keep your changes.", "line": 4 + 3 * i, "page": "orders",
                "after": after, "url": f"{BASE_URL}/orders", "target": f"#b{i}", "selector_format": "playwright",
                "status": status, "message": "found, unique, visible, uncovered" if status == "ok"
                else f"#b{i} is {status.replace('_', ' ')} <script>", "match_count": 0 if status == "missing" else 1,
                "evidence": evidence, "suggestion": suggestion,
            }))
        guides.append(GuideOutline(gid, f"Guide {g}: orders <tour> | help", f"guides/{gid}.yaml", tuple(steps)))
    return summarise(results, guides, fail_on=DEFAULT_FAIL_ON, app="shop", app_version="Shop 3.1", base_url=BASE_URL,
                     checked_at=STARTED.isoformat(timespec="seconds"), duration_ms=14_000.0)


def make_run(folder: Path, *, journeys: int = 10, scenarios_per_journey: Range = (1, 3),
             steps_per_scenario: Range = (6, 10), repeats: int = 3, fail_rate: float = 0.02,
             with_artifacts: bool = True, guides: int = 5, findings: bool = True, seed: int = 0,
             run_id: str = "20261127-080000-shop") -> SyntheticRun:
    """Write a complete synthetic run folder.

    Args:
        folder: The run folder to create (it must not exist or be empty).
        journeys: Features.
        scenarios_per_journey: Scenario cases per journey (an Outline's Examples rows count one each);
            a pair ``(low, high)`` draws each journey's number.
        steps_per_scenario: Steps per scenario, or a ``(low, high)`` range.
        repeats: Replays of every case.
        fail_rate: Share of scenario runs that fail (on a step chosen per case; the rest is not run).
        with_artifacts: Write screenshots and traces (else records name none).
        guides: Guides in ``guides.json`` (0: no file).
        findings: Run the real friction audit and write ``findings.json``.
        seed: Everything drawn at random follows from it.
        run_id: The run's id.

    Returns:
        What was written, with the seconds spent per part.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    out = SyntheticRun(folder=folder, run_id=run_id)
    started = time.perf_counter()
    cases = _cases(rng, journeys, scenarios_per_journey, steps_per_scenario)
    out.cases = len(cases)
    files = _Files(folder) if with_artifacts else None
    records = _records(run_id, cases, repeats, fail_rate, rng, files, out)
    out.records = len(records)
    with (folder / STEPS_JSONL).open("w", encoding="utf-8") as fh:
        fh.writelines(record.model_dump_json() + "\n" for record in records)
    ended = STARTED + timedelta(milliseconds=sum(r.duration_ms or 0 for r in records) / 2 + 30_000)
    write_run_info(folder, RunInfo(
        run_id=run_id, app="shop", app_title="Shop <beta> | `staging`", app_version="Shop 3.1", base_url=BASE_URL,
        browser_name="chromium", browser_version="156.0.0.0", harness_version="synthetic", git_commit="0" * 40,
        git_branch="main", env="staging", labels=["synthetic"], features=sorted({c.feature_file for c in cases}),
        started_at=STARTED.isoformat(timespec="milliseconds"), ended_at=ended.isoformat(timespec="milliseconds"),
        options={"repeat": repeats, "workers": 2, "trace": "retain-on-failure"}, status="complete",
        exit_code=1 if out.failed_runs else 0, totals=totals(records)))
    out.timings["records"] = time.perf_counter() - started
    started = time.perf_counter()
    records_frame(records).to_parquet(folder / STEPS_PARQUET, index=False)  # write_parquet, without reading back
    out.timings["parquet"] = time.perf_counter() - started
    if findings:
        started = time.perf_counter()
        found = audit_run(folder)
        write_findings(folder, found)
        out.findings = len(found.findings)
        out.timings["findings"] = time.perf_counter() - started
    if guides:
        started = time.perf_counter()
        data = _guides(cases, guides, rng, files)
        parsed = parse_guides(data.model_dump(mode="json"))
        if parsed.error or parsed.warnings or len(parsed.file.guides) != guides:
            raise ValueError(f"synthetic guides.json does not validate: {parsed.error or parsed.warnings}")
        write_guides(folder, data)
        out.guides = guides
        out.timings["guides"] = time.perf_counter() - started
    return out


def folder_size(folder: Path) -> tuple[int, int]:
    """Return the number of files under ``folder`` and their total size in bytes (links counted each)."""
    count = size = 0
    for path in Path(folder).rglob("*"):
        if path.is_file():
            count += 1
            size += path.stat().st_size
    return count, size
