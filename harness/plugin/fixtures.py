"""The plugin's fixtures, in layers: settings → browser (one per worker) → context and journey (per scenario).

Users override any layer in their own ``conftest.py`` (as pytest-playwright's fixtures allow).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.collect.config import CollectConfig
from harness.collect.journey import Journey
from harness.collect.journey_guides import JourneyGuides
from harness.collect.probes import PageProbes
from harness.collect.remote import is_lost
from harness.collect.signals import SignalLog
from harness.collect.target_repair import TargetRepairs
from harness.collect.tracing import TraceRecorder
from harness.collect.watchdog import Watchdog, marker_arg, setup_limit_s
from harness.contracts.records import ARTIFACTS_DIR
from harness.errors import HarnessError
from harness.plugin.halt import stop_run
from harness.plugin.recorder import STATE_KEY, slug
from harness.runfolder.io import BROWSER_INFO, history_dir
from harness.spec.guides import guides_dir

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

    from harness.collect.browser import Launcher

CONFIG_KEY = pytest.StashKey["CollectConfig | None"]()


def config_of(config: pytest.Config) -> CollectConfig | None:
    """The run's resolved settings (``None`` when the plugin is inert: no ``--harness-app``)."""
    return config.stash.get(CONFIG_KEY, None)


@pytest.fixture(autouse=True)
def harness_repeat(request: pytest.FixtureRequest) -> int:
    """The replay index of the current scenario (0 when ``--harness-repeat`` is 1)."""
    return int(getattr(request, "param", 0))


@pytest.fixture(scope="session")
def harness_config(request: pytest.FixtureRequest) -> CollectConfig:
    """The run's settings; fails clearly when ``--harness-app`` is missing."""
    cfg = config_of(request.config)
    if cfg is None:
        raise pytest.UsageError("adoption-harness steps need --harness-app (e.g. --harness-app demo)")
    return cfg


@pytest.fixture(scope="session")
def harness_launcher(harness_config: CollectConfig) -> Iterator[Launcher]:
    """The worker's Chromium, launched once and again after a crash; the run stops when none can be had.

    It comes from where the settings say (:mod:`harness.collect.remote`): a Selenium Grid (``grid``),
    a Playwright server (``connect``), else this machine (:func:`harness.collect.browser.resolve_browser`).
    """
    from playwright.sync_api import sync_playwright

    from harness.collect.browser import Launcher, choose
    from harness.collect.remote import driver_env, remote_of

    cfg = harness_config
    remote = remote_of(cfg.settings)

    def start() -> Playwright:
        with driver_env(remote):  # the driver reads SELENIUM_REMOTE_URL once, at its start
            return sync_playwright().start()

    pw = start()
    launcher: Launcher | None = None
    try:
        try:
            choice = choose(pw, cfg.browser_path, not cfg.headed, remote)
        except HarnessError as exc:
            stop_run(cfg, str(exc))
        launcher = Launcher(pw, choice, headless=not cfg.headed, extra_args=[marker_arg(cfg.browser_token)],
                            remote=remote, restart=start if remote is not None else None)
        try:
            browser = launcher.browser()
        except HarnessError as exc:
            stop_run(cfg, str(exc))
        info = cfg.run_dir / BROWSER_INFO
        if not info.exists():
            info.write_text(json.dumps({"browser_name": "chromium", "browser_version": browser.version,
                                        "browser_path": choice.path, "browser_source": choice.source,
                                        "browser_endpoint": remote.endpoint if remote is not None else None}))
        yield launcher
        launcher.close()
    finally:
        (launcher.playwright if launcher is not None else pw).stop()


@pytest.fixture
def harness_browser(harness_config: CollectConfig, harness_launcher: Launcher) -> Browser:
    """A connected Chromium for the scenario: the worker's, launched again when it was lost."""
    try:
        return harness_launcher.browser()
    except HarnessError as exc:
        stop_run(harness_config, str(exc))


@pytest.fixture(scope="session")
def harness_watchdog(harness_config: CollectConfig, harness_launcher: Launcher) -> Iterator[Watchdog]:
    """The worker's watchdog over its Chromium (:mod:`harness.collect.watchdog`)."""
    dog = Watchdog(harness_config.browser_token, harness_config.step_timeout_ms, local=harness_launcher.remote is None)
    yield dog
    dog.stop()


@pytest.fixture(scope="session")
def harness_sessions() -> dict[str, dict[str, Any]]:
    """Login states of this worker, by user: a suite logs each user in once per worker."""
    return {}


@pytest.fixture(scope="session")
def harness_guides(harness_config: CollectConfig) -> JourneyGuides | None:
    """The app's guides, checked inside journeys (``None`` when the app has none)."""
    cfg = harness_config
    folder = cfg.guides_dir or guides_dir(cfg.profile)
    if not folder.is_dir():
        return None
    try:
        return JourneyGuides(cfg.profile, folder, cfg.base_url, cfg.run_dir, cfg.secrets)
    except HarnessError as exc:
        stop_run(cfg, f"bad guides: {exc}")


@pytest.fixture(scope="session")
def harness_probes(harness_config: CollectConfig) -> PageProbes:
    """The worker's in-page probes and axe-core scanner (page states are scanned once per worker)."""
    return PageProbes(enabled=harness_config.probes, a11y=harness_config.a11y)


@pytest.fixture(scope="session")
def harness_repairs(harness_config: CollectConfig) -> TargetRepairs | None:
    """The worker's target repairs: baselines from the run's history store, read at the first failure."""
    settings = harness_config.settings
    if not settings.repairs:
        return None
    return TargetRepairs(history=history_dir(harness_config.run_dir, settings.history), app=harness_config.profile.name,
                         heal=settings.heal)


@pytest.fixture
def journey(request: pytest.FixtureRequest, harness_config: CollectConfig, harness_browser: Browser,
            harness_sessions: dict[str, dict[str, Any]], harness_guides: JourneyGuides | None,
            harness_probes: PageProbes, harness_watchdog: Watchdog, harness_repairs: TargetRepairs | None
            ) -> Iterator[Journey]:
    """A fresh browser context and page for the scenario, wrapped in a :class:`Journey`.

    Making and closing them is watched: a browser that stopped answering is ended, and the
    scenario fails at set-up with the reason instead of waiting for ever.
    """
    cfg = harness_config
    size = cfg.settings.viewport
    limit = setup_limit_s(cfg.step_timeout_ms)
    with harness_watchdog.watch("the scenario's set-up", limit) as watched:
        try:
            context = harness_browser.new_context(base_url=cfg.base_url,
                                                  viewport={"width": size.width, "height": size.height})
            signals = SignalLog()
            signals.attach(context)
            harness_probes.install(context)
            page = context.new_page()
        except Exception as exc:
            if watched.fired:
                raise HarnessError(watched.fired) from exc
            raise
    tracer = TraceRecorder(context, cfg.trace, full=cfg.settings.trace_detail == "full")
    yield Journey(page=page, context=context, profile=cfg.profile, base_url=cfg.base_url,
                  feature_file=cfg.settings.root, signals=signals, timeout_ms=cfg.step_timeout_ms,
                  quiet_ms=cfg.settings.quiet_ms,
                  sessions=harness_sessions, tracer=tracer, guides=harness_guides, probes=harness_probes,
                  watchdog=harness_watchdog, upload_paths=tuple(Path(p) for p in cfg.features), secrets=cfg.secrets,
                  repairs=harness_repairs)
    with harness_watchdog.watch("closing the scenario's browser context", limit):
        if request.node.stash.get(STATE_KEY, None) is None:  # not a scenario (or it never started): stop the trace
            tracer.finish(False, cfg.run_dir / ARTIFACTS_DIR / slug(request.node.nodeid, cfg.secrets), cfg.secrets)
        if not is_lost(harness_browser):  # a remote browser found gone: its dead connection would not answer
            with contextlib.suppress(Exception):  # a browser lost during the scenario has nothing left to close
                context.close()
