"""The Django admin test environment itself (tests/support/django_admin.py), without the harness.

Both cached virtual environments hold the Django release they are named after, both serve
the test site's admin with its sample rows (the servers the session shares), a login works and
a wrong password does not, a server is gone once its context manager exits, the password never
reaches the output, and two processes that build the same environment at once wait for each other.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from harness.spec.profile import load_profile
from tests.support import ROOT
from tests.support.django_admin import (
    DEFAULT_PASSWORD,
    MARKER,
    OTHER_USERNAME,
    PASSWORD_ENV,
    REQUIREMENTS,
    SESSION_PASSWORD,
    USERNAME,
    AdminClient,
    DjangoSites,
    admin_password,
    django_admin,
    django_python,
    installed_django,
    title_of,
)

pytestmark = pytest.mark.xdist_group("django-env")  # beside the guides and journeys groups: its own servers
SECRET = "env-Django-Admin-Secret-8Tz"
"""The password of the server this module starts itself (the shared ones have ``SESSION_PASSWORD``)."""


def _refuses(base_url: str) -> bool:
    """Whether nothing listens on the URL's port any more."""
    port = urlparse(base_url).port
    assert port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.e2e
@pytest.mark.parametrize("version", sorted(REQUIREMENTS))
def test_the_cached_environment_holds_the_named_django_release(version: str) -> None:
    python = django_python(version)
    assert python.is_file()
    done = subprocess.run([str(python), "-c", "import django, sys; print(django.get_version(), sys.prefix)"],
                          capture_output=True, text=True, timeout=60, check=True)
    reported, prefix = done.stdout.split()
    assert reported.startswith(version + ".") and reported == installed_django(version)
    assert Path(prefix) == python.parent.parent
    marker = json.loads((python.parent.parent / MARKER).read_text())
    assert marker == {"requirement": REQUIREMENTS[version], "django": reported}
    written = (python.parent.parent / MARKER).stat().st_mtime_ns
    assert django_python(version) == python
    assert (python.parent.parent / MARKER).stat().st_mtime_ns == written, "a complete environment is reused"


@pytest.mark.parametrize("version", sorted(REQUIREMENTS))
def test_the_admin_serves_its_sample_rows_and_logs_in(version: str, django_sites: DjangoSites) -> None:
    url = django_sites.url(version)
    assert url.startswith("http://127.0.0.1:")
    anonymous = AdminClient(url)
    status, landed, html = anonymous.request("/admin/")
    assert status == 200 and urlparse(landed).path == "/admin/login/"
    assert title_of(html) == "Log in | Django site admin"
    status, _, css = anonymous.request("/static/admin/css/base.css")
    assert status == 200 and "--primary" in css, "DEBUG serves the admin's static files"

    assert SESSION_PASSWORD != DEFAULT_PASSWORD
    refused = AdminClient(url)
    status, landed, html = refused.login(USERNAME, DEFAULT_PASSWORD)
    assert urlparse(landed).path == "/admin/login/"
    assert "Please enter the correct username and password" in html

    for username in (USERNAME, OTHER_USERNAME):
        client = AdminClient(url)
        status, landed, html = client.login(username, SESSION_PASSWORD)
        assert status == 200 and urlparse(landed).path == "/admin/", username
        assert title_of(html) == "Site administration | Django site admin"
        assert f"<strong>{username}</strong>" in html

    status, _, html = client.request("/admin/library/book/")
    assert status == 200 and "6 books" in html and "Mark selected books as out of print" in html
    status, _, html = client.request("/admin/library/book/?q=darkness")
    assert "1 result" in html and "The Left Hand of Darkness" in html
    status, _, html = client.request("/admin/library/book/1/change/")
    assert status == 200 and 'id="add_id_author"' in html and "Catalogue details" in html


@pytest.mark.e2e
def test_a_server_logs_in_with_its_password_and_stops_when_its_context_exits(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(PASSWORD_ENV, SECRET)
    with django_admin("4.2") as url:
        status, landed, _ = AdminClient(url).login(USERNAME, SECRET)  # the password in the environment it saw
        assert status == 200 and urlparse(landed).path == "/admin/"
        _, landed, _ = AdminClient(url).login(USERNAME, SESSION_PASSWORD)
        assert urlparse(landed).path == "/admin/login/"
    assert _refuses(url), "the server stops when the context manager exits"
    out, err = capfd.readouterr()
    assert SECRET not in out + err


def test_the_profiles_default_password_is_the_sites() -> None:
    profile = load_profile(ROOT / "tests" / "fixtures" / "django_admin" / "app.yaml")
    assert set(profile.users) == {USERNAME, OTHER_USERNAME}
    for name, user in profile.users.items():
        username, password = user.credentials()
        assert username == name
        assert password == admin_password()


@pytest.mark.e2e
def test_two_processes_building_one_environment_wait_for_each_other(tmp_path: Path) -> None:
    build = ("import json, sys; from tests.support.django_admin import django_python, MARKER;"
             "p = django_python('4.2'); m = p.parent.parent / MARKER;"
             "print(json.dumps([str(p), m.stat().st_mtime_ns]))")
    env = {**os.environ, "ADOPTION_HARNESS_CACHE": str(tmp_path / "cache")}
    procs = [subprocess.Popen([sys.executable, "-c", build], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [proc.communicate(timeout=600) for proc in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    first, second = (json.loads(out) for out, _ in results)
    assert first == second, "the second process reused the environment the first one built"
    python = Path(first[0])
    assert python.parent.parent == tmp_path / "cache" / "django-4.2"
    done = subprocess.run([str(python), "-c", "import django; print(django.get_version())"], capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.startswith("4.2.")
