"""Allure end to end: demo journeys in real Chromium with --allure-dir, then a real Allure report read back.

The Allure command-line tool (Java) comes from npm (``allure-commandline@2``, see tests/support/allure.py).
The demo run and its reports are the session's ``allure_demo``; the flaky test reads the flaky site's run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT, SECRETS
from tests.support.allure import generate
from tests.support.builds import AllureDemo, FlakyRuns
from tests.support.run_folders import folder_text
from tests.support.servers import demo_server

pytestmark = pytest.mark.e2e
ALLURE_GROUP = pytest.mark.xdist_group("allure")
"""The tests of the ``allure_demo`` run share a worker."""
def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def cases_of(report: Path) -> list[dict[str, Any]]:
    """The report's test cases (retries, which Allure keeps hidden under their test case, left out)."""
    cases = [read(p) for p in sorted((report / "data" / "test-cases").glob("*.json"))]
    return [c for c in cases if not c.get("hidden")]


def labels(case: dict[str, Any]) -> dict[str, str]:
    return {label["name"]: label["value"] for label in case["labels"]}


def attachments(stage: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(stage.get("attachments") or [])
    for step in stage.get("steps") or []:
        found += attachments(step)
    return found


@ALLURE_GROUP
def test_scenarios_have_labels_steps_and_outline_parameters(allure_demo: AllureDemo) -> None:
    cases = cases_of(allure_demo.report)
    journeys = [c for c in cases if labels(c).get("feature") != "In-app guides"]
    assert len(journeys) == 8
    assert all(labels(c)["epic"] == "Spendly (demo vendor app)" for c in cases)
    approve = next(c for c in journeys if c["name"] == "Manager approves the oldest pending expense")
    assert labels(approve)["host"] and labels(approve)["thread"] and labels(approve)["framework"] == "pytest-bdd"
    assert (labels(approve)["feature"], labels(approve)["story"], labels(approve)["severity"]) == (
        "Approve an expense", "Manager approves the oldest pending expense", "critical")
    assert {"approvals", "critical"} <= {v for k, v in ((lb["name"], lb["value"]) for lb in approve["labels"])
                                         if k == "tag"}
    outline = [c for c in journeys if c["name"] == "Sign in and land on the dashboard"]
    params = sorted(tuple(sorted((p["name"], p["value"]) for p in c["parameters"])) for c in outline)
    assert params == [(("approvals", "hidden"), ("role", "Employee"), ("user", "employee")),
                      (("approvals", "visible"), ("role", "Manager"), ("user", "manager"))]
    steps = outline[0]["testStage"]["steps"]
    assert steps[0]["name"] == 'Given I open "login"' and steps[1]["name"].startswith('When I log in as "')
    assert all(s["status"] == "passed" and s["time"]["duration"] > 0 for s in steps)
    assert all(p["name"] not in ("journey", "request") for s in steps for p in s.get("parameters") or [])


@ALLURE_GROUP
def test_failures_carry_screenshot_trace_and_friction_evidence(allure_demo: AllureDemo) -> None:
    cases = cases_of(allure_demo.report)
    approve = next(c for c in cases if c["name"] == "Manager approves the oldest pending expense")
    assert approve["status"] in ("failed", "broken")
    failed_step = next(s for s in approve["testStage"]["steps"] if s["status"] != "passed")
    assert failed_step["name"] == 'When I click "approvals.approve"'
    assert any(a["type"] == "image/png" for a in failed_step["attachments"])
    kinds = {a["type"] for a in attachments(approve["testStage"])}
    assert {"image/png", "application/zip", "text/plain", "application/json"} <= kinds
    names = [a["name"] for a in attachments(approve["testStage"])]
    assert any(n.startswith("friction: Failed request") for n in names), names
    for attachment in attachments(approve["testStage"]):
        assert (allure_demo.report / "data" / "attachments" / attachment["source"]).stat().st_size > 0


@ALLURE_GROUP
def test_categories_hold_the_broken_guides_the_failure_and_the_slow_search(allure_demo: AllureDemo) -> None:
    widget = {c["name"]: c for c in read(allure_demo.report / "widgets" / "categories.json")["items"]}
    assert widget["Broken guide"]["statistic"]["total"] == 5  # every demo guide has a step v2 broke
    assert widget["App failure"]["statistic"]["total"] == 1
    assert widget["Slowness"]["statistic"]["passed"] == 2  # v2's search answers 1.2 s late: over its 1 s budget
    tree = read(allure_demo.report / "data" / "categories.json")
    guides = next(c for c in tree["children"] if c["name"] == "Broken guide")
    assert {leaf["name"] for group in guides["children"] for leaf in group["children"]} >= {"Guide: Sign in to Spendly"}
    sign_in = next(c for c in cases_of(allure_demo.report) if c["name"] == "Guide: Sign in to Spendly")
    broken = [s for s in sign_in["testStage"]["steps"] if s["status"] == "failed"]
    assert any('suggested selector: role=button[name="Sign in"]' in s["statusMessage"] for s in broken)
    summary = read(allure_demo.report / "widgets" / "summary.json")["statistic"]
    assert summary["total"] == 13 and summary["failed"] + summary["broken"] == 6


@ALLURE_GROUP
def test_environment_and_trends_carried_over(allure_demo: AllureDemo) -> None:
    env = {e["name"]: e["values"] for e in read(allure_demo.report / "widgets" / "environment.json")}
    run = read(allure_demo.run / "run.json")
    assert env["app"] == ["Spendly (demo vendor app)"] and env["app.version"] == ["Spendly 2.0.0 (v2)"]
    assert env["run.id"] == [run["run_id"]] and env["base.url"] == [run["base_url"]]
    assert env["browser"][0].startswith("chromium ") and env["harness.version"] == [run["harness_version"]]
    assert len(read(allure_demo.report / "history" / "history-trend.json")) == 1
    assert len(read(allure_demo.report2 / "history" / "history-trend.json")) == 2


@ALLURE_GROUP
def test_no_secret_in_results_or_report(allure_demo: AllureDemo) -> None:
    for folder in (allure_demo.results, allure_demo.report):
        text = folder_text(folder)
        for secret in SECRETS.values():
            assert secret not in text


@pytest.mark.xdist_group("compare")  # the flaky site's runs: in the worker that builds them for the compare tests
def test_replays_and_retries_are_one_flaky_test_case(flaky_runs: FlakyRuns, tmp_path: Path, allure_cli: Path) -> None:
    """The flaky site's candidate run: replayed twice, each replay failing its first try and passing its retry."""
    assert flaky_runs.done.returncode == 0, flaky_runs.done.stdout + flaky_runs.done.stderr
    generate(allure_cli, flaky_runs.allure, tmp_path / "report")
    # two replays, two tries each: one test case, the other three results under its retries
    (case,) = cases_of(tmp_path / "report")
    assert case["status"] == "passed" and case["flaky"] is True and case["retriesCount"] == 3
    assert [(p["name"], p["value"]) for p in case["parameters"]] == [("replay", "2")]
    assert read(tmp_path / "report" / "widgets" / "summary.json")["statistic"]["total"] == 1
    widget = {c["name"]: c for c in read(tmp_path / "report" / "widgets" / "categories.json")["items"]}
    assert widget["Flaky journey"]["statistic"]["total"] == 1


def test_plugin_mode_under_xdist_with_alluredir(tmp_path: Path) -> None:
    """A QA engineer's own pytest run: --alluredir next to --harness-app, two xdist workers, no HTML report."""
    project = tmp_path / "qa"
    project.mkdir()
    login = ROOT / "features" / "demo" / "login.feature"
    (project / "test_journeys.py").write_text(f"from pytest_bdd import scenarios\n\nscenarios({str(login)!r})\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HARNESS_RUN_"))}
    with demo_server(1, port=0) as server:
        done = subprocess.run([sys.executable, "-m", "pytest", "test_journeys.py", "-p", "no:cacheprovider", "-n", "2",
                               "--harness-app", str(ROOT / "journeys" / "demo" / "app.yaml"), "--harness-base-url",
                               server.url, "--harness-out", str(project / "run"), "--harness-report=no",
                               "--alluredir", str(project / "results")],
                              cwd=project, capture_output=True, text=True, timeout=300, env={**env, **SECRETS})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = [read(p) for p in (project / "results").glob("*-result.json")]
    assert len(results) == 3 and all(r["status"] == "passed" for r in results)
    ids = {labels(r)["harness_test_id"] for r in results}
    assert len(ids) == 3 and all(labels(r)["epic"] == "Spendly (demo vendor app)" for r in results)
    assert all(labels(r)["thread"] and labels(r)["host"] for r in results)
    assert (project / "results" / "categories.json").is_file()  # finished at the end, without report.html
    assert not (project / "run" / "report.html").exists()
    assert all(secret not in folder_text(project / "results") for secret in SECRETS.values())
