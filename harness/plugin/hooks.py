"""The pytest plugin: the collect stage inside any pytest run (``pytest --harness-app demo``).

Only hooks live here, each handing over in a line or two: options and settings to
:mod:`~harness.plugin.options`, fixtures to :mod:`~harness.plugin.fixtures`, step records to
:mod:`~harness.plugin.recorder`, the end of the run to :mod:`harness.pipeline`. The plugin is
inert unless ``--harness-app`` (or ``--harness-settings``) is given.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import harness
from harness.collect.config import ENV_RUN_DIR, ENV_RUN_ID, CollectConfig, new_run_id
from harness.collect.order import interleave
from harness.collect.remote import remote_of
from harness.collect.stopping import interrupt_on_sigterm
from harness.compat import filter_terminal, read_features_with_or_without_bom
from harness.contracts.records import RUN_FILE, RunInfo
from harness.errors import HarnessError
from harness.plugin import recorder
from harness.plugin.fixtures import (  # noqa: F401  (fixtures of the plugin)
    CONFIG_KEY,
    config_of,
    harness_browser,
    harness_config,
    harness_guides,
    harness_launcher,
    harness_probes,
    harness_repairs,
    harness_repeat,
    harness_sessions,
    harness_watchdog,
    journey,
)
from harness.plugin.options import add_options, settings_from
from harness.plugin.recorder import STATE_KEY
from harness.runfolder.io import git_info, now_iso, sync_steps, write_run_info

if TYPE_CHECKING:
    from pytest_bdd.parser import Feature, Scenario, Step


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[CONFIG_KEY] = None
    try:
        cfg = _resolve(config)
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None
    if cfg is None:
        return
    config.stash[CONFIG_KEY] = cfg
    config.addinivalue_line("markers", "harness_repeat: replay index of a scenario")
    interrupt_on_sigterm()
    read_features_with_or_without_bom()
    from harness.collect import allure_live

    allure_live.register(config, cfg)
    if _is_controller(config):
        _open_run(config, cfg)


def _resolve(config: pytest.Config) -> CollectConfig | None:
    """The settings resolved: profile loaded, step modules registered, URL, folder, id and secrets chosen."""
    from harness.spec.features import import_step_module, step_modules
    from harness.spec.profile import load_profile
    from harness.spec.secrets import secrets_of_paths

    settings = settings_from(config)
    if settings is None:
        return None
    profile = load_profile(settings.app, settings.root)
    base_url = settings.base_url or profile.base_url
    if not base_url:
        raise HarnessError("no base URL: give --harness-base-url or base_url: in the app profile")
    run_id = settings.run_id or os.environ.get(ENV_RUN_ID) or new_run_id(profile.name)
    run_dir = Path(settings.out or os.environ.get(ENV_RUN_DIR) or settings.root / "reports" / run_id).resolve()
    config.pluginmanager.import_plugin("harness.collect.steps")
    for module_path in step_modules(settings.paths):
        module = import_step_module(module_path)
        if not config.pluginmanager.is_registered(module):
            config.pluginmanager.register(module, f"harness-steps:{module_path}")
    return CollectConfig(settings=settings, profile=profile, base_url=base_url, run_dir=run_dir, run_id=run_id,
                         secrets=secrets_of_paths(profile, settings.paths))


def _open_run(config: pytest.Config, cfg: CollectConfig) -> None:
    """Create the run folder and its ``run.json`` (the controller only, once)."""
    settings, run_dir = cfg.settings, cfg.run_dir
    os.environ[ENV_RUN_DIR], os.environ[ENV_RUN_ID] = str(run_dir), cfg.run_id
    if (run_dir / RUN_FILE).exists():
        raise pytest.UsageError(f"{run_dir} already holds a run; pick another --harness-out")
    run_dir.mkdir(parents=True, exist_ok=True)
    commit, branch = git_info(settings.root)
    remote = remote_of(settings)
    allure: dict[str, object] = {}
    if settings.allure_dir is not None:  # what the report stage needs to finish the run's Allure results
        allure = {"allure_dir": str(settings.allure_dir),
                  "allure_history": str(settings.allure_history) if settings.allure_history else None,
                  "profile": str(cfg.profile.source) if cfg.profile.source else None}
    basis: dict[str, object] = {}
    if settings.shard:  # every process of the run splits alike, from the same durations
        from harness.collect.shard import history_weights, write_weights
        from harness.runfolder.io import history_dir

        weights, runs = history_weights(history_dir(run_dir, settings.history), cfg.profile.name)
        write_weights(run_dir, weights)
        basis = {"shard": settings.shard, "shard_basis": runs}
    write_run_info(run_dir, RunInfo(
        run_id=cfg.run_id, app=cfg.profile.name, app_title=cfg.profile.title,
        app_version=settings.app_version or cfg.profile.version_label,
        base_url=cfg.base_url, harness_version=harness.__version__, git_commit=commit, git_branch=branch,
        env=settings.env, labels=list(settings.labels), features=list(settings.paths), started_at=now_iso(),
        browser_path=settings.browser_path,
        browser_source=remote.kind if remote is not None else None,
        browser_endpoint=remote.endpoint if remote is not None else None,
        options={"repeat": settings.repeat, "trace": settings.trace, "trace_detail": settings.trace_detail,
                 "step_timeout_ms": settings.step_timeout_ms, "quiet_ms": settings.quiet_ms,
                 "probes": cfg.probes, "a11y": cfg.a11y,
                 "workers": getattr(config.option, "numprocesses", None) or 1,
                 "retries": getattr(config.option, "reruns", 0) or 0, **allure, **basis},
    ))


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """What pytest prints (test ids hold Examples values; failures quote step texts) is redacted as it is written:
    the terminal, and the run's ``pytest.log`` under ``harness run``. The controller starts loading the end of
    the run's modules while the browser starts."""
    cfg = config_of(session.config)
    if cfg is not None and cfg.secrets:
        filter_terminal(session.config, cfg.secrets.redact_text)
    if cfg is not None and _is_controller(session.config):
        session.config.stash[WARM_UP_KEY] = warm_up()


END_OF_RUN_MODULES = (
    "harness.pipeline", "harness.report.html.build", "harness.report.junit.write", "harness.report.markdown.summary",
    "harness.report.tabular.csv_export", "harness.report.allure.results", "harness.runfolder.parquet",
)
"""What the end of a run imports (the audit, the reports, pandas and pyarrow for steps.parquet)."""
WARM_UP_KEY = pytest.StashKey["threading.Thread | None"]()


def warm_up() -> threading.Thread:
    """Import the end of the run's modules in a thread, while Chromium starts (its process does the work then).

    The first scenario waits for it before its first step (:func:`_warmed_up`): an import never competes with
    a measured step for the interpreter.
    """
    def load() -> None:
        for name in END_OF_RUN_MODULES:
            with contextlib.suppress(Exception):  # the end of the run imports it again, and reports its error
                importlib.import_module(name)

    thread = threading.Thread(target=load, name="harness-warm-up", daemon=True)
    thread.start()
    return thread


def _warmed_up(config: pytest.Config) -> None:
    """Wait for the warm-up, once (before the first step of a run in one process)."""
    thread = config.stash.get(WARM_UP_KEY, None)
    if thread is not None:
        thread.join()
        config.stash[WARM_UP_KEY] = None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    cfg = config_of(metafunc.config)
    if cfg and cfg.repeat > 1 and "harness_repeat" in metafunc.fixturenames:
        metafunc.parametrize("harness_repeat", range(cfg.repeat), ids=[f"r{i}" for i in range(cfg.repeat)])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Interleave the replays of the scenarios (see ``harness.collect.order``); keep the shard's share."""
    cfg = config_of(config)
    if cfg and cfg.repeat > 1 and cfg.order == "interleave":
        items[:] = interleave(items, _replay_index)
    if cfg and cfg.settings.shard:
        _keep_shard(config, cfg, items)


def _keep_shard(config: pytest.Config, cfg: CollectConfig, items: list[pytest.Item]) -> None:
    """Deselect every scenario run outside the shard (``harness.collect.shard``)."""
    from harness.collect.shard import read_weights, scenario_id, split
    from harness.compat import example_row, scenario_template
    from harness.contracts.settings import parse_shard
    from harness.outcomes import example_key

    shard = parse_shard(cfg.settings.shard or "")
    runs: list[tuple[str, str]] = []
    for item in items:
        template = scenario_template(item)
        feature = recorder.relative_feature(cfg, template.feature.filename) if template else item.nodeid
        runs.append((item.nodeid, scenario_id(feature, template.name if template else item.name,
                                              example_key(example_row(item)))))
    kept = set(split(runs, read_weights(cfg.run_dir), shard.count)[shard.index - 1])
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in kept])
    items[:] = [item for item in items if item.nodeid in kept]


def _replay_index(item: pytest.Item) -> int | None:
    callspec = getattr(item, "callspec", None)
    return int(callspec.params["harness_repeat"]) if callspec and "harness_repeat" in callspec.params else None


# --- recording through pytest-bdd hooks ------------------------------------------------------
def _scenario(request: pytest.FixtureRequest) -> tuple[CollectConfig, recorder.ScenarioState] | None:
    cfg = config_of(request.config)
    state = request.node.stash.get(STATE_KEY, None) if cfg is not None else None
    return (cfg, state) if cfg is not None and state is not None else None


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario) -> None:
    cfg = config_of(request.config)
    if cfg is not None:
        journey = request.getfixturevalue("journey")  # the first one launches Chromium
        _warmed_up(request.config)
        state = recorder.start_scenario(cfg, request.node, journey, feature, scenario)
        request.node.stash[STATE_KEY] = state


def pytest_bdd_before_step(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario,
                           step: Step, step_func: Any) -> None:
    if (found := _scenario(request)) is not None:
        recorder.before_step(found[1])


@pytest.hookimpl(trylast=True)  # the clock starts after every other plugin's work for the step
def pytest_bdd_before_step_call(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario,
                                step: Step, step_func: Any, step_func_args: dict[str, Any]) -> None:
    if (found := _scenario(request)) is not None:
        recorder.start_clock(found[1])


@pytest.hookimpl(tryfirst=True)  # the clock stops before any other plugin's work (allure-pytest-bdd...)
def pytest_bdd_after_step(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step,
                          step_func: Any, step_func_args: dict[str, Any]) -> None:
    if (found := _scenario(request)) is None:
        return
    cfg, state = found
    recorder.passed(cfg, state, scenario, step)
    guides = state.journey.guides
    if guides is not None:
        feature_file = state.base.get("feature_file", "")
        placed = guides.after(feature_file, scenario.name, step.name)
        if placed:  # a guide check never fails the journey: its verdicts go to guides.json (secrets redacted)
            with state.journey.watched("the guide check") as watched:
                guides.check(state.journey, placed, {"feature": feature_file, "scenario": scenario.name,
                                                     "step": step.name, "repeat": state.base.get("repeat")})
            state.lost = watched.fired if watched is not None else None


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_step_error(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step,
                          step_func: Any, step_func_args: dict[str, Any], exception: Exception) -> None:
    if (found := _scenario(request)) is not None:
        recorder.failed(*found, scenario, step, exception)


def pytest_bdd_step_func_lookup_error(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario,
                                      step: Step, exception: Exception) -> None:
    if (found := _scenario(request)) is not None:
        recorder.unknown_step(*found, scenario, step)


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario) -> None:
    if (found := _scenario(request)) is not None:
        recorder.end_scenario(*found, scenario)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                               ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    cfg = config_of(item.config)
    if cfg is not None:
        recorder.test_report(cfg, item, report)
        if report.when == "teardown":  # the scenario's last record is written
            recorder.sync(cfg)
    return report


# --- end of the run ------------------------------------------------------------------------
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    cfg = config_of(session.config)
    if cfg is not None and cfg.recording:  # an interrupted scenario's records too (each process its own)
        with contextlib.suppress(OSError):  # the end of the run says what it could not write
            sync_steps(cfg.run_dir)
    if cfg is not None and _is_controller(session.config):
        from harness.pipeline import end_of_run  # the audit, comparison and reports: only when the run ends here

        info = end_of_run(cfg, int(exitstatus))
        if info.unwritten and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR  # outputs are missing: not a green run
