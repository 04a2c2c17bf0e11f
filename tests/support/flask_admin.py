"""A real Flask-Admin, 1.6.1 (Bootstrap 3) or 2.2.1 (Bootstrap 4), served from cached virtual environments.

``flask_python(version)`` builds (once) ``~/.cache/adoption-harness/flask-admin-<version>``: a
virtual environment with that Flask-Admin release and the Flask, WTForms and SQLAlchemy
releases pinned below, marked complete by a JSON file written last, and guarded by a file lock
so test workers that race wait for one another instead of installing twice.
``flask_admin(version)`` serves the Helpdesk site in ``tests/fixtures/flask_site`` on a fresh
SQLite database (the site seeds the same sample rows every time) and yields its base URL.
Flask-Admin has no login of its own and the site adds none.

Pins: 1.6.1 (February 2023) runs on Python 3.11 with the Flask 2.2, WTForms 3.0 and
SQLAlchemy 1.4 releases of its time (WTForms 3.1 and SQLAlchemy 2 came after it); 2.2.1 with
today's Flask 3.1, WTForms 3.2+ and SQLAlchemy 2. The cache shares the Django module's folder
and helpers (:mod:`tests.support.django_admin`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.django_admin import DjangoSiteError, _answers, _run, _stop, cache_dir, free_port

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "flask_site"
#: The exact releases installed per Flask-Admin version (pip resolves nothing else).
REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "1.6.1": ("Flask-Admin==1.6.1", "Flask==2.2.5", "Werkzeug==2.2.3", "Jinja2==3.1.2", "MarkupSafe==2.1.2",
              "itsdangerous==2.1.2", "click==8.1.3", "WTForms==3.0.1", "Flask-SQLAlchemy==3.0.3",
              "SQLAlchemy==1.4.46", "greenlet==2.0.2"),
    "2.2.1": ("Flask-Admin==2.2.1", "Flask==3.1.3", "Werkzeug==3.1.9", "Jinja2==3.1.6", "MarkupSafe==3.0.4",
              "itsdangerous==2.2.0", "click==8.5.1", "blinker==1.9.0", "WTForms==3.3.2", "Flask-SQLAlchemy==3.1.1",
              "SQLAlchemy==2.1.9", "greenlet==3.5.6", "typing_extensions==4.16.0"),
}
MARKER = "adoption-harness-complete.json"
#: The ticket the edit and details pages of the guides open (a seeded row).
TICKET_ID = 3


class FlaskSiteError(RuntimeError):
    """The environment or the server of the Helpdesk site could not be prepared."""


def _requirements(version: str) -> tuple[str, ...]:
    try:
        return REQUIREMENTS[version]
    except KeyError:
        raise ValueError(f"unsupported Flask-Admin version {version!r} (known: {', '.join(REQUIREMENTS)})") from None


def _run_or_fail(cmd: list[str | Path], *, timeout: float, env: dict[str, str] | None = None) -> str:
    """Run a command and return its output; raise ``FlaskSiteError`` with its output when it fails."""
    try:
        return _run(cmd, timeout=timeout, env=env).stdout
    except DjangoSiteError as exc:
        raise FlaskSiteError(str(exc)) from None


def _read_marker(venv: Path, requirements: tuple[str, ...]) -> dict[str, str] | None:
    """The completion marker of a virtual environment, when it is complete for ``requirements``."""
    try:
        marker = json.loads((venv / MARKER).read_text())
    except (OSError, ValueError):
        return None
    if marker.get("requirements") != list(requirements) or not (venv / "bin" / "python").is_file():
        return None
    return marker


def flask_python(version: str) -> Path:
    """Return the Python of the cached virtual environment for a Flask-Admin version, building it once.

    Args:
        version: ``"1.6.1"`` or ``"2.2.1"``.

    Raises:
        FlaskSiteError: When the environment cannot be created or the packages cannot be installed.
    """
    requirements = _requirements(version)
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    venv = root / f"flask-admin-{version}"
    with open(root / f"flask-admin-{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _read_marker(venv, requirements) is None:
                shutil.rmtree(venv, ignore_errors=True)
                _run_or_fail([sys.executable, "-m", "venv", venv], timeout=300)
                python = venv / "bin" / "python"
                _run_or_fail([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
                              "--no-deps", *requirements], timeout=600)
                _run_or_fail([python, "-m", "pip", "check", "--disable-pip-version-check"], timeout=120)
                installed = _run_or_fail([python, "-c", "import flask_admin; print(flask_admin.__version__)"],
                                         timeout=60)
                marker = {"requirements": list(requirements), "flask_admin": installed.strip()}
                partial = venv / (MARKER + ".part")
                partial.write_text(json.dumps(marker))
                partial.replace(venv / MARKER)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return venv / "bin" / "python"


def installed_flask_admin(version: str) -> str:
    """The exact Flask-Admin release installed in the cached environment (from the completion marker)."""
    python = flask_python(version)
    marker = _read_marker(python.parent.parent, _requirements(version))
    assert marker is not None
    return marker["flask_admin"]


def _site_env(db: Path, port: int) -> dict[str, str]:
    """The site's environment: its database and port; no variable of this project leaks in."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(HELPDESK_DB=str(db), HELPDESK_PORT=str(port), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    return env


@contextlib.contextmanager
def flask_admin(version: str, *, start_timeout: float = 60) -> Iterator[str]:
    """Serve the Helpdesk site with Flask-Admin ``version`` on a fresh database.

    Args:
        version: ``"1.6.1"`` or ``"2.2.1"``.
        start_timeout: Seconds to wait for the server to answer.

    Yields:
        The base URL, e.g. ``http://127.0.0.1:41234`` (the admin is under ``/admin/``).

    Raises:
        FlaskSiteError: When the environment or the server cannot be set up.
    """
    python = flask_python(version)
    with tempfile.TemporaryDirectory(prefix=f"flask-admin-{version}-") as tmp:
        for attempt in range(3):  # another process may take the free port before the server binds it
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            log_path = Path(tmp) / f"server-{port}.log"
            env = _site_env(Path(tmp) / f"db{attempt}.sqlite3", port)
            with open(log_path, "wb") as log:
                proc = subprocess.Popen([str(python), "app.py"], cwd=SITE, env=env, stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
            try:
                deadline = time.monotonic() + start_timeout
                while proc.poll() is None and time.monotonic() < deadline and not _answers(base_url + "/admin/"):
                    time.sleep(0.1)
                if proc.poll() is None and _answers(base_url + "/admin/"):
                    yield base_url
                    return
                if proc.poll() is None:
                    raise FlaskSiteError(f"Flask-Admin {version} did not answer on {base_url} within {start_timeout} s:"
                                         f"\n{log_path.read_text(errors='replace')[-2000:]}")
                output = log_path.read_text(errors="replace")
                if "already in use" not in output:
                    raise FlaskSiteError(f"Flask-Admin {version} server exited ({proc.returncode}):\n{output[-2000:]}")
            finally:
                _stop(proc)
        raise FlaskSiteError(f"Flask-Admin {version}: no free port after 3 attempts")


class FlaskSites:
    """The Helpdesk site per Flask-Admin version, each started on first use and kept until the stack closes."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        self._urls: dict[str, str] = {}

    def url(self, version: str) -> str:
        """The base URL of the site served with Flask-Admin ``version`` (``"1.6.1"`` or ``"2.2.1"``)."""
        if version not in self._urls:
            self._urls[version] = self._stack.enter_context(flask_admin(version))
        return self._urls[version]
