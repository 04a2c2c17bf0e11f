"""From step tables to samples: per journey, scenario and step, the values of each metric.

A sample holds one value per replay (its last attempt, when a failed replay was retried): a
step's metric in each repeat where the step passed
(a failed step's time is mostly its timeout, so it would only blur the comparison; its
failure is reported as a status change instead), a scenario's time to complete in each
repeat where every one of its steps passed, and a journey's in each repeat where all of its
scenarios passed. Repeats of several pooled runs add up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from harness.compare.metrics import METRICS, STEP_KEY
from harness.compare.model import Health, Where

Key = tuple[str, str, str, str, str, int, str]
"""level, journey, feature file, scenario, example (JSON), step index, text; "" and -1 where not relevant."""
SCENARIO_KEY = ("journey", "feature_file", "scenario", "example")
REPLAY = ("run_id", "test_id", "repeat")
"""One replay of a scenario."""


@dataclass(slots=True)
class Samples:
    """The samples of one side of a comparison."""

    values: dict[Key, dict[str, np.ndarray]] = field(default_factory=dict)
    """Per key, per metric column, the measured values (no NaN)."""
    health: dict[Key, ScenarioHealth] = field(default_factory=dict)
    """Per scenario key, how its replays went."""
    seen: set[Key] = field(default_factory=set)
    """Every journey, scenario and step key the side ran, passed or not."""


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


def where(key: Key) -> Where:
    """Return the key as a ``Where``."""
    level, journey, feature_file, scenario, example, step_index, text = key
    return Where(level=level, journey=journey, feature_file=feature_file,  # type: ignore[arg-type]
                 scenario=scenario if level != "journey" else None,
                 example=_example(example) if level != "journey" else {},
                 step_index=step_index if level == "step" else None, text=text if level == "step" else None)


def _example(text: str) -> dict[str, str]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in ("journey", "feature_file", "scenario", "example", "text", "run_id", "test_id", "status"):
        if column not in frame:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype(str)
    frame["example"] = frame["example"].replace({"null": "", "{}": ""})
    for column in ("repeat", "attempt"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0).astype(int) if column in frame else 0
    frame["step_index"] = pd.to_numeric(frame["step_index"], errors="coerce").fillna(-1).astype(int)
    for metric in METRICS:
        frame[metric.column] = pd.to_numeric(frame[metric.column], errors="coerce") if metric.column in frame \
            else np.nan
    return frame


def final_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of each replay's last attempt (a replay retried after a failure has several)."""
    if "attempt" not in frame or not (frame["attempt"].fillna(0) > 0).any():
        return frame
    attempt = frame["attempt"].fillna(0)
    return frame[attempt == attempt.groupby([frame[c] for c in REPLAY], sort=False).transform("max")]


def collect(frame: pd.DataFrame) -> Samples:
    """Return the samples of a step table (``HISTORY_COLUMNS``, one or several runs)."""
    samples = Samples()
    if frame.empty:
        return samples
    frame = _prepare(frame)
    for journey, feature_file, scenario, example, step_index, text in frame[list(STEP_KEY)].drop_duplicates() \
            .itertuples(index=False):
        samples.seen.update({("step", journey, feature_file, scenario, example, int(step_index), text),
                             ("scenario", journey, feature_file, scenario, example, -1, ""),
                             ("journey", journey, feature_file, "", "", -1, "")})
    everything, frame = frame, final_rows(frame)
    passed = frame[frame["status"] == "passed"]
    columns = [m.column for m in METRICS]
    for key, group in passed.groupby(list(STEP_KEY), sort=False):
        journey, feature_file, scenario, example, step_index, text = key
        data = group[columns].to_numpy(dtype="float64", na_value=np.nan)
        metrics = {}
        for i, column in enumerate(columns):
            values = data[:, i]
            values = values[~np.isnan(values)]
            if values.size:
                metrics[column] = values
        samples.values[("step", journey, feature_file, scenario, example, int(step_index), text)] = metrics
    # each replay of a scenario: its time to complete, and whether every step passed
    replays = frame.groupby([*SCENARIO_KEY, *REPLAY], sort=False).agg(
        total=("duration_ms", "sum"), passed=("status", lambda s: bool((s == "passed").all())),
        retried=("attempt", "max"))
    replays = replays.reset_index()
    for key, group in replays.groupby(list(SCENARIO_KEY), sort=False):
        journey, feature_file, scenario, example = key
        done = group[group["passed"]]
        if len(done):
            samples.values[("scenario", journey, feature_file, scenario, example, -1, "")] = {
                "duration_ms": done["total"].to_numpy(dtype="float64")}
    _journeys(replays, samples)
    _health(everything, replays, samples)
    return samples


def _journeys(replays: pd.DataFrame, samples: Samples) -> None:
    """A journey's time: the sum of its scenarios' times in one repeat of one run, when all passed."""
    per_repeat = replays.groupby(["journey", "feature_file", "run_id", "repeat"], sort=False).agg(
        total=("total", "sum"), passed=("passed", "all"), scenarios=("passed", "size"))
    per_repeat = per_repeat.reset_index()
    for (journey, feature_file), group in per_repeat.groupby(["journey", "feature_file"], sort=False):
        full = group["scenarios"].max()  # a repeat cut short by an interruption is left out
        done = group[group["passed"] & (group["scenarios"] == full)]
        if len(done):
            samples.values[("journey", journey, feature_file, "", "", -1, "")] = {
                "duration_ms": done["total"].to_numpy(dtype="float64")}


def _health(frame: pd.DataFrame, replays: pd.DataFrame, samples: Samples) -> None:
    failed_rows = frame[frame["status"] == "failed"]
    for key, group in replays.groupby(list(SCENARIO_KEY), sort=False):
        journey, feature_file, scenario, example = key
        bad = group[~group["passed"]]
        retried = group[group["passed"] & (group["retried"] > 0)]
        failed_repeats = sorted({int(r) for r in bad["repeat"]})
        count = len(group)
        health: Health = "broken" if len(bad) == count else ("flaky" if len(bad) or len(retried) else "passing")
        state = ScenarioHealth(health=health, replays=count, failed_repeats=failed_repeats,
                               retried_repeats=sorted({int(r) for r in retried["repeat"]}))
        if health != "passing":
            rows = failed_rows[(failed_rows["journey"] == journey) & (failed_rows["feature_file"] == feature_file)
                               & (failed_rows["scenario"] == scenario) & (failed_rows["example"] == example)]
            if len(rows):
                last = rows.iloc[-1]
                state.step = f"step {int(last['step_index']) + 1}: {last['text']}"
                state.error = str(last["error"]) if "error" in rows and pd.notna(last.get("error")) else None
                kind = last.get("error_kind")
                state.error_kind = str(kind) if kind is not None and pd.notna(kind) else None
        samples.health[("scenario", journey, feature_file, scenario, example, -1, "")] = state
