"""The plugin's fixtures, in layers: settings → browser (one per worker) → context and journey (per scenario).

Users override any layer in their own ``conftest.py`` (as pytest-playwright's fixtures allow).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from harness.collect.config import CollectConfig
from harness.collect.journey import Journey
from harness.collect.journey_guides import JourneyGuides
from harness.collect.probes import PageProbes
from harness.collect.signals import SignalLog
from harness.collect.tracing import TraceRecorder
from harness.contracts.records import ARTIFACTS_DIR
from harness.errors import HarnessError
from harness.plugin.recorder import STATE_KEY, slug
from harness.runfolder.io import BROWSER_INFO, RUN_ERROR
from harness.spec.guides import guides_dir

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CONFIG_KEY = pytest.StashKey["CollectConfig | None"]()


def config_of(config: pytest.Config) -> CollectConfig | None:
    """The run's resolved settings (``None`` when the plugin is inert: no ``--harness-app``)."""
    return config.stash.get(CONFIG_KEY, None)


def stop_run(cfg: CollectConfig, reason: str) -> NoReturn:
    """Stop the whole run for a reason no scenario can overcome; the reason lands in run.json."""
    (cfg.run_dir / RUN_ERROR).write_text(reason, encoding="utf-8")
    pytest.exit(f"harness: {reason}", returncode=2)


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
def harness_browser(harness_config: CollectConfig) -> Iterator[Browser]:
    """One Chromium per worker, found by :func:`harness.collect.browser.resolve_browser`."""
    from playwright.sync_api import sync_playwright

    from harness.collect.browser import launch_options, resolve_browser

    with sync_playwright() as pw:
        try:
            choice = resolve_browser(harness_config.browser_path, pw, headless=not harness_config.headed)
        except HarnessError as exc:
            stop_run(harness_config, str(exc))
        try:
            browser = pw.chromium.launch(**launch_options(choice, headless=not harness_config.headed))
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            stop_run(harness_config, f"could not launch Chromium {choice.path or '(Playwright bundled)'}: {first}")
        info = harness_config.run_dir / BROWSER_INFO
        if not info.exists():
            info.write_text(json.dumps({"browser_name": "chromium", "browser_version": browser.version,
                                        "browser_path": choice.path, "browser_source": choice.source}))
        yield browser
        browser.close()


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


@pytest.fixture
def journey(request: pytest.FixtureRequest, harness_config: CollectConfig, harness_browser: Browser,
            harness_sessions: dict[str, dict[str, Any]], harness_guides: JourneyGuides | None,
            harness_probes: PageProbes) -> Iterator[Journey]:
    """A fresh browser context and page for the scenario, wrapped in a :class:`Journey`."""
    cfg = harness_config
    size = cfg.settings.viewport
    context = harness_browser.new_context(base_url=cfg.base_url, viewport={"width": size.width, "height": size.height})
    signals = SignalLog()
    signals.attach(context)
    harness_probes.install(context)
    page = context.new_page()
    tracer = TraceRecorder(context, cfg.trace)
    yield Journey(page=page, context=context, profile=cfg.profile, base_url=cfg.base_url,
                  feature_file=cfg.settings.root, signals=signals, timeout_ms=cfg.step_timeout_ms,
                  sessions=harness_sessions, tracer=tracer, guides=harness_guides, probes=harness_probes,
                  secrets=cfg.secrets)
    if request.node.stash.get(STATE_KEY, None) is None:  # not a scenario (or it never started): still stop the trace
        tracer.finish(False, cfg.run_dir / ARTIFACTS_DIR / slug(cfg.secrets.redact_text(request.node.nodeid)),
                      cfg.secrets)
    context.close()
