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
today's Flask 3.1, WTForms 3.2+ and SQLAlchemy 2. The cache and the server's start are the
Django module's (:mod:`tests.support.vendor_sites`).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.support.vendor_sites import build_venv, cached_build, read_marker, serve_process, site_env

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
#: The ticket the edit and details pages of the guides open (a seeded row).
TICKET_ID = 3


class FlaskSiteError(RuntimeError):
    """The environment or the server of the Helpdesk site could not be prepared."""


def _requirements(version: str) -> tuple[str, ...]:
    try:
        return REQUIREMENTS[version]
    except KeyError:
        raise ValueError(f"unsupported Flask-Admin version {version!r} (known: {', '.join(REQUIREMENTS)})") from None


def _read_marker(venv: Path, requirements: tuple[str, ...]) -> dict[str, str] | None:
    """The completion marker of a virtual environment, when it is complete for ``requirements``."""
    return read_marker(venv, "bin/python", requirements=list(requirements))


def flask_python(version: str) -> Path:
    """Return the Python of the cached virtual environment for a Flask-Admin version, building it once.

    Args:
        version: ``"1.6.1"`` or ``"2.2.1"``.

    Raises:
        FlaskSiteError: When the environment cannot be created or the packages cannot be installed.
    """
    requirements = _requirements(version)

    def build(venv: Path) -> dict[str, object]:
        installed = build_venv(venv, ["--no-deps", *requirements], "import flask_admin; print(flask_admin.__version__)",
                               error=FlaskSiteError, check=True)
        return {"requirements": list(requirements), "flask_admin": installed}

    venv = cached_build(f"flask-admin-{version}", lambda venv: _read_marker(venv, requirements) is not None, build)
    return venv / "bin" / "python"


def installed_flask_admin(version: str) -> str:
    """The exact Flask-Admin release installed in the cached environment (from the completion marker)."""
    python = flask_python(version)
    marker = _read_marker(python.parent.parent, _requirements(version))
    assert marker is not None
    return marker["flask_admin"]


def _site_env(db: Path, port: int) -> dict[str, str]:
    """The site's environment: its database and port; no variable of this project leaks in."""
    return site_env(HELPDESK_DB=str(db), HELPDESK_PORT=str(port))


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

        def launch(port: int) -> tuple[list[str | Path], dict[str, str]]:
            return [python, "app.py"], _site_env(Path(tmp) / f"db-{port}.sqlite3", port)

        with serve_process(launch, cwd=SITE, logs=Path(tmp), ready_path="/admin/", name=f"Flask-Admin {version}",
                           start_timeout=start_timeout, error=FlaskSiteError) as base_url:
            yield base_url


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
