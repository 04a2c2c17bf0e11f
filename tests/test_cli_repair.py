"""``harness repair RUN``: a run's UI-map repairs shown, and written as a patch that git applies (no browser)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from harness.contracts.records import StepRecord
from harness.contracts.settings import SETTINGS_FILE, RunSettings
from harness.contracts.targets import FIXES_PATCH
from harness.runfolder.settings import write_settings
from harness.spec.profile import load_profile
from tests.support import ROOT
from tests.support.cli import cli
from tests.support.step_records import rec, run_folder

DEMO = ROOT / "journeys" / "demo" / "app.yaml"


def step(target: str, old: str, new: str | None, index: int = 0, *, status: str = "failed", cause: str = "missing",
         note: str = "", scenario: str = "Submit an expense", score: float = 0.87) -> StepRecord:
    """A step record of the demo app whose UI-map ``target`` was repaired to ``new`` (None: no suggestion)."""
    suggestion = {"target": new, "score": score, "reasons": ["same text 'Sign in'", "same tag button"]} if new else None
    return rec(index, status, scenario=scenario, target=target, selector=old, repair={
        "target": target, "selector": old, "cause": cause, "repairable": cause in ("missing", "ambiguous"),
        "suggestion": suggestion, "note": note, "healed": status == "healed"})


RECORDS = [
    step("login.submit", "#login-button", "#sign-in", 0),
    step("login.submit", "#login-button", "#sign-in", 0, scenario="Approve an expense", status="healed", score=0.8),
    step("expenses.export", "#export-csv", None, 1, note="nothing on the page scored 0.5 or more"),
    step("expense.amount", "#amount", "#amount-input", 2, cause="covered", note="covered by div#cookie-banner"),
    rec(3, "failed", target="expense.date", selector="#date", error="Timeout 10000 ms exceeded"),
    rec(5, "failed", target="Total", repair={"cause": "assertion", "note": "the page shows 'Sum', not 'Total'"}),
    step("approvals.approve", "#approvals tbody tr:first-child .approve", "#approve-1", 4, cause="ambiguous"),
    step("approvals.approve", "#approvals tbody tr:first-child .approve", "#approve-2", 4, scenario="Other"),
]


def project(tmp_path: Path, records: list[StepRecord], settings: bool = True) -> tuple[Path, Path]:
    """A git repository with a copy of the demo's app.yaml, and a run folder of ``records`` inside it."""
    repo = tmp_path / "proj"
    (repo / "journeys" / "demo").mkdir(parents=True)
    shutil.copy(DEMO, repo / "journeys" / "demo" / "app.yaml")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    run = run_folder(repo / "reports" / "run-1", records, app="demo",
                     features=[] if settings else [str(repo / "journeys" / "demo")])
    if settings:
        write_settings(run / SETTINGS_FILE, RunSettings(app="demo", root=repo))
    return repo, run


def test_repair_prints_each_target_and_writes_a_patch_git_applies(tmp_path: Path) -> None:
    repo, run = project(tmp_path, RECORDS)
    shown = cli("repair", run, cwd=tmp_path)  # the run's settings say where the project is
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert "login.submit: missing in 2 steps of 2 scenarios, 1 healed" in text
    assert "#login-button  →  #sign-in   score 0.87" in text
    assert "why: same text 'Sign in', same tag button" in text
    assert "in the patch (journeys/demo/app.yaml:35)" in text
    assert "approvals.approve: ambiguous, missing in 2 steps of 2 scenarios" in text
    assert "#approve-1   score 0.87 (1 step)" in text and "#approve-2   score 0.87 (1 step)" in text
    assert "left out of the patch: its steps disagree on the repair" in text
    assert "expenses.export (missing, 1 step): nothing on the page scored 0.5 or more" in text
    assert "expense.amount (covered, 1 step): covered by div#cookie-banner" in text
    assert "expense.date" not in text  # a failed step without a repair
    assert "no UI-map target (assertion, 1 step): the page shows 'Sum', not 'Total'" in text
    assert "write the patch with --write-fixes" in text
    assert not (run / FIXES_PATCH).exists()

    written = cli("repair", run, "--write-fixes", "--keep-old", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    patch = run / FIXES_PATCH
    assert f"Patch (1 target): {patch}" in written.stdout
    assert f"cd {repo} && git apply {patch.resolve()}" in written.stdout
    assert "the old selector kept as its first fallback" in written.stdout
    assert patch.read_text().startswith("--- a/journeys/demo/app.yaml\n+++ b/journeys/demo/app.yaml\n")
    check = subprocess.run(["git", "apply", "--check", str(patch)], cwd=repo, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    subprocess.run(["git", "apply", str(patch)], cwd=repo, check=True)
    targets = load_profile(repo / "journeys" / "demo" / "app.yaml").targets
    assert targets["login.submit"].selectors == ["#sign-in", "#login-button", "form#login-form button[type=submit]"]
    assert targets["approvals.approve"].selector == "#approvals tbody tr:first-child .approve"
    assert targets["expense.amount"].selector == "#amount"


def test_without_settings_the_profile_is_found_beside_the_features(tmp_path: Path) -> None:
    repo, run = project(tmp_path, RECORDS[:1], settings=False)
    done = cli("repair", run, "--write-fixes", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    subprocess.run(["git", "apply", str(run / FIXES_PATCH)], cwd=repo, check=True)
    targets = load_profile(repo / "journeys" / "demo" / "app.yaml").targets
    assert targets["login.submit"].selectors == ["#sign-in", "form#login-form button[type=submit]"]


def test_nothing_to_repair_says_so_and_removes_an_old_patch(tmp_path: Path) -> None:
    _, run = project(tmp_path, [rec(0, "passed"), rec(1, "failed", target="expense.date", error="Timeout")])
    (run / FIXES_PATCH).write_text("an old patch\n")
    done = cli("repair", run, "--write-fixes", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Nothing to repair: no failed step of" in done.stdout
    assert not (run / FIXES_PATCH).exists()


def test_bad_input_is_one_clear_message_and_exit_2(tmp_path: Path) -> None:
    not_a_run = cli("repair", tmp_path, cwd=tmp_path)
    assert not_a_run.returncode == 2 and "not a run folder (no run.json)" in not_a_run.stderr
    empty = run_folder(tmp_path / "empty", [], app="demo")
    no_records = cli("repair", empty, cwd=tmp_path)
    assert no_records.returncode == 2 and "the run recorded no step" in no_records.stderr
    lost = run_folder(tmp_path / "lost", RECORDS, app="nowhere-app")
    no_profile = cli("repair", lost, cwd=tmp_path)
    assert no_profile.returncode == 2 and "no app profile for the run's app 'nowhere-app'" in no_profile.stderr
    missing = cli("repair", lost, "--app", tmp_path / "missing.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "missing.yaml" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: demo\ntargets:\n  login.submit: [\n")
    invalid = cli("repair", lost, "--app", broken, cwd=tmp_path)
    assert invalid.returncode == 2 and "invalid YAML" in invalid.stderr
    for done in (not_a_run, no_records, no_profile, missing, invalid):
        assert "Traceback" not in done.stderr


def test_app_text_is_printed_harmless(tmp_path: Path) -> None:
    _, run = project(tmp_path, [step("login.submit", "#login-button", None, note="gone\x1b[2J\x07 away")])
    done = cli("repair", run, "--app", DEMO, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "gone\\x1b[2J\\x07 away" in done.stdout
