"""Journeys on a real vendor update: the Django admin's journeys, written against 4.2 LTS, replayed on 5.2 LTS.

The features in ``tests/fixtures/django_admin/features`` (sign in, search, filter, add, change, delete,
log out) and their UI-map targets in the fixture's ``app.yaml`` were written against 4.2;
``journeys_expected.yaml`` is the answer key of what 5.2 does to each target and scenario. The module
proves it three ways:

- the key itself: it names every target and scenario of the journeys, and says for each broken target
  where it is checked, what a repair must select (or why nothing can) and whether it is repairable;
- the real ``harness run`` on 4.2 then on 5.2, with one history folder (4.2 first: the module-scoped
  ``run_4_2`` and ``run_5_2`` fixtures hold their run folders): every scenario passes on 4.2, and 5.2
  fails exactly the key's scenarios, at its step, target and error_kind, with the later steps not run;
- the live 5.2 pages, in Chromium, without the harness: each ``expected_element`` is one visible
  element, a missing target matches nothing, and every target the 5.2 run never reaches works.

The servers are the worker's (``django_sites``, one per version and worker). The module has an xdist group
of its own, so it runs beside the guides test rather than after it; on a worker that runs both, the
journeys only add books of their own and change the notes of one sample book no guide reads.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from harness.spec.yamlfile import load_yaml
from tests.support import ROOT
from tests.support.cli import Done, harness
from tests.support.django_admin import (
    SESSION_PASSWORD,
    USERNAME,
    DjangoSites,
    admin_password,
    harness_env,
)
from tests.support.guide_corpus import report, same_element
from tests.support.run_folders import folder_text

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("django-journeys"), pytest.mark.timeout(900)]

FIXTURE = ROOT / "tests" / "fixtures" / "django_admin"
FEATURES = FIXTURE / "features"
BASELINE, CHECKED = "4.2", "5.2"
#: The login steps (``I log in as``, ``I am logged in as``) use the login section's targets.
LOGIN_TARGETS = ("login.username", "login.password", "login.submit")
QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True, slots=True)
class JourneyRun:
    """One ``harness run`` of the journeys.

    Attributes:
        out: The run folder.
        done: What the command did.
    """

    out: Path
    done: Done

    @property
    def records(self) -> list[dict[str, Any]]:
        """The step records of ``steps.jsonl``."""
        lines = (self.out / "steps.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def scenario_steps(self) -> dict[str, list[dict[str, Any]]]:
        """Each scenario's step records, by step index."""
        found: dict[str, list[dict[str, Any]]] = {}
        for record in sorted(self.records, key=lambda r: (r["scenario"], r["step_index"])):
            found.setdefault(record["scenario"], []).append(record)
        return found

    def output(self) -> str:
        return f"exit {self.done.returncode}\n{self.done.stdout[-3000:]}\n{self.done.stderr[-3000:]}"


def journey_run(sites: DjangoSites, version: str, out: Path, history: Path, env: dict[str, str]) -> JourneyRun:
    """``harness run`` of the fixture's journeys against the admin served with Django ``version``.

    One browser: the test site's SQLite answers "database is locked" (HTTP 500) to a write that meets
    another scenario's (a clean-clone run lost a deletion so, on 4.2).
    """
    done = harness("run", FEATURES, "--app", FIXTURE / "app.yaml", "--base-url", sites.url(version),
                   "--out", out, "--history", history, "--app-version", version, "--workers", "1",
                   "--no-a11y", "--no-probes", env=env)
    return JourneyRun(out, done)


def ui_map() -> dict[str, Any]:
    return dict(load_yaml(FIXTURE / "app.yaml")["targets"])


def feature_targets() -> set[str]:
    """The UI-map targets the features' steps name (and the login form's, which the login steps use)."""
    names = set(ui_map())
    used = set(LOGIN_TARGETS)
    for feature in FEATURES.glob("*.feature"):
        for line in feature.read_text(encoding="utf-8").splitlines():
            used.update(q for q in QUOTED.findall(line) if q in names)
    return used


def feature_scenarios() -> set[str]:
    return {line.split(":", 1)[1].strip() for feature in FEATURES.glob("*.feature")
            for line in feature.read_text(encoding="utf-8").splitlines() if line.strip().startswith("Scenario:")}


def log_in(context: BrowserContext, user: str = USERNAME) -> None:
    """Log a browser context in through the admin's login form."""
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", admin_password())
    page.click('#login-form input[type="submit"]')
    page.get_by_role("heading", name="Site administration").wait_for()
    page.close()


class Pages52:
    """Live 5.2 pages as the admin: each (path, selector clicked first) opened once."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=base_url)
        log_in(self.context)
        self.pages: dict[tuple[str, str | None], Page] = {}

    def open(self, path: str, first: str | None = None) -> Page:
        if (path, first) not in self.pages:
            page = self.context.new_page()
            page.goto(path, wait_until="load")
            if first is not None:
                page.locator(first).click()
                page.wait_for_timeout(200)  # a <details> opens at once; no animation to wait for
            self.pages[path, first] = page
        return self.pages[path, first]


def visible_count(page: Page, selector: str) -> tuple[int, int]:
    """How many elements a selector matches, and how many of them are visible."""
    loc = page.locator(selector)
    count = loc.count()
    return count, sum(loc.nth(i).is_visible() for i in range(count))


# --- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def key() -> dict[str, Any]:
    """The answer key."""
    return dict(load_yaml(FIXTURE / "journeys_expected.yaml"))


@pytest.fixture(scope="module")
def secret_env(django_sites: DjangoSites) -> dict[str, str]:
    """The harness's environment: the servers' non-default admin password (``$DJANGO_ADMIN_PASSWORD``)."""
    return harness_env()


@pytest.fixture(scope="module")
def journeys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's folder: the two run folders and their shared history."""
    return tmp_path_factory.mktemp("django-journeys")


@pytest.fixture(scope="module")
def run_4_2(django_sites: DjangoSites, secret_env: dict[str, str], journeys_dir: Path) -> JourneyRun:
    """The journeys on 4.2, registered in the module's history (the 5.2 run's repairs come from its steps)."""
    return journey_run(django_sites, BASELINE, journeys_dir / "run-4.2", journeys_dir / "history", secret_env)


@pytest.fixture(scope="module")
def run_5_2(run_4_2: JourneyRun, django_sites: DjangoSites, secret_env: dict[str, str],
            journeys_dir: Path) -> JourneyRun:
    """The journeys on 5.2, after the 4.2 run, with the same history."""
    return journey_run(django_sites, CHECKED, journeys_dir / "run-5.2", journeys_dir / "history", secret_env)


@pytest.fixture(scope="module")
def pages_5_2(django_sites: DjangoSites, browser: Browser) -> Iterator[Pages52]:
    """Live 5.2 pages, logged in as the admin."""
    pages = Pages52(browser, django_sites.url(CHECKED))
    try:
        yield pages
    finally:
        with contextlib.suppress(Exception):
            pages.context.close()


# --- the answer key itself --------------------------------------------------------------
def test_the_answer_key_covers_every_target_and_scenario_of_the_journeys(key: dict[str, Any]) -> None:
    targets: dict[str, Any] = key["targets"]
    assert set(targets) == feature_targets()
    assert set(key["scenarios"]) == feature_scenarios()
    wrong: dict[str, str] = {}
    for name, entry in targets.items():
        if entry[BASELINE] != "ok":
            wrong[name] = f"not ok on {BASELINE}: the journeys were written there"
        if entry[CHECKED] == "ok":
            if "expected_element" in entry or "repairable" in entry:
                wrong[name] = "an ok target needs no repair"
            continue
        missing = {"page", "expected_element", "repairable", "why"} - set(entry)
        if missing:
            wrong[name] = f"a broken target needs {sorted(missing)}"
        elif entry["expected_element"] is None and entry["repairable"]:
            wrong[name] = "repairable, yet no element to repair it with"
    for name, scenario in key["scenarios"].items():
        if not (FEATURES / scenario["feature"]).is_file():
            wrong[name] = f"no feature {scenario['feature']}"
        if scenario[BASELINE] != "passed":
            wrong[name] = f"not passed on {BASELINE}"
        failure = scenario.get("first_failure")
        if (scenario[CHECKED] == "failed") != (failure is not None):
            wrong[name] = "a failed scenario, and only one, has a first failure"
        elif failure is not None:
            if targets[failure["target"]][CHECKED] != failure["error_kind"]:
                wrong[name] = f"its failure's target is {targets[failure['target']][CHECKED]} in the key's targets"
            unknown = set(scenario["after_failure"]) - set(targets)
            if unknown:
                wrong[name] = f"meets unknown targets after its failure: {sorted(unknown)}"
    assert not wrong, report(wrong)
    broken = [entry for entry in targets.values() if entry[CHECKED] != "ok"]
    assert len(targets) >= 25 and len(broken) >= 3
    assert sum(1 for s in key["scenarios"].values() if s[CHECKED] == "failed") >= 3


# --- the harness runs ---------------------------------------------------------------------
def test_on_4_2_every_scenario_passes_and_every_target_is_used(run_4_2: JourneyRun, key: dict[str, Any]) -> None:
    assert run_4_2.done.returncode == 0, run_4_2.output()
    run = json.loads((run_4_2.out / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == "complete", run_4_2.output()
    totals = run["totals"]
    assert totals["scenarios"] == totals["scenarios_passed"] == len(key["scenarios"]), totals
    records = run_4_2.records
    assert records and all(r["status"] == "passed" for r in records), run_4_2.output()
    assert set(run_4_2.scenario_steps()) == set(key["scenarios"])
    used = {r["target"] for r in records}
    assert set(key["targets"]) <= used | set(LOGIN_TARGETS), sorted(set(key["targets"]) - used)


def test_on_5_2_the_run_fails_exactly_the_key_s_scenarios_at_its_step_target_and_kind(
        run_5_2: JourneyRun, key: dict[str, Any]) -> None:
    assert run_5_2.done.returncode == 1, run_5_2.output()
    run = json.loads((run_5_2.out / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == "complete", run_5_2.output()
    steps = run_5_2.scenario_steps()
    assert set(steps) == set(key["scenarios"])
    wrong: dict[str, str] = {}
    for name, scenario in key["scenarios"].items():
        records = steps[name]
        failed = [r for r in records if r["status"] == "failed"]
        failure = scenario.get("first_failure")
        if failure is None:
            if failed or any(r["status"] != "passed" for r in records):
                wrong[name] = f"expected to pass; {[(r['step_index'], r['status'], r['error']) for r in failed]}"
            continue
        if len(failed) != 1:
            wrong[name] = f"expected one failed step, got {len(failed)}"
            continue
        got = failed[0]
        seen = {"step_index": got["step_index"], "step": got["text"], "target": got["target"],
                "error_kind": got["error_kind"]}
        if seen != failure:
            wrong[name] = f"failed at {seen}, expected {failure} ({got['error']})"
        before = [r["status"] for r in records if r["step_index"] < failure["step_index"]]
        after = [r["status"] for r in records if r["step_index"] > failure["step_index"]]
        if set(before) - {"passed"} or set(after) - {"not_run"}:
            wrong[name] = f"steps before {before}, after {after}"
    assert not wrong, report(wrong)
    outcomes = {name: s[CHECKED] for name, s in key["scenarios"].items()}
    assert run["totals"]["scenarios_failed"] == list(outcomes.values()).count("failed")


def test_on_5_2_every_target_after_a_failure_is_what_the_scenario_would_meet(key: dict[str, Any]) -> None:
    """after_failure lists the UI-map targets of a failed scenario's steps after its first failure, in order."""
    names = set(ui_map())
    wrong: dict[str, str] = {}
    for name, scenario in key["scenarios"].items():
        failure = scenario.get("first_failure")
        if failure is None:
            continue
        lines = [line.strip() for line in (FEATURES / scenario["feature"]).read_text(encoding="utf-8").splitlines()]
        start = lines.index(f"Scenario: {name}")
        steps = []
        for line in lines[start + 1:]:
            if line.startswith(("Scenario", "@")):
                break
            if line.split(" ", 1)[0] in ("Given", "When", "Then", "And", "But"):
                steps.append(line.split(" ", 1)[1])
        if steps[failure["step_index"]] != failure["step"]:
            wrong[name] = f"step {failure['step_index']} is {steps[failure['step_index']]!r}"
            continue
        after: list[str] = []
        for step in steps[failure["step_index"] + 1:]:
            after += [q for q in QUOTED.findall(step) if q in names and q not in after]
        if after != scenario["after_failure"]:
            wrong[name] = f"meets {after} after its failure, the key says {scenario['after_failure']}"
    assert not wrong, report(wrong)


# --- the live 5.2 pages --------------------------------------------------------------------
def test_on_5_2_every_expected_element_is_one_visible_element_and_every_broken_target_is_as_the_key_says(
        key: dict[str, Any], pages_5_2: Pages52) -> None:
    selectors = ui_map()
    wrong: dict[str, str] = {}
    for name, entry in key["targets"].items():
        if entry[CHECKED] == "ok":
            continue
        page = pages_5_2.open(entry["page"], entry.get("open"))
        target = selectors[name]["selector"] if isinstance(selectors[name], dict) else selectors[name]
        expected = entry["expected_element"]
        if expected is not None and visible_count(page, expected) != (1, 1):
            wrong[name] = f"expected_element {expected!r}: (matches, visible) {visible_count(page, expected)}"
        elif entry[CHECKED] == "missing" and page.locator(target).count():
            wrong[name] = f"{target!r} still matches on {entry['page']}"
        elif entry[CHECKED] == "text_changed" and not same_element(page, target, expected):
            wrong[name] = f"{target!r} no longer selects {expected!r}: the element moved, not only its text"
    assert not wrong, report(wrong)


def test_on_5_2_every_ok_target_works_in_the_run_or_on_its_live_page(
        key: dict[str, Any], run_5_2: JourneyRun, pages_5_2: Pages52) -> None:
    passed = {r["target"] for r in run_5_2.records if r["status"] == "passed"} | set(LOGIN_TARGETS)
    selectors = ui_map()
    wrong: dict[str, str] = {}
    for name, entry in key["targets"].items():
        if entry[CHECKED] != "ok" or (name in passed and "page" not in entry):
            continue
        if "page" not in entry:
            wrong[name] = "ok on 5.2, yet no step of the 5.2 run passed on it and the key gives no page to check it"
            continue
        page = pages_5_2.open(entry["page"], entry.get("open"))
        target = selectors[name]["selector"] if isinstance(selectors[name], dict) else selectors[name]
        if visible_count(page, target) != (1, 1):
            wrong[name] = f"{target!r} on {entry['page']}: (matches, visible) {visible_count(page, target)}"
    assert not wrong, report(wrong)


def test_no_output_holds_the_admin_password(run_4_2: JourneyRun, run_5_2: JourneyRun) -> None:
    for run in (run_4_2, run_5_2):
        assert SESSION_PASSWORD not in folder_text(run.out), run.out
        assert SESSION_PASSWORD not in run.done.stdout + run.done.stderr


# --- the repairs of the 5.2 run (issue 18) ---------------------------------------------------
def test_on_5_2_each_failed_step_carries_its_repair_right_or_none_and_never_wrong(
        key: dict[str, Any], run_4_2: JourneyRun, run_5_2: JourneyRun, pages_5_2: Pages52) -> None:
    """Every step the 5.2 run failed on a broken target carries a repair against the 4.2 run's fingerprint.

    A repairable target's suggestion must select its expected element on the live 5.2 page (right), or be
    absent with a note (none); a suggestion selecting anything else is wrong. A target that is not
    repairable (its words changed, not its place) gets no suggestion, and its note says why.
    """
    baseline_run = json.loads((run_4_2.out / "run.json").read_text())["run_id"]
    figures = {"right": 0, "wrong": 0, "none": 0}
    wrong: dict[str, str] = {}
    failed = [r for r in run_5_2.records if r["status"] == "failed"]
    assert failed
    for record in failed:
        name, repair = record["target"], record.get("repair")
        entry = key["targets"][name]
        assert repair is not None and repair["target"] == name and repair["cause"] == entry[CHECKED], record
        if not entry.get("repairable"):
            if repair.get("suggestion") is not None:
                wrong[name] = f"not repairable, yet {repair['suggestion']['target']!r} was suggested"
            assert repair["note"], repair
            continue
        assert repair["baseline_run"] == baseline_run, repair
        suggestion = repair.get("suggestion")
        if suggestion is None:
            figures["none"] += 1
            assert repair["note"], repair
            continue
        page = pages_5_2.open(entry["page"], entry.get("open"))
        if same_element(page, suggestion["target"], entry["expected_element"]):
            figures["right"] += 1
        else:
            figures["wrong"] += 1
            wrong[name] = f"{suggestion['target']!r} does not select {entry['expected_element']!r}"
    assert not wrong, report(wrong)
    print(f"django 4.2 -> 5.2 journey repairs: {figures}")  # the figures bench/README.md gives
    assert figures["right"] >= 1 and figures["wrong"] == 0, figures


def test_on_5_2_heal_passes_the_filter_journey_flaky_healed_and_the_patch_makes_it_pass(
        key: dict[str, Any], run_5_2: JourneyRun, django_sites: DjangoSites, secret_env: dict[str, str],
        journeys_dir: Path, tmp_path: Path) -> None:
    """``--heal`` goes on with the suggestion (the step healed, the scenario flaky-healed, exit 0); the UI-map
    patch of the 5.2 run, applied with ``git apply``, makes the journey pass without healing."""
    feature = FEATURES / "filter_books.feature"
    scenario = "Filter books by genre, then clear all filters"
    assert key["scenarios"][scenario][CHECKED] == "failed"
    healed = harness("run", feature, "--app", FIXTURE / "app.yaml", "--base-url", django_sites.url(CHECKED),
                     "--out", tmp_path / "healed", "--history", journeys_dir / "history", "--heal",
                     "--no-a11y", "--no-probes",
                     env=secret_env)
    assert healed.returncode == 0, healed.stdout + healed.stderr
    run = JourneyRun(tmp_path / "healed", healed)
    statuses = [r["status"] for r in sorted(run.records, key=lambda r: r["step_index"])]
    assert statuses.count("healed") == 1 and set(statuses) == {"passed", "healed"}, statuses
    step = next(r for r in run.records if r["status"] == "healed")
    assert step["target"] == "books.clear_filters" and step["repair"]["healed"] is True
    totals = json.loads((run.out / "run.json").read_text())["totals"]
    assert (totals["scenarios_flaky"], totals["scenarios_healed"], totals["steps_healed"]) == (1, 1, 1), totals
    assert "healed" in (run.out / "summary.md").read_text().lower()
    # the patch from the plain 5.2 run, applied to a copy of the fixture's UI map
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project / "tests" / "fixtures" / "django_admin")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "4.2"]):
        subprocess.run(["git", *args], cwd=project, check=True)
    copy = tmp_path / "run-5.2"
    shutil.copytree(run_5_2.out, copy)
    fixes = harness("repair", copy, "--write-fixes", "--app", project / "tests/fixtures/django_admin/app.yaml")
    assert fixes.returncode == 0, fixes.stdout + fixes.stderr
    patch = (copy / "ui-map-fixes.patch").read_text()
    changed = [line for line in patch.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert changed == ['-    selector: "#changelist-filter-clear a"'], patch
    where = project / "tests" / "fixtures" / "django_admin"  # the patch's paths start at the profile's project root
    applied = subprocess.run(["git", "apply", copy / "ui-map-fixes.patch"], cwd=where, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr + patch
    patched = harness("run", where / "features" / "filter_books.feature", "--app", where / "app.yaml",
                      "--base-url", django_sites.url(CHECKED), "--out", tmp_path / "patched", "--history", "off",
                      "--no-a11y", "--no-probes", env=secret_env)
    assert patched.returncode == 0, patched.stdout + patched.stderr
