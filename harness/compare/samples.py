"""From step tables to samples: per journey, scenario and step, the values of each metric.

A sample holds one value per replay (its last attempt, when a failed replay was retried): a
step's metric in each repeat where the step passed
(a failed step's time is mostly its timeout, so it would only blur the comparison; its
failure is reported as a status change instead), a scenario's time to complete in each
replay that passed, and a journey's in each repeat where all of its scenarios passed.
Repeats of several pooled runs add up. Replays, their status and each scenario's outcome (its
health) are judged by ``harness/outcomes.py``, from the table's columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from harness.contracts.comparison import Health, Where
from harness.contracts.metrics import METRICS, STEP_KEY
from harness.outcomes import REPLAY_FIELDS, SCENARIO_FIELDS, Outcome, ReplayVerdict, scenario_outcome
from harness.outcomes.tables import final_rows, prepare, replay_table

Key = tuple[str, str, str, str, str, int, str]
"""level, journey, feature file, scenario, example (JSON), step index, text; "" and -1 where not relevant."""
SCENARIO_KEY = SCENARIO_FIELDS
REPLAY = REPLAY_FIELDS
"""One replay of a scenario."""
HEALTH: dict[Outcome, Health] = {"passed": "passing", "flaky": "flaky", "failed": "broken", "skipped": "skipped",
                                 "incomplete": "incomplete"}
"""A scenario's outcome (``harness.outcomes``) as comparison.json's health."""


@dataclass(slots=True)
class Samples:
    """The samples of one side of a comparison."""

    values: dict[Key, dict[str, np.ndarray]] = field(default_factory=dict)
    """Per key, per metric column, the measured values (no NaN)."""
    health: dict[Key, ScenarioHealth] = field(default_factory=dict)
    """Per scenario key, how its replays went."""
    seen: set[Key] = field(default_factory=set)
    """Every journey, scenario and step key the side ran, passed or not."""
    by_action: dict[Key, dict[str, dict[str, np.ndarray]]] = field(default_factory=dict)
    """Per step key, its values split by the step's action (one entry for most steps)."""


@dataclass(slots=True)
class ScenarioHealth:
    """How a scenario's replays went on one side."""

    health: Health
    replays: int
    failed_repeats: list[int]
    retried_repeats: list[int] = field(default_factory=list)
    """Repeats that failed, then passed on a retry (flaky too)."""
    step: str | None = None
    error: str | None = None
    error_kind: str | None = None


def where(key: Key, variant: str | None = None) -> Where:
    """Return the key (and the action its values come from, when split) as a ``Where``."""
    level, journey, feature_file, scenario, example, step_index, text = key
    return Where(level=level, journey=journey, feature_file=feature_file,
                 scenario=scenario if level != "journey" else None,
                 example=_example(example) if level != "journey" else {},
                 step_index=step_index if level == "step" else None, text=text if level == "step" else None,
                 variant=variant)


def _example(text: str) -> dict[str, str]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def collect(frame: pd.DataFrame) -> Samples:
    """Return the samples of a step table (``HISTORY_COLUMNS``, one or several runs)."""
    samples = Samples()
    if frame.empty:
        return samples
    frame = prepare(frame)
    for journey, feature_file, scenario, example, step_index, text in frame[list(STEP_KEY)].drop_duplicates() \
            .itertuples(index=False):
        samples.seen.update({("step", journey, feature_file, scenario, example, int(step_index), text),
                             ("scenario", journey, feature_file, scenario, example, -1, ""),
                             ("journey", journey, feature_file, "", "", -1, "")})
    everything, frame = frame, final_rows(frame)
    _steps(frame[frame["status"] == "passed"], samples)
    replays = replay_table(everything, frame)
    done = replays[replays["passed"]]
    for (journey, feature_file, scenario, example), totals in _blocks(done, list(SCENARIO_KEY), "total"):
        samples.values[("scenario", journey, feature_file, scenario, example, -1, "")] = {"duration_ms": totals}
    _journeys(replays, samples)
    _health(everything, replays, samples)
    return samples


def _blocks(frame: pd.DataFrame, keys: list[str], column: str) -> Iterator[tuple[tuple, np.ndarray]]:
    """Per group of ``keys`` (in order of appearance), the group's values of ``column``."""
    if frame.empty:
        return
    ids = frame.groupby(keys, sort=False).ngroup().to_numpy()
    order = np.argsort(ids, kind="stable")
    values = frame[column].to_numpy(dtype="float64")[order]
    starts = np.flatnonzero(np.r_[True, np.diff(ids[order]) != 0])
    yield from zip(frame[keys].iloc[order[starts]].itertuples(index=False, name=None),
                   np.split(values, starts[1:]), strict=True)


def _steps(passed: pd.DataFrame, samples: Samples) -> None:
    """Each step's metrics: the rows sorted by step once, then cut into one block per step."""
    if passed.empty:
        return
    columns = [m.column for m in METRICS]
    ids = passed.groupby(list(STEP_KEY), sort=False).ngroup().to_numpy()
    order = np.argsort(ids, kind="stable")
    data = passed[columns].to_numpy(dtype="float64", na_value=np.nan)[order]
    actions = passed["action"].to_numpy(dtype=object)[order]
    starts = np.flatnonzero(np.r_[True, np.diff(ids[order]) != 0])
    keys = passed[list(STEP_KEY)].iloc[order[starts]].itertuples(index=False, name=None)
    for (journey, feature_file, scenario, example, step_index, text), block, acts in zip(
            keys, np.split(data, starts[1:]), np.split(actions, starts[1:]), strict=True):
        key: Key = ("step", journey, feature_file, scenario, example, int(step_index), text)
        samples.values[key] = _metrics(block, columns)
        kinds = set(acts.tolist())
        samples.by_action[key] = {kinds.pop(): samples.values[key]} if len(kinds) == 1 else {
            action: _metrics(block[acts == action], columns) for action in sorted(kinds)}


def _metrics(block: np.ndarray, columns: list[str]) -> dict[str, np.ndarray]:
    """The columns of a block of rows that hold values, without their missing ones."""
    present = ~np.isnan(block)
    full = present.all(axis=0)
    return {column: block[:, i] if full[i] else block[present[:, i], i]
            for i, column in enumerate(columns) if full[i] or present[:, i].any()}


def _journeys(replays: pd.DataFrame, samples: Samples) -> None:
    """A journey's time: the sum of its scenarios' times in one repeat of one run, when all passed."""
    per_repeat = replays.groupby(["journey", "feature_file", "run_id", "repeat"], sort=False).agg(
        total=("total", "sum"), passed=("passed", "all"), scenarios=("passed", "size"))
    per_repeat = per_repeat.reset_index()
    full = per_repeat.groupby(["journey", "feature_file"], sort=False)["scenarios"].transform("max")
    done = per_repeat[per_repeat["passed"] & (per_repeat["scenarios"] == full)]  # a repeat cut short is left out
    for (journey, feature_file), totals in _blocks(done, ["journey", "feature_file"], "total"):
        samples.values[("journey", journey, feature_file, "", "", -1, "")] = {"duration_ms": totals}


def _health(frame: pd.DataFrame, replays: pd.DataFrame, samples: Samples) -> None:
    """Each scenario's outcome over its replays (``harness.outcomes.scenario_outcome``) as its health."""
    failed_rows = frame[frame["status"] == "failed"].groupby(list(SCENARIO_KEY), sort=False)
    for key, group in replays.groupby(list(SCENARIO_KEY), sort=False):
        outcome = scenario_outcome(ReplayVerdict(status=status, repeat=int(repeat), retried=int(retried) > 0)
                                   for status, repeat, retried in group[["status", "repeat", "retried"]]
                                   .itertuples(index=False))
        state = ScenarioHealth(health=HEALTH[outcome.status], replays=outcome.replays,
                               failed_repeats=list(outcome.failed_repeats),
                               retried_repeats=list(outcome.retried_repeats))
        if outcome.status in ("failed", "flaky") and key in failed_rows.groups:
            last = failed_rows.get_group(key).iloc[-1]
            state.step = f"step {int(last['step_index']) + 1}: {last['text']}"
            error, kind = last.get("error"), last.get("error_kind")
            state.error = str(error) if error is not None and pd.notna(error) else None
            state.error_kind = str(kind) if kind is not None and pd.notna(kind) else None
        journey, feature_file, scenario, example = (str(part) for part in key)
        samples.health[("scenario", journey, feature_file, scenario, example, -1, "")] = state
