"""Journeys heal like guides, end to end on the demo: v1 passes, v2 fails, and the failed steps carry repairs.

The v2 run of the session (``demo_v2_run``) runs after v1's run in its history: v1's passing steps left
the fingerprints of their UI-map targets, and v2's failed steps are repaired against them. Every line of
``journey_repairs`` and ``after_fixes`` in ``harness/demo/changes.yaml`` is checked here: the suggested
selector selects the answer key's element on the live v2 app; ``harness repair --write-fixes`` writes a
patch that ``git apply`` takes; v2 with the patch fails only where a selector cannot help.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from harness.contracts.records import StepRecord
from harness.demo import DemoServer, load_changes
from harness.spec.profile import load_profile
from tests.support import ROOT, SECRETS
from tests.support.builds import Run
from tests.support.cli import cli, env_with_secrets
from tests.support.run_folders import records, run_info

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo-repair")]
CHANGES = load_changes()


def _failed(run: Path) -> dict[tuple[str, str, str], StepRecord]:
    return {(Path(r.feature_file).name, r.scenario, r.text): r for r in records(run)
            if r.status in ("failed", "healed")}


@pytest.fixture(scope="module")
def v2_url() -> Iterator[str]:
    """The demo v2 app."""
    with DemoServer(version=2, port=0) as server:
        yield server.url


@pytest.fixture(scope="module")
def v2_page(browser: Browser, v2_url: str) -> Iterator[Page]:
    """The demo v2 app, signed in as the employee."""
    context = browser.new_context(base_url=v2_url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "alice")
    page.fill("#password", "alice-demo-pw")
    page.click("#signin-btn")
    page.wait_for_url("**/home")
    yield page
    context.close()


def _selects_the_element(page: Page, path: str, selector: str, element: str) -> bool:
    page.goto(path)
    found, wanted = page.locator(selector).element_handles(), page.locator(element).element_handles()
    return len(found) == 1 and len(wanted) == 1 and bool(found[0].evaluate("(a, b) => a === b", wanted[0]))


@pytest.mark.parametrize("key", CHANGES["journey_repairs"], ids=lambda k: f"{k['feature']}:{k['step']}")
def test_v2_failed_step_carries_the_answer_keys_repair(demo_v1_run: Run, demo_v2_run: Run, v2_page: Page,
                                                       key: dict[str, Any]) -> None:
    record = _failed(demo_v2_run.out)[(key["feature"], key["scenario"], key["step"])]
    repair = record.repair
    assert record.status == "failed" and repair is not None, record
    assert (repair.target, repair.cause) == (key["target"], key["cause"])
    if key["element"] is None:
        assert repair.suggestion is None and repair.note, repair
        return
    suggestion = repair.suggestion
    assert suggestion is not None and repair.repairable, repair.note
    assert repair.baseline_run == run_info(demo_v1_run.out).run_id  # the last run where the target passed
    assert suggestion.score and suggestion.score >= 0.5 and suggestion.reasons
    assert any(d["field"] == "id" and d["new"] == key["element"].lstrip("#") for d in repair.diff), repair.diff
    page = next(c["page"] for c in CHANGES["changes"] for e in c["ui_map"] if e["target"] == key["target"])
    assert _selects_the_element(v2_page, page, suggestion.target, key["element"]), suggestion


@pytest.mark.parametrize("key", CHANGES["fallback_repairs"], ids=lambda k: k["target"])
def test_v2_a_fallback_that_carried_a_step_gets_its_element_as_the_new_selector(
        demo_v2_run: Run, browser: Browser, v2_url: str, key: dict[str, Any]) -> None:
    carried = [r for r in records(demo_v2_run.out) if r.repair is not None and r.repair.cause == key["cause"]]
    assert carried and all(r.status == "passed" and r.fallback_used and r.target == key["target"] for r in carried)
    suggestions = {r.repair.suggestion.target if r.repair and r.repair.suggestion else None for r in carried}
    assert len(suggestions) == 1 and None not in suggestions, suggestions  # one element, one selector
    suggestion = carried[0].repair.suggestion if carried[0].repair else None
    assert suggestion is not None
    context = browser.new_context(base_url=v2_url)  # signed out: the sign-in page
    try:
        assert _selects_the_element(context.new_page(), key["page"], suggestion.target, key["element"]), suggestion
    finally:
        context.close()


def test_v2_notes_say_why_no_selector_helps(demo_v2_run: Run) -> None:
    failed = _failed(demo_v2_run.out)
    notes = {key["cause"]: failed[(key["feature"], key["scenario"], key["step"])].repair
             for key in CHANGES["journey_repairs"] if key["element"] is None}
    assert "cookie-banner" in notes["covered"].note and "covers" in notes["covered"].note
    assert "menu" in notes["hidden"].note and "Actions" in notes["hidden"].note  # the closest element, named
    assert notes["text_not_found"].target is None and "not on finding" in notes["text_not_found"].note


def test_v1_passing_steps_left_the_targets_fingerprints(demo_v1_run: Run) -> None:
    targets = json.loads((demo_v1_run.out / "targets.json").read_text())["targets"]
    used = {e["target"] for c in CHANGES["changes"] for e in c["ui_map"]}
    assert used <= set(targets), used - set(targets)
    description = targets["expense.description"]
    assert description["fingerprint"]["id"] == "description" and description["selector"] == "#description"
    assert all(r.fingerprints == {} for r in records(demo_v1_run.out) if r.status != "passed")


@pytest.fixture(scope="module")
def fixes(demo_v2_run: Run, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``harness repair --write-fixes`` on a copy of the v2 run, and a copy of the project (a git repository)."""
    base = tmp_path_factory.mktemp("repair")
    run = base / "run"
    shutil.copytree(demo_v2_run.out, run)
    done = cli("repair", run, "--write-fixes")
    assert done.returncode == 0, done.stdout + done.stderr
    project = base / "project"
    for part in ("features/demo", "journeys/demo"):
        shutil.copytree(ROOT / part, project / part)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"]):
        subprocess.run(["git", *args], cwd=project, check=True)
    return run / "ui-map-fixes.patch", project


def test_fixes_patch_changes_only_the_renamed_targets_selector(fixes: tuple[Path, Path]) -> None:
    patch, project = fixes
    text = patch.read_text()
    removed = [line for line in text.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in text.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert sorted(removed) == ['-    selector: "#login-button"', '-  expense.description: "#description"'], text
    assert len(added) == 2 and sum(a.startswith("+  expense.description: ") for a in added) == 1, text
    assert not any("#description" in a or "#login-button" in a for a in added), text
    subprocess.run(["git", "apply", "--check", str(patch)], cwd=project, check=True)


def test_after_git_apply_v2_fails_only_where_no_selector_helps(fixes: tuple[Path, Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    patch, project = fixes
    for name, value in SECRETS.items():  # the app's users have the passwords the harness is given
        monkeypatch.setenv(name, value)
    subprocess.run(["git", "apply", str(patch)], cwd=project, check=True)
    profile = load_profile(project / "journeys" / "demo" / "app.yaml")
    assert set(CHANGES["after_fixes"]["changed_targets"]) == {"expense.description", "login.submit"}
    assert profile.targets["expense.description"].selectors[0] != "#description"
    assert profile.targets["login.submit"].selectors == ("#signin-btn", "form#login-form button[type=submit]") \
        or profile.targets["login.submit"].selectors[0] != "#login-button"
    out = project / "reports" / "after"
    # the journeys the patch changes: every @expenses one signs in (login.submit) and two fill the renamed field
    tagged = {f.name for f in (project / "features" / "demo").glob("*.feature") if "@expenses" in f.read_text()}
    with DemoServer(version=2, port=0) as server:
        done = subprocess.run([sys.executable, "-m", "harness.cli", "run", "features/demo", "--app", "demo",
                               "--base-url", server.url, "--tags", "@expenses", "--out", str(out), "--history", "off",
                               "--workers", "2", "--step-timeout", "4000", "--no-a11y", "--no-probes"],
                              cwd=project, capture_output=True, text=True, timeout=300, env=env_with_secrets())
    assert done.returncode == 1, done.stdout + done.stderr
    assert {Path(r.feature_file).name for r in records(out)} == tagged and len(tagged) == 3
    failing = {(Path(r.feature_file).name, r.scenario): r.text for r in records(out) if r.status == "failed"}
    expected = {(f["feature"], f["scenario"]): f["failing_step"] for f in CHANGES["after_fixes"]["failing"]
                if f["feature"] in tagged}
    assert failing == expected and len(expected) == 3
    used = [r for r in records(out) if "expense.description" in r.fingerprints]  # passed steps that filled it
    assert len(used) == 2 and all(r.status == "passed" for r in used)
    assert all(r.fingerprints["expense.description"]["id"] == "purpose" for r in used)
    signed_in = [r for r in records(out) if "login.submit" in r.fingerprints]
    assert signed_in and all(r.fingerprints["login.submit"]["selector"] == profile.targets["login.submit"].selectors[0]
                             for r in signed_in)  # the repaired selector, no fallback any more
