"""Helpers for the end-to-end tests: run the real ``harness`` CLI and read its run folder back."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from harness.contracts.records import RunInfo, StepRecord
from harness.demo import DemoServer
from harness.runfolder.io import read_records

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parents[1]
#: Passwords the demo app and the harness read from the environment in the e2e runs;
#: none of them may appear anywhere in a run folder.
SECRETS = {"DEMO_EMPLOYEE_PASSWORD": "e2e-Employee-Secret-7Qx", "DEMO_MANAGER_PASSWORD": "e2e-Manager-Secret-3Kv"}


def env_with_secrets() -> dict[str, str]:
    """The environment of a harness subprocess, with non-default demo passwords."""
    env = {**os.environ, **SECRETS, "CI": "true"}
    env.pop("HARNESS_RUN_DIR", None)
    env.pop("HARNESS_RUN_ID", None)
    return env


def harness(*args: str, timeout: float = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``harness ARGS`` from the project folder."""
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env or env_with_secrets())


def run_info(run_dir: Path) -> RunInfo:
    return RunInfo.model_validate_json((run_dir / "run.json").read_text())


def records(run_dir: Path) -> list[StepRecord]:
    found, bad = read_records(run_dir)
    assert bad == 0
    return found


def scenario_runs(run_dir: Path) -> dict[tuple[str, str, str, int], list[StepRecord]]:
    """Step records by (feature file name, scenario, example values, repeat), in step order."""
    runs: dict[tuple[str, str, str, int], list[StepRecord]] = defaultdict(list)
    for record in records(run_dir):
        key = (Path(record.feature_file).name, record.scenario, json.dumps(record.example, sort_keys=True),
               record.repeat)
        runs[key].append(record)
    for steps in runs.values():
        steps.sort(key=lambda r: r.step_index)
    return runs


def folder_text(run_dir: Path) -> str:
    """Every byte of a run folder as text, traces unzipped: to search it for secrets."""
    chunks = []
    for path in run_dir.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                chunks.extend(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        else:
            chunks.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(chunks)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    delays: ClassVar[dict[str, float]] = {}

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        delay = self.delays.get(self.path.split("?")[0])
        if delay:
            time.sleep(delay)
        super().do_GET()


@contextlib.contextmanager
def serve_folder(folder: Path, delays: dict[str, float] | None = None) -> Iterator[str]:
    """Serve a folder of static files over real HTTP on 127.0.0.1; yield its base URL.

    Args:
        folder: The files.
        delays: Seconds to wait before answering, by path (``/slow.png``).
    """
    handler = type("_Handler", (_QuietHandler,), {"delays": dict(delays or {})})
    with serve(functools.partial(handler, directory=str(folder))) as url:
        yield url


@contextlib.contextmanager
def serve(handler: Any) -> Iterator[str]:
    """Serve a request handler class over real HTTP on 127.0.0.1 from a thread; yield its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """A real Chromium, found and launched as the harness does, for tests that drive pages directly."""
    from playwright.sync_api import sync_playwright

    from harness.collect.browser import launch_options, resolve_browser

    with sync_playwright() as pw:
        launched = pw.chromium.launch(**launch_options(resolve_browser()))
        try:
            yield launched
        finally:
            launched.close()


@contextlib.contextmanager
def both_demo_versions() -> Iterator[dict[int, DemoServer]]:
    """The demo app v1 and v2 side by side, by version."""
    with DemoServer(version=1) as v1, DemoServer(version=2) as v2:
        yield {1: v1, 2: v2}


@contextlib.contextmanager
def demo_server(version: int, **kwargs: Any) -> Iterator[DemoServer]:
    """The demo app whose users have the e2e passwords of :data:`SECRETS` (read when it is created)."""
    saved = {k: os.environ.get(k) for k in SECRETS}
    os.environ.update(SECRETS)
    try:
        server = DemoServer(version=version, **kwargs)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    with server:
        yield server
