"""The ``harness run`` command: killing a run, hostile app text, repeats, tags, bad targets and folders.

The runs are end to end in real Chromium (marked e2e); the refusals before a run starts are
checked in-process, without a browser.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from harness.demo import DemoServer
from harness.outcomes import scenarios as judged
from harness.spec.features import feature_files, parse_feature
from harness.spec.features import scenario_runs as expand
from tests.support import ROOT, SECRETS
from tests.support.builds import Run
from tests.support.cli import cli, env_with_secrets, harness
from tests.support.processes import alive_in_groups, process_groups_under
from tests.support.run_folders import folder_text, records, run_info, scenario_runs
from tests.support.servers import demo_server, serve_folder

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
SIGNALS = ROOT / "tests" / "fixtures" / "signals"
MARKUP = "<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>"


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with demo_server(1) as running:
        yield running


@pytest.mark.e2e
@pytest.mark.xdist_group("run")
def test_a_killed_run_keeps_every_finished_step(server: DemoServer, tmp_path: Path) -> None:
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "harness.cli", "run", str(ROOT / "features" / "demo"), "--app", "demo",
           "--base-url", server.url, "--out", str(out), "--repeat", "5"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env_with_secrets(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    steps = out / "steps.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if steps.exists() and len(steps.read_text().splitlines()) >= 12:
            break
        time.sleep(0.1)
    for group in process_groups_under(proc.pid) - {os.getpgrp()}:  # the CLI, pytest and Chromium: no clean-up
        os.killpg(group, signal.SIGKILL)
    proc.wait(timeout=30)
    kept = records(out)  # every line on disk is a whole, valid record
    assert len(kept) >= 12
    assert all(r.duration_ms is not None for r in kept if r.status == "passed")
    info = run_info(out)
    assert info.status == "incomplete" and info.ended_at is None
    rebuilt = cli("report", out)
    assert rebuilt.returncode == 0, rebuilt.stderr
    html = (out / "report.html").read_text()
    assert "Run not finished" in html


@pytest.mark.e2e
@pytest.mark.xdist_group("run")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_cancelled_run_leaves_no_process_behind_and_is_closed_incomplete(server: DemoServer, tmp_path: Path,
                                                                          sig: signal.Signals) -> None:
    # what a CI "cancel" does: a signal to the command's process group (the command leads its own here)
    out = tmp_path / "cancelled"
    cmd = [sys.executable, "-m", "harness.cli", "run", str(ROOT / "features" / "demo"), "--app", "demo",
           "--base-url", server.url, "--out", str(out), "--repeat", "5", "--history", "off"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env_with_secrets(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    steps = out / "steps.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (steps.exists() and len(steps.read_text().splitlines()) >= 6):
        time.sleep(0.1)
    groups = process_groups_under(proc.pid) - {os.getpgrp()}  # the command's, pytest's and Chromium's
    assert len(groups) >= 2
    os.killpg(proc.pid, sig)
    _, stderr = proc.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while (alive := alive_in_groups(groups)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive == [], "left running after the cancel"
    if sig == signal.SIGTERM:
        assert proc.returncode == 143 and "interrupted by SIGTERM" in stderr and "Traceback" not in stderr
    info = run_info(out)
    assert info.status == "incomplete" and info.ended_at is not None  # pytest closed it: nothing is lost
    kept = records(out)
    assert len(kept) >= 6 and all(r.duration_ms is not None for r in kept if r.status == "passed")
    for scenario in judged(kept):  # a replay the cancel cut short is never called passed
        for replay in scenario.replays:
            ran = {s.step_index for s in replay.steps if s.status == "passed"}
            assert replay.status != "passed" or len(ran) == max(s.scenario_steps or 0 for s in replay.steps)


@pytest.mark.e2e
@pytest.mark.xdist_group("run")
def test_hostile_app_text_stays_text_in_the_report(server: DemoServer, browser: Browser, tmp_path: Path) -> None:
    out = tmp_path / "hostile"
    done = harness("run", str(HOSTILE), "--app", "demo", "--base-url", server.url, "--out", str(out),
                   "--step-timeout", "2000")
    assert done.returncode == 1, done.stdout + done.stderr
    [failed] = [r for r in records(out) if r.status == "failed"]
    assert failed.text.startswith("I should not see") and MARKUP in failed.text
    report = out / "report.html"
    dialogs: list[str] = []
    page = browser.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(report.as_uri())
    pwned = page.evaluate("() => window.__pwned")
    text = page.inner_text("body")
    injected = page.locator("img[src=x]").count()
    page.close()
    assert pwned is None and dialogs == [] and injected == 0
    assert MARKUP in text
    assert "<script>window.__pwned" not in report.read_text()


@pytest.mark.xdist_group("report-e2e")  # the report's run: in the worker that builds it for the report tests
def test_repeat_tags_and_workers(report_runs: tuple[Run, Run]) -> None:
    """The report's v2 run: ``--repeat 2 --workers 2 --tags "@login or @approvals"``."""
    out = report_runs[1].out
    every = [(Path(f.filename).name, run.name, json.dumps(run.example, sort_keys=True), f.tags)
             for f in map(parse_feature, feature_files([ROOT / "features" / "demo"])) for run in expand(f)]
    tagged = {(f, s, e) for f, s, e, tags in every if tags & {"login", "approvals"}}
    assert 0 < len(tagged) < len(every)
    runs = scenario_runs(out)
    scenarios = {(f, s, e) for f, s, e, _ in runs}
    assert scenarios == tagged
    assert all((f, s, e, r) in runs for f, s, e in scenarios for r in (0, 1))
    assert len(runs) == 2 * len(scenarios)
    kept = records(out)
    assert all({"login", "approvals"} & set(r.tags) for r in kept)
    assert {r.worker for r in kept} == {"gw0", "gw1"}
    assert run_info(out).options["repeat"] == 2


def test_an_unreachable_app_is_one_clear_message() -> None:
    done = cli("run", str(ROOT / "features" / "demo"), "--app", "demo", "--base-url", "http://127.0.0.1:9")
    assert done.returncode == 2
    assert "the app at http://127.0.0.1:9 is unreachable" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_an_unknown_target_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    feature = tmp_path / "typo.feature"
    feature.write_text('Feature: Typo\n  Scenario: s\n    Given I am logged in as "employee"\n'
                       '    When I click "expense.sumbit"\n')
    done = cli("run", feature, "--app", "demo", "--base-url", "http://127.0.0.1:9")
    assert done.returncode == 2
    assert f"{feature}:4: unknown target 'expense.sumbit': not in the UI map; did you mean 'expense.submit'" \
        in done.stderr.replace("\n", "")
    assert "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def static_site() -> Iterator[str]:
    """A plain static HTTP server serving tests/fixtures/signals/site."""
    with serve_folder(SIGNALS / "site") as url:
        yield url



@pytest.mark.e2e
@pytest.mark.xdist_group("run")
def test_each_step_owns_the_console_errors_requests_and_navigations_it_caused(static_site: str,
                                                                              tmp_path: Path) -> None:
    out = tmp_path / "signals"
    done = harness("run", str(SIGNALS / "signals.feature"), "--app", str(SIGNALS / "app.yaml"),
                   "--base-url", static_site, "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    opened, clicked, seen, followed, _url = records(out)
    # (Chromium also asks for /favicon.ico, a 404 that may land on any early step)
    assert opened.signals.navigations == 1 and "error while loading" in opened.signals.console_errors
    assert "error after the click" in clicked.signals.console_errors
    assert "error after the click" not in opened.signals.console_errors + seen.signals.console_errors
    # the click starts the fetch; its 404 lands on the click, or on the next step (which waits for the
    # page to show that the fetch was answered) when the answer arrives after the click returned
    missing = [(f.url.rsplit("/", 1)[-1], f.status) for r in (clicked, seen) for f in r.signals.failed_requests]
    assert missing.count(("missing.json", 404)) == 1
    assert not any("missing.json" in f.url for f in opened.signals.failed_requests + followed.signals.failed_requests)
    assert clicked.signals.navigations == 0 and clicked.signals.wait_ms is not None
    # the uncaught error is thrown as "Clicked" shows: on the click, or on the step that waited for it
    page_errors = clicked.signals.page_errors + seen.signals.page_errors
    assert sum("uncaught after the click" in e for e in page_errors) == 1
    assert followed.signals.navigations == 1 and followed.selector == 'role=link[name="Go to the second page"]'
    assert followed.url.endswith("/second.html")


def test_a_run_never_writes_into_another_runs_folder(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text("{}")
    done = cli("run", ROOT / "features" / "demo", "--app", "demo", "--base-url", "http://127.0.0.1:9",
               "--out", tmp_path)
    assert done.returncode == 2
    assert "already holds a run" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "run.json").read_text() == "{}"


@pytest.mark.e2e
@pytest.mark.xdist_group("run")
def test_a_failed_login_keeps_its_trace_but_not_the_password(server: DemoServer, tmp_path: Path) -> None:
    # the vendor renamed the sign-in button and the UI map has no fallback: the login fails after the
    # password was typed; the trace and screenshot of the failure are kept, the password is not
    profile = (ROOT / "journeys" / "demo" / "app.yaml").read_text()
    start = profile.index("  login.submit:")
    end = profile.index("\n  login.", start + 1)
    app = tmp_path / "app.yaml"
    app.write_text(profile[:start] + '  login.submit: "#no-such-button"' + profile[end:])
    feature = tmp_path / "login.feature"
    feature.write_text('Feature: Sign in\n  Scenario: s\n    Given I am logged in as "employee"\n'
                       '    Then I should see "Welcome"\n')
    out = tmp_path / "run"
    done = harness("run", str(feature), "--app", str(app), "--base-url", server.url, "--out", str(out),
                   "--step-timeout", "1500")
    assert done.returncode == 1, done.stdout + done.stderr
    failed = next(r for r in records(out) if r.status == "failed")
    assert failed.error_kind == "missing" and "#no-such-button" in (failed.error or "")
    assert failed.artifacts.trace and (out / failed.artifacts.trace).is_file()
    assert failed.artifacts.screenshot and (out / failed.artifacts.screenshot).is_file()
    text = folder_text(out)
    for secret in SECRETS.values():
        assert secret not in text


@pytest.mark.e2e
@pytest.mark.xdist_group("run")
def test_tags_that_match_nothing_say_so(server: DemoServer, tmp_path: Path) -> None:
    done = cli("run", ROOT / "features" / "demo", "--app", "demo", "--base-url", server.url,
               "--out", tmp_path / "run", "--tags", "@nosuchtag")
    assert done.returncode == 2
    assert "error: no scenario matches --tags '@nosuchtag'; nothing was run" in done.stderr


def test_an_unusable_run_folder_is_one_clear_message(server: DemoServer, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = cli("run", ROOT / "features" / "demo", "--app", "demo", "--base-url", server.url,
               "--out", blocker / "run")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{blocker / 'run'}: cannot create the run folder" in done.stderr.replace("\n", "")


@pytest.mark.e2e
@pytest.mark.xdist_group("run")
def test_a_lone_surrogate_in_a_console_error_is_recorded_as_text_in_a_feature_saved_with_a_bom(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>Hello</h1><script>console.error('broken ' + String.fromCharCode(0xD800)"
                                     " + ' text')</script>")
    (tmp_path / "app.yaml").write_text("schema_version: 1\nname: lone\ntitle: Lone surrogate\ntargets: {}\n")
    feature = tmp_path / "lone.feature"
    text = 'Feature: Lone\n  Scenario: s\n    When I open "/index.html"\n    Then I should see "Hello"\n'
    feature.write_text("\ufeff" + text, encoding="utf-8")  # saved with a byte-order mark, as some Windows editors do
    out = tmp_path / "run"
    with serve_folder(site) as url:
        done = harness("run", str(feature), "--app", str(tmp_path / "app.yaml"), "--base-url", url, "--out",
                       str(out), "--no-a11y", "--history", "off")
    assert done.returncode == 0, done.stdout + done.stderr
    opened, seen = records(out)
    assert opened.status == seen.status == "passed"
    assert any("broken \\ud800 text" in e for e in opened.signals.console_errors + seen.signals.console_errors)
    assert run_info(out).totals["scenarios_passed"] == 1 and (out / "report.html").is_file()


@pytest.mark.e2e
@pytest.mark.xdist_group("run")
def test_a_page_that_never_loads_fails_its_step_and_the_run_goes_on(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>Home</h1>")
    (site / "never.html").write_text("<h1>Never shown</h1>")
    (tmp_path / "app.yaml").write_text("schema_version: 1\nname: never\ntitle: Never loads\ntargets: {}\n")
    feature = tmp_path / "never.feature"
    feature.write_text('Feature: Never\n  Scenario: stuck\n    When I open "/index.html"\n'
                       '    And I open "/never.html"\n\n  Scenario: after it\n    When I open "/index.html"\n'
                       '    Then I should see "Home"\n')
    out = tmp_path / "run"
    with serve_folder(site, delays={"/never.html": 600}) as url:  # answers in ten minutes: never, for the run
        done = harness("run", str(feature), "--app", str(tmp_path / "app.yaml"), "--base-url", url, "--out",
                       str(out), "--no-a11y", "--history", "off", "--step-timeout", "2000", timeout=180)
    assert done.returncode == 1, done.stdout + done.stderr
    by_step = {(r.scenario, r.step_index): r for r in records(out)}
    stuck = by_step["stuck", 1]
    assert stuck.status == "failed" and stuck.error  # a bounded failure with a reason...
    assert by_step["after it", 1].status == "passed"  # ...and the run goes on
    assert run_info(out).status == "complete"
