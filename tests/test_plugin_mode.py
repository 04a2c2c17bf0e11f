"""The collect stage as a pytest plugin inside a QA engineer's own pytest setup, and custom steps.

The browser tests build a throwaway project in ``tmp_path`` (a ``test_journeys.py`` calling
pytest-bdd's ``scenarios(...)``, a ``conftest.py`` with a custom step, an extra feature), start
the demo app v1 in-process and run a real ``python -m pytest`` on it: the harness plugin comes
in through its ``pytest11`` entry point, nothing imports it by hand.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.contracts.records import RunInfo
from harness.demo import DemoServer
from harness.spec.features import parse_feature, scenario_runs
from tests.support import ROOT
from tests.support.run_folders import records

APP = ROOT / "journeys" / "demo" / "app.yaml"
LOGIN_FEATURE = ROOT / "features" / "demo" / "login.feature"
CUSTOM_STEP = 'the dashboard greets "{name}"'

CUSTOM_STEP_MODULE = f'''"""A custom step written the pytest-bdd way, using the harness's journey fixture."""
from __future__ import annotations

from playwright.sync_api import expect
from pytest_bdd import parsers, then

from harness.collect.journey import Journey


@then(parsers.parse({CUSTOM_STEP!r}))
def dashboard_greets(journey: Journey, name: str) -> None:
    heading = journey.locate("h1").locator.first
    expect(heading).to_contain_text(f"Welcome back, {{name}}", timeout=journey.timeout_ms)
'''

GREET_FEATURE = """@greeting
Feature: Dashboard greeting
  The dashboard greets the signed-in person by first name.

  Scenario: The employee is greeted by name
    Given I am logged in as "employee"
    When I open "home"
    Then the dashboard greets "Alice"
    And "home.role" should contain "Employee"
"""

UNKNOWN_STEP_FEATURE = """Feature: A journey with a typo
  Scenario: Uses a step nobody defined
    Given I am logged in as "employee"
    Then the dashboard waves at "Alice"
"""


def _clean_env() -> dict[str, str]:
    """The environment of a nested pytest: nothing inherited from this run's xdist or harness state."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "HARNESS_RUN_", "DEMO_EMPLOYEE_", "DEMO_MANAGER_"))}
    env["CI"] = "true"
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A QA engineer's pytest project binding the demo login feature plus one of their own."""
    proj = tmp_path / "qa"
    proj.mkdir()
    (proj / "conftest.py").write_text(CUSTOM_STEP_MODULE)
    (proj / "greet.feature").write_text(GREET_FEATURE)
    (proj / "test_journeys.py").write_text(
        "from pytest_bdd import scenarios\n\n"
        f"scenarios({str(LOGIN_FEATURE)!r}, {str(proj / 'greet.feature')!r})\n"
    )
    return proj


@pytest.fixture
def demo_v1() -> Iterator[DemoServer]:
    """The demo app v1 on a free port, served from this process."""
    with DemoServer(version=1, port=0) as server:
        yield server


def _pytest(project: Path, url: str, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pytest", "test_journeys.py", "-p", "no:cacheprovider",
           "--harness-app", str(APP), "--harness-base-url", url, "--harness-out", str(out), *extra]
    return subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=120, env=_clean_env())


def _expected_steps(project: Path) -> int:
    return sum(len(run.steps) for path in (LOGIN_FEATURE, project / "greet.feature")
               for run in scenario_runs(parse_feature(path)))


@pytest.mark.e2e
@pytest.mark.xdist_group("plugin")
def test_own_pytest_setup_with_a_custom_step(project: Path, demo_v1: DemoServer) -> None:
    out = project / "run"
    done = _pytest(project, demo_v1.url, out)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    info = RunInfo.model_validate_json((out / "run.json").read_text())
    assert info.status == "complete" and info.exit_code == 0 and info.app == "demo"
    steps = records(out)
    assert len(steps) == _expected_steps(project)
    assert all(r.status == "passed" and r.duration_ms and r.duration_ms > 0 for r in steps)
    assert {r.worker for r in steps} == {"main"}
    custom = [r for r in steps if r.text == 'the dashboard greets "Alice"']
    assert len(custom) == 1 and custom[0].keyword == "Then" and custom[0].selector == "h1"
    assert {r.journey for r in steps} == {"Sign in to Spendly", "Dashboard greeting"}
    assert (out / "steps.parquet").is_file() and (out / "report.html").is_file()


@pytest.mark.e2e
@pytest.mark.xdist_group("plugin")
def test_own_pytest_setup_under_xdist(project: Path, demo_v1: DemoServer) -> None:
    out = project / "run"
    done = _pytest(project, demo_v1.url, out, "-n", "2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = [line for line in (out / "steps.jsonl").read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is one whole JSON record
    assert len(parsed) == _expected_steps(project)
    assert {p["worker"] for p in parsed} == {"gw0", "gw1"}
    assert all(p["status"] == "passed" for p in parsed)
    assert any(p["text"] == 'the dashboard greets "Alice"' for p in parsed)
    info = RunInfo.model_validate_json((out / "run.json").read_text())
    assert info.status == "complete" and info.options["workers"] == 2
    assert (out / "report.html").is_file()


def _check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", "check", str(folder), "--app", str(APP)],
                          cwd=folder.parent, capture_output=True, text=True, timeout=60, env=_clean_env())


def test_check_finds_custom_step_modules_beside_the_features(tmp_path: Path) -> None:
    suite = tmp_path / "features"
    (suite / "steps").mkdir(parents=True)
    (suite / "steps" / "custom_steps.py").write_text(CUSTOM_STEP_MODULE)
    shutil.copy(LOGIN_FEATURE, suite / "login.feature")
    (suite / "greet.feature").write_text(GREET_FEATURE)

    ok = _check(suite)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ok: 2 features" in ok.stdout

    bad = suite / "typo.feature"
    bad.write_text(UNKNOWN_STEP_FEATURE)
    refused = _check(suite)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    message = " ".join(refused.stderr.split())  # rich may wrap long paths
    assert f"{bad.resolve()}:4: unknown step" in message
    assert "the dashboard waves at" in message
    assert "greet.feature" not in message  # the custom step itself is known


@pytest.mark.e2e
@pytest.mark.xdist_group("plugin")
def test_a_scenario_whose_set_up_fails_is_recorded_not_lost(project: Path, demo_v1: DemoServer) -> None:
    # the QA engineer's conftest overrides a layer of the harness fixtures, and that layer breaks
    with (project / "conftest.py").open("a") as fh:
        fh.write("\n\nimport pytest\n\n\n@pytest.fixture(scope='session')\ndef harness_sessions():\n"
                 "    raise RuntimeError('session store unavailable')\n")
    out = project / "run"
    done = _pytest(project, demo_v1.url, out)
    assert done.returncode == 1
    steps = records(out)
    assert len(steps) == _expected_steps(project)
    firsts = [r for r in steps if r.step_index == 0]
    assert firsts and all(r.status == "failed" and r.error_kind == "setup_error" for r in firsts)
    assert all("session store unavailable" in (r.error or "") for r in firsts)
    assert all(r.status == "not_run" for r in steps if r.step_index > 0)
    info = RunInfo.model_validate_json((out / "run.json").read_text())
    assert info.exit_code == 1 and info.totals["scenarios_failed"] == len(firsts)


@pytest.mark.e2e
@pytest.mark.xdist_group("plugin")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_browser_that_does_not_launch_stops_the_run_with_its_reason(tmp_path: Path, demo_v1: DemoServer,
                                                                       workers: str) -> None:
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "harness.cli", "run", str(LOGIN_FEATURE), "--app", str(APP), "--base-url",
           demo_v1.url, "--out", str(out), "--browser-path", "/bin/false", "--workers", workers]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, env=_clean_env())
    assert done.returncode == 2
    assert "error: the run stopped early: could not launch Chromium /bin/false" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
    info = RunInfo.model_validate_json((out / "run.json").read_text())
    assert info.status == "errored" and info.error and "/bin/false" in info.error


EDGE_STEPS = '''
import pytest
from pytest_bdd import parsers, then


@pytest.fixture
def broken_dependency():
    raise RuntimeError("the step's own fixture broke")


@then("a step whose fixture breaks")
def uses_broken(broken_dependency):
    pass


@then(parsers.parse('a step that skips because "{why}"'))
def skips(why):
    pytest.skip(why)
'''


@pytest.mark.e2e
@pytest.mark.xdist_group("plugin")
def test_steps_that_never_start_or_skip_are_recorded_for_what_they_are(project: Path, demo_v1: DemoServer) -> None:
    (project / "conftest.py").write_text(CUSTOM_STEP_MODULE + EDGE_STEPS)
    (project / "greet.feature").write_text(
        "Feature: Edges\n"
        "  Scenario: A fixture breaks before the step acts\n"
        '    Given I open "login"\n'
        "    Then a step whose fixture breaks\n"
        '    And I should see "Sign in"\n'
        "  Scenario: A step skips\n"
        '    Given I open "login"\n'
        '    Then a step that skips because "not on this vendor version"\n'
        '    And I should see "Sign in"\n')
    (project / "test_journeys.py").write_text(
        f"from pytest_bdd import scenarios\n\nscenarios({str(project / 'greet.feature')!r})\n")
    out = project / "run"
    done = _pytest(project, demo_v1.url, out)
    assert done.returncode == 1, done.stdout[-3000:]
    by_scenario: dict[str, list] = {}
    for r in records(out):
        by_scenario.setdefault(r.scenario, []).append(r)
    opened, broken, after = sorted(by_scenario["A fixture breaks before the step acts"], key=lambda r: r.step_index)
    assert opened.status == "passed" and opened.signals.navigations == 1
    # failed before its action began: no duration, and none of the previous step's events
    assert broken.status == "failed" and broken.duration_ms is None and broken.signals.requests == 0
    assert "the step's own fixture broke" in (broken.error or "")
    assert after.status == "not_run"
    opened, skipped, after = sorted(by_scenario["A step skips"], key=lambda r: r.step_index)
    assert skipped.status == "skipped" and skipped.error == "Skipped: not on this vendor version"
    assert after.status == "not_run"
    info = RunInfo.model_validate_json((out / "run.json").read_text())
    assert info.totals["scenarios_failed"] == 1 and info.totals["scenarios_skipped"] == 1
