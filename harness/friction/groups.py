"""Group step records into scenario runs, and the plain figures of a scenario over its repeats.

A scenario (one Examples row), its replays (the last attempt of each) and its outcome come from
``harness/outcomes.py``; each repeat of it is one scenario run. Steps are identified across
repeats by ``step_index``.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from harness.contracts.records import FailedRequest, StepRecord
from harness.outcomes import ScenarioOutcome, example_key, scenarios
from harness.spec.friction import ScenarioSettings

EXECUTED = ("passed", "failed")


@dataclass
class ScenarioRuns:
    """The runs (repeats) of one scenario, each as its step records in step order.

    Attributes:
        journey: The feature's name.
        feature_file: The feature file, as recorded.
        scenario: The scenario's name.
        scenario_line: Its line in the feature file.
        example: Its Examples row (empty for a plain scenario).
        runs: Repeat index -> that run's records (its last attempt), by ascending ``step_index`` (one per index).
        outcome: The scenario's outcome over its replays (``harness.outcomes``).
    """

    journey: str
    feature_file: str
    scenario: str
    scenario_line: int | None = None
    example: dict[str, str] = field(default_factory=dict)
    runs: dict[int, list[StepRecord]] = field(default_factory=dict)
    outcome: ScenarioOutcome = field(default_factory=lambda: ScenarioOutcome(status="incomplete"))

    @property
    def key(self) -> tuple[str, str, str]:
        """(feature file, scenario, example JSON): the scenario's identity in a run."""
        return self.feature_file, self.scenario, example_key(self.example)

    @property
    def match_key(self) -> tuple[str, str, str]:
        """(journey, scenario, example JSON): the scenario's identity across runs (baselines)."""
        return self.journey, self.scenario, example_key(self.example)

    def steps(self) -> dict[int, dict[int, StepRecord]]:
        """Step index -> {repeat -> record}, steps in order."""
        out: dict[int, dict[int, StepRecord]] = {}
        for repeat, records in sorted(self.runs.items()):
            for record in records:
                out.setdefault(record.step_index, {})[repeat] = record
        return dict(sorted(out.items()))

    def previous(self, record: StepRecord) -> StepRecord | None:
        """The step before ``record`` in the same run, if any."""
        before = [r for r in self.runs.get(record.repeat, []) if r.step_index < record.step_index]
        return before[-1] if before else None


def group_records(records: Iterable[StepRecord]) -> list[ScenarioRuns]:
    """Group records (every attempt) into scenarios and their replays' last attempts; scenarios in a stable order."""
    groups = []
    for scenario in scenarios(records):
        first = scenario.first
        group = ScenarioRuns(journey=first.journey, feature_file=first.feature_file, scenario=first.scenario,
                             scenario_line=first.scenario_line, example=dict(first.example), outcome=scenario.outcome)
        for replay in scenario.replays:
            run = group.runs.setdefault(replay.repeat, [])
            run.extend(r for r in replay.steps if all(r.step_index != kept.step_index for kept in run))
            run.sort(key=lambda r: r.step_index)
        groups.append(group)
    return sorted(groups, key=lambda g: (g.feature_file, g.scenario_line or 0, g.scenario, g.key[2]))


@dataclass(frozen=True)
class ScenarioFigures:
    """What a scenario took, as medians over its repeats.

    Attributes:
        status: The scenario's outcome (``harness.outcomes``): passed, flaky, failed, skipped or incomplete.
        runs: How many repeats.
        time_ms: Median of the per-repeat sums of step durations (``None``: nothing timed).
        steps: Median of executed (passed or failed) steps.
        page_loads: Median of the per-repeat sums of navigations.
        wait_ms: Median of the per-repeat sums of waits for targets.
        errors: Median of console errors, page errors and failed requests not ignored.
    """

    status: str
    runs: int
    time_ms: float | None
    steps: int
    page_loads: int
    wait_ms: float
    errors: int


def median_low_int(values: Iterable[int]) -> int:
    """The median of whole numbers (the lower middle one for an even count), 0 for none."""
    values = list(values)
    return int(statistics.median_low(values)) if values else 0


def step_errors(record: StepRecord, settings: ScenarioSettings) -> tuple[list[str], list[str], list[FailedRequest]]:
    """The console errors, page errors and failed requests of a step that are not ignored."""
    signals = record.signals
    console = [t for t in signals.console_errors if not settings.ignored_console(t)]
    page = [t for t in signals.page_errors if not settings.ignored_console(t)]
    failed = [r for r in signals.failed_requests if not settings.ignored_request(r.url)]
    return console, page, failed


def _per_run(runs: ScenarioRuns, value: Callable[[list[StepRecord]], float]) -> list[float]:
    return [value(records) for _, records in sorted(runs.runs.items())]


def figures(runs: ScenarioRuns, settings: ScenarioSettings) -> ScenarioFigures:
    """The figures of a scenario over its repeats."""
    status = runs.outcome.status
    timed = [sum(r.duration_ms for r in records if r.duration_ms is not None)
             for records in runs.runs.values() if any(r.duration_ms is not None for r in records)]

    def errors(records: list[StepRecord]) -> float:
        return sum(sum(len(part) for part in step_errors(r, settings)) for r in records if r.status in EXECUTED)

    return ScenarioFigures(
        status=status,
        runs=len(runs.runs),
        time_ms=round(statistics.median(timed), 1) if timed else None,
        steps=median_low_int(int(v) for v in _per_run(runs, lambda rs: sum(r.status in EXECUTED for r in rs))),
        page_loads=median_low_int(int(v) for v in _per_run(runs, lambda rs: sum(r.signals.navigations for r in rs))),
        wait_ms=round(statistics.median(_per_run(runs, lambda rs: sum(r.signals.wait_ms or 0.0 for r in rs))), 1)
        if runs.runs else 0.0,
        errors=median_low_int(int(v) for v in _per_run(runs, errors)),
    )
