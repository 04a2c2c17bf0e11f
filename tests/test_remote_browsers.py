"""Remote browsers without a browser: where the grid or server comes from, credentials kept out, /status read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.collect.remote import (
    Remote,
    child_env,
    connect_headers,
    launch_error,
    parse_grid_status,
    public_settings,
    remote_of,
)
from harness.contracts.settings import RunSettings
from harness.errors import SpecError
from harness.redaction import without_credentials
from harness.spec.remote import browser_endpoints, from_pyproject
from tests.support.cli import cli


def pyproject(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.harness]\n{body}\n")
    return tmp_path


def test_the_command_line_wins_over_the_environment_which_wins_over_pyproject(tmp_path: Path) -> None:
    root = pyproject(tmp_path, 'grid = "http://py:4444"')
    env = {"HARNESS_GRID": "http://env:4444"}
    assert browser_endpoints("http://cli:4444", None, env, root) == ("http://cli:4444", None)
    assert browser_endpoints(None, None, env, root) == ("http://env:4444", None)
    assert browser_endpoints(None, None, {}, root) == ("http://py:4444", None)
    # the first place naming either settles both: --connect is not mixed with the environment's grid
    assert browser_endpoints(None, "ws://cli:3000/", env, root) == (None, "ws://cli:3000/")
    assert browser_endpoints(None, None, {"HARNESS_CONNECT": "ws://env:3000/"}, root) == (None, "ws://env:3000/")
    assert browser_endpoints(None, None, {}, tmp_path / "nowhere") == (None, None)


def test_a_bad_pyproject_value_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    root = pyproject(tmp_path, 'connect = "http://not-a-ws:3000"')
    with pytest.raises(SpecError) as caught:
        from_pyproject(root)
    assert "pyproject.toml:5" in str(caught.value) and "not a ws or wss URL" in str(caught.value)
    root = pyproject(tmp_path, 'grid = "http://a:1"\nconnect = "ws://b:2"')
    with pytest.raises(SpecError, match="grid or connect, not both"):
        from_pyproject(root)
    root = pyproject(tmp_path, "grid = 4444")
    with pytest.raises(SpecError, match="must be a string"):
        from_pyproject(root)


def test_a_bad_url_from_the_command_line_is_one_message_without_its_password(tmp_path: Path) -> None:
    done = cli("run", "features/demo", "--app", "demo", "--grid", "ftp://me:hunter2@grid:4444",
               env={"HARNESS_GRID": None, "HARNESS_CONNECT": None})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--grid: 'ftp://grid:4444' is not a http or https URL" in " ".join(done.stderr.split())
    assert "hunter2" not in done.stdout + done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("url", "shown"), [
    ("http://user:s3cret@grid.example:4444/wd/hub", "http://grid.example:4444/wd/hub"),
    ("https://grid.example/?token=s3cret", "https://grid.example/?..."),
    ("ws://127.0.0.1:3000/", "ws://127.0.0.1:3000/"),
    ("wss://only-user@host", "wss://host"),
    ("http://[::1]:4444", "http://[::1]:4444"),
    ("a:s3cret@host", "(not a URL)"),
])
def test_credentials_never_show(url: str, shown: str) -> None:
    assert without_credentials(url) == shown


def test_the_settings_file_gets_the_url_without_credentials_and_the_child_the_full_one() -> None:
    settings = RunSettings(app="demo", grid="http://me:s3cret@grid:4444")
    written = public_settings(settings)
    assert written.grid == "http://grid:4444" and "s3cret" not in written.model_dump_json()
    env = child_env(settings)
    assert env == {"HARNESS_GRID": "http://me:s3cret@grid:4444"}
    remote = remote_of(written, env)
    assert remote is not None and remote.url == settings.grid and remote.endpoint == "http://grid:4444"
    assert remote_of(written, {"HARNESS_GRID": "http://me:s3cret@other:4444"}).url == "http://grid:4444"  # type: ignore[union-attr]
    assert remote_of(RunSettings(app="demo"), env) is None


def test_a_driver_error_is_scrubbed_and_a_queue_timeout_says_the_grid_is_full() -> None:
    remote = Remote("grid", "http://me:s3cret@grid:4444")
    error = RuntimeError("Error connecting to Selenium at http://me:s3cret@grid:4444/session: Could not start a "
                         "new session. New session request timed out")
    said = launch_error(remote, error)
    assert "queue timed out" in said and "full" in said and "http://grid:4444" in said and "s3cret" not in said
    refused = launch_error(Remote("server", "ws://127.0.0.1:9/"), RuntimeError("connect ECONNREFUSED 127.0.0.1:9"))
    assert refused.startswith("the Playwright server at ws://127.0.0.1:9/ is unreachable")


def test_the_launch_options_header_carries_headless_switches_and_the_server_side_path() -> None:
    header = connect_headers({"headless": True, "args": ["--no-sandbox"], "executable_path": "/usr/bin/chromium"})
    assert json.loads(header["x-playwright-launch-options"]) == {
        "headless": True, "args": ["--no-sandbox"], "executablePath": "/usr/bin/chromium"}
    assert "executablePath" not in json.loads(connect_headers({"headless": False})["x-playwright-launch-options"])


def _slot(browser: str, session: object = None) -> dict[str, object]:
    return {"stereotype": {"browserName": browser, "platformName": "linux"}, "session": session}


def test_status_counts_the_chrome_slots_of_up_nodes() -> None:
    payload = {"value": {"ready": True, "message": "Selenium Grid ready.", "nodes": [
        {"availability": "UP", "slots": [_slot("chrome"), _slot("chrome", {"sessionId": "x"})]},
        {"availability": "UP", "slots": [_slot("firefox")]},
        {"availability": "DOWN", "slots": [_slot("chrome")]},
    ]}}
    status = parse_grid_status(payload)
    assert (status.ready, status.nodes, status.chrome_slots, status.free_chrome_slots) == (True, 2, 2, 1)
    assert status.browsers == ("chrome", "firefox")
    alone = parse_grid_status({"value": {"ready": False, "message": "Selenium Grid not ready.", "nodes": []}})
    assert (alone.ready, alone.nodes, alone.chrome_slots) == (False, 0, 0)
    for bad in ({"value": "x"}, [], {"status": 0}):
        with pytest.raises(ValueError):
            parse_grid_status(bad)
