"""Guide checks inside journeys: ``after:`` steps and ``the guide "<id>" is intact``, in real Chromium.

The demo app v2 opens a confirmation dialog when an expense is submitted: a state only a
journey reaches, where a guide step placed ``after`` the submit click is checked.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT
from tests.support.cli import harness
from tests.support.run_folders import scenario_runs
from tests.support.servers import demo_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("guides-journey")]
FEATURES = ROOT / "tests" / "fixtures" / "guides_journey" / "features"

FORM_HELP = """\
id: form-help
title: Claim an expense
user: employee
page: /expenses/new
steps:
  - {id: amount, target: "#amount", title: Amount}
  - {id: description, target: "#description", title: What was it?}
"""

CONFIRM_HELP = """\
id: confirm-help
title: Confirming a claim
user: employee
steps:
  - id: confirm
    after: {feature: form.feature, scenario: Submitting asks for a confirmation, step: 'I click "#submit-expense"'}
    target: "#modal-confirm"
    text: Confirm
  - id: old-title
    after: {feature: form.feature, step: 'I click "#submit-expense"'}
    target: "#confirm-title"
  - id: never-reached
    after: {feature: form.feature, scenario: The form's guide is checked on the form, step: 'I click "#submit-expense"'}
    target: "#modal-confirm"
"""


@pytest.fixture(scope="module")
def v2() -> Any:
    with demo_server(2) as server:
        yield server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(ROOT / "journeys" / "demo" / "app.yaml", app / "app.yaml")
    (app / "guides").mkdir()
    (app / "guides" / "form-help.yaml").write_text(FORM_HELP)
    (app / "guides" / "confirm-help.yaml").write_text(CONFIRM_HELP)
    shutil.copytree(FEATURES, tmp_path / "features")
    return tmp_path


def _steps(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(g["id"], s["id"]): s for g in data["guides"] for s in g["steps"]}


def test_journey_checks_guides_in_place(v2: Any, project: Path) -> None:
    out = project / "run"
    proc = harness("run", str(project / "features"), "--app", str(project / "app" / "app.yaml"),
                   "--base-url", v2.url, "--out", str(out))
    assert proc.returncode == 1, proc.stderr
    runs = {key[1]: steps for key, steps in scenario_runs(out).items()}
    form = runs["The form's guide is checked on the form"]
    intact = next(r for r in form if r.text == 'the guide "form-help" is intact')
    assert intact.status == "failed" and intact.error_kind == "guide_broken"
    assert "description: missing" in (intact.error or "")
    assert all(r.status == "passed" for r in runs["Submitting asks for a confirmation"])
    french = next(r for r in runs["Le guide du formulaire est vérifié"] if r.text.startswith("le guide"))
    assert french.status == "failed" and french.error_kind == "guide_broken"

    data = json.loads((out / "guides.json").read_text())
    steps = _steps(data)
    assert steps[("form-help", "amount")]["status"] == "ok"
    assert steps[("form-help", "description")]["status"] == "missing"
    assert steps[("confirm-help", "confirm")]["status"] == "ok"
    assert steps[("confirm-help", "confirm")]["journey"]["scenario"] == "Submitting asks for a confirmation"
    assert steps[("confirm-help", "old-title")]["status"] == "missing"
    assert ("confirm-help", "never-reached") not in steps  # its journey step never ran
    shot = out / steps[("confirm-help", "old-title")]["evidence"]["screenshot"]
    assert shot.read_bytes()[:4] == b"\x89PNG"
    assert "confirm-help" in (out / "report.html").read_text()


def test_guides_check_replays_the_journeys_for_after_steps(v2: Any, project: Path) -> None:
    out = project / "check"
    proc = harness("guides", "check", "--app", str(project / "app" / "app.yaml"), "--base-url", v2.url,
                   "--out", str(out), "--features", str(project / "features"), "--json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    steps = _steps(data)
    assert steps[("form-help", "amount")]["status"] == "ok"
    assert steps[("form-help", "description")]["status"] == "missing"
    assert steps[("confirm-help", "confirm")]["status"] == "ok"
    assert steps[("confirm-help", "old-title")]["status"] == "missing"
    never = steps[("confirm-help", "never-reached")]
    assert never["status"] == "page_error"
    assert "did not reach" in never["message"] and "guide_broken" in never["message"]
    shot = out / steps[("confirm-help", "old-title")]["evidence"]["screenshot"]
    assert shot.is_file()
    assert (out / "journeys" / "steps.jsonl").is_file()


def test_an_after_step_naming_an_unknown_feature_is_a_clear_error(v2: Any, project: Path) -> None:
    guide = project / "app" / "guides" / "confirm-help.yaml"
    guide.write_text(CONFIRM_HELP.replace("feature: form.feature, scenario: Submitting", "feature: nope.feature, "
                                          "scenario: Submitting"))
    proc = harness("guides", "check", "--app", str(project / "app" / "app.yaml"), "--base-url", v2.url,
                   "--out", str(project / "check"), "--features", str(project / "features"))
    assert proc.returncode == 2
    assert "nope.feature" in proc.stderr and f"{guide}:" in proc.stderr and "Traceback" not in proc.stderr
