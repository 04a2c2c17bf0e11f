"""The step recorder: turns pytest-bdd's step moments into step records in ``steps.jsonl``.

The clock starts at ``before_step_call`` (after fixture set-up) and stops at ``after_step`` /
``step_error``; steps after a failure are recorded as ``not_run``, a step that called
``pytest.skip()`` as ``skipped`` with its reason. Each record is written at once, so a killed
run keeps every step that finished.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from harness.collect.journey import Journey, StepFailure, StepNotes, classify_playwright_error
from harness.collect.probes import notable
from harness.collect.remote import BROWSER_LOST, Remote, lost_connection, mark_lost, remote_of
from harness.collect.signals import NAVIGATION_CANCELLED, leaving_cancelled
from harness.collect.watchdog import UNRESPONSIVE, Section, step_limit_s
from harness.compat import example_row, scenario_template
from harness.contracts.records import STEPS_JSONL, StepRecord, StepSignals
from harness.contracts.targets import TargetRepair
from harness.errors import describe
from harness.outcomes import INTERRUPTED
from harness.plugin.artifacts import ArtifactsRecorder
from harness.plugin.halt import stop_run
from harness.runfolder.io import append_record, now_iso, sync_steps

if TYPE_CHECKING:
    from pytest_bdd.parser import Feature, Scenario, Step

    from harness.collect.config import CollectConfig
    from harness.redaction import Secrets


@dataclass(slots=True)
class ScenarioState:
    """Per-scenario bookkeeping, kept in the item's stash."""

    journey: Journey
    artifacts: ArtifactsRecorder
    base: dict[str, Any]
    done: set[int] = field(default_factory=set)
    failed: bool = False
    started: float | None = None
    """perf_counter() at the current step's ``before_step_call``; None until its action starts."""
    started_epoch_ms: float = 0.0
    """The same moment on the wall clock (ms): the page's probe attributes what it logged by it."""
    started_at: str = ""
    listening: bool = False
    """Whether the scenario's first step began: from then on, every event lands on a step."""
    skipped: StepRecord | None = None
    """A step that stopped the scenario without failing it (pytest.skip), written once its reason is known."""
    shown: set[str] = field(default_factory=set)
    """Validation messages visible at the end of the previous step."""
    watched: Section | None = None
    """The watchdog's section of the current step (from its start to its record)."""
    lost: str | None = None
    """Why the watchdog ended the page between two steps (during a guide check), for the next failure."""


STATE_KEY = pytest.StashKey[ScenarioState]()


def slug(text: str, secrets: Secrets | None = None) -> str:
    """A folder name for a scenario run: readable, and unique thanks to a short hash of the full text.

    ``secrets`` are redacted first: a slug hides a secret from a search (``p@ss`` → ``p-ss``) but keeps it.
    """
    if secrets:
        text = secrets.redact_text(text)
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', text).strip('-')[:80]}-{digest}"


def scenario_fields(cfg: CollectConfig, item: pytest.Item, feature: Feature, name: str, line: int,
                    tags: set[str], steps: int | None) -> dict[str, Any]:
    """The fields every step record of one scenario run shares (``steps``: how many the scenario has)."""
    callspec = getattr(item, "callspec", None)
    repeat = int(callspec.params.get("harness_repeat", 0)) if callspec else 0
    return {
        "run_id": cfg.run_id, "app": cfg.profile.name, "journey": feature.name or Path(feature.filename).stem,
        "feature_file": relative_feature(cfg, feature.filename), "scenario": name, "scenario_line": line,
        "scenario_steps": steps, "example": example_row(item), "tags": sorted(tags | feature.tags), "repeat": repeat,
        "worker": cfg.worker, "test_id": item.nodeid, "attempt": attempt(item),
    }


def attempt(item: pytest.Item) -> int:
    """0 for a scenario's first try, 1 for its first retry (pytest-rerunfailures counts executions)."""
    return max(0, int(getattr(item, "execution_count", 1) or 1) - 1)


def relative_feature(cfg: CollectConfig, filename: str) -> str:
    """A feature's path relative to the project (the folder above ``journeys/``) when possible."""
    if cfg.profile.source is None:
        return filename
    rel = os.path.relpath(filename, cfg.profile.folder.parent.parent)
    return filename if rel.startswith("..") else rel


def _index(scenario: Scenario, step: Step) -> int:
    for i, candidate in enumerate(scenario.steps):
        if candidate is step:
            return i
    return scenario.steps.index(step)


def start_scenario(cfg: CollectConfig, item: pytest.Item, journey: Journey, feature: Feature,
                   scenario: Scenario) -> ScenarioState:
    """Open the scenario run's bookkeeping (its record fields and artifacts folder)."""
    journey.feature_file = Path(feature.filename)
    base = scenario_fields(cfg, item, feature, scenario.name, scenario.line_number, scenario.tags,
                           len(scenario.steps))
    retry = f"-retry{base['attempt']}" if base["attempt"] else ""
    folder = slug(f"{Path(feature.filename).stem}-{item.name}{retry}", cfg.secrets)
    return ScenarioState(journey=journey, artifacts=ArtifactsRecorder(cfg.run_dir, folder, journey.tracer),
                         base=base)


def before_step(state: ScenarioState) -> None:
    """A step begins: it must not inherit the previous step's clock or notes.

    A step can fail before its action starts (its fixtures or arguments). Its events window
    starts where the previous step's ended, so an event arriving between two steps is never
    lost: it lands on the next step. A trace held since a secret was typed records again once the
    page holds no secret.
    """
    state.journey.release_trace()
    state.journey.notes = StepNotes()
    dog = state.journey.watchdog
    if dog is not None:
        state.watched = dog.begin("the step", step_limit_s(state.journey.timeout_ms))
    state.started = None
    state.started_at = ""
    if not state.listening:
        state.journey.signals.skip()
        state.listening = True


def start_clock(state: ScenarioState) -> None:
    """The step's action starts now: nothing is asked of the page first (its probe logs with timestamps)."""
    state.started_at = now_iso()
    state.started_epoch_ms = time.time() * 1000
    state.started = time.perf_counter()


def record(cfg: CollectConfig, state: ScenarioState, scenario: Scenario, step: Step, status: str,
           error: str | None = None, error_kind: str | None = None, timed: bool = True) -> StepRecord:
    """The step's record: its time (the clock stops first), target, signals and outcome."""
    index = _index(scenario, step)
    state.done.add(index)
    timed = timed and state.started is not None
    notes = state.journey.notes if timed else StepNotes()
    duration = ((time.perf_counter() - state.started) * 1000 - notes.harness_ms
                if timed and state.started is not None else None)
    signals = state.journey.signals.take() if timed else None
    budget = cfg.profile.budgets.for_step(step.name)
    rec = StepRecord(
        **state.base, step_index=index, keyword=step.keyword.strip(), text=step.name, line=step.line_number,
        status=status, started_at=state.started_at if timed else None, duration_ms=duration,
        budget_ms=budget, over_budget=bool(budget and duration and duration > budget),
        target=notes.target, selector=notes.selector, fallback_used=notes.fallback_used,
        error=error, error_kind=error_kind or notes.error_kind, repair=notes.repair,
        fingerprints=notes.fingerprints if status == "passed" else {},
    )
    if signals is not None:
        signals.wait_ms, signals.action_ms, signals.action = notes.wait_ms, notes.action_ms, notes.action
        _probe(state, signals, passed=status == "passed")
        # what arrived while the probes read the page was caused by this step, not the next one
        signals.add_late(state.journey.signals.take())
        rec.signals = signals
    if timed:
        try:
            rec.url = state.journey.page.url
        except Exception:
            rec.url = None
    return rec


def _probe(state: ScenarioState, signals: StepSignals, passed: bool) -> None:
    """Add the in-page signals of the step that just ended (after its clock stopped)."""
    journey = state.journey
    if journey.probes is None:
        return

    def late_events() -> StepSignals:
        journey.flush_events()
        return state.journey.signals.take()

    started = time.perf_counter()
    try:
        journey.probes.take(journey.page, signals, state.started_epoch_ms, late_events, passed=passed)
    except Exception as exc:  # a probe never stops a journey
        signals.probe_errors.append(f"probe: {type(exc).__name__}: {str(exc).strip()[:300]}")
    signals.probe_ms = round((time.perf_counter() - started) * 1000, 1)


def write(cfg: CollectConfig, rec: StepRecord) -> None:
    """Append the record to ``steps.jsonl`` (secrets redacted); stop the run when it cannot be written.

    A run folder that cannot take one more record (a full disk, a read-only folder) would lose every
    step measured from then on: the run stops, and every record written before stays whole.
    """
    if not cfg.recording:
        return
    try:
        append_record(cfg.run_dir, rec, cfg.secrets)
    except OSError as exc:
        _stop_recording(cfg, exc)


def sync(cfg: CollectConfig) -> None:
    """fsync the records of the scenario that ended: written step by step, they reach the disk once per scenario.

    A disk that cannot take them stops the run, as a record that cannot be written does.
    """
    if not cfg.recording:
        return
    try:
        sync_steps(cfg.run_dir)
    except OSError as exc:
        _stop_recording(cfg, exc)


def _stop_recording(cfg: CollectConfig, exc: OSError) -> NoReturn:
    cfg.recording = False
    stop_run(cfg, f"{STEPS_JSONL} could not be written: {describe(exc)}; the run stopped, and every step "
                  "recorded before is kept")


def _unwatch(state: ScenarioState) -> None:
    """The step is recorded: stop watching it."""
    watched, state.watched = state.watched, None
    if watched is not None and state.journey.watchdog is not None:
        state.journey.watchdog.end(watched)


def passed(cfg: CollectConfig, state: ScenarioState, scenario: Scenario, step: Step) -> StepRecord:
    """Record a passed step, with a screenshot when its signals look like friction.

    Raises:
        StepFailure: The action returned, yet the step did not do its job: the page then stopped
            answering (while the probes read it) and the watchdog ended it, or the page's
            ``beforeunload`` prompt kept it from leaving. The step is recorded failed with that
            reason, and the scenario stops.
    """
    rec = record(cfg, state, scenario, step, "passed")
    if state.journey.notes.healed and rec.repair is not None:  # went on with its target's repaired selector
        rec.status, rec.repair.healed = "healed", True
    ended = state.watched.fired if state.watched is not None else None
    reason, kind = (ended, UNRESPONSIVE) if ended else (leaving_cancelled(rec.signals), NAVIGATION_CANCELLED)
    if reason:
        rec.status, rec.error, rec.error_kind = "failed", reason, kind
        state.failed = True
        state.artifacts.failed_step(state.journey.page, rec)
        write(cfg, rec)
        _unwatch(state)
        raise StepFailure(reason, kind)
    shown_before, state.shown = state.shown, {v.message for v in rec.signals.validation}
    if notable(rec.signals, shown_before) or rec.over_budget:
        state.artifacts.evidence(state.journey.page, rec)
    write(cfg, rec)
    _unwatch(state)
    return rec


def error_text(exception: BaseException) -> tuple[str, str]:
    """The failure's message (at most 12 lines) and its kind (``missing``, ``timeout``, ``assertion``...)."""
    if isinstance(exception, StepFailure):
        return str(exception), exception.kind
    kind, _ = classify_playwright_error(exception)
    kind = "assertion" if isinstance(exception, AssertionError) and kind == "error" else kind
    text = str(exception).strip() or type(exception).__name__
    lines = text.splitlines()
    if len(lines) > 12:
        text = "\n".join([*lines[:12], f"... ({len(lines) - 12} more lines)"])
    return f"{type(exception).__name__}: {text}", kind


def failed(cfg: CollectConfig, state: ScenarioState, scenario: Scenario, step: Step,
           exception: BaseException) -> None:
    """Record a failed step with its screenshot, at once: a kill before the scenario ends must not lose it.

    A step the watchdog had to end fails with the watchdog's reason (what Playwright then says,
    "Target crashed", is only its consequence).
    """
    message, kind = error_text(exception)
    watched = state.watched
    if not ((watched.fired if watched is not None else None) or state.lost):
        state.journey.stop_loading()  # a navigation that never answers would keep the probes' read waiting
    ended = (watched.fired if watched is not None else None) or state.lost
    remote = remote_of(cfg.settings)
    if ended and remote is not None:  # only the lost connection could keep a remote call waiting past its limit
        mark_lost(state.journey.context.browser)
        message, kind = f"{remote.lost} ({ended})", BROWSER_LOST
    elif ended:
        message, kind = f"{ended} ({message.splitlines()[0]})", UNRESPONSIVE
    elif remote is not None and (lost := remote_browser_lost(remote, state.journey, message)) is not None:
        message, kind = f"{lost} ({message.splitlines()[0]})", BROWSER_LOST
        ended = lost
    elif watched is not None and watched.busy_s * 1000 >= state.journey.timeout_ms:
        message = f"{message}\n(the page's script kept it busy for {watched.busy_s:.0f} s: it was not answering)"
    rec = record(cfg, state, scenario, step, "failed", error=message, error_kind=kind)
    if not ended and (cancelled := leaving_cancelled(rec.signals)):
        rec.error, rec.error_kind = f"{cancelled} ({message.splitlines()[0]})", NAVIGATION_CANCELLED
    state.failed = True
    if not ended and rec.repair is None:
        rec.repair = failure_repair(state.journey, rec)
    if kind != BROWSER_LOST:  # a lost browser has no page to take a picture of
        state.artifacts.failed_step(state.journey.page, rec)
    write(cfg, rec)
    _unwatch(state)


def failure_repair(journey: Journey, rec: StepRecord) -> TargetRepair | None:
    """The repair of a failed step that did not fail inside a target's resolution (a check on a found target,
    a failure of the page): :meth:`Journey.repair_of` its target and failure."""
    if rec.error_kind is None:
        return None
    return journey.repair_of(rec.target, rec.error_kind, rec.error or "")


def remote_browser_lost(remote: Remote, journey: Journey, message: str) -> str | None:
    """Why the step failed when its remote browser went away under it (a grid node or a server gone), else None.

    Gone: Playwright says the browser is no longer connected, its error says the connection closed, or
    the page does not answer a trivial call within :data:`~harness.collect.remote.LIVENESS_MS` (a grid's
    router keeps the connection of a dead node open: every call would wait for its timeout). A lost
    browser is marked lost here (:func:`~harness.collect.remote.mark_lost`): the scenario's end does not
    wait on it and the worker's :class:`~harness.collect.browser.Launcher` takes a new one for the next scenario.
    """
    browser = journey.context.browser
    if browser is None or not lost_connection(browser, journey.page, message):
        return None
    mark_lost(browser)  # never called again: closing it could wait on the dead connection for ever
    return remote.lost


def unknown_step(cfg: CollectConfig, state: ScenarioState, scenario: Scenario, step: Step) -> None:
    """Record a step no definition matches."""
    _unwatch(state)
    state.failed = True
    write(cfg, record(cfg, state, scenario, step, "failed", timed=False,
                      error=f"unknown step: {step.keyword.strip()} {step.name}", error_kind="unknown_step"))


def end_scenario(cfg: CollectConfig, state: ScenarioState, scenario: Scenario) -> None:
    """Keep the trace as its mode says; record the steps that did not finish."""
    _unwatch(state)
    state.artifacts.finish(state.failed, cfg.secrets)
    undone = [(i, step) for i, step in enumerate(scenario.steps) if i not in state.done]
    if undone and not state.failed:
        # no step failed, yet one did not finish: it skipped (or the run was interrupted);
        # its record waits for the test report, which knows the reason
        _, step = undone.pop(0)
        state.skipped = record(cfg, state, scenario, step, "skipped", timed=False)
    for _, step in undone:
        write(cfg, record(cfg, state, scenario, step, "not_run", timed=False))


def test_report(cfg: CollectConfig, item: pytest.Item, report: pytest.TestReport) -> None:
    """Finish what the test report knows: a skipped step's reason, a scenario whose set-up failed."""
    state = item.stash.get(STATE_KEY, None)
    if state is not None and state.skipped is not None and report.when == "call":
        reason = report.longrepr[2] if report.skipped and isinstance(report.longrepr, tuple) else INTERRUPTED
        state.skipped.error = str(reason)
        write(cfg, state.skipped)
        state.skipped = None
    # set-up failed, or the scenario's browser context could not be made (before_scenario asks for it)
    if report.when in ("setup", "call") and report.failed and state is None:
        _setup_failure(cfg, item, report)


def _setup_failure(cfg: CollectConfig, item: pytest.Item, report: pytest.TestReport) -> None:
    """A scenario whose set-up failed (no browser context, say) still shows in the run: its
    first step failed with the set-up error, the others did not run."""
    template = scenario_template(item)
    if template is None:
        return
    crash = getattr(report.longrepr, "reprcrash", None)
    message = crash.message if crash is not None else str(report.longrepr).strip().splitlines()[-1]
    base = scenario_fields(cfg, item, template.feature, template.name, template.line_number, template.tags, None)
    steps = template.render(base["example"]).steps
    base["scenario_steps"] = len(steps)
    for index, step in enumerate(steps):
        first = index == 0
        write(cfg, StepRecord(
            **base, step_index=index, keyword=step.keyword.strip(), text=step.name, line=step.line_number,
            status="failed" if first else "not_run",
            error=f"the scenario could not start: {message}" if first else None,
            error_kind="setup_error" if first else None,
        ))
