"""End to end on remote browsers: a real Selenium Grid 4 (hub and Chromium nodes), and a Playwright server.

One grid of two nodes serves the module (its JVMs take ~10-20 s to start on two cores), in one xdist
group so it is started once. A demo subset runs on it and on local Chromium with the same outcomes and
friction findings; a node is killed mid-scenario; a grid that cannot give a browser stops the run
before (unreachable, no chrome node) or at its launch (full: its queue times out).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.cli import cli, env_with_secrets, harness
from tests.support.run_folders import event_findings, records, run_info
from tests.support.selenium_grid import Grid, free_port, grid_tools, install_selenium_server, selenium_grid
from tests.support.servers import demo_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("grid")]
SUBSET = [ROOT / "features" / "demo" / "login.feature", ROOT / "features" / "demo" / "submit_expense.feature"]
"""A representative subset of the demo journeys: passing steps, refused input, a failed request, an upload."""
NO_REMOTE = {"HARNESS_GRID": None, "HARNESS_CONNECT": None}


@pytest.fixture(scope="module")
def jar() -> Path:
    assert grid_tools() is None, grid_tools()
    import shutil

    return install_selenium_server(shutil.which("npm") or "npm")


@pytest.fixture(scope="module")
def grid(jar: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Grid]:
    with selenium_grid(jar, tmp_path_factory.mktemp("grid")) as started:
        yield started


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    with demo_server(1) as server:
        yield server.url


def run(out: Path, base_url: str, *args: str | Path, paths: list[Path] = SUBSET) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in env_with_secrets().items() if k not in NO_REMOTE}
    return subprocess.run([sys.executable, "-m", "harness.cli", "run", *map(str, paths), "--app", "demo",
                           "--base-url", base_url, "--out", str(out), "--history", "off", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)


def start(out: Path, base_url: str, *args: str | Path) -> subprocess.Popen[str]:
    """:func:`run` in the background: two runs at once."""
    env = {k: v for k, v in env_with_secrets().items() if k not in NO_REMOTE}
    return subprocess.Popen([sys.executable, "-m", "harness.cli", "run", *map(str, SUBSET), "--app", "demo",
                             "--base-url", base_url, "--out", str(out), "--history", "off", *map(str, args)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def outcome(run_dir: Path) -> dict[tuple[str, str, int], str]:
    """Each step's status, by scenario and step (the last attempt)."""
    return {(r.scenario, r.text, r.step_index): r.status for r in records(run_dir)}


def findings(run_dir: Path) -> set[tuple[str, str, str, str]]:
    """The findings of event rules (the timed ones judge a time: a grid's browsers are slower, docs/scale.md)."""
    return event_findings(run_dir)


def test_a_demo_subset_on_the_grid_matches_a_local_run(grid: Grid, demo_url: str, tmp_path: Path) -> None:
    local, remote = tmp_path / "local", tmp_path / "grid"
    procs = [start(local, demo_url, "--workers", "2", "--trace", "on"),  # side by side: the same machine's load
             start(remote, demo_url, "--workers", "2", "--trace", "on", "--grid",
                   grid.url.replace("//", "//me:s3cret@"))]
    done_local, done = (subprocess.CompletedProcess(p.args, p.wait(timeout=600), *p.communicate()) for p in procs)
    assert done_local.returncode == 0, done_local.stdout + done_local.stderr
    assert done.returncode == 0, done.stdout + done.stderr + grid.logs()
    assert outcome(remote) == outcome(local) and findings(remote) == findings(local)
    assert findings(remote)  # the subset has friction to find
    info = run_info(remote)
    assert (info.browser_source, info.browser_endpoint) == ("grid", grid.url)
    assert info.browser_version and info.browser_version.split(".")[0] == run_info(local).browser_version.split(".")[0]
    assert f"Browsers from the Selenium Grid at {grid.url}" in done.stdout
    for folder in (remote, tmp_path):  # the credentials are nowhere in the run folder or the output
        for path in folder.rglob("*"):
            assert not path.is_file() or b"s3cret" not in path.read_bytes(), path
    assert "s3cret" not in done.stdout + done.stderr
    # probes, axe scans, screenshots and traces are there as in the local run
    by_step = {(r.scenario, r.step_index): r for r in records(local)}
    for rec in records(remote):
        twin = by_step[(rec.scenario, rec.step_index)]
        assert rec.signals.probed == twin.signals.probed, rec.text
        assert (rec.signals.page_load is None) == (twin.signals.page_load is None), rec.text
        if rec.status == "failed" or twin.status == "failed":  # other evidence follows timings, which differ
            assert bool(rec.artifacts.screenshot) == bool(twin.artifacts.screenshot), rec.text
        for kept in (rec.artifacts.screenshot, rec.artifacts.trace):
            assert kept is None or (remote / kept).is_file(), kept
    def scanned(run_dir: Path) -> set[tuple[str, tuple[str, ...]]]:  # axe: each page state once per worker
        return {(re.sub(r"[0-9]+", "#", r.signals.a11y.state),
                 tuple(sorted(v.id for v in r.signals.a11y.violations)))
                for r in records(run_dir) if r.signals.a11y is not None}

    assert scanned(remote) == scanned(local) and scanned(remote)
    def traced(run_dir: Path) -> set[str]:  # the scenarios with a trace (its parts follow each worker's logins)
        return {p.parent.name for p in run_dir.rglob("*.zip")}

    assert traced(remote) == traced(local) and traced(remote)


def _kill_during_the_first_scenario(grid: Grid, proc: subprocess.Popen[str], out: Path) -> str:
    """Wait for the run's first step record, then kill the node holding its browser; return that node."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        steps = out / "steps.jsonl"
        if steps.exists() and steps.read_text().strip():
            busy = [n for n in grid.busy_nodes() if n in grid.nodes]  # a killed node may still be listed
            assert len(busy) == 1, busy
            grid.kill_node(busy[0])
            return busy[0]
        time.sleep(0.05)
    raise AssertionError(f"no step was recorded\n{proc.communicate()}")


def test_a_node_killed_mid_scenario_costs_that_scenario_and_the_next_gets_the_other_node(
        grid: Grid, tmp_path: Path) -> None:
    """A killed node fails its scenario as ``browser_lost`` and the run exits 1; with ``--retries`` the retry takes
    the same path as the next scenario here (a new session on the node left), checked by hand (docs/scale.md)."""
    feature = [ROOT / "features" / "demo" / "login.feature"]
    with demo_server(1, latency_ms=300) as slow:  # each request slow: the kill lands inside the first scenario
        out = tmp_path / "killed"
        env = {k: v for k, v in env_with_secrets().items() if k not in NO_REMOTE}
        cmd = [sys.executable, "-m", "harness.cli", "run", *map(str, feature), "--app", "demo", "--base-url",
               slow.url, "--out", str(out), "--history", "off", "--grid", grid.url, "--step-timeout", "3000"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        _kill_during_the_first_scenario(grid, proc, out)
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 1, stdout + stderr
        recs = records(out)
        lost = [r for r in recs if r.status == "failed"]
        assert len(lost) == 1 and lost[0].error_kind == "browser_lost", [(r.text, r.error) for r in lost]
        assert f"the remote browser was lost: the Selenium Grid at {grid.url}" in (lost[0].error or "")
        before = [r for r in recs if r.scenario == lost[0].scenario and r.step_index < lost[0].step_index]
        assert before and all(r.status == "passed" for r in before)  # the finished steps are kept
        other = [r for r in recs if r.scenario != lost[0].scenario]
        assert other and all(r.status == "passed" for r in other)  # the next scenario got a browser on the other node
        info = run_info(out)
        assert (info.status, info.exit_code) == ("complete", 1) and info.totals["scenarios_failed"] == 1


def test_a_grid_that_cannot_give_a_browser_stops_the_run_with_one_message(jar: Path, demo_url: str,
                                                                         tmp_path: Path) -> None:
    port = free_port()
    done = cli("run", *SUBSET, "--app", "demo", "--base-url", demo_url, "--grid", f"http://a:s3cret@127.0.0.1:{port}",
               "--out", tmp_path / "none", env=NO_REMOTE)
    said = " ".join(done.stderr.split())
    assert done.returncode == 2 and f"the Selenium Grid at http://127.0.0.1:{port} is unreachable" in said, said
    assert "s3cret" not in done.stdout + done.stderr and "Traceback" not in said
    hub_args = ("--session-request-timeout", "4", "--session-request-timeout-period", "1")
    with selenium_grid(jar, tmp_path / "small", nodes=0, hub_args=hub_args) as small:
        small.wait_ready(0)
        done = cli("run", *SUBSET, "--app", "demo", "--base-url", demo_url, "--grid", small.url,
                   "--out", tmp_path / "alone", env=NO_REMOTE)
        said = " ".join(done.stderr.split())
        assert done.returncode == 2 and f"the Selenium Grid at {small.url} has no node offering chrome" in said, said
        small.add_node(sessions=1)
        small.wait_ready(1)
        out = tmp_path / "full"  # two workers, one slot: the second worker's request waits in the queue, then times out
        done = harness("run", *SUBSET, "--app", "demo", "--base-url", demo_url, "--grid", small.url, "--out", out,
                       "--workers", "2", env={k: v for k, v in env_with_secrets().items() if k not in NO_REMOTE})
        said = " ".join(done.stderr.split())
        assert done.returncode == 2, done.stdout + done.stderr + small.logs()
        assert "error: the run stopped early: the Selenium Grid at" in said and "queue timed out" in said, said
        info = run_info(out)
        assert info.status == "errored" and "queue timed out" in (info.error or "")
        assert (info.browser_source, info.browser_endpoint) == ("grid", small.url)


def test_a_playwright_server_gives_the_browsers_and_an_unreachable_one_is_one_message(
        demo_url: str, tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "playwright", "run-server", "--host", "127.0.0.1", "--port",
                               str(port), "--unsafe"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                              start_new_session=True)  # python's launcher and its node.js server: ended together
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            import socket

            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        out = tmp_path / "server"
        done = run(out, demo_url, "--connect", f"ws://127.0.0.1:{port}/", "--browser-path",
                   "/usr/bin/chromium-headless-shell", paths=[SUBSET[0]])
        assert done.returncode == 0, done.stdout + done.stderr
        info = run_info(out)
        assert (info.browser_source, info.browser_endpoint) == ("server", f"ws://127.0.0.1:{port}/")
        assert info.totals["scenarios_passed"] == info.totals["scenarios"] >= 2
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    done = cli("run", SUBSET[0], "--app", "demo", "--base-url", demo_url, "--connect", f"ws://127.0.0.1:{port}/",
               "--out", tmp_path / "gone", env=NO_REMOTE)
    said = " ".join(done.stderr.split())
    assert done.returncode == 2 and f"the Playwright server at ws://127.0.0.1:{port}/ is unreachable" in said, said


def test_the_guide_check_takes_its_browser_from_the_grid_too(grid: Grid, demo_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in env_with_secrets().items() if k not in NO_REMOTE}

    def check(out: Path, *args: str) -> dict[tuple[str, str], str]:
        done = subprocess.run([sys.executable, "-m", "harness.cli", "guides", "check", "--app", "demo", "--base-url",
                               demo_url, "--out", str(out), *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=300, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        data = json.loads((out / "guides.json").read_text())
        return {(g["id"], s["id"]): s["status"] for g in data["guides"] for s in g["steps"]}

    sessions_before = grid.sessions_started()
    remote = check(tmp_path / "grid", "--grid", grid.url)
    assert grid.sessions_started() > sessions_before  # the check's browser was the grid's
    assert remote and set(remote.values()) == {"ok"}  # v1's guides are intact (tests/test_e2e_guides_demo.py)
