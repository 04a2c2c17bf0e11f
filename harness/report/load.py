"""Read a run folder back: ``run.json`` plus step records, grouped into scenarios and their replays.

Grouping, each replay's status and each scenario's outcome come from ``harness/outcomes.py``.

``steps.jsonl`` is the source of truth (it is appended live); ``steps.parquet`` is the
fallback when there is no jsonl. A run that was killed may leave a truncated last line:
it is skipped and counted so the report can say so.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.contracts.records import RUN_FILE, STEPS_JSONL, STEPS_PARQUET, RunInfo, StepRecord
from harness.outcomes import Scenario, ScenarioKey, ScenarioOutcome, example_key, final_attempts, scenarios
from harness.runfolder.io import FLAT_SIGNALS, NESTED, parse_steps

NESTED_JSON = NESTED
"""Columns that ``steps.parquet`` stores as JSON strings (``repair`` among them)."""


@dataclass
class ScenarioRun:
    """One replay of one scenario (one Outline row, one repeat): its last attempt's steps in order."""

    test_id: str
    repeat: int
    journey: str
    feature_file: str
    scenario: str
    scenario_line: int | None
    example: dict[str, str]
    tags: list[str]
    steps: list[StepRecord] = field(default_factory=list)
    status: str = "incomplete"
    """``passed``, ``failed``, ``skipped`` or ``incomplete``: the replay's status (``harness.outcomes``)."""
    retries: int = 0
    """Attempts before the last one (``--retries``)."""
    healed: bool = False
    """A step of its last attempt was healed (``--heal``; ``Replay.healed``)."""
    earlier: list[StepRecord] = field(default_factory=list)
    """The records of those attempts, by attempt and step index."""

    @property
    def case_key(self) -> ScenarioKey:
        """Identify the scenario case across repeats (the test id differs per repeat)."""
        return ScenarioKey(self.journey, self.feature_file, self.scenario, example_key(self.example))

    @property
    def duration_ms(self) -> float:
        """Sum of the step durations (steps without a duration count as 0)."""
        return sum(s.duration_ms or 0.0 for s in self.steps)


@dataclass
class RunData:
    """A run folder read back: the run, its records and its scenario runs."""

    run_dir: Path
    info: RunInfo
    records: list[StepRecord]
    scenario_runs: list[ScenarioRun]
    source: str | None
    """The file the records came from (``steps.jsonl``, ``steps.parquet``) or None."""
    truncated_tail: bool = False
    """True when the last line of ``steps.jsonl`` could not be read (run killed while writing)."""
    bad_lines: int = 0
    """Unreadable lines of ``steps.jsonl`` other than the last one."""
    warnings: list[str] = field(default_factory=list)
    retried: list[StepRecord] = field(default_factory=list)
    """The records of attempts that failed and were tried again (``records`` holds each replay's last)."""
    scenarios: list[Scenario] = field(default_factory=list)
    """Every scenario with its replays and outcome (``harness.outcomes``)."""
    _outcomes: dict[ScenarioKey, ScenarioOutcome] = field(default_factory=dict, repr=False)

    def cases(self) -> dict[ScenarioKey, list[ScenarioRun]]:
        """The replays of each scenario (one Examples row), by its key, in repeat order."""
        out: dict[ScenarioKey, list[ScenarioRun]] = {}
        for run in self.scenario_runs:
            out.setdefault(run.case_key, []).append(run)
        for runs in out.values():
            runs.sort(key=lambda r: r.repeat)
        return out

    def outcome(self, key: ScenarioKey) -> ScenarioOutcome:
        """The outcome of the scenario ``key`` (``incomplete`` for a key the run does not hold)."""
        if len(self._outcomes) != len(self.scenarios):
            self._outcomes = {s.key: s.outcome for s in self.scenarios}
        return self._outcomes.get(key) or ScenarioOutcome(status="incomplete")


def _read_jsonl(path: Path) -> tuple[list[StepRecord], bool, int]:
    """Return the records of a jsonl file, whether its last line was unreadable, and other bad lines."""
    parsed = parse_steps(path)
    return list(parsed.records), parsed.truncated, len(parsed.bad_at) - int(parsed.truncated)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _parquet_row(row: dict[str, Any]) -> dict[str, Any]:
    """Turn one parquet row back into a StepRecord dict: parse JSON columns, drop flat duplicates."""
    out = {k: _clean(v) for k, v in row.items() if k not in FLAT_SIGNALS}
    for key in NESTED_JSON:
        value = out.get(key)
        if isinstance(value, str | bytes):
            try:
                out[key] = json.loads(value)
            except ValueError:
                out.pop(key)
        elif value is None:
            out.pop(key, None)
    return out


def _read_parquet(path: Path) -> tuple[list[StepRecord], int]:
    """Return the records of ``steps.parquet`` and the number of rows that did not validate."""
    import pyarrow.parquet as pq

    records: list[StepRecord] = []
    bad = 0
    for row in pq.read_table(path).to_pylist():
        try:
            records.append(StepRecord.model_validate(_parquet_row(row)))
        except ValidationError:
            bad += 1
    return records, bad


def _read_info(run_dir: Path, records: list[StepRecord], warnings: list[str]) -> RunInfo:
    path = run_dir / RUN_FILE
    try:
        return RunInfo.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        reason = "missing" if isinstance(exc, OSError) else "unreadable"
        warnings.append(f"{RUN_FILE} is {reason}; run details are inferred from the step records.")
    first = records[0] if records else None
    return RunInfo(
        run_id=first.run_id if first else run_dir.name, app=first.app if first else "unknown",
        base_url="", harness_version="unknown",
        started_at=min((r.started_at for r in records if r.started_at), default=""),
        status="incomplete",
    )


def group_scenario_runs(found: list[Scenario]) -> list[ScenarioRun]:
    """Each replay of the scenarios as a scenario run: its last attempt's steps by index, its status."""
    runs = []
    for scenario in found:
        for replay in scenario.replays:
            first = replay.steps[0]
            runs.append(ScenarioRun(
                test_id=first.test_id, repeat=replay.repeat, journey=first.journey, feature_file=first.feature_file,
                scenario=first.scenario, scenario_line=first.scenario_line, example=dict(first.example),
                tags=list(first.tags), steps=list(replay.steps), status=replay.status, retries=replay.attempt,
                healed=replay.healed, earlier=list(replay.earlier)))
    return runs


def load_run(run_dir: Path) -> RunData:
    """Read a run folder.

    Args:
        run_dir: The run folder (holds ``run.json`` and ``steps.jsonl`` or ``steps.parquet``).

    Returns:
        The run info, its step records and the records grouped into scenario runs.
    """
    run_dir = Path(run_dir)
    warnings: list[str] = []
    records: list[StepRecord] = []
    truncated, bad, source = False, 0, None
    jsonl, parquet = run_dir / STEPS_JSONL, run_dir / STEPS_PARQUET
    if jsonl.is_file():
        source = STEPS_JSONL
        records, truncated, bad = _read_jsonl(jsonl)
    elif parquet.is_file():
        source = STEPS_PARQUET
        try:
            records, bad = _read_parquet(parquet)
        except Exception as exc:  # a corrupt parquet must still give a report
            warnings.append(f"{STEPS_PARQUET} could not be read: {type(exc).__name__}.")
    found = scenarios(records)
    final = final_attempts(records)
    kept = {id(r) for r in final}
    retried = [r for r in records if id(r) not in kept]
    if retried:
        warnings.append(f"{len(records) - len(final)} step record(s) of scenario attempts that failed and were "
                        "retried are not shown: each replay shows its last attempt.")
    records = final
    if truncated:
        warnings.append(f"The last line of {STEPS_JSONL} was incomplete and was skipped "
                        "(the run was probably stopped while writing it).")
    if bad:
        warnings.append(f"{bad} unreadable record(s) in {source} were skipped.")
    if source is None:
        warnings.append("No step records were found in this run folder.")
    info = _read_info(run_dir, records, warnings)
    return RunData(run_dir=run_dir, info=info, records=records, scenario_runs=group_scenario_runs(found),
                   source=source, truncated_tail=truncated, bad_lines=bad, warnings=warnings, retried=retried,
                   scenarios=found)
