"""Group step records into scenario runs, and the plain figures of a scenario over its repeats.

A scenario (one Examples row) is identified by its feature file, name and example; each
repeat of it is one scenario run. Steps are identified across repeats by ``step_index``.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from harness.contracts.records import FailedRequest, StepRecord
from harness.spec.friction import ScenarioSettings

EXECUTED = ("passed", "failed")


def example_key(example: dict[str, str]) -> str:
    """The Examples row as canonical JSON (keys sorted), for keys and ids."""
    return json.dumps(example, sort_keys=True, ensure_ascii=False)


@dataclass
class ScenarioRuns:
    """The runs (repeats) of one scenario, each as its step records in step order.

    Attributes:
        journey: The feature's name.
        feature_file: The feature file, as recorded.
        scenario: The scenario's name.
        scenario_line: Its line in the feature file.
        example: Its Examples row (empty for a plain scenario).
        runs: Repeat index -> that run's records, by ascending ``step_index`` (one per index).
    """

    journey: str
    feature_file: str
    scenario: str
    scenario_line: int | None = None
    example: dict[str, str] = field(default_factory=dict)
    runs: dict[int, list[StepRecord]] = field(default_factory=dict)

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
    """Group records by (feature file, scenario, example, repeat); scenarios in a stable order."""
    groups: dict[tuple[str, str, str], ScenarioRuns] = {}
    for record in records:
        key = (record.feature_file, record.scenario, example_key(record.example))
        group = groups.get(key)
        if group is None:
            group = groups[key] = ScenarioRuns(journey=record.journey, feature_file=record.feature_file,
                                               scenario=record.scenario, scenario_line=record.scenario_line,
                                               example=dict(record.example))
        run = group.runs.setdefault(record.repeat, [])
        if all(r.step_index != record.step_index for r in run):
            run.append(record)
    for group in groups.values():
        for run in group.runs.values():
            run.sort(key=lambda r: r.step_index)
    return sorted(groups.values(), key=lambda g: (g.feature_file, g.scenario_line or 0, g.scenario, g.key[2]))


@dataclass(frozen=True)
class ScenarioFigures:
    """What a scenario took, as medians over its repeats.

    Attributes:
        status: ``passed`` when every repeat passed, else ``failed`` (or ``skipped``).
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


def run_status(records: list[StepRecord]) -> str:
    """``failed`` if a step failed, else ``skipped`` if one was skipped, else ``passed``."""
    statuses = {r.status for r in records}
    return "failed" if "failed" in statuses else "skipped" if "skipped" in statuses else "passed"


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
    statuses = {run_status(records) for records in runs.runs.values()}
    status = "failed" if "failed" in statuses else "skipped" if "skipped" in statuses else "passed"
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
