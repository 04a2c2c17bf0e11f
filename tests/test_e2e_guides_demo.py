"""Guide checks end to end on the demo app: baseline on v1, check on v2 against ``changes.yaml``.

Real Chromium, the real ``harness`` CLI, the real demo server. The answer key is the demo's
ground truth (``guides_on_v2`` in harness/demo/changes.yaml), written from the templates.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page

from harness.demo import load_changes
from tests.support import ROOT, SECRETS
from tests.support.cli import cli, harness
from tests.support.run_folders import folder_text
from tests.support.servers import demo_server

pytestmark = pytest.mark.xdist_group("guides-demo")

DEMO = ROOT / "journeys" / "demo"
USERS = {"employee": ("alice", SECRETS["DEMO_EMPLOYEE_PASSWORD"]),
         "manager": ("mario", SECRETS["DEMO_MANAGER_PASSWORD"])}


@pytest.fixture(scope="module")
def v1() -> Any:
    with demo_server(1) as server:
        yield server


@pytest.fixture(scope="module")
def v2() -> Any:
    with demo_server(2) as server:
        yield server


def _app_copy(tmp: Path, with_baseline: bool) -> Path:
    """A copy of the demo app folder (app.yaml + guides), with or without the committed baseline."""
    app = tmp / "demo"
    shutil.copytree(DEMO, app, ignore=None if with_baseline else shutil.ignore_patterns("baseline"))
    return app


def _check(app: Path, url: str, out: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = harness("guides", "check", "--app", str(app / "app.yaml"), "--base-url", url, "--out", str(out),
                   "--json", *extra)
    assert proc.returncode in (0, 1) and (out / "guides.json").is_file(), proc.stderr + proc.stdout
    return proc, json.loads((out / "guides.json").read_text())


def _steps(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(g["id"], s["id"]): s for g in data["guides"] for s in g["steps"]}


@pytest.fixture(scope="module")
def v2_check(v2: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    """The committed v1 baseline checked against v2 (once for the module)."""
    tmp = tmp_path_factory.mktemp("v2check")
    app = _app_copy(tmp, with_baseline=True)
    proc, data = _check(app, v2.url, tmp / "out", "--write-fixes")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout) == data
    return tmp, data, proc.stderr


@pytest.mark.e2e
def test_baseline_records_every_step_on_v1(v1: Any, tmp_path: Path) -> None:
    app = _app_copy(tmp_path, with_baseline=False)
    proc = harness("guides", "baseline", "--app", str(app / "app.yaml"), "--base-url", v1.url)
    assert proc.returncode == 0, proc.stderr
    guides = sorted(p.stem for p in (app / "guides").glob("*.yaml"))
    for guide in guides:
        data = json.loads((app / "guides" / "baseline" / f"{guide}.json").read_text())
        assert data["guide"] == guide and data["base_url"] == v1.url
        for step_id, entry in data["steps"].items():
            fp = entry["fingerprint"]
            assert fp["visible"] and fp["box"]["width"] > 0 and fp["path"][-1]["tag"] == fp["tag"]
            png = app / "guides" / "baseline" / entry["screenshot"]
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", (guide, step_id)
    submit = json.loads((app / "guides" / "baseline" / "sign-in.json").read_text())["steps"]["submit"]
    assert submit["fingerprint"]["id"] == "login-button" and submit["fingerprint"]["name"] == "Sign in"
    assert submit["fingerprint"]["role"] == "button"
    # no password reaches a baseline (screenshots mask password fields; fingerprints never read values of them)
    text = folder_text(app / "guides" / "baseline")
    assert not any(secret in text for secret in SECRETS.values())


@pytest.mark.e2e
def test_committed_baseline_holds_on_v1(v1: Any, tmp_path: Path) -> None:
    app = _app_copy(tmp_path, with_baseline=True)
    proc, data = _check(app, v1.url, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert data["status"] == "passed"
    assert {s["status"] for s in _steps(data).values()} == {"ok"}
    assert all(s["evidence"]["similarity"] is not None and s["evidence"]["similarity"] > 0.9
               for s in _steps(data).values())


@pytest.mark.e2e
def test_v2_verdicts_match_the_ground_truth(v2_check: tuple[Path, dict[str, Any], str]) -> None:
    _, data, _ = v2_check
    expected = {(e["guide"], e["step"]): e for e in load_changes()["guides_on_v2"]}
    got = {key: step["status"] for key, step in _steps(data).items()}
    want = {key: expected[key]["status"] if key in expected else "ok" for key in got}
    assert got == want
    assert set(expected) <= set(got)
    assert data["status"] == "failed"
    by_guide = {g["id"]: g["status"] for g in data["guides"]}
    assert by_guide == {"approvals": "broken", "expenses": "broken", "new-expense": "broken", "new-ticket": "broken",
                        "sign-in": "broken"}


def _login(page: Page, url: str, user: str) -> None:
    username, password = USERS[user]
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form#login-form button[type=submit]")
    page.wait_for_url("**/home")


@pytest.mark.e2e
def test_v2_suggestions_select_the_right_new_element(v2: Any, v2_check: tuple[Path, dict[str, Any], str],
                                                     browser: Browser) -> None:
    _, data, _ = v2_check
    steps = _steps(data)
    guides = {g["id"]: g for g in data["guides"]}
    users = {"sign-in": None, "expenses": "employee", "new-expense": "employee", "new-ticket": "employee",
             "approvals": "manager"}
    for expected in load_changes()["guides_on_v2"]:
        step = steps[(expected["guide"], expected["step"])]
        suggestion = step["suggestion"]
        if expected["element"] is None:
            assert suggestion is None, (expected, suggestion)
            continue
        assert suggestion is not None, expected
        assert 0 < suggestion["score"] <= 1 and suggestion["reasons"]
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        if users[expected["guide"]]:
            _login(page, v2.url, users[expected["guide"]])
        page.goto(step["url"])
        want = page.locator(expected["element"])
        got = page.locator(suggestion["target"])
        assert want.count() == 1 and got.count() == 1, (expected, suggestion)
        assert got.evaluate("(el, other) => el === other", want.element_handle()), (expected, suggestion)
        if suggestion.get("css"):
            assert page.evaluate("([a, b]) => document.querySelector(a) === document.querySelector(b)",
                                 [suggestion["css"], expected["element"]]), suggestion
        page.context.close()
    assert guides["sign-in"]["file"]


@pytest.mark.e2e
def test_v2_evidence(v2_check: tuple[Path, dict[str, Any], str]) -> None:
    tmp, data, _ = v2_check
    out = tmp / "out"
    steps = _steps(data)
    create = steps[("new-ticket", "create")]
    assert create["evidence"]["covered_by"]["id"] == "cookie-banner"
    assert create["match_count"] == 1 and create["evidence"]["box"]["width"] > 0
    heading = steps[("sign-in", "heading")]
    assert heading["evidence"]["expected_text"] == "Sign in to Spendly"
    assert heading["evidence"]["actual_text"] == "Welcome back"
    assert heading["suggestion"]["text"] == "Welcome back"
    missing = steps[("sign-in", "submit")]
    assert missing["match_count"] == 0 and missing["evidence"]["baseline_fingerprint"]["id"] == "login-button"
    for step in steps.values():
        if step["status"] == "ok":
            continue
        shot = out / step["evidence"]["screenshot"]
        base = out / step["evidence"]["baseline_screenshot"]
        assert shot.read_bytes()[:4] == b"\x89PNG" and base.read_bytes()[:4] == b"\x89PNG", step["id"]
    soup = BeautifulSoup((out / "report.html").read_text(), "html.parser")
    text = soup.get_text(" ")
    assert "#signin-btn" in text and "cookie-banner" in text
    assert not any(secret in folder_text(out) for secret in SECRETS.values())


@pytest.mark.e2e
def test_write_fixes_patch_repairs_the_guides(v2: Any, v2_check: tuple[Path, dict[str, Any], str]) -> None:
    tmp, data, _ = v2_check
    patch = (tmp / "out" / "guide-fixes.patch").read_text()
    submit = _steps(data)[("sign-in", "submit")]["suggestion"]["target"]
    added = [line for line in patch.splitlines() if line.startswith("+") and "target:" in line]
    # only the repaired steps' target: and text: lines change, nothing else of the files
    changed = [line for line in patch.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed and all(re.match(r"[+-]\s+(target|text): ", line) for line in changed), patch
    assert any(submit in line.replace("\\", "") or json.dumps(submit) in line for line in added), patch
    # nothing was changed in place
    assert (tmp / "demo" / "guides" / "sign-in.yaml").read_text() == (DEMO / "guides" / "sign-in.yaml").read_text()
    # the patch applies (paths are relative to the project folder, or absolute outside it), and after
    # it the repaired steps are ok on v2
    applied = subprocess.run(["git", "apply", "-v", str(tmp / "out" / "guide-fixes.patch")], cwd="/",
                             capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    proc, after = _check(tmp / "demo", v2.url, tmp / "out-fixed")
    statuses = {key: s["status"] for key, s in _steps(after).items()}
    for e in load_changes()["guides_on_v2"]:
        if e["element"] is not None:
            assert statuses[(e["guide"], e["step"])] == "ok", (e, statuses[(e["guide"], e["step"])])
    assert statuses[("new-ticket", "create")] == "covered" and statuses[("approvals", "approve")] == "hidden"
    assert proc.returncode == 1


@pytest.mark.e2e
def test_a_baseline_on_a_broken_version_records_the_ok_steps(v2: Any, tmp_path: Path) -> None:
    """One bad step does not block the others: the ok steps are recorded, the rest listed, exit 1."""
    app = _app_copy(tmp_path, with_baseline=False)
    # the sign-in guide alone (one page, one broken step among ok ones) keeps the test quick
    proc = harness("guides", "baseline", "--app", str(app / "app.yaml"), "--base-url", v2.url, "--guide", "sign-in")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    found = re.search(r"baseline recorded for (\d+) of (\d+) steps; these steps were not recorded", proc.stderr)
    assert found, proc.stderr
    recorded, total = int(found.group(1)), int(found.group(2))
    broken = {(e["guide"], e["step"]) for e in load_changes()["guides_on_v2"] if e["status"] != "drifted"}
    assert 0 < recorded < total and total - recorded <= len(broken)
    assert f"{app / 'guides' / 'sign-in.yaml'}:" in proc.stderr
    assert "(sign-in/submit): missing: no element matches #login-button" in proc.stderr
    baseline = app / "guides" / "baseline"
    sign_in = json.loads((baseline / "sign-in.json").read_text())
    assert "submit" not in sign_in["steps"] and sign_in["steps"]  # the others are there
    for step_id, entry in sign_in["steps"].items():
        if entry["fingerprint"]:
            assert (baseline / entry["screenshot"]).read_bytes()[:4] == b"\x89PNG", step_id
    assert sum(len(json.loads(p.read_text())["steps"]) for p in baseline.glob("*.json")) == recorded
    # a later check says the step has no baseline, rather than that no repair scored high enough
    _, data = _check(app, v2.url, tmp_path / "out", "--guide", "sign-in")
    submit = _steps(data)[("sign-in", "submit")]
    assert submit["status"] == "missing" and submit["suggestion"] is None
    assert submit["evidence"]["note"].startswith("no baseline for this step: it was not recorded")
    assert "repair_ms" not in submit["evidence"]


def test_bad_input_is_one_clear_message(tmp_path: Path) -> None:
    app = _app_copy(tmp_path, with_baseline=True)
    unreachable = cli("guides", "check", "--app", app / "app.yaml", "--base-url", "http://127.0.0.1:9",
                      "--out", tmp_path / "out")
    assert unreachable.returncode == 2 and "unreachable" in unreachable.stderr
    policy = cli("guides", "check", "--app", app / "app.yaml", "--fail-on", "missing,bogus")
    assert policy.returncode == 2 and "unknown guide status 'bogus'" in policy.stderr
    (app / "guides" / "sign-in.yaml").write_text("id: sign-in\npage: /login\nsteps:\n  - {id: a, target: '#x['}\n")
    bad = cli("guides", "check", "--app", app / "app.yaml", "--base-url", "http://127.0.0.1:9")
    assert bad.returncode == 2 and f"{app / 'guides' / 'sign-in.yaml'}:4:" in bad.stderr
    for proc in (unreachable, policy, bad):
        assert "Traceback" not in proc.stderr
