"""Trends: a journey's, scenario's or step's median duration per run, over the last runs.

A series shows slow drifts that no single comparison flags. Each series gets a Theil-Sen
slope and a Mann-Kendall test; the p-values of all series are adjusted together
(Benjamini-Hochberg), and a series is ``drifting`` when it rises significantly by at least
the minimum effect over its runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from harness.compare.samples import SCENARIO_KEY, Key, where
from harness.contracts.comparison import TrendSeries
from harness.contracts.metrics import STEP_KEY
from harness.outcomes.tables import final_rows, prepare, replay_table
from harness.spec.regressions import CompareSettings
from harness.stats import bh_adjust, trend


def _tables(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Per level, a key x run table of median durations (one row per journey, scenario or step)."""
    everything = prepare(frame)
    frame = final_rows(everything)
    passed = frame["status"] == "passed"
    steps = frame[passed].groupby([*STEP_KEY, "run_id"], sort=False)["duration_ms"].median().unstack("run_id")
    replays = replay_table(everything, frame)
    replays = replays[replays["passed"]]
    scenarios = replays.groupby([*SCENARIO_KEY, "run_id"], sort=False)["total"].median().unstack("run_id")
    journeys = (replays.groupby(["journey", "feature_file", "run_id", "repeat"], sort=False)["total"].sum()
                .groupby(["journey", "feature_file", "run_id"], sort=False).median().unstack("run_id"))
    return [("journey", journeys), ("scenario", scenarios), ("step", steps)]


def _key(level: str, index: tuple) -> Key:
    if level == "journey":
        return ("journey", index[0], index[1], "", "", -1, "")
    if level == "scenario":
        return ("scenario", index[0], index[1], index[2], index[3], -1, "")
    return ("step", index[0], index[1], index[2], index[3], int(index[4]), index[5])


def trends(frame: pd.DataFrame, runs: Sequence[str], settings: CompareSettings,
           keys: set[Key] | None = None) -> list[TrendSeries]:
    """Return the duration trend of every journey, scenario and step over ``runs`` (oldest first).

    Args:
        frame: The step tables of those runs (``HISTORY_COLUMNS``).
        runs: Run ids, oldest first; usually ends with the candidate.
        settings: ``alpha``, the minimum effect.
        keys: Only these keys (those of the candidate), when given.
    """
    if frame.empty or len(runs) < 2:
        return []
    series: list[TrendSeries] = []
    for level, table in _tables(frame):
        table = table.reindex(columns=list(runs))
        values = table.to_numpy(dtype="float64")
        for index, row in zip(table.index, values, strict=True):
            key = _key(level, index if isinstance(index, tuple) else (index,))
            if keys is not None and key not in keys:
                continue
            fit = trend(row)
            series.append(TrendSeries(
                where=where(key), metric="duration_ms", runs=list(runs),
                values=[None if math.isnan(v) else round(float(v), 1) for v in row],
                slope=fit.slope, change=fit.change, ratio=fit.ratio, p_value=fit.p_value))
    p_values = np.array([s.p_value if s.p_value is not None else np.nan for s in series], dtype="float64")
    q_values = bh_adjust(p_values) if len(series) else p_values
    for item, q in zip(series, q_values, strict=True):
        item.drifting = bool(
            not math.isnan(q) and q < settings.alpha and item.change is not None and item.change > 0
            and item.change >= settings.min_effect_ms
            and (item.ratio is None or item.ratio * 100 >= settings.min_effect_pct))
    return series
