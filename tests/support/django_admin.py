"""A real Django admin, 4.2 LTS or 5.2 LTS, served from cached virtual environments for the tests.

``django_python(version)`` builds (once) ``~/.cache/adoption-harness/django-<version>``: a
virtual environment with that Django release, marked complete by a JSON file written last,
and guarded by a file lock so test workers that race wait for one another instead of
installing twice (:func:`tests.support.vendor_sites.cached_build`). ``django_admin(version)``
serves the test site in ``tests/fixtures/django_site`` on a fresh SQLite database with two
superusers (``admin``, ``editor``) and sample rows, and yields its base URL. Their password
comes from ``DJANGO_ADMIN_PASSWORD`` (with a default) and only ever goes through the
environment, never printed.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.support.vendor_sites import MARKER as MARKER  # the tests read it here
from tests.support.vendor_sites import build_venv, cached_build, read_marker, run, serve_process, site_env

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "django_site"
REQUIREMENTS = {"4.2": "Django>=4.2,<4.3", "5.2": "Django>=5.2,<5.3"}
PASSWORD_ENV = "DJANGO_ADMIN_PASSWORD"
DEFAULT_PASSWORD = "Adm1n-Test-Only-9fK2"
#: The password of the servers a test session shares (:func:`django_sites_for_session`): not the default.
SESSION_PASSWORD = "e2e-Django-Admin-Secret-5Rq"
USERNAME = "admin"
#: A second superuser (same password): guides that log out use it, so the admin's session survives.
OTHER_USERNAME = "editor"
#: Primary keys of the sample rows (library/fixtures/sample.json) the tests open.
BOOK_ID = 1
AUTHOR_ID = 1


class DjangoSiteError(RuntimeError):
    """The environment or the server of the test site could not be prepared."""


def admin_password() -> str:
    """The superuser's password: ``$DJANGO_ADMIN_PASSWORD``, else a test-only default."""
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


def _requirement(version: str) -> str:
    try:
        return REQUIREMENTS[version]
    except KeyError:
        raise ValueError(f"unsupported Django version {version!r} (known: {', '.join(REQUIREMENTS)})") from None


def _read_marker(venv: Path, requirement: str) -> dict[str, str] | None:
    """The completion marker of a virtual environment, when it is complete for ``requirement``."""
    return read_marker(venv, "bin/python", requirement=requirement)


def _run(cmd: list[str | Path], *, timeout: float, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command; raise ``DjangoSiteError`` with its output when it fails."""
    return run(cmd, timeout=timeout, cwd=cwd, env=env, error=DjangoSiteError)


def django_python(version: str) -> Path:
    """Return the Python of the cached virtual environment for a Django version, building it once.

    Args:
        version: ``"4.2"`` or ``"5.2"``.

    Raises:
        DjangoSiteError: When the environment cannot be created or Django cannot be installed.
    """
    requirement = _requirement(version)

    def build(venv: Path) -> dict[str, str]:
        installed = build_venv(venv, [requirement], "import django; print(django.get_version())", error=DjangoSiteError)
        return {"requirement": requirement, "django": installed}

    venv = cached_build(f"django-{version}", lambda venv: _read_marker(venv, requirement) is not None, build)
    return venv / "bin" / "python"


def installed_django(version: str) -> str:
    """The exact Django release installed in the cached environment (from the completion marker)."""
    python = django_python(version)
    marker = _read_marker(python.parent.parent, _requirement(version))
    assert marker is not None
    return marker["django"]


def _site_env(db: Path) -> dict[str, str]:
    """The environment of the site's management commands: no variable of this project leaks in."""
    return site_env(DJANGO_SETTINGS_MODULE="site_project.settings", DJANGO_SITE_DB=str(db))


def prepare_database(python: Path, db: Path) -> None:
    """Create the site's tables, the superusers (password through the environment) and the sample rows."""
    env = _site_env(db)
    manage = [python, "manage.py"]
    _run([*manage, "migrate", "--run-syncdb", "--noinput"], cwd=SITE, env=env, timeout=120)
    for username in (USERNAME, OTHER_USERNAME):
        _run([*manage, "createsuperuser", "--noinput", "--username", username, "--email", f"{username}@example.org"],
             cwd=SITE, env={**env, "DJANGO_SUPERUSER_PASSWORD": admin_password()}, timeout=120)
    _run([*manage, "loaddata", "sample"], cwd=SITE, env=env, timeout=120)


@contextlib.contextmanager
def django_admin(version: str, *, start_timeout: float = 60) -> Iterator[str]:
    """Serve the test site's admin with Django ``version`` on a fresh database.

    Args:
        version: ``"4.2"`` or ``"5.2"``.
        start_timeout: Seconds to wait for the server to answer.

    Yields:
        The base URL, e.g. ``http://127.0.0.1:41234`` (the admin is under ``/admin/``).

    Raises:
        DjangoSiteError: When the database or the server cannot be set up.
    """
    python = django_python(version)
    with tempfile.TemporaryDirectory(prefix=f"django-{version}-") as tmp:
        db = Path(tmp) / "db.sqlite3"
        prepare_database(python, db)

        def launch(port: int) -> tuple[list[str | Path], dict[str, str]]:
            return [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], _site_env(db)

        with serve_process(launch, cwd=SITE, logs=Path(tmp), ready_path="/admin/login/",
                           name=f"Django {version} runserver", start_timeout=start_timeout,
                           error=DjangoSiteError) as base_url:
            yield base_url


class AdminClient:
    """A cookie-keeping HTTP client for the admin, without a browser.

    Attributes:
        base_url: The site's base URL.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._jar = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._jar))

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """GET (or POST ``data`` to) a path; return (status, final URL, body). Redirects are followed."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body,
                                     headers={"Referer": self.base_url + path} if body else {})
        try:
            with self._opener.open(req, timeout=30) as response:
                return int(response.status), response.geturl(), response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), exc.read().decode("utf-8", "replace")

    def csrf_token(self) -> str:
        """The CSRF cookie's value (set by any page with a form)."""
        return next(c.value for c in self._jar if c.name == "csrftoken" and c.value is not None)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        """POST a form to a path with the CSRF token, after a GET that sets the cookie."""
        self.request(path)
        return self.request(path, {"csrfmiddlewaretoken": self.csrf_token(), **fields})

    def login(self, username: str = USERNAME, password: str | None = None) -> tuple[int, str, str]:
        """Log in through the admin's login form; return the response it lands on."""
        return self.post_form("/admin/login/?next=/admin/",
                              {"username": username, "password": password or admin_password(), "next": "/admin/"})


def title_of(html: str) -> str:
    """The ``<title>`` of a page, whitespace-collapsed."""
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    return " ".join(found.group(1).split()) if found else ""


class DjangoSites:
    """The test site's admin per Django version, each started on first use and kept until the stack closes.

    The guide checks and the tests only read pages (a guide may log its own session out): one
    server per version serves them all.
    """

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        self._urls: dict[str, str] = {}

    def url(self, version: str) -> str:
        """The base URL of the admin served with Django ``version`` (``"4.2"`` or ``"5.2"``)."""
        if version not in self._urls:
            self._urls[version] = self._stack.enter_context(django_admin(version))
        return self._urls[version]


@contextlib.contextmanager
def django_sites_for_session() -> Iterator[DjangoSites]:
    """Servers whose superusers have :data:`SESSION_PASSWORD`, set in ``$DJANGO_ADMIN_PASSWORD`` meanwhile.

    The harness commands the tests start read the password from the same variable.
    """
    saved = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = SESSION_PASSWORD
    try:
        with contextlib.ExitStack() as stack:
            yield DjangoSites(stack)
    finally:
        if saved is None:
            os.environ.pop(PASSWORD_ENV, None)
        else:
            os.environ[PASSWORD_ENV] = saved


def harness_env() -> dict[str, str]:
    """The environment of a harness command against the session's servers: their non-default admin password
    (``$DJANGO_ADMIN_PASSWORD``, set by :func:`django_sites_for_session`), ``CI``, and no run of an outer harness."""
    assert os.environ[PASSWORD_ENV] == SESSION_PASSWORD
    env = {**os.environ, "CI": "true"}
    for name in ("HARNESS_RUN_DIR", "HARNESS_RUN_ID"):
        env.pop(name, None)
    return env
