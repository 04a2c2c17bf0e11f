"""The trends section: how this app's journeys moved over the runs in its history.

Read from the history store the run was registered in (``reports/history`` by default): the
last :data:`MAX_RUNS` runs of the same app and environment, up to this one. A run with no
history, or the first run of an app, has no trends section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from harness.contracts.records import RunInfo
from harness.report.html.chart_specs import Charts, lines

MAX_RUNS = 20
MAX_JOURNEYS = 12
"""Journey lines drawn in one chart (the slowest); the table lists them all."""


@dataclass
class TrendRun:
    """One run of the history, as a row of the trends table."""

    run_id: str
    label: str
    version: str
    started: str
    passed_pct: float | None
    scenarios: int
    failed: int
    current: bool


@dataclass
class TrendsView:
    """Runs of the same app and environment, oldest first, with their charts."""

    runs: list[TrendRun]
    journeys: list[tuple[str, list[float | None]]] = field(default_factory=list)
    """Journey name and its time in each run (None when it did not run)."""
    pass_chart: str | None = None
    time_chart: str | None = None
    source: str = ""


def _history(run_dir: Path) -> Path | None:
    from harness.runfolder.history import INDEX_FILE
    from harness.runfolder.io import history_dir

    store = history_dir(run_dir)
    return store if store is not None and (store / INDEX_FILE).is_file() else None


def _journey_times(store: Path, run_ids: list[str]) -> pd.DataFrame:
    """Each journey's time per run: the sum over its scenarios of the median replay total."""
    from harness.outcomes.tables import final_rows, prepare, replay_table
    from harness.runfolder.history import load_history_steps

    steps = load_history_steps(store, run_ids, columns=["run_id", "journey", "feature_file", "scenario", "example",
                                                        "step_index", "test_id", "repeat", "attempt", "status",
                                                        "error", "scenario_steps", "duration_ms"])
    if steps.empty:
        return pd.DataFrame()
    steps = prepare(steps)
    replays = replay_table(steps, final_rows(steps))
    replays = replays[replays["passed"]]  # a replay's time to complete, when it did (harness.outcomes)
    cases = replays.groupby(["run_id", "journey", "scenario", "example"], dropna=False)["total"].median()
    return cases.groupby(["run_id", "journey"]).sum().unstack("run_id")


def trends_view(run_dir: Path, info: RunInfo, charts: Charts, limit: int = MAX_RUNS) -> TrendsView | None:
    """Build the trends of the run's app from its history store, or None with fewer than two runs."""
    from harness.runfolder.history import read_index

    store = _history(run_dir)
    if store is None:
        return None
    index = read_index(store)
    same = index[(index["app"] == info.app) & (index["env"].fillna("") == (info.env or ""))]
    if info.run_id in set(same["run_id"]):
        started = same.loc[same["run_id"] == info.run_id, "started_at"].iloc[0]
        same = same[(same["started_at"] <= started) | (same["run_id"] == info.run_id)]
    same = same.sort_values(["started_at", "run_id"]).tail(limit)
    if len(same) < 2:
        return None
    runs = []
    for row in same.to_dict("records"):
        total = int(row["scenarios"] or 0)
        failed = int(row["scenarios_failed"] or 0)
        started_at = row["started_at"]
        when = started_at.strftime("%m-%d %H:%M") if pd.notna(started_at) else "?"
        version = str(row["app_version"] or "")
        runs.append(TrendRun(
            run_id=str(row["run_id"]), label=when + (f" · {version}" if version else ""), version=version,
            started=when, passed_pct=round(100 * (total - failed) / total, 1) if total else None, scenarios=total,
            failed=failed, current=str(row["run_id"]) == info.run_id,
        ))
    view = TrendsView(runs=runs, source=str(store))
    ids = [r.run_id for r in runs]
    times = _journey_times(store, ids).reindex(columns=ids)
    if not times.empty:
        order = times.max(axis=1).sort_values(ascending=False).index
        view.journeys = [(str(j), [None if pd.isna(v) else round(float(v), 1) for v in times.loc[j]]) for j in order]
    labels = [r.started for r in runs]
    view.pass_chart = charts.add(lines(
        x=labels, series=[("scenario runs passed", [r.passed_pct for r in runs])], unit="%", axis="% passed",
        label=f"Share of scenario runs that passed in the last {len(runs)} runs, oldest to newest.", low=0, high=100))
    if view.journeys:
        view.time_chart = charts.add(lines(
            x=labels, series=view.journeys[:MAX_JOURNEYS], unit="ms", axis="journey time",
            label=(f"Time of the {min(len(view.journeys), MAX_JOURNEYS)} longest journeys over the last "
                   f"{len(runs)} runs, oldest to newest; the table below lists every figure.")))
    return view
