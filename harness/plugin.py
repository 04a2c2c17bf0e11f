"""The pytest plugin: the collect stage inside any pytest run (``pytest --harness-app demo``).

It provides the browser (one per worker), a fresh context and :class:`Journey` per
scenario, the built-in step library, and records every step through pytest-bdd's hooks:
the clock starts at ``pytest_bdd_before_step_call`` (after fixture set-up) and stops at
``pytest_bdd_after_step``/``pytest_bdd_step_error``; steps after a failure are recorded as
``not_run``. Records go to ``steps.jsonl`` as they happen. The plugin is inert unless
``--harness-app`` is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

import harness
from harness.collect.config import ENV_RUN_DIR, ENV_RUN_ID, CollectConfig, new_run_id
from harness.collect.journey import Journey, StepFailure, StepNotes, classify_playwright_error
from harness.collect.journey_guides import JourneyGuides
from harness.collect.journey_guides import finish as finish_guides
from harness.collect.order import ORDERS, interleave
from harness.collect.probes import PageProbes, notable
from harness.collect.runfolder import (
    BROWSER_INFO,
    RUN_ERROR,
    append_record,
    finish_run,
    git_info,
    history_dir,
    now_iso,
    write_run_info,
)
from harness.collect.signals import SignalLog
from harness.collect.tracing import TRACE_FILE, TRACE_MODES, TraceRecorder
from harness.errors import HarnessError
from harness.outcomes import INTERRUPTED
from harness.records import ARTIFACTS_DIR, RUN_FILE, RunInfo, StepArtifacts, StepRecord, StepSignals
from harness.spec.guides import guides_dir

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from pytest_bdd.parser import Feature, Scenario, Step

CONFIG_KEY = pytest.StashKey["CollectConfig | None"]()
STATE_KEY = pytest.StashKey["ScenarioState"]()


@dataclass(slots=True)
class ScenarioState:
    """Per-scenario bookkeeping, kept in the item's stash."""

    journey: Journey
    tracer: TraceRecorder
    base: dict[str, Any]
    slug: str
    done: set[int] = field(default_factory=set)
    failed: bool = False
    started: float | None = None
    """perf_counter() at the current step's ``before_step_call``; None until its action starts."""
    started_at: str = ""
    listening: bool = False
    """Whether the scenario's first step began: from then on, every event lands on a step."""
    skipped: StepRecord | None = None
    """A step that stopped the scenario without failing it (pytest.skip), written once its reason is known."""
    probe_errors: list[str] = field(default_factory=list)
    """Errors of the probes' reset before the current step's action."""
    shown: set[str] = field(default_factory=set)
    """Validation messages visible at the end of the previous step."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "adoption-harness: replay journeys in Chromium")
    group.addoption("--harness-app", help="app profile: a name under journeys/ or a path to app.yaml")
    group.addoption("--harness-root", default=None, help="project folder holding journeys/ (default: cwd)")
    group.addoption("--harness-base-url", default=None, help="URL of the app under test")
    group.addoption("--harness-out", default=None, help="run folder (default reports/<run-id>)")
    group.addoption("--harness-run-id", default=None, help="run id (default: time and app)")
    group.addoption("--harness-app-version", default=None, help="version label of the app under test")
    group.addoption("--harness-env", default=None, help="environment the app runs in (staging, prod...)")
    group.addoption("--harness-label", action="append", default=[], help="a label to pick this run by later")
    group.addoption("--harness-history", default=None,
                    help="history store to register the run in (default: history/ beside the run folder; off: none)")
    group.addoption("--harness-repeat", type=int, default=1, help="replay each scenario N times")
    group.addoption("--harness-order", default="interleave", choices=ORDERS,
                    help="replay order: every scenario's first replay, then every second one... (interleave, "
                         "the default: a burst of load cannot hit all replays of one scenario), or each "
                         "scenario's replays together (grouped)")
    group.addoption("--harness-trace", default="retain-on-failure", choices=TRACE_MODES)
    group.addoption("--harness-browser-path", default=None, help="Chromium executable to use")
    group.addoption("--harness-headed", action="store_true", help="show the browser")
    group.addoption("--harness-step-timeout", type=float, default=10_000, help="ms a step waits")
    group.addoption("--harness-features", action="append", default=[], help="feature paths (custom steps)")
    group.addoption("--harness-guides", default=None,
                    help="guides folder checked inside journeys (default: guides/ beside app.yaml)")
    group.addoption("--harness-report", action=argparse_bool(), default=True,
                    help="write report.html at the end (default yes)")
    group.addoption("--harness-allure-history", default=None,
                    help="with --alluredir: a previous Allure report whose history/ is carried over (trends)")
    group.addoption("--harness-probes", action=argparse_bool(), default=True,
                    help="collect in-page signals: vitals, long tasks, DOM changes, validation (default yes)")
    group.addoption("--harness-a11y", action=argparse_bool(), default=True,
                    help="scan each new page state with axe-core (default yes; needs probes)")


def argparse_bool() -> Any:
    """An argparse action for ``--x`` / ``--x=no``."""
    import argparse

    class _Bool(argparse.Action):
        def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
            kwargs.setdefault("nargs", "?")
            super().__init__(option_strings, dest, **kwargs)

        def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
            setattr(namespace, self.dest, values is None or str(values).lower() in ("1", "yes", "true", "on"))

    return _Bool


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    app = config.getoption("--harness-app", default=None)
    config.stash[CONFIG_KEY] = None
    if not app:
        return
    from harness.spec.features import import_step_module, step_modules
    from harness.spec.profile import load_profile

    root = Path(config.getoption("--harness-root") or os.getcwd())
    try:
        profile = load_profile(app, root)
        base_url = config.getoption("--harness-base-url") or profile.base_url
        if not base_url:
            raise HarnessError("no base URL: give --harness-base-url or base_url: in the app profile")
        run_id = config.getoption("--harness-run-id") or os.environ.get(ENV_RUN_ID) or new_run_id(profile.name)
        run_dir = Path(config.getoption("--harness-out") or os.environ.get(ENV_RUN_DIR)
                       or root / "reports" / run_id).resolve()
        features = [str(Path(p).resolve()) for p in config.getoption("--harness-features")]
        config.pluginmanager.import_plugin("harness.collect.steps")
        for module_path in step_modules(features):
            module = import_step_module(module_path)
            if not config.pluginmanager.is_registered(module):
                config.pluginmanager.register(module, f"harness-steps:{module_path}")
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None
    cfg = CollectConfig(
        profile=profile, base_url=base_url, run_dir=run_dir, run_id=run_id,
        repeat=max(1, config.getoption("--harness-repeat")), trace=config.getoption("--harness-trace"),
        browser_path=config.getoption("--harness-browser-path"), headed=config.getoption("--harness-headed"),
        step_timeout_ms=config.getoption("--harness-step-timeout"), features=features,
        guides_dir=Path(config.getoption("--harness-guides")).resolve() if config.getoption("--harness-guides")
        else None,
        probes=config.getoption("--harness-probes"),
        a11y=config.getoption("--harness-probes") and config.getoption("--harness-a11y"),
        order=config.getoption("--harness-order"),
    )
    config.stash[CONFIG_KEY] = cfg
    config.addinivalue_line("markers", "harness_repeat: replay index of a scenario")
    from harness.collect import allure_live

    allure_live.register(config, cfg)
    if _is_controller(config):
        os.environ[ENV_RUN_DIR], os.environ[ENV_RUN_ID] = str(run_dir), run_id
        if (run_dir / RUN_FILE).exists():
            raise pytest.UsageError(f"{run_dir} already holds a run; pick another --harness-out")
        run_dir.mkdir(parents=True, exist_ok=True)
        commit, branch = git_info(root)
        write_run_info(run_dir, RunInfo(
            run_id=run_id, app=profile.name, app_title=profile.title,
            app_version=config.getoption("--harness-app-version") or profile.version_label,
            base_url=base_url, harness_version=harness.__version__, git_commit=commit, git_branch=branch,
            env=config.getoption("--harness-env"), labels=list(config.getoption("--harness-label") or []),
            features=features, started_at=now_iso(), browser_path=cfg.browser_path,
            options={"repeat": cfg.repeat, "trace": cfg.trace, "step_timeout_ms": cfg.step_timeout_ms,
                     "probes": cfg.probes, "a11y": cfg.a11y,
                     "workers": getattr(config.option, "numprocesses", None) or 1,
                     "retries": getattr(config.option, "reruns", 0) or 0,
                     **_allure_options(config, profile)},
        ))


def _allure_options(config: pytest.Config, profile: Any) -> dict[str, object]:
    """What the report stage needs to finish the run's Allure results (nothing when Allure is off)."""
    from harness.collect.allure_live import allure_dir

    folder = allure_dir(config)
    if folder is None:
        return {}
    history = config.getoption("--harness-allure-history")
    return {"allure_dir": str(folder), "allure_history": str(Path(history).resolve()) if history else None,
            "profile": str(profile.source) if profile.source else None}


def _cfg(config: pytest.Config) -> CollectConfig | None:
    return config.stash.get(CONFIG_KEY, None)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    cfg = _cfg(metafunc.config)
    if cfg and cfg.repeat > 1 and "harness_repeat" in metafunc.fixturenames:
        metafunc.parametrize("harness_repeat", range(cfg.repeat), ids=[f"r{i}" for i in range(cfg.repeat)])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Interleave the replays of the scenarios (see ``harness.collect.order``)."""
    cfg = _cfg(config)
    if cfg and cfg.repeat > 1 and cfg.order == "interleave":
        items[:] = interleave(items, _replay_index)


def _replay_index(item: pytest.Item) -> int | None:
    callspec = getattr(item, "callspec", None)
    return int(callspec.params["harness_repeat"]) if callspec and "harness_repeat" in callspec.params else None


@pytest.fixture(autouse=True)
def harness_repeat(request: pytest.FixtureRequest) -> int:
    """The replay index of the current scenario (0 when ``--harness-repeat`` is 1)."""
    return int(getattr(request, "param", 0))


@pytest.fixture(scope="session")
def harness_config(request: pytest.FixtureRequest) -> CollectConfig:
    """The run's settings; fails clearly when ``--harness-app`` is missing."""
    cfg = _cfg(request.config)
    if cfg is None:
        raise pytest.UsageError("adoption-harness steps need --harness-app (e.g. --harness-app demo)")
    return cfg


@pytest.fixture(scope="session")
def harness_browser(harness_config: CollectConfig) -> Iterator[Browser]:
    """One Chromium per worker, found by :func:`harness.browser.resolve_browser`."""
    from playwright.sync_api import sync_playwright

    from harness.browser import launch_options, resolve_browser

    try:
        choice = resolve_browser(harness_config.browser_path)
    except HarnessError as exc:
        _stop_run(harness_config, str(exc))
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(**launch_options(choice, headless=not harness_config.headed))
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _stop_run(harness_config, f"could not launch Chromium {choice.path or '(Playwright bundled)'}: {first}")
        info = harness_config.run_dir / BROWSER_INFO
        if not info.exists():
            info.write_text(json.dumps({"browser_name": "chromium", "browser_version": browser.version,
                                        "browser_path": choice.path, "browser_source": choice.source}))
        yield browser
        browser.close()


def _stop_run(cfg: CollectConfig, reason: str) -> NoReturn:
    """Stop the whole run for a reason no scenario can overcome; the reason lands in run.json."""
    (cfg.run_dir / RUN_ERROR).write_text(reason, encoding="utf-8")
    pytest.exit(f"harness: {reason}", returncode=2)


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
        return JourneyGuides(cfg.profile, folder, cfg.base_url, cfg.run_dir)
    except HarnessError as exc:
        _stop_run(cfg, f"bad guides: {exc}")


@pytest.fixture(scope="session")
def harness_probes(harness_config: CollectConfig) -> PageProbes:
    """The worker's in-page probes and axe-core scanner (page states are scanned once per worker)."""
    return PageProbes(enabled=harness_config.probes, a11y=harness_config.a11y)


@pytest.fixture
def journey(request: pytest.FixtureRequest, harness_config: CollectConfig, harness_browser: Browser,
            harness_sessions: dict[str, dict[str, Any]], harness_guides: JourneyGuides | None,
            harness_probes: PageProbes) -> Iterator[Journey]:
    """A fresh browser context and page for the scenario, wrapped in a :class:`Journey`."""
    context = harness_browser.new_context(base_url=harness_config.base_url,
                                          viewport={"width": 1280, "height": 800})
    signals = SignalLog()
    signals.attach(context)
    harness_probes.install(context)
    page = context.new_page()
    tracer = TraceRecorder(context, harness_config.trace)
    yield Journey(page=page, context=context, profile=harness_config.profile, base_url=harness_config.base_url,
                  feature_file=Path.cwd(), signals=signals, timeout_ms=harness_config.step_timeout_ms,
                  sessions=harness_sessions, tracer=tracer, guides=harness_guides, probes=harness_probes)
    state = request.node.stash.get(STATE_KEY, None)
    if state is None:  # not a scenario (or it never started): still stop the trace, in its own folder
        tracer.finish(False, harness_config.run_dir / ARTIFACTS_DIR / _slug(request.node.nodeid))
    context.close()


# --- recording through pytest-bdd hooks ------------------------------------------------------
def _slug(text: str) -> str:
    """A folder name for a scenario run: readable, and unique thanks to a short hash of the full text."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', text).strip('-')[:80]}-{digest}"


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario) -> None:
    cfg = _cfg(request.config)
    if cfg is None:
        return
    journey: Journey = request.getfixturevalue("journey")
    journey.feature_file = Path(feature.filename)
    base = _scenario_fields(cfg, request.node, feature, scenario.name, scenario.line_number, scenario.tags,
                            len(scenario.steps))
    retry = f"-retry{base['attempt']}" if base["attempt"] else ""
    slug = _slug(f"{Path(feature.filename).stem}-{request.node.name}{retry}")
    request.node.stash[STATE_KEY] = ScenarioState(journey=journey, tracer=journey.tracer, base=base, slug=slug)


def _example(item: pytest.Item) -> dict[str, str]:
    """The Examples row a scenario item runs with (empty for a plain Scenario)."""
    callspec = getattr(item, "callspec", None)
    row = callspec.params.get("_pytest_bdd_example") if callspec else None
    return {str(k): str(v) for k, v in (row or {}).items()}


def _scenario_fields(cfg: CollectConfig, item: pytest.Item, feature: Feature, name: str, line: int,
                     tags: set[str], steps: int | None) -> dict[str, Any]:
    """The fields every step record of one scenario run shares (``steps``: how many the scenario has)."""
    callspec = getattr(item, "callspec", None)
    repeat = int(callspec.params.get("harness_repeat", 0)) if callspec else 0
    return {
        "run_id": cfg.run_id, "app": cfg.profile.name, "journey": feature.name or Path(feature.filename).stem,
        "feature_file": _relative_feature(cfg, feature.filename), "scenario": name, "scenario_line": line,
        "scenario_steps": steps,
        "example": _example(item), "tags": sorted(tags | feature.tags), "repeat": repeat,
        "worker": cfg.worker, "test_id": item.nodeid, "attempt": _attempt(item),
    }


def _attempt(item: pytest.Item) -> int:
    """0 for a scenario's first try, 1 for its first retry (pytest-rerunfailures counts executions)."""
    return max(0, int(getattr(item, "execution_count", 1) or 1) - 1)


def _relative_feature(cfg: CollectConfig, filename: str) -> str:
    """A feature's path relative to the project (the folder above ``journeys/``) when possible."""
    if cfg.profile.source is None:
        return filename
    rel = os.path.relpath(filename, cfg.profile.folder.parent.parent)
    return filename if rel.startswith("..") else rel


def _state(request: pytest.FixtureRequest) -> ScenarioState | None:
    if _cfg(request.config) is None:
        return None
    return request.node.stash.get(STATE_KEY, None)


def _index(scenario: Scenario, step: Step) -> int:
    for i, candidate in enumerate(scenario.steps):
        if candidate is step:
            return i
    return scenario.steps.index(step)


def pytest_bdd_before_step(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario,
                           step: Step, step_func: Any) -> None:
    state = _state(request)
    if state is None:
        return
    # a step can fail before its action starts (its fixtures or arguments): it must not inherit
    # the previous step's clock or notes. Its events window starts where the previous step's
    # ended, so an event arriving between two steps is never lost: it lands on the next step.
    state.journey.notes = StepNotes()
    state.started = None
    state.started_at = ""
    if not state.listening:
        state.journey.signals.skip()
        state.listening = True


def pytest_bdd_before_step_call(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario,
                                step: Step, step_func: Any, step_func_args: dict[str, Any]) -> None:
    state = _state(request)
    if state is None:
        return
    journey = state.journey
    if journey.probes is not None:
        state.probe_errors = journey.probes.start(journey.page)
    state.started_at = now_iso()
    state.started = time.perf_counter()


def _record(cfg: CollectConfig, state: ScenarioState, scenario: Scenario, step: Step, status: str,
            error: str | None = None, error_kind: str | None = None, timed: bool = True) -> StepRecord:
    index = _index(scenario, step)
    state.done.add(index)
    timed = timed and state.started is not None
    notes = state.journey.notes if timed else StepNotes()
    duration = (time.perf_counter() - state.started) * 1000 if timed and state.started is not None else None
    if timed:
        state.journey.flush_events()
    signals = state.journey.signals.take() if timed else None
    text = step.name
    budget = cfg.profile.budgets.for_step(text)
    record = StepRecord(
        **state.base, step_index=index, keyword=step.keyword.strip(), text=text, line=step.line_number,
        status=status, started_at=state.started_at if timed else None, duration_ms=duration,
        budget_ms=budget, over_budget=bool(budget and duration and duration > budget),
        target=notes.target, selector=notes.selector, fallback_used=notes.fallback_used,
        error=error, error_kind=error_kind or notes.error_kind,
    )
    if signals is not None:
        signals.wait_ms, signals.action_ms, signals.action = notes.wait_ms, notes.action_ms, notes.action
        _probe(state, signals)
        # what arrived while the probes read the page was caused by this step, not the next one
        signals.add_late(state.journey.signals.take())
        record.signals = signals
    if timed:
        try:
            record.url = state.journey.page.url
        except Exception:
            record.url = None
    return record


def _probe(state: ScenarioState, signals: StepSignals) -> None:
    """Add the in-page signals of the step that just ended (after its clock stopped)."""
    journey = state.journey
    if journey.probes is None:
        return
    signals.probe_errors += state.probe_errors

    def late_events() -> StepSignals:
        journey.flush_events()
        return state.journey.signals.take()

    started = time.perf_counter()
    try:
        journey.probes.take(journey.page, signals, late_events)
    except Exception as exc:  # a probe never stops a journey
        signals.probe_errors.append(f"probe: {type(exc).__name__}: {str(exc).strip()[:300]}")
    signals.probe_ms = round((time.perf_counter() - started) * 1000, 1)


def _evidence_shot(cfg: CollectConfig, state: ScenarioState, record: StepRecord) -> None:
    """Keep a screenshot of a passed step whose signals the audit may turn into findings."""
    shown_before, state.shown = state.shown, {v.message for v in record.signals.validation}
    if not (notable(record.signals, shown_before) or record.over_budget):
        return
    shot = Path(ARTIFACTS_DIR) / state.slug / f"step-{record.step_index:02d}.png"
    try:
        (cfg.run_dir / shot).parent.mkdir(parents=True, exist_ok=True)
        state.journey.page.screenshot(path=str(cfg.run_dir / shot), timeout=5_000)
        record.artifacts = StepArtifacts(screenshot=str(shot))
    except Exception as exc:
        record.artifacts = StepArtifacts(screenshot=None, screenshot_error=str(exc).splitlines()[0][:300])


def _write(cfg: CollectConfig, record: StepRecord) -> None:
    append_record(cfg.run_dir, record, cfg.profile.secrets())


def pytest_bdd_after_step(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step,
                          step_func: Any, step_func_args: dict[str, Any]) -> None:
    state = _state(request)
    cfg = _cfg(request.config)
    if state is None or cfg is None:
        return
    record = _record(cfg, state, scenario, step, "passed")
    _evidence_shot(cfg, state, record)
    _write(cfg, record)
    guides = state.journey.guides
    if guides is not None:
        feature_file = state.base.get("feature_file", "")
        placed = guides.after(feature_file, scenario.name, step.name)
        if placed:  # a guide check never fails the journey: its verdicts go to guides.json
            guides.check(state.journey, placed, {"feature": feature_file, "scenario": scenario.name,
                                                 "step": step.name, "repeat": state.base.get("repeat")})


def _error_text(exception: BaseException) -> tuple[str, str]:
    if isinstance(exception, StepFailure):
        return str(exception), exception.kind
    kind, _ = classify_playwright_error(exception)
    kind = "assertion" if isinstance(exception, AssertionError) and kind == "error" else kind
    text = str(exception).strip() or type(exception).__name__
    lines = text.splitlines()
    if len(lines) > 12:
        text = "\n".join([*lines[:12], f"... ({len(lines) - 12} more lines)"])
    return f"{type(exception).__name__}: {text}", kind


def pytest_bdd_step_error(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step,
                          step_func: Any, step_func_args: dict[str, Any], exception: Exception) -> None:
    state = _state(request)
    cfg = _cfg(request.config)
    if state is None or cfg is None:
        return
    message, kind = _error_text(exception)
    record = _record(cfg, state, scenario, step, "failed", error=message, error_kind=kind)
    state.failed = True
    folder = Path(ARTIFACTS_DIR) / state.slug
    shot = folder / f"step-{record.step_index:02d}.png"
    try:
        (cfg.run_dir / shot).parent.mkdir(parents=True, exist_ok=True)
        state.journey.page.screenshot(path=str(cfg.run_dir / shot), timeout=5_000)
        record.artifacts = StepArtifacts(screenshot=str(shot))
    except Exception as exc:  # a screenshot that fails must not lose the record
        record.artifacts = StepArtifacts(screenshot=None, screenshot_error=str(exc).splitlines()[0])
    if state.tracer.mode != "off":
        record.artifacts.trace = str(folder / TRACE_FILE)  # written when the scenario ends
    _write(cfg, record)  # at once: a kill before the scenario ends must not lose the failure


def pytest_bdd_step_func_lookup_error(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario,
                                      step: Step, exception: Exception) -> None:
    state = _state(request)
    cfg = _cfg(request.config)
    if state is None or cfg is None:
        return
    state.failed = True
    _write(cfg, _record(cfg, state, scenario, step, "failed", timed=False,
                        error=f"unknown step: {step.keyword.strip()} {step.name}", error_kind="unknown_step"))


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario) -> None:
    state = _state(request)
    cfg = _cfg(request.config)
    if state is None or cfg is None:
        return
    state.tracer.finish(state.failed, cfg.run_dir / ARTIFACTS_DIR / state.slug, cfg.profile.secrets())
    undone = [(i, step) for i, step in enumerate(scenario.steps) if i not in state.done]
    if undone and not state.failed:
        # no step failed, yet one did not finish: it skipped (or the run was interrupted);
        # its record waits for the test report, which knows the reason
        _, step = undone.pop(0)
        state.skipped = _record(cfg, state, scenario, step, "skipped", timed=False)
    for _, step in undone:
        _write(cfg, _record(cfg, state, scenario, step, "not_run", timed=False))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    cfg = _cfg(item.config)
    state = item.stash.get(STATE_KEY, None)
    if cfg is not None and state is not None and state.skipped is not None and report.when == "call":
        reason = report.longrepr[2] if report.skipped and isinstance(report.longrepr, tuple) else INTERRUPTED
        state.skipped.error = str(reason)
        _write(cfg, state.skipped)
        state.skipped = None
    # set-up failed, or the scenario's browser context could not be made (before_scenario asks for it)
    if cfg is not None and report.when in ("setup", "call") and report.failed \
            and item.stash.get(STATE_KEY, None) is None:
        _record_setup_failure(cfg, item, report)
    return report


def _record_setup_failure(cfg: CollectConfig, item: pytest.Item, report: pytest.TestReport) -> None:
    """A scenario whose set-up failed (no browser context, say) still shows in the run: its
    first step failed with the set-up error, the others did not run."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    template = scenario_wrapper_template_registry.get(getattr(item, "obj", None))
    if template is None:
        return
    crash = getattr(report.longrepr, "reprcrash", None)
    message = crash.message if crash is not None else str(report.longrepr).strip().splitlines()[-1]
    base = _scenario_fields(cfg, item, template.feature, template.name, template.line_number, template.tags, None)
    steps = template.render(base["example"]).steps
    base["scenario_steps"] = len(steps)
    for index, step in enumerate(steps):
        failed = index == 0
        _write(cfg, StepRecord(
            **base, step_index=index, keyword=step.keyword.strip(), text=step.name, line=step.line_number,
            status="failed" if failed else "not_run",
            error=f"the scenario could not start: {message}" if failed else None,
            error_kind="setup_error" if failed else None,
        ))


# --- end of the run ------------------------------------------------------------------------
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    cfg = _cfg(session.config)
    if cfg is None or not _is_controller(session.config):
        return
    try:
        finish_guides(cfg.profile, cfg.guides_dir, cfg.run_dir, {"app": cfg.profile.name, "base_url": cfg.base_url})
    except HarnessError as exc:  # the journeys' results matter more than a guide summary
        print(f"harness: guides.json not written: {exc}", file=sys.stderr)
    build = session.config.getoption("--harness-report")
    finish_run(cfg.run_dir, exitstatus=int(exitstatus), build=build, friction=cfg.profile.friction,
               history=history_dir(cfg.run_dir, session.config.getoption("--harness-history")))
    if not build and _allure_options(session.config, cfg.profile):  # asked for with --alluredir: finish them anyway
        from harness.report.allure_results import write_allure_results

        try:
            write_allure_results(cfg.run_dir)
        except Exception as exc:  # the run folder is complete; `harness report` can finish them later
            print(f"harness: the Allure results could not be finished: {type(exc).__name__}: {exc}", file=sys.stderr)
