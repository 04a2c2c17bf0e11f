"""Allure end to end: demo journeys in real Chromium with --allure-dir, then a real Allure report read back.

The Allure command-line tool (Java) comes from npm (``allure-commandline@2``), installed once into
``~/.cache/adoption-harness/npm`` (``HARNESS_NPM_CACHE`` moves it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from tests.support import ROOT, SECRETS
from tests.support.builds import FlakyRuns
from tests.support.cli import cli, harness
from tests.support.run_folders import folder_text
from tests.support.servers import demo_server

pytestmark = pytest.mark.e2e
ALLURE_GROUP = pytest.mark.xdist_group("allure")
"""The tests of the ``demo`` fixture's run share a worker."""
NPM_CACHE = Path(os.environ.get("HARNESS_NPM_CACHE", Path.home() / ".cache" / "adoption-harness" / "npm"))
DEMO_TAGS = "@smoke or @approvals"  # the Scenario Outline, a failing critical journey, a slow search: 8 scenarios


@pytest.fixture(scope="session")
def allure_cli() -> Path:
    """The ``allure`` command, installed from npm on first use."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the Allure command-line tool is installed from npm (allure-commandline)")
    if shutil.which("java") is None:
        pytest.fail("the Allure command-line tool needs Java: run `make setup` (installs default-jre-headless)")
    tool = NPM_CACHE / "node_modules" / ".bin" / "allure"
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    with FileLock(NPM_CACHE / "install.lock"):  # two workers may need it at once
        if not tool.exists():
            done = subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix",
                                   str(NPM_CACHE), "allure-commandline@2"], capture_output=True, text=True,
                                  timeout=600, check=False)
            assert done.returncode == 0 and tool.exists(), done.stdout + done.stderr
    return tool


def generate(tool: Path, results: Path, report: Path) -> None:
    done = subprocess.run([str(tool), "generate", str(results), "-o", str(report), "--clean"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0 and (report / "index.html").is_file(), done.stdout + done.stderr


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


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, allure_cli: Path) -> dict[str, Path]:
    """A demo v2 run with --allure-dir, its report, and a second report built with the first one's history."""
    work = tmp_path_factory.mktemp("allure")
    results = work / "results"
    done = harness("demo", "--version", "2", "--tags", DEMO_TAGS, "--out", str(work / "run"), "--history", "off",
                   "--allure-dir", str(results))
    assert done.returncode == 1, done.stdout + done.stderr  # the approval journey fails on v2
    generate(allure_cli, results, work / "report1")
    # the CI recipe: the next results get the previous report's history before `allure generate`
    done = cli("report", work / "run", "--allure-history", work / "report1")
    assert done.returncode == 0, done.stdout + done.stderr
    generate(allure_cli, results, work / "report2")
    return {"work": work, "run": work / "run", "results": results, "report": work / "report1",
            "report2": work / "report2"}


@ALLURE_GROUP
def test_scenarios_have_labels_steps_and_outline_parameters(demo: dict[str, Path]) -> None:
    cases = cases_of(demo["report"])
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
def test_failures_carry_screenshot_trace_and_friction_evidence(demo: dict[str, Path]) -> None:
    approve = next(c for c in cases_of(demo["report"]) if c["name"] == "Manager approves the oldest pending expense")
    assert approve["status"] in ("failed", "broken")
    failed_step = next(s for s in approve["testStage"]["steps"] if s["status"] != "passed")
    assert failed_step["name"] == 'When I click "approvals.approve"'
    assert any(a["type"] == "image/png" for a in failed_step["attachments"])
    kinds = {a["type"] for a in attachments(approve["testStage"])}
    assert {"image/png", "application/zip", "text/plain", "application/json"} <= kinds
    names = [a["name"] for a in attachments(approve["testStage"])]
    assert any(n.startswith("friction: Failed request") for n in names), names
    for attachment in attachments(approve["testStage"]):
        assert (demo["report"] / "data" / "attachments" / attachment["source"]).stat().st_size > 0


@ALLURE_GROUP
def test_categories_hold_the_broken_guides_the_failure_and_the_slow_search(demo: dict[str, Path]) -> None:
    widget = {c["name"]: c for c in read(demo["report"] / "widgets" / "categories.json")["items"]}
    assert widget["Broken guide"]["statistic"]["total"] == 5  # every demo guide has a step v2 broke
    assert widget["App failure"]["statistic"]["total"] == 1
    assert widget["Slowness"]["statistic"]["passed"] == 2  # v2's search answers 1.2 s late: over its 1 s budget
    tree = read(demo["report"] / "data" / "categories.json")
    guides = next(c for c in tree["children"] if c["name"] == "Broken guide")
    assert {leaf["name"] for group in guides["children"] for leaf in group["children"]} >= {"Guide: Sign in to Spendly"}
    sign_in = next(c for c in cases_of(demo["report"]) if c["name"] == "Guide: Sign in to Spendly")
    broken = [s for s in sign_in["testStage"]["steps"] if s["status"] == "failed"]
    assert any('suggested selector: role=button[name="Sign in"]' in s["statusMessage"] for s in broken)
    summary = read(demo["report"] / "widgets" / "summary.json")["statistic"]
    assert summary["total"] == 13 and summary["failed"] + summary["broken"] == 6


@ALLURE_GROUP
def test_environment_and_trends_carried_over(demo: dict[str, Path]) -> None:
    env = {e["name"]: e["values"] for e in read(demo["report"] / "widgets" / "environment.json")}
    run = read(demo["run"] / "run.json")
    assert env["app"] == ["Spendly (demo vendor app)"] and env["app.version"] == ["Spendly 2.0.0 (v2)"]
    assert env["run.id"] == [run["run_id"]] and env["base.url"] == [run["base_url"]]
    assert env["browser"][0].startswith("chromium ") and env["harness.version"] == [run["harness_version"]]
    assert len(read(demo["report"] / "history" / "history-trend.json")) == 1
    assert len(read(demo["report2"] / "history" / "history-trend.json")) == 2


@ALLURE_GROUP
def test_no_secret_in_results_or_report(demo: dict[str, Path]) -> None:
    for folder in (demo["results"], demo["report"]):
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
