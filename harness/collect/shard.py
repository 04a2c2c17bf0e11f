"""Shards: a deterministic share of a run's scenario runs, balanced by how long they took before.

``harness run --shard I/N`` runs the I-th of N shares. Every shard (and every xdist worker of a
shard) computes the same split from the same inputs: the scenario runs' ids and their expected
durations. The expected duration of a scenario run is the median over the history's recent runs of
the app of its steps' summed durations (a replay's time in steps); a scenario the history does not
know gets the median of those it knows. The split is "longest first onto the least loaded shard"
(the LPT rule, as pytest-split's ``least_duration``): no shard ends more than one scenario run's
duration after the mean. Without any history, the runs are dealt out in turn, by count.

``harness merge`` (:mod:`harness.runfolder.merge`) makes one run of the shards' folders again.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

WEIGHTS_FILE = ".shard-weights.json"
"""Written in the run folder by the run's first process: the expected duration (ms) of each scenario."""
RECENT_RUNS = 5
"""How many of the app's latest runs in the history give the expected durations."""


def scenario_id(feature_file: str, scenario: str, example: str) -> str:
    """The key of a scenario (one Examples row, ``example`` as ``harness.outcomes.example_key``) in the weights."""
    return json.dumps([feature_file, scenario, example], ensure_ascii=False)


def expected_durations(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """The expected duration (ms) of each scenario from history step rows.

    Args:
        rows: Step rows with ``run_id``, ``feature_file``, ``scenario``, ``example`` (its key),
            ``repeat``, ``attempt`` and ``duration_ms``.

    Returns:
        Scenario id (:func:`scenario_id`) -> the median over its replays of their summed step durations.
    """
    replays: dict[tuple[str, str, int, int], float] = {}
    scenario_of: dict[tuple[str, str, int, int], str] = {}
    for row in rows:
        duration = row.get("duration_ms")
        if duration is None or duration != duration:  # a step that did not run has no duration (NaN)
            continue
        sid = scenario_id(str(row["feature_file"]), str(row["scenario"]), str(row["example"]))
        key = (str(row["run_id"]), sid, int(row["repeat"]), int(row["attempt"]))
        replays[key] = replays.get(key, 0.0) + float(duration)
        scenario_of[key] = sid
    per_scenario: dict[str, list[float]] = {}
    for key, total in replays.items():
        per_scenario.setdefault(scenario_of[key], []).append(total)
    return {sid: statistics.median(totals) for sid, totals in sorted(per_scenario.items())}


def split(runs: Sequence[tuple[str, str]], weights: Mapping[str, float], count: int) -> list[list[str]]:
    """Split scenario runs into ``count`` shares.

    Args:
        runs: ``(run id, scenario id)`` of every scenario run (run ids unique: the pytest node ids).
        weights: Expected durations by scenario id (empty: split by count).
        count: How many shares.

    Returns:
        The run ids of each share, each in the order of ``runs``.
    """
    order = {run: i for i, (run, _) in enumerate(runs)}
    shares: list[list[str]] = [[] for _ in range(count)]
    if not weights:  # dealt out in turn over the sorted ids: the same whatever order pytest collected in
        for i, run in enumerate(sorted(order)):
            shares[i % count].append(run)
    else:
        known = statistics.median(weights.values())
        cost = {run: weights.get(sid, known) for run, sid in runs}
        loads = [0.0] * count
        for run in sorted(cost, key=lambda r: (-cost[r], r)):
            target = min(range(count), key=lambda s: (loads[s], len(shares[s]), s))
            shares[target].append(run)
            loads[target] += cost[run]
    return [sorted(share, key=order.__getitem__) for share in shares]


def write_weights(run_dir: Path, weights: Mapping[str, float]) -> None:
    """Keep the expected durations in the run folder for every process of the run to split alike."""
    (run_dir / WEIGHTS_FILE).write_text(json.dumps(dict(weights), ensure_ascii=False, sort_keys=True),
                                        encoding="utf-8")


def read_weights(run_dir: Path) -> dict[str, float]:
    """The expected durations :func:`write_weights` kept (empty when there are none)."""
    path = run_dir / WEIGHTS_FILE
    if not path.is_file():
        return {}
    return {str(k): float(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}


def history_weights(history: Path | None, app: str) -> tuple[dict[str, float], list[str]]:
    """Expected durations from the app's :data:`RECENT_RUNS` latest complete runs in ``history``, and those runs.

    The runs are the split's basis: shards that read different histories (a CI cache restored at
    different times) split differently, and ``harness merge`` refuses them for it. Empty when there is
    no history or it knows no run of the app (the shards then split by count). An unreadable history
    is no reason to stop a run: it also gives an empty answer.
    """
    if history is None or not history.is_dir():
        return {}, []
    from harness.outcomes import canonical_example
    from harness.runfolder.history import HistoryError, load_history_steps, read_index

    try:
        index = read_index(history)
        runs = index[(index["app"] == app) & (index["status"] == "complete")].tail(RECENT_RUNS)
        if runs.empty:
            return {}, []
        basis = sorted(map(str, runs["run_id"]))
        frame = load_history_steps(history, basis, columns=[
            "run_id", "feature_file", "scenario", "example", "repeat", "attempt", "duration_ms"])
    except (HistoryError, OSError, ValueError):
        return {}, []
    frame["example"] = frame["example"].map(canonical_example)
    return expected_durations(cast("list[dict[str, Any]]", frame.to_dict("records"))), basis
