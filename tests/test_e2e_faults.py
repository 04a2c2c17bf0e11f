"""Faults during a run, in real Chromium: a page that stops answering, a browser that dies, a cancel.

Each ends in a bounded failure with its reason, and the run goes on with the next scenario.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from junitparser import JUnitXml

from harness.collect.watchdog import MARK
from harness.contracts.records import StepRecord
from harness.outcomes import scenarios as judged
from tests.support import ROOT
from tests.support.cli import env_with_secrets, harness
from tests.support.run_folders import records, run_info
from tests.support.servers import _QuietHandler, serve, serve_folder

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("run")]

APP = "schema_version: 1\nname: faults\ntitle: Faults\ntargets:\n  loop: '#loop'\n"
HOME = '<h1>Home</h1><button id="loop" onclick="setTimeout(() => { while (true) {} }, 50)">Loop</button>'
AFTER = '\n  Scenario: after it\n    When I open "/index.html"\n    Then I should see "Home"\n'


def _project(tmp_path: Path, scenario: str, after: int = 1) -> tuple[Path, Path, Path]:
    """A site, an app profile and a feature: the scenario under test, then ``after`` healthy ones."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(HOME)
    (tmp_path / "app.yaml").write_text(APP)
    feature = tmp_path / "faults.feature"
    feature.write_text("Feature: Faults\n" + scenario + "".join(AFTER.replace("after it", f"after it {i}")
                                                               for i in range(after)))
    return site, tmp_path / "app.yaml", feature


def _run(feature: Path, app: Path, url: str, out: Path) -> str:
    done = harness("run", feature, "--app", app, "--base-url", url, "--out", out, "--no-a11y", "--history", "off",
                   "--step-timeout", "1000", timeout=240)
    assert done.returncode == 1, done.stdout + done.stderr
    return done.stdout + done.stderr


FORM = ('<h1>Form</h1><input id="field"><a id="away" href="/index.html">Away</a><script>'
        "addEventListener('beforeunload', e => { e.preventDefault(); e.returnValue = ''; });</script>")
LEAVE = '    When I open "/form.html"\n    And I fill "field" with "draft"\n    And {}\n    Then I should see "Home"\n'


@pytest.fixture(scope="module")
def page_faults(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], StepRecord]:
    """One run, a page fault per scenario, then a healthy one: its step records by (scenario, step)."""
    tmp_path = tmp_path_factory.mktemp("page-faults")
    site, app, feature = _project(tmp_path, '  Scenario: stuck\n    When I open "/index.html"\n'
                                            '    And I click "loop"\n    Then I should see "Never"\n'
                                  + "\n  Scenario: open away\n" + LEAVE.format('I open "/index.html"')
                                  + "\n  Scenario: click away\n" + LEAVE.format('I click "away"'))
    (site / "form.html").write_text(FORM)
    app.write_text(APP + "  field: '#field'\n  away: '#away'\n")
    out = tmp_path / "run"
    with serve_folder(site) as url:
        _run(feature, app, url, out)
    assert run_info(out).status == "complete"
    return {(r.scenario, r.step_index): r for r in records(out)}


def test_a_script_that_never_ends_fails_its_step_with_the_reason_and_the_run_goes_on(
        page_faults: dict[tuple[str, int], StepRecord]) -> None:
    stuck = page_faults["stuck", 1]
    assert stuck.status == "failed" and stuck.error_kind == "unresponsive"
    assert stuck.error and stuck.error.startswith("the page stopped responding: a script kept it busy for 6 s")
    assert page_faults["stuck", 2].status == "not_run"
    assert page_faults["open away", 0].status == "passed" and page_faults["after it 0", 1].status == "passed"


def test_a_page_that_asks_to_confirm_leaving_fails_the_step_that_tried_to_leave(
        page_faults: dict[tuple[str, int], StepRecord]) -> None:
    for scenario in ("open away", "click away"):
        left = page_faults[scenario, 2]
        assert left.status == "failed" and left.error_kind == "navigation_cancelled", left
        assert left.error and left.error.startswith("the page asked to confirm leaving it (a beforeunload prompt")
        assert [d.type for d in left.signals.dialogs] == ["beforeunload"]
        assert page_faults[scenario, 3].status == "not_run"


class _Killer(_QuietHandler):
    """Serves the site; ``/kill`` ends this test's Chromium (the browser process itself) before answering."""

    def do_GET(self) -> None:
        if self.path == "/kill":
            for proc in psutil.Process(os.getpid()).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if any(arg.startswith(MARK) for arg in proc.cmdline()):
                        proc.kill()
        super().do_GET()


def test_a_browser_killed_mid_run_is_launched_again_for_the_next_scenario(tmp_path: Path) -> None:
    site, app, feature = _project(tmp_path, '  Scenario: the browser dies\n    When I open "/index.html"\n'
                                            '    And I open "/kill"\n', after=2)
    out = tmp_path / "run"
    with serve(functools.partial(_Killer, directory=str(site))) as url:
        _run(feature, app, url, out)
    by_step = {(r.scenario, r.step_index): r for r in records(out)}
    assert by_step["the browser dies", 1].status == "failed"
    assert [by_step[f"after it {i}", 1].status for i in range(2)] == ["passed", "passed"]
    assert run_info(out).status == "complete"
    assert "was lost (crashed or killed); launched again (1) for the next scenario" in (out / "pytest.log").read_text()


def test_a_scenario_cut_short_by_a_cancel_is_never_shown_as_passed(tmp_path: Path) -> None:
    site, app, feature = _project(tmp_path, '  Scenario: cut\n    When I open "/index.html"\n'
                                            '    And I open "/slow.html"\n    Then I should see "Home"\n')
    (site / "slow.html").write_text("<h1>Slow</h1>")
    out = tmp_path / "run"
    with serve_folder(site, delays={"/slow.html": 60}) as url:
        proc = subprocess.Popen([sys.executable, "-m", "harness.cli", "run", str(feature), "--app", str(app),
                                 "--base-url", url, "--out", str(out), "--no-a11y", "--history", "off",
                                 "--step-timeout", "30000"], cwd=ROOT, env=env_with_secrets(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
        steps = out / "steps.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (steps.exists() and steps.read_text().count("\n") >= 1):
            time.sleep(0.1)
        time.sleep(0.5)  # the second step has begun: it waits for the slow page
        os.killpg(proc.pid, signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    [cut] = [s for s in judged(records(out)) if s.key.scenario == "cut"]
    assert cut.status == "incomplete"
    # every output tells the same: JUnit, the summary, the totals and the report
    [case] = [case for suite in JUnitXml.fromfile(str(out / "junit.xml")) for case in suite if case.name == "cut"]
    assert [type(r).__name__ for r in case.result] == ["Error"]
    summary = (out / "summary.md").read_text()
    assert "Every journey passed" not in summary and "did not finish" in summary
    info = run_info(out)
    assert info.status == "incomplete" and info.totals["scenarios_passed"] == 0
    assert info.totals["scenarios_incomplete"] == 1, info.totals

