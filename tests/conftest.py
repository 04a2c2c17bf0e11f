"""Fixtures shared by the test modules, and the test tiers.

The expensive runs (the demo on v1 and v2, the report's runs, the compare fixture's runs, the flaky
site's runs, the Allure demo run) are built once per session by whichever xdist worker needs them
first (:mod:`tests.support.builds`); a Django admin per version is started once per worker, a
Chromium once per module that drives pages.

Tiers: a test that uses a browser, a server-backed run or a Django server is marked ``e2e``
(modules mark themselves; the fixtures below mark their users). ``pytest -m "not e2e"`` is the
fast tier; :func:`tests.support.tiers.require_e2e` fails an unmarked test that starts a browser
or a harness process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.support import builds
from tests.support.allure import install_allure, npm_and_java
from tests.support.builds import AllureDemo, CompareRuns, FlakyRuns, Run
from tests.support.django_admin import DjangoSites, django_sites_for_session
from tests.support.servers import chromium
from tests.support.shared import SharedBuilds
from tests.support.tiers import set_current

SHARED_RUN_FIXTURES = frozenset({"demo_v1_run", "demo_v2_run", "report_runs", "compare_runs", "flaky_runs",
                                 "allure_demo"})
"""Fixtures whose run another worker may be building: their users may wait for it."""
E2E_FIXTURES = SHARED_RUN_FIXTURES | {"browser", "django_sites", "allure_cli"}
"""Fixtures that start a browser, a server-backed run or a server: their users are marked e2e."""
SHARED_RUN_TIMEOUT = 900
"""Seconds a test that reads a shared run may take: the run, or waiting for the worker that builds it."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark e2e the tests that use an e2e fixture; give the readers of a shared run time to wait for it."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & E2E_FIXTURES and item.get_closest_marker("e2e") is None:
            item.add_marker(pytest.mark.e2e)
        if used & SHARED_RUN_FIXTURES and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(SHARED_RUN_TIMEOUT))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tell :mod:`tests.support.tiers` whether the test about to run is marked e2e."""
    set_current(item.get_closest_marker("e2e") is not None)


# --- once per session, whichever worker asks first ------------------------------------------------------------
@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> SharedBuilds:
    """The session's shared builds: under the base temporary folder every xdist worker shares."""
    base = tmp_path_factory.getbasetemp()
    return SharedBuilds((base if worker_id == "master" else base.parent) / "shared")


@pytest.fixture(scope="session")
def demo_v1_run(shared: SharedBuilds) -> Run:
    """``harness demo``: every demo journey and guide on v1, in one worker."""
    return builds.demo_run(shared, "demo-v1")


@pytest.fixture(scope="session")
def demo_v2_run(shared: SharedBuilds, demo_v1_run: Run) -> Run:
    """``harness demo --version 2``: every demo journey and guide on v2, in two workers, after v1 in its history."""
    return builds.demo_run(shared, "demo-v2", "--version", "2", "--workers", "2", "--step-timeout", "4000",
                           after=demo_v1_run)


@pytest.fixture(scope="session")
def report_runs(shared: SharedBuilds) -> tuple[Run, Run]:
    """The report's v1 run, and its v2 run replayed twice in two workers with v1 as the baseline."""
    return builds.report_runs(shared)


@pytest.fixture(scope="session")
def compare_runs(shared: SharedBuilds) -> CompareRuns:
    """The compare fixture's baseline, and its candidate (one page 1 s slower) compared with it."""
    return builds.compare_runs(shared)


@pytest.fixture(scope="session")
def flaky_runs(shared: SharedBuilds) -> FlakyRuns:
    """The flaky site's baseline and its retried, compared candidate run (with Allure results)."""
    return builds.flaky_runs(shared)


@pytest.fixture(scope="session")
def allure_cli() -> Path:
    """The ``allure`` command-line tool, installed from npm on first use (it runs on Java)."""
    npm, java = npm_and_java()
    if npm is None:
        pytest.skip("npm is not installed: the Allure command-line tool is installed from npm (allure-commandline)")
    if not java:
        pytest.fail("the Allure command-line tool needs Java: run `make setup` (installs default-jre-headless)")
    return install_allure(npm)


@pytest.fixture(scope="session")
def allure_demo(shared: SharedBuilds, allure_cli: Path) -> AllureDemo:
    """A demo v2 run with Allure results, and its Allure reports (the second with the first one's history)."""
    return builds.allure_demo(shared, allure_cli)


# --- once per worker, or per module -----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def django_sites() -> Iterator[DjangoSites]:
    """The test site's admin per Django version: started on first use, stopped when the worker ends."""
    with django_sites_for_session() as sites:
        yield sites


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A Chromium for a module's tests that drive pages themselves (a browser context per test)."""
    with chromium() as launched:
        yield launched
