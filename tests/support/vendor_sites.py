"""What the real vendor sites of the corpus tests share (Django admin, Flask-Admin, Swagger UI).

- :func:`cached_build`: a folder under ``~/.cache/adoption-harness`` (``$ADOPTION_HARNESS_CACHE``
  wins) built once, guarded by a file lock so test workers that race wait for one another instead
  of building twice, and marked complete by a JSON file written last (:func:`read_marker`);
- :func:`run`: a set-up command whose failure raises the site's own error with its output, and
  :func:`build_venv`: a virtual environment with given packages (a build of :func:`cached_build`);
- :func:`serve_process`: a server process on a free port of 127.0.0.1, waited for until a page
  answers, started again on another port when one was taken meanwhile, stopped with anything it
  started.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

CACHE_ENV = "ADOPTION_HARNESS_CACHE"
MARKER = "adoption-harness-complete.json"
#: A server command and its environment for a port: what :func:`serve_process` starts.
Launch = Callable[[int], tuple[Sequence[str | Path], dict[str, str]]]


def cache_dir() -> Path:
    """The folder that holds the cached builds (``$ADOPTION_HARNESS_CACHE`` wins)."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "adoption-harness"


def read_marker(folder: Path, needs: str, **fields: Any) -> dict[str, Any] | None:
    """The completion marker of a cached build, when the build is complete.

    Args:
        folder: The build's folder.
        needs: A file the build must hold (``bin/python``), relative to ``folder``.
        fields: What the marker must say (``requirement="Django>=4.2,<4.3"``).

    Returns:
        The marker; ``None`` when there is none, it is unreadable, says otherwise, or ``needs`` is missing.
    """
    try:
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or any(marker.get(k) != v for k, v in fields.items()):
        return None
    return marker if (folder / needs).is_file() else None


def cached_build(name: str, complete: Callable[[Path], bool], build: Callable[[Path], dict[str, Any]]) -> Path:
    """Return the cache folder ``name``, building it once.

    Args:
        name: The folder's name under :func:`cache_dir` (its lock is ``<name>.lock`` beside it).
        complete: Whether a folder holds a complete build (its marker read with :func:`read_marker`).
        build: Builds into the folder it is given (removed beforehand; not created) and returns the
            marker, written last.
    """
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not complete(folder):
                shutil.rmtree(folder, ignore_errors=True)
                marker = build(folder)
                partial = folder / (MARKER + ".part")
                partial.write_text(json.dumps(marker))
                partial.replace(folder / MARKER)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


def run(cmd: Sequence[str | Path], *, timeout: float, error: type[Exception], cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command; raise ``error`` with its output when it fails."""
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise error(f"{' '.join(map(str, cmd[1:]))} failed ({done.returncode}):\n"
                    f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done


def build_venv(venv: Path, install: Sequence[str], version_code: str, *, error: type[Exception],
               check: bool = False) -> str:
    """Create a virtual environment and ``pip install`` packages into it; return the version it holds.

    Args:
        venv: The environment's folder (not there yet).
        install: ``pip install``'s arguments (requirements, options).
        version_code: Python code that prints the installed release (``import django; print(django.__version__)``).
        error: Raised, with a command's output, when a command fails.
        check: Also ``pip check`` the installed packages' dependencies.
    """
    run([sys.executable, "-m", "venv", venv], timeout=300, error=error)
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", *install],
        timeout=600, error=error)
    if check:
        run([python, "-m", "pip", "check", "--disable-pip-version-check"], timeout=120, error=error)
    return run([python, "-c", version_code], timeout=60, error=error).stdout.strip()


def site_env(**variables: str) -> dict[str, str]:
    """The environment of a site's process: this one's, without what points into this project's Python, with
    ``variables``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1", **variables)
    return env


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    """Whether a URL answers 200 (within 2 s)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server and anything it started (its process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextlib.contextmanager
def serve_process(launch: Launch, *, cwd: Path, logs: Path, ready_path: str, name: str, start_timeout: float,
                  error: type[Exception]) -> Iterator[str]:
    """Serve a site from a process of its own on a free port of 127.0.0.1; yield its base URL.

    Args:
        launch: The command and its environment for a port.
        cwd: The folder the command runs in.
        logs: An existing folder for the server's output (``server-<port>.log``).
        ready_path: The path that answers 200 once the server is up (``/admin/``).
        name: The server, for messages (``Django 4.2 runserver``).
        start_timeout: Seconds to wait for ``ready_path`` to answer.
        error: The exception raised when the server does not come up.

    Yields:
        The base URL, e.g. ``http://127.0.0.1:41234``; the server stops when the context exits.
    """
    for _attempt in range(3):  # another process may take the free port before the server binds it
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        cmd, env = launch(port)
        log_path = logs / f"server-{port}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + start_timeout
            while proc.poll() is None and time.monotonic() < deadline and not answers(base_url + ready_path):
                time.sleep(0.1)
            if proc.poll() is None and answers(base_url + ready_path):
                yield base_url
                return
            if proc.poll() is None:
                raise error(f"{name} did not answer on {base_url} within {start_timeout} s:\n"
                            f"{log_path.read_text(errors='replace')[-2000:]}")
            output = log_path.read_text(errors="replace")
            if "already in use" not in output:
                raise error(f"{name} exited ({proc.returncode}):\n{output[-2000:]}")
        finally:
            stop(proc)
    raise error(f"{name}: no free port after 3 attempts")
