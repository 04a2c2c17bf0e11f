"""Benchmark: how right and how fast ``harness guides check`` is.

Three parts, each run with the real code paths:

* ``accuracy``: the real CLI (``harness guides baseline`` on the old version into a temporary
  copy of the app folder, then ``harness guides check --json`` on the new one), every step
  compared with the answer key: the demo app v1 -> v2 (``guides_on_v2`` in
  ``harness/demo/changes.yaml``) and, when ``tests/support/django_admin.py`` can serve it, the Django
  admin 4.2 -> 5.2 (``tests/fixtures/django_admin/expected.yaml``). Each top repair suggestion
  is tried on the live checked page in Chromium, logged in as the guide's user through the
  ``login:`` section of app.yaml: it is correct when it selects exactly the expected element.
* ``probe``: the in-page pass alone. A generated static page (served over HTTP on 127.0.0.1)
  with N anchors (headings, labelled inputs, selects, buttons, links; every fourth section in
  a scrolled container) is probed with ``harness.collect.anchors.probe(page, anchors)`` (one
  in-page pass) and with ``one_call_per_anchor=True`` (one Playwright round trip per anchor),
  interleaved over rounds in one browser; median anchors per second of each and their ratio.
* ``guide``: a 200-step guide on one generated page checked end to end: the CLI's wall time and
  ``guides.json``'s ``duration_ms``, then ``GuideRun``/``check()`` in-process, with the time
  spent inside the started browser measured apart from Chromium's start and stop.

Never used as a timed test assertion (tests/test_e2e_guides_scale.py checks the verdicts).

Usage: .venv/bin/python bench/guides_check.py [--rounds 5] [--parts accuracy,probe,guide]
       [--sizes 50,200,1000] [--corpora demo,django_admin] [--json FILE] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from harness.collect.browser import launch_options, resolve_browser
from harness.demo import DemoServer, load_changes
from harness.spec.profile import AppProfile, load_profile
from harness.spec.yamlfile import load_yaml

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the tests package holds the static file server and the Django admin
    sys.path.insert(0, str(ROOT))

DEMO = ROOT / "journeys" / "demo"
VIEWPORT = {"width": 1280, "height": 720}
PARTS = ("accuracy", "probe", "guide")
GUIDE_STEPS = 200


# --- helpers -----------------------------------------------------------------------------
def cli_env() -> dict[str, str]:
    """The environment of a harness subprocess: plain progress lines, no inherited run folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HARNESS_RUN_"))}
    env["CI"] = "true"
    return env


def harness_cli(*args: str | Path, timeout: float = 900) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``python -m harness.cli ARGS`` from the project folder; return it and its wall time (s)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "harness.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=cli_env(), check=False)
    return done, time.perf_counter() - started


def require(done: subprocess.CompletedProcess[str], codes: tuple[int, ...], what: str) -> None:
    """Stop the benchmark when a command did not exit as expected."""
    if done.returncode not in codes:
        sys.exit(f"{what} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium (the one the harness would use)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(resolve_browser()))
        try:
            yield browser
        finally:
            browser.close()


def median(values: list[float]) -> float:
    """The median, NaN for no values."""
    return statistics.median(values) if values else math.nan


def step_results(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """A ``guides.json``'s step results by (guide id, step id)."""
    return {(g["id"], s["id"]): s for g in data["guides"] for s in g["steps"]}


# --- part 1: accuracy against an answer key ----------------------------------------------
@dataclass(frozen=True, slots=True)
class Truth:
    """What the answer key says about one step on the checked version.

    Attributes:
        status: The expected status.
        element: CSS of the element the step should now point at, or ``None``.
    """

    status: str
    element: str | None


@dataclass
class Accuracy:
    """One app's check compared with its answer key.

    Attributes:
        app: Which app and versions.
        steps: Steps checked.
        broken: Steps the key says are not ok.
        detected: Broken steps reported not ok.
        false_alarms: Steps the key says are ok, reported not ok.
        correct_status: Steps whose reported status is the key's.
        repairable: Broken steps with an expected element (a repair must find it).
        correct_suggestions: Of those, top suggestions that select exactly the expected element.
        gone: Broken steps whose element is really gone (expected element null).
        suggestions_on_gone: Suggestions offered for those (should be 0).
        baseline_wall_s: Wall time of ``harness guides baseline`` on the old version.
        check_wall_s: Wall time of ``harness guides check`` on the new version.
        duration_ms: ``guides.json``'s ``duration_ms``.
        problems: One line per step that is not right.
    """

    app: str
    steps: int = 0
    broken: int = 0
    detected: int = 0
    false_alarms: int = 0
    correct_status: int = 0
    repairable: int = 0
    correct_suggestions: int = 0
    gone: int = 0
    suggestions_on_gone: int = 0
    baseline_wall_s: float = 0.0
    check_wall_s: float = 0.0
    duration_ms: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Broken steps reported not ok, as a share of the really broken steps."""
        return self.detected / self.broken if self.broken else math.nan


def demo_key() -> dict[tuple[str, str], Truth]:
    """The demo's answer key (unlisted steps are ok)."""
    return {(e["guide"], e["step"]): Truth(e["status"], e.get("element")) for e in load_changes()["guides_on_v2"]}


def fixture_key(fixture: Path) -> dict[tuple[str, str], Truth]:
    """A corpus fixture's answer key (``expected.yaml``) on its checked version."""
    data = load_yaml(fixture / "expected.yaml")
    checked = str(data["checked"])
    return {(guide, step): Truth(entry[checked], entry.get("expected_element"))
            for guide, steps in data["guides"].items() for step, entry in steps.items()}


def _selector(profile: AppProfile, name: str) -> list[str]:
    """The selectors of a UI-map target (or the name itself, when it is a selector)."""
    target = profile.targets.get(name)
    return target.selectors if target else [name]


def _one(page: Page, selectors: list[str]) -> str:
    """The first selector that matches exactly one element."""
    for selector in selectors:
        if page.locator(selector).count() == 1:
            return selector
    raise RuntimeError(f"none of {selectors} matches exactly one element on {page.url}")


def log_in(context: BrowserContext, profile: AppProfile, user: str, base_url: str) -> None:
    """Log ``user`` in through the form the profile's ``login:`` section describes."""
    login = profile.login
    if login is None:
        raise RuntimeError(f"{profile.name}: guides log in as {user!r}, but app.yaml has no login section")
    username, password = profile.users[user].credentials()
    page = context.new_page()
    page.goto(base_url.rstrip("/") + login.path, wait_until="load")
    page.fill(_one(page, _selector(profile, login.username)), username)
    page.fill(_one(page, _selector(profile, login.password)), password)
    page.click(_one(page, _selector(profile, login.submit)))
    login_path = login.path.rstrip("/")
    page.wait_for_url(lambda url: urlparse(url).path.rstrip("/") != login_path, timeout=15_000)
    page.close()


def same_element(page: Page, selector: str, css: str) -> bool:
    """Whether ``selector`` (Playwright) and ``css`` each select exactly one element, the same one."""
    try:
        mine, theirs = page.locator(selector), page.locator(css)
        if mine.count() != 1 or theirs.count() != 1:
            return False
        return bool(mine.evaluate("(a, b) => a === b", theirs.element_handle()))
    except Exception:  # a selector Playwright rejects selects nothing
        return False


def verify_suggestions(profile: AppProfile, base_url: str,
                       wanted: list[tuple[tuple[str, str], dict[str, Any], str]],
                       users: dict[str, str | None]) -> dict[tuple[str, str], bool]:
    """Try each top suggestion on the live page: does it select exactly the expected element?

    Args:
        profile: The app profile (login form, users).
        base_url: The live (checked) app.
        wanted: ((guide id, step id), step result from guides.json, expected element CSS).
        users: Guide id -> the user it logs in as.
    """
    verdicts: dict[tuple[str, str], bool] = {}
    with chromium() as browser:
        contexts: dict[str | None, BrowserContext] = {}
        pages: dict[tuple[str | None, str], Page] = {}
        for key, result, element in wanted:
            suggestion = result.get("suggestion")
            if not suggestion:
                verdicts[key] = False
                continue
            user = users.get(key[0])
            if user not in contexts:
                contexts[user] = browser.new_context(viewport=VIEWPORT)
                if user is not None:
                    log_in(contexts[user], profile, user, base_url)
            if (user, result["url"]) not in pages:
                page = contexts[user].new_page()
                page.goto(result["url"], wait_until="load")
                with contextlib.suppress(Exception):
                    page.wait_for_load_state("networkidle", timeout=3000)
                pages[user, result["url"]] = page
            verdicts[key] = same_element(pages[user, result["url"]], suggestion["target"], element)
    return verdicts


def score(app: str, data: dict[str, Any], key: dict[tuple[str, str], Truth],
          verified: dict[tuple[str, str], bool]) -> Accuracy:
    """Compare a ``guides.json`` with the answer key."""
    acc = Accuracy(app)
    for (guide, step), result in step_results(data).items():
        truth = key.get((guide, step), Truth("ok", None))
        got, name = result["status"], f"{guide}/{step}"
        suggestion = result.get("suggestion")
        acc.steps += 1
        acc.correct_status += got == truth.status
        if got != truth.status:
            acc.problems.append(f"{name}: reported {got}, expected {truth.status}")
        if truth.status == "ok":
            acc.false_alarms += got != "ok"
            continue
        acc.broken += 1
        acc.detected += got != "ok"
        if truth.element is None:
            acc.gone += 1
            if suggestion:
                acc.suggestions_on_gone += 1
                acc.problems.append(f"{name}: the element is gone, yet {suggestion['target']!r} was suggested")
            continue
        acc.repairable += 1
        if verified.get((guide, step)):
            acc.correct_suggestions += 1
        else:
            offered = repr(suggestion["target"]) if suggestion else "no suggestion"
            acc.problems.append(f"{name}: {offered}, expected the element {truth.element!r}")
    unknown = set(key) - set(step_results(data))
    acc.problems += [f"{g}/{s}: in the answer key but not checked" for g, s in sorted(unknown)]
    return acc


def run_accuracy(app: str, fixture: Path, key: dict[tuple[str, str], Truth],
                 old: Callable[[], contextlib.AbstractContextManager[str]],
                 new: Callable[[], contextlib.AbstractContextManager[str]], work: Path) -> Accuracy:
    """Baseline on the old version, check on the new one, score against the key.

    Args:
        app: A label for the table.
        fixture: The app folder (app.yaml, guides/); copied, without any committed baseline.
        key: The answer key of the new version.
        old: Serves the old version, yielding its base URL.
        new: Serves the new version, yielding its base URL.
        work: A scratch folder.
    """
    shutil.rmtree(work, ignore_errors=True)  # a --keep folder of an earlier run
    folder = work / "app"
    shutil.copytree(fixture, folder, ignore=shutil.ignore_patterns("baseline", "__pycache__"))
    app_yaml = folder / "app.yaml"
    with old() as url:
        done, baseline_wall = harness_cli("guides", "baseline", "--app", app_yaml, "--base-url", url)
        require(done, (0,), f"{app}: guides baseline")
    out = work / "check"
    with new() as url:
        done, check_wall = harness_cli("guides", "check", "--app", app_yaml, "--base-url", url, "--out", out,
                                       "--json")
        require(done, (0, 1), f"{app}: guides check")
        data = json.loads((out / "guides.json").read_text(encoding="utf-8"))
        results = step_results(data)
        wanted = [(k, results[k], t.element) for k, t in key.items()
                  if t.status != "ok" and t.element and k in results and results[k].get("suggestion")]
        profile = load_profile(app_yaml)
        from harness.spec.guides import guides_dir, load_guides

        users = {g.id: g.user for g in load_guides(guides_dir(profile), profile)}
        verified = verify_suggestions(profile, url, wanted, users)
    acc = score(app, data, key, verified)
    acc.baseline_wall_s, acc.check_wall_s, acc.duration_ms = baseline_wall, check_wall, float(data["duration_ms"])
    return acc


@contextlib.contextmanager
def demo(version: int) -> Iterator[str]:
    """The demo app (its default users and passwords, as app.yaml reads them)."""
    with DemoServer(version=version, port=0) as server:
        yield server.url


@dataclass(frozen=True)
class Corpus:
    """A guide corpus: an app folder with guides and an answer key, and its two versions.

    Attributes:
        label: Its name in the tables.
        fixture: The app folder (app.yaml, guides/, answer key).
        serve_old: Serves the version the guides were written on, yielding its base URL.
        serve_new: Serves the checked version.
        key: The answer key on the checked version.
    """

    label: str
    fixture: Path
    serve_old: Callable[[], contextlib.AbstractContextManager[str]]
    serve_new: Callable[[], contextlib.AbstractContextManager[str]]
    key: Callable[[], dict[tuple[str, str], Truth]]


#: The real apps' corpora: fixture folder name -> (module of tests/support, its server function).
REAL_APPS = {"django_admin": ("django_admin", "django_admin"), "flask_admin": ("flask_admin", "flask_admin"),
             "swagger_ui": ("swagger_ui", "swagger_ui")}


def _real_app(name: str) -> Corpus | None:
    """A real app's corpus from its fixture (versions from its answer key), when it is in the tree."""
    module_name, function = REAL_APPS[name]
    fixture = ROOT / "tests" / "fixtures" / name
    if not (fixture / "expected.yaml").is_file() or not (ROOT / "tests" / "support" / f"{module_name}.py").is_file():
        return None
    key = load_yaml(fixture / "expected.yaml")
    old, new = str(key["baseline"]), str(key["checked"])
    import importlib

    serve = getattr(importlib.import_module(f"tests.support.{module_name}"), function)
    title = load_yaml(fixture / "app.yaml").get("title") or name
    return Corpus(f"{str(title).split(' (')[0]} {old} -> {new}", fixture, lambda: serve(old), lambda: serve(new),
                  lambda: fixture_key(fixture))


def corpora() -> dict[str, Corpus]:
    """Every corpus the accuracy part measures: the demo, then the real apps present in the tree."""
    found = {"demo": Corpus("demo v1 -> v2", DEMO, lambda: demo(1), lambda: demo(2), demo_key)}
    for name in REAL_APPS:
        corpus = _real_app(name)
        if corpus is not None:
            found[name] = corpus
    return found


def accuracy_part(work: Path, only: list[str] | None = None) -> tuple[list[Accuracy], list[str]]:
    """Accuracy on each corpus (all, or those named); return the results and notes."""
    notes: list[str] = []
    found: list[Accuracy] = []
    for name, corpus in corpora().items():
        if only and name not in only:
            continue
        try:
            found.append(run_accuracy(corpus.label, corpus.fixture, corpus.key(), corpus.serve_old,
                                      corpus.serve_new, work / name))
        except Exception as exc:  # an app that cannot be installed or served: the others still run
            notes.append(f"{corpus.label} skipped: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
            print(f"  {notes[-1]}")
            continue
        print_accuracy(found[-1:], header=len(found) == 1)
    return found, notes


def print_accuracy(rows: list[Accuracy], header: bool = True) -> None:
    """The accuracy table."""
    if header:
        print(f"  {'app':24s} {'steps':>5s} {'broken':>6s} {'recall':>11s} {'false':>5s} {'right':>9s} "
              f"{'right':>11s} {'suggested':>9s} {'check':>7s} {'duration':>9s}")
        print(f"  {'':24s} {'':>5s} {'':>6s} {'':>11s} {'alarm':>5s} {'status':>9s} "
              f"{'suggestion':>11s} {'for gone':>9s} {'wall':>7s} {'_ms':>9s}")
    for a in rows:
        print(f"  {a.app:24s} {a.steps:5d} {a.broken:6d} {a.detected:3d}/{a.broken:<2d} {a.recall:4.0%} "
              f"{a.false_alarms:5d} {a.correct_status:3d}/{a.steps:<3d}  {a.correct_suggestions:3d}/{a.repairable:<3d}"
              f"     {a.suggestions_on_gone:3d}/{a.gone:<3d} {a.check_wall_s:5.1f} s {a.duration_ms:7.0f}")
        for problem in a.problems:
            print(f"      - {problem}")


# --- the generated page (parts 2 and 3) -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class PageAnchor:
    """An element of the generated page a guide step points at.

    Attributes:
        key: Step id.
        selector: Plain CSS selecting it alone.
        text: Text it shows (or ``None`` when the step checks none).
        title: Bubble title.
    """

    key: str
    selector: str
    text: str | None
    title: str


def section(i: int, scrolled: bool) -> tuple[str, list[PageAnchor]]:
    """One card of the generated page: five anchors among a few more elements."""
    anchors = [
        PageAnchor(f"s{i:03d}-heading", f"#sec-{i} > h2", f"Section {i}", f"About section {i}"),
        PageAnchor(f"s{i:03d}-field", f"#field-{i}", None, f"Field {i}"),
        PageAnchor(f"s{i:03d}-choice", f'select[name="choice-{i}"]', None, f"Choice {i}"),
        PageAnchor(f"s{i:03d}-save", f'#form-{i} button[data-action="save"]', f"Save {i}", f"Save {i}"),
        PageAnchor(f"s{i:03d}-docs", f'#sec-{i} nav a[href="#docs-{i}"]', f"Docs {i}", f"Read docs {i}"),
    ]
    rows = "".join(f"<tr><td>Item {i}.{r}</td><td>{(i * 7 + r) % 90 + 10}.00</td><td>Open</td></tr>"
                   for r in range(3))
    body = f"""
  <section id="sec-{i}" class="card">
    <h2>Section {i}</h2>
    <p>Reference text for part {i}: what it holds and who may change it.</p>
    <form id="form-{i}" class="row" onsubmit="return false">
      <label for="field-{i}">Field {i}</label>
      <input id="field-{i}" name="field-{i}" placeholder="Value {i}">
      <label>Choice {i} <select name="choice-{i}"><option>First</option><option>Second</option></select></label>
      <button type="button" class="btn btn-primary" data-action="save">Save {i}</button>
      <button type="button" class="btn" data-action="cancel">Cancel</button>
    </form>
    <nav class="links"><a href="#docs-{i}">Docs {i}</a> <a href="#help-{i}">Help</a></nav>
    <table class="grid"><thead><tr><th>Item</th><th>Amount</th><th>State</th></tr></thead>
      <tbody>{rows}</tbody></table>
  </section>"""
    if scrolled:
        body = f'\n  <div class="scroller" id="scroller-{i}">{body}\n    <div class="spacer"></div>\n  </div>'
    return body, anchors


def bench_page(n: int) -> tuple[str, list[PageAnchor]]:
    """A static page with ``n`` anchors; every fourth card sits in a scrolled container."""
    parts, anchors = [], []
    for i in range(1, math.ceil(n / 5) + 1):
        body, found = section(i, scrolled=i % 4 == 0)
        parts.append(body)
        anchors += found
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Generated page with {n} anchors</title>
<link rel="icon" href="data:,">
<style>
  body {{ font: 14px sans-serif; margin: 0; }}
  header {{ background: #234; color: #fff; padding: 12px 20px; }}
  main {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; padding: 12px; }}
  .card {{ border: 1px solid #ccc; border-radius: 6px; padding: 8px; }}
  .scroller {{ height: 160px; overflow: auto; border: 2px solid #88a; }}
  .spacer {{ height: 240px; }}
  .row {{ display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }}
  .grid {{ width: 100%; border-collapse: collapse; }}
</style></head>
<body><header><h1>Generated workspace</h1></header>
<main>{"".join(parts)}
</main></body></html>
"""
    return html, anchors[:n]


# --- part 2: one in-page pass vs one round trip per anchor ----------------------------------
@dataclass
class ProbeSpeed:
    """Probe timings for one page size.

    Attributes:
        anchors: Anchors on the page.
        single_s: Seconds per probe in one in-page pass, by round.
        per_anchor_s: Seconds per probe with one round trip per anchor, by round.
    """

    anchors: int
    single_s: list[float] = field(default_factory=list)
    per_anchor_s: list[float] = field(default_factory=list)

    def rate(self, which: str) -> float:
        """Median anchors per second of ``single`` or ``per_anchor``."""
        times = self.single_s if which == "single" else self.per_anchor_s
        return self.anchors / median(times) if times else math.nan


def probe_part(url: str, sizes: list[int], rounds: int) -> tuple[list[ProbeSpeed], str]:
    """Time both probe modes on each page size, interleaved, in one browser; return them and its version."""
    from harness.collect.anchors import Anchor, probe

    speeds = {n: ProbeSpeed(n) for n in sizes}
    with chromium() as browser:
        version = browser.version
        page = browser.new_context(viewport=VIEWPORT).new_page()
        for round_no in range(rounds + 1):  # round 0 warms up (page load, script compilation) and is not kept
            for n in sizes:
                anchors = [Anchor(a.key, a.selector) for a in bench_page(n)[1]]
                modes = (False, True) if round_no % 2 == 0 else (True, False)
                for per_anchor in modes:
                    page.goto(f"{url}/page-{n}.html", wait_until="load")  # a fresh page, as a check probes one
                    started = time.perf_counter()
                    observed = probe(page, anchors, one_call_per_anchor=per_anchor)
                    elapsed = time.perf_counter() - started
                    bad = [k for k, o in observed.items() if o["count"] != 1 or not o["visible"] or o["covered_by"]]
                    if bad:
                        sys.exit(f"the generated page is wrong: {bad[:5]}")
                    if round_no:
                        (speeds[n].per_anchor_s if per_anchor else speeds[n].single_s).append(elapsed)
            if round_no:
                print(f"  round {round_no}: " + ", ".join(
                    f"{n}: {speeds[n].single_s[-1] * 1000:.0f} / {speeds[n].per_anchor_s[-1] * 1000:.0f} ms"
                    for n in sizes), flush=True)
    return list(speeds.values()), version


def print_probe(rows: list[ProbeSpeed]) -> None:
    """The probe table."""
    print(f"  {'anchors':>7s} {'one pass':>12s} {'per anchor':>12s} {'one pass':>10s} {'per anchor':>11s} "
          f"{'speed-up':>8s}")
    print(f"  {'':>7s} {'anchors/s':>12s} {'anchors/s':>12s} {'ms':>10s} {'ms':>11s} {'':>8s}")
    for r in rows:
        print(f"  {r.anchors:7d} {r.rate('single'):12.0f} {r.rate('per_anchor'):12.0f} "
              f"{median(r.single_s) * 1000:10.1f} {median(r.per_anchor_s) * 1000:11.1f} "
              f"{r.rate('single') / r.rate('per_anchor'):7.1f}x")


# --- part 3: a 200-step guide checked end to end ---------------------------------------------
def write_guide_app(folder: Path, url: str, anchors: list[PageAnchor], page: str) -> Path:
    """An app folder with app.yaml and one guide of every anchor on ``page``; return app.yaml."""
    (folder / "guides").mkdir(parents=True, exist_ok=True)
    app_yaml = folder / "app.yaml"
    app_yaml.write_text(f"schema_version: 1\nname: scale\nbase_url: {json.dumps(url)}\n", encoding="utf-8")
    lines = ["schema_version: 1", "id: big-tour", f"title: A tour of {len(anchors)} steps on one page",
             f"page: {json.dumps(page)}", "steps:"]
    for a in anchors:
        lines += [f"  - id: {a.key}", f"    target: {json.dumps(a.selector)}", f"    title: {json.dumps(a.title)}"]
        if a.text:
            lines.append(f"    text: {json.dumps(a.text)}")
    (folder / "guides" / "big-tour.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return app_yaml


@dataclass
class GuideSpeed:
    """End-to-end timings of the 200-step guide (seconds; lists are by round).

    Attributes:
        steps: Steps in the guide.
        baseline_wall_s: ``harness guides baseline`` wall time (once).
        cli_wall_s: ``harness guides check`` wall time.
        cli_duration_s: Its ``guides.json`` ``duration_ms``, in seconds.
        inproc_total_s: ``check()`` in-process, one pass, browser start and stop included.
        inproc_browser_s: The part of it spent with the browser started (contexts, page, probe, verdicts).
        inproc_per_anchor_total_s: ``check()`` with ``one_call_per_anchor=True``.
        inproc_per_anchor_browser_s: The part of it spent with the browser started.
        phases_s: Time of each :data:`PHASES` function in the one-pass in-process check.
        per_anchor_probe_s: Time of ``settled_probe`` with one call per anchor.
        statuses: Step statuses of the last CLI check.
    """

    steps: int
    baseline_wall_s: float = 0.0
    cli_wall_s: list[float] = field(default_factory=list)
    cli_duration_s: list[float] = field(default_factory=list)
    inproc_total_s: list[float] = field(default_factory=list)
    inproc_browser_s: list[float] = field(default_factory=list)
    inproc_per_anchor_total_s: list[float] = field(default_factory=list)
    inproc_per_anchor_browser_s: list[float] = field(default_factory=list)
    phases_s: dict[str, list[float]] = field(default_factory=dict)
    per_anchor_probe_s: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)


#: Functions of harness.collect.guide_check timed apart in the in-process check (looked up by name there).
PHASES = {"_Contexts.page": "browser context", "_open": "page load (load + network idle)",
          "settled_probe": "anchor probe", "examine": "verdicts, similarity, evidence",
          "append_guide_step": "guides.jsonl (fsync per step)"}


@contextlib.contextmanager
def timed_phases(module: Any, spent: dict[str, float], marks: dict[str, float]) -> Iterator[None]:
    """Wrap the :data:`PHASES` functions and ``_browser`` of ``guide_check`` to add up their time.

    Only this process's module attributes are replaced, and restored on exit; the harness's code
    is unchanged. ``marks`` gets ``up`` (browser started) and ``done`` (visit over).
    """
    saved: list[tuple[Any, str, Any]] = []

    def timing(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
        return wrapper

    original_browser = module._browser

    @contextlib.contextmanager
    def browser(run: Any) -> Iterator[Browser]:
        with original_browser(run) as started:
            marks["up"] = time.perf_counter()
            try:
                yield started
            finally:
                marks["done"] = time.perf_counter()

    for name in PHASES:
        owner_name, _, attr = name.rpartition(".")
        owner = getattr(module, owner_name) if owner_name else module
        saved.append((owner, attr, getattr(owner, attr)))
        setattr(owner, attr, timing(name, getattr(owner, attr)))
    saved.append((module, "_browser", original_browser))
    module._browser = browser
    try:
        yield
    finally:
        for owner, attr, value in reversed(saved):
            setattr(owner, attr, value)


def check_in_process(app_yaml: Path, url: str, out: Path, per_anchor: bool) -> tuple[float, float, dict[str, float]]:
    """``check()`` in this process.

    Returns:
        The total time, the time with the browser started (Chromium's start and stop left out)
        and the time of each :data:`PHASES` function, in seconds.
    """
    from harness.collect import guide_check
    from harness.spec.guide_baseline import load_baseline
    from harness.spec.guides import guides_dir, load_guides

    profile = load_profile(app_yaml)
    folder = guides_dir(profile)
    guides = load_guides(folder, profile)
    baselines = {g.id: b for g in guides if (b := load_baseline(folder, g.id)) is not None}
    run = guide_check.GuideRun(profile=profile, guides=guides, guides_folder=folder, base_url=url, out_dir=out,
                               baselines=baselines, one_call_per_anchor=per_anchor)
    spent: dict[str, float] = {}
    marks: dict[str, float] = {}
    with timed_phases(guide_check, spent, marks):
        started = time.perf_counter()
        results = guide_check.check(run)
        total = time.perf_counter() - started
    if any(r.status != "ok" for r in results):
        sys.exit(f"in-process check: not every step is ok: {[r.id for r in results if r.status != 'ok'][:5]}")
    return total, marks["done"] - marks["up"], spent


def guide_part(work: Path, url: str, rounds: int) -> GuideSpeed:
    """Baseline once, then check the 200-step guide through the CLI and in-process, interleaved."""
    anchors = bench_page(GUIDE_STEPS)[1]
    app_yaml = write_guide_app(work / "scale-app", url, anchors, f"/page-{GUIDE_STEPS}.html")
    speed = GuideSpeed(len(anchors))
    done, speed.baseline_wall_s = harness_cli("guides", "baseline", "--app", app_yaml, "--base-url", url)
    require(done, (0,), "guides baseline of the 200-step guide")
    for round_no in range(1, rounds + 1):
        out = work / f"scale-out-{round_no}"
        done, wall = harness_cli("guides", "check", "--app", app_yaml, "--base-url", url, "--out", out, "--json")
        require(done, (0,), "guides check of the 200-step guide")
        data = json.loads((out / "guides.json").read_text(encoding="utf-8"))
        speed.cli_wall_s.append(wall)
        speed.cli_duration_s.append(data["duration_ms"] / 1000)
        speed.statuses = {k: v for k, v in data["totals"].items() if k not in ("guides", "steps")}
        total, inside, spent = check_in_process(app_yaml, url, work / f"inproc-{round_no}", per_anchor=False)
        speed.inproc_total_s.append(total)
        speed.inproc_browser_s.append(inside)
        for name in PHASES:
            speed.phases_s.setdefault(name, []).append(spent.get(name, 0.0))
        total, inside, spent = check_in_process(app_yaml, url, work / f"inproc-pa-{round_no}", per_anchor=True)
        speed.inproc_per_anchor_total_s.append(total)
        speed.inproc_per_anchor_browser_s.append(inside)
        speed.per_anchor_probe_s.append(spent.get("settled_probe", 0.0))
        print(f"  round {round_no}: CLI wall {wall:.2f} s, duration_ms {data['duration_ms']:.0f}; in-process "
              f"{speed.inproc_total_s[-1]:.2f} s ({speed.inproc_browser_s[-1]:.2f} s with the browser up); "
              f"one call per anchor {total:.2f} s ({inside:.2f} s)", flush=True)
    return speed


def print_guide(speed: GuideSpeed) -> None:
    """The 200-step guide table."""
    rows = [
        ("harness guides check (CLI), wall", speed.cli_wall_s),
        ("  guides.json duration_ms", speed.cli_duration_s),
        ("check() in-process, total", speed.inproc_total_s),
        ("  with the browser up", speed.inproc_browser_s),
        *((f"    {label}", speed.phases_s.get(name, [])) for name, label in PHASES.items()),
        ("check() one call per anchor, total", speed.inproc_per_anchor_total_s),
        ("  with the browser up", speed.inproc_per_anchor_browser_s),
        (f"    {PHASES['settled_probe']}", speed.per_anchor_probe_s),
    ]
    print(f"  {speed.steps} steps on one page; statuses {speed.statuses}; "
          f"baseline (CLI, once) {speed.baseline_wall_s:.2f} s")
    print(f"  {'':42s} {'median':>8s} {'min':>8s} {'max':>8s}")
    for label, values in rows:
        if values:
            print(f"  {label:42s} {median(values):6.2f} s {min(values):6.2f} s {max(values):6.2f} s")


# --- main --------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts and print their tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the timed parts (default 5)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma list of {', '.join(PARTS)} (default all)")
    parser.add_argument("--sizes", default="50,200,1000", help="anchors per generated page (default 50,200,1000)")
    parser.add_argument("--corpora", default="", help="comma list of the accuracy part's corpora (default all: "
                                                      "demo, django_admin, flask_admin, swagger_ui)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated apps and outputs here")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    from tests.support.servers import serve_folder

    report: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "load_average_at_start": os.getloadavg()},
        "rounds": args.rounds,
    }
    print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"rounds {args.rounds}; parts {', '.join(parts)}")
    with tempfile.TemporaryDirectory(prefix="bench-guides-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if "accuracy" in parts:
            print("\nAccuracy (real CLI: baseline on the old version, check on the new one)")
            found, notes = accuracy_part(work / "accuracy",
                                          [c.strip() for c in args.corpora.split(",") if c.strip()] or None)
            report["accuracy"] = [{**asdict(a), "recall": a.recall} for a in found]
            report["accuracy_notes"] = notes
        if "probe" in parts or "guide" in parts:
            site = work / "site"
            site.mkdir(exist_ok=True)
            for n in {*sizes, GUIDE_STEPS}:
                (site / f"page-{n}.html").write_text(bench_page(n)[0], encoding="utf-8")
            with serve_folder(site) as url:
                if "probe" in parts:
                    print(f"\nIn-page probe: one pass vs one round trip per anchor ({args.rounds} rounds, interleaved)")
                    speeds, version = probe_part(url, sizes, args.rounds)
                    report["chromium"] = version
                    report["probe"] = [{**asdict(s), "single_anchors_per_s": s.rate("single"),
                                        "per_anchor_anchors_per_s": s.rate("per_anchor"),
                                        "ratio": s.rate("single") / s.rate("per_anchor")} for s in speeds]
                if "guide" in parts:
                    print(f"\nA {GUIDE_STEPS}-step guide on one page, checked end to end ({args.rounds} rounds)")
                    report["guide"] = asdict(guide_part(work / "guide", url, args.rounds))
        report["machine"]["load_average_at_end"] = os.getloadavg()

    print("\n=== Results ===")
    if "accuracy" in report:
        print("\nAccuracy")
        print_accuracy([Accuracy(**{k: v for k, v in a.items() if k != "recall"}) for a in report["accuracy"]])
        for note in report.get("accuracy_notes", []):
            print(f"  {note}")
    if "probe" in report:
        print(f"\nIn-page probe (median of {args.rounds} rounds, Chromium {report.get('chromium')})")
        print_probe([ProbeSpeed(p["anchors"], p["single_s"], p["per_anchor_s"]) for p in report["probe"]])
    if "guide" in report:
        print(f"\n{GUIDE_STEPS}-step guide on one page")
        print_guide(GuideSpeed(**report["guide"]))
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in report['machine']['load_average_at_end'])}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
        print(f"figures: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
