"""One definition of every outcome: replays, scenarios, the run's totals and its exit code.

Every output (``run.json``, ``report.html``, ``junit.xml``, ``summary.md``, the CSVs, the Allure
results, ``findings.json``, ``comparison.json``) and the exit code take their outcomes from here.
This module sits in a low layer: it imports only ``harness.contracts.records``, the standard library and
pydantic.

Vocabulary:

- A **scenario** is a Scenario, or one Examples row of a Scenario Outline: its journey,
  feature file, name and row (:class:`ScenarioKey`). The row is canonical JSON
  (:func:`example_key`: keys sorted, non-ASCII characters kept as they are).
- A **replay** is one run of a scenario (``--repeat N`` makes N): its run id, pytest node id
  and repeat index (:class:`ReplayKey`). A replay retried after a failure (``--retries``)
  records its steps once per **attempt**; only its last attempt counts
  (:func:`final_attempts`), the earlier ones only make it ``retried``.

A replay's status, from its last attempt (:func:`replay_status`):

- ``failed``: a step failed.
- ``skipped``: no step failed and one was skipped (``pytest.skip()`` midway, or the whole
  scenario).
- ``passed``: every step of the scenario passed (or was healed: a step that failed on a UI-map
  target and passed once retried with its repaired selector, ``--heal``; the replay is ``healed``).
- ``incomplete``: anything else: steps are missing (the run was stopped during the replay,
  so fewer steps were recorded than the scenario has: ``scenario_steps``, or than its
  sibling replays and attempts recorded) or did not run for no reason given.

A scenario's outcome over its replays (:func:`scenario_outcome`), the first that applies:

- ``flaky``: at least one replay passed and at least one failed;
- ``failed``: replays failed and none passed (a skipped or cut-short replay counts neither way);
- ``incomplete``: no replay failed and one did not finish: never ``passed``;
- ``flaky``: every finished replay passed, but one passed only on a retry or only by healing
  (``healed``: the scenario is flaky-healed, counted in ``scenarios_healed``);
- ``skipped``: no replay failed and one was skipped;
- ``passed``: every replay passed at its first attempt.

The exit code (:func:`exit_code`) follows pytest and Playwright: 1 when a scenario has a replay
whose last attempt failed (``failed``, and ``flaky`` with a failed replay: a user met the failure
in this run; ``--repeat`` measures, it does not forgive), else 2 when the run errored, stopped
early or left a scenario ``incomplete`` (no verdict), else 0 (``passed``, ``skipped``, and
``flaky`` only by a retry or a heal: ``--retries`` and ``--heal`` are opt-in forgiveness, as in
pytest-rerunfailures; a gate reads ``scenarios_healed``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol

from harness.contracts.records import DONE_STEPS as DONE_STEPS  # the steps a replay counts as done
from harness.contracts.records import StepRecord

ReplayStatus = Literal["passed", "failed", "skipped", "incomplete"]
Outcome = Literal["passed", "flaky", "failed", "skipped", "incomplete"]
OUTCOMES: tuple[Outcome, ...] = ("failed", "incomplete", "flaky", "skipped", "passed")
"""Most severe first: a journey takes the most severe outcome of its scenarios (:func:`worst_outcome`)."""
REPLAY_STATUSES: tuple[ReplayStatus, ...] = ("failed", "incomplete", "skipped", "passed")
STEP_STATUSES = ("passed", "healed", "failed", "skipped", "not_run")
INTERRUPTED = "interrupted"
"""The error of a ``skipped`` step record that stopped without a skip (the run was interrupted): incomplete."""
SCENARIO_FIELDS = ("journey", "feature_file", "scenario", "example")
"""The step record fields of :class:`ScenarioKey`, for tables (``example`` as :func:`example_key`)."""
REPLAY_FIELDS = ("run_id", "test_id", "repeat")
"""The step record fields of :class:`ReplayKey`, for tables (``test_id`` as :func:`replay_id`)."""


def example_key(example: Mapping[str, str] | None) -> str:
    """An Examples row as canonical JSON: keys sorted, non-ASCII kept (``{}`` for a plain scenario)."""
    return json.dumps(dict(example or {}), sort_keys=True, ensure_ascii=False)


def canonical_example(text: str | None) -> str:
    """An Examples row stored as JSON text (any key order or escaping) as :func:`example_key` (``{}``: none)."""
    if not text or text in ("null", "{}"):
        return example_key({})
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return example_key({str(k): str(v) for k, v in value.items()}) if isinstance(value, dict) else text


class ScenarioKey(NamedTuple):
    """A scenario (one Examples row), the same in every run: journey, feature file, name, row (``example_key``)."""

    journey: str
    feature_file: str
    scenario: str
    example: str


class ReplayKey(NamedTuple):
    """One replay of a scenario: run id, pytest node id (:func:`replay_id`) and repeat index."""

    run_id: str
    test_id: str
    repeat: int


def scenario_key(record: StepRecord) -> ScenarioKey:
    """The scenario a step record belongs to."""
    return ScenarioKey(record.journey, record.feature_file, record.scenario, example_key(record.example))


def replay_id(test_id: str, feature_file: str, scenario: str, example: str) -> str:
    """The pytest node id, or, for records without one, an id made of the scenario (``example``: its key)."""
    return test_id or f"{feature_file}::{scenario}::{example}"


def replay_key(record: StepRecord) -> ReplayKey:
    """The replay a step record belongs to."""
    return _keys(record)[0]


def _keys(record: StepRecord) -> tuple[ReplayKey, ScenarioKey]:
    """The replay and the scenario of a step record, its row's key made once."""
    example = example_key(record.example)
    scenario = ScenarioKey(record.journey, record.feature_file, record.scenario, example)
    test_id = replay_id(record.test_id, record.feature_file, record.scenario, example)
    return ReplayKey(record.run_id, test_id, record.repeat), scenario


def final_attempts(records: Iterable[StepRecord]) -> list[StepRecord]:
    """The records of each replay's last attempt (see ``StepRecord.attempt``), in their order."""
    records = list(records)
    keys = [replay_key(r) for r in records]
    last: dict[ReplayKey, int] = {}
    for key, record in zip(keys, records, strict=True):
        last[key] = max(last.get(key, 0), record.attempt)
    if not any(last.values()):
        return records
    return [r for key, r in zip(keys, records, strict=True) if r.attempt == last[key]]


def replay_status(*, failed: bool, skipped: bool, passed_steps: int, expected_steps: int) -> ReplayStatus:
    """A replay's status from its last attempt (see the module's vocabulary).

    Args:
        failed: A step failed.
        skipped: A step was skipped (not for an interruption).
        passed_steps: How many distinct steps passed.
        expected_steps: How many steps the scenario has (or the most any of its replays recorded).
    """
    if failed:
        return "failed"
    if skipped:
        return "skipped"
    return "passed" if passed_steps >= max(expected_steps, 1) else "incomplete"


def judge_steps(steps: Iterable[StepRecord], expected_steps: int) -> ReplayStatus:
    """The status of a replay from the records of its last attempt."""
    steps = list(steps)
    return replay_status(
        failed=any(s.status == "failed" for s in steps),
        skipped=any(s.status == "skipped" and s.error != INTERRUPTED for s in steps),
        passed_steps=len({s.step_index for s in steps if s.status in DONE_STEPS}),
        expected_steps=expected_steps)


def expected_steps(records: Iterable[StepRecord]) -> int:
    """How many steps a scenario has, from the records of its replays in one run (every attempt)."""
    return max((max(r.scenario_steps or 0, r.step_index + 1) for r in records), default=0)


class Judged(Protocol):
    """What :func:`scenario_outcome` reads of a replay."""

    @property
    def status(self) -> ReplayStatus: ...

    @property
    def repeat(self) -> int: ...

    @property
    def retried(self) -> bool: ...

    @property
    def healed(self) -> bool: ...


@dataclass(frozen=True)
class ReplayVerdict:
    """A replay's status as plain data, for callers that judge replays from a table."""

    status: ReplayStatus
    repeat: int = 0
    retried: bool = False
    """Its last attempt is not its first (it failed, then was tried again)."""
    healed: bool = False
    """Its last attempt has a healed step (``--heal``)."""


@dataclass(frozen=True)
class ScenarioOutcome:
    """A scenario's outcome over its replays, with the counts behind it."""

    status: Outcome
    replays: int = 0
    passed: int = 0
    failed: int = 0
    """Replays whose last attempt failed."""
    skipped: int = 0
    incomplete: int = 0
    retried: int = 0
    """Replays that passed only on a retry."""
    failed_repeats: tuple[int, ...] = ()
    retried_repeats: tuple[int, ...] = ()
    healed: int = 0
    """Replays that passed only by healing a step (``--heal``): the scenario is flaky-healed."""
    healed_repeats: tuple[int, ...] = ()

    @property
    def fails_run(self) -> bool:
        """A replay's last attempt failed: the run exits 1 (see :func:`exit_code`)."""
        return self.failed > 0


def scenario_outcome(replays: Iterable[Judged]) -> ScenarioOutcome:
    """A scenario's outcome over its replays (see the module's vocabulary)."""
    replays = list(replays)
    count = {status: sum(1 for r in replays if r.status == status) for status in REPLAY_STATUSES}
    retried = [r.repeat for r in replays if r.status == "passed" and r.retried]
    healed = [r.repeat for r in replays if r.status == "passed" and r.healed]
    failed, passed = count["failed"], count["passed"]
    status: Outcome
    if failed and passed:
        status = "flaky"
    elif failed:
        status = "failed"
    elif count["incomplete"]:
        status = "incomplete"
    elif retried or healed:
        status = "flaky"
    elif count["skipped"]:
        status = "skipped"
    elif passed:
        status = "passed"
    else:
        status = "incomplete"  # no replay at all: nothing ran to a verdict
    return ScenarioOutcome(
        status=status, replays=len(replays), passed=passed, failed=failed, skipped=count["skipped"],
        incomplete=count["incomplete"], retried=len(retried),
        failed_repeats=tuple(sorted({r.repeat for r in replays if r.status == "failed"})),
        retried_repeats=tuple(sorted(set(retried))), healed=len(healed),
        healed_repeats=tuple(sorted(set(healed))))


def worst_outcome(outcomes: Iterable[str]) -> Outcome:
    """The most severe of ``outcomes`` (``OUTCOMES`` order): a journey's outcome over its scenarios."""
    present = set(outcomes)
    return next((o for o in OUTCOMES if o in present), "passed")


@dataclass(frozen=True)
class Replay:
    """One replay: its last attempt's records in step order, and its status."""

    key: ReplayKey
    scenario: ScenarioKey
    status: ReplayStatus
    steps: tuple[StepRecord, ...]
    """The records of its last attempt, by step index."""
    earlier: tuple[StepRecord, ...] = ()
    """The records of its earlier attempts (each failed, then it was tried again), by attempt and step."""

    @property
    def repeat(self) -> int:
        """Its repeat index."""
        return self.key.repeat

    @property
    def test_id(self) -> str:
        """The pytest node id its records carry (empty when they carry none)."""
        return self.steps[0].test_id if self.steps else ""

    @property
    def attempt(self) -> int:
        """Its last attempt (0: it was not retried)."""
        return max((s.attempt for s in self.steps), default=0)

    @property
    def retried(self) -> bool:
        """It was tried again after a failure."""
        return self.attempt > 0

    @property
    def healed(self) -> bool:
        """A step of its last attempt was healed (``--heal``)."""
        return any(s.status == "healed" for s in self.steps)

    @property
    def duration_ms(self) -> float:
        """The sum of its last attempt's step durations (a step without one counts 0)."""
        return sum(s.duration_ms or 0.0 for s in self.steps)


@dataclass(frozen=True)
class Scenario:
    """A scenario of a run (or of several pooled runs): its replays and its outcome."""

    key: ScenarioKey
    replays: tuple[Replay, ...]
    outcome: ScenarioOutcome
    first: StepRecord
    """Its first record: the place, tags and row the replays share."""

    @property
    def status(self) -> Outcome:
        """Its outcome (``outcome.status``)."""
        return self.outcome.status


def scenarios(records: Iterable[StepRecord]) -> list[Scenario]:
    """Group step records (every attempt) into scenarios and replays, and judge them.

    Scenarios and replays come in the order of their first record; a replay's records are
    ordered by step index (one record per index: the first recorded).
    """
    by_replay: dict[ReplayKey, dict[int, dict[int, StepRecord]]] = {}
    scenario_of: dict[ReplayKey, ScenarioKey] = {}
    members: dict[ScenarioKey, list[ReplayKey]] = {}
    first: dict[ScenarioKey, StepRecord] = {}
    expected: dict[tuple[str, ScenarioKey], int] = {}
    for record in records:
        key, scenario = _keys(record)
        if key not in scenario_of:
            scenario_of[key] = scenario
            members.setdefault(scenario, []).append(key)
            first.setdefault(scenario, record)
        by_replay.setdefault(key, {}).setdefault(record.attempt, {}).setdefault(record.step_index, record)
        run = (record.run_id, scenario)
        expected[run] = max(expected.get(run, 0), record.scenario_steps or 0, record.step_index + 1)
    out = []
    for scenario, keys in members.items():
        replays = []
        for key in keys:
            attempts = by_replay[key]
            last = max(attempts)
            steps = tuple(attempts[last][i] for i in sorted(attempts[last]))
            earlier = tuple(attempts[a][i] for a in sorted(attempts) if a != last for i in sorted(attempts[a]))
            status = judge_steps(steps, expected[(key.run_id, scenario)])
            replays.append(Replay(key=key, scenario=scenario, status=status, steps=steps, earlier=earlier))
        replays.sort(key=lambda r: (r.key.run_id, r.key.repeat))
        out.append(Scenario(key=scenario, replays=tuple(replays), outcome=scenario_outcome(replays),
                            first=first[scenario]))
    return out


def exit_code(outcomes: Iterable[ScenarioOutcome], *, errored: bool = False, stopped: bool = False) -> int:
    """The run's exit code from its scenarios' outcomes (see the module's docstring).

    Args:
        outcomes: Every scenario's outcome.
        errored: The run could not go on (no browser, bad guides...): 2 whatever the outcomes.
        stopped: pytest ended otherwise than with its tests' results (interrupted, internal error,
            a failure outside any step): 2 unless a scenario failed.

    Returns:
        1 when a replay's last attempt failed; else 2 when the run errored, stopped or left a
        scenario incomplete; else 0.
    """
    outcomes = list(outcomes)
    if errored:
        return 2
    if any(o.fails_run for o in outcomes):
        return 1
    if stopped or any(o.status == "incomplete" for o in outcomes):
        return 2
    return 0


def totals(records: Iterable[StepRecord]) -> dict[str, int]:
    """``run.json`` ``totals`` from every step record (every attempt).

    ``scenarios`` and ``scenarios_<outcome>`` count scenarios (Examples rows) by outcome;
    ``replays`` and ``replays_<status>`` their replays by status; ``steps`` and ``steps_<status>``
    the step records of the replays' last attempts.
    """
    found = scenarios(records)
    replays = [r for s in found for r in s.replays]
    steps = [step for r in replays for step in r.steps]
    counts = {"steps": len(steps), **{f"steps_{s}": sum(1 for r in steps if r.status == s) for s in STEP_STATUSES}}
    counts["replays"] = len(replays)
    counts.update({f"replays_{s}": sum(1 for r in replays if r.status == s) for s in reversed(REPLAY_STATUSES)})
    counts["scenarios"] = len(found)
    counts.update({f"scenarios_{o}": sum(1 for s in found if s.status == o) for o in reversed(OUTCOMES)})
    counts["scenarios_healed"] = sum(1 for s in found if s.status == "flaky" and s.outcome.healed)
    return counts
