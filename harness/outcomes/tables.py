"""The outcomes of :mod:`harness.outcomes` over pandas step tables: the history, the comparison, the trends.

The same definitions as over records (the replay id, the canonical Outline row, the last attempt,
a replay's status), applied to columns. A module of its own so that what runs during a run (the
plugin, the recorder) does not load pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from harness.contracts.metrics import METRICS
from harness.outcomes import (
    DONE_STEPS,
    INTERRUPTED,
    REPLAY_FIELDS,
    SCENARIO_FIELDS,
    canonical_example,
    replay_id,
    replay_status,
)


def examples(column: pd.Series) -> pd.Series:
    """Examples rows stored as JSON text, canonical (``harness.outcomes.example_key``); ``""`` for none."""
    column = column.fillna("").astype(str)
    canonical = {text: canonical_example(text) for text in column.unique()}
    return column.map({text: "" if key == "{}" else key for text, key in canonical.items()})


def replay_ids(frame: pd.DataFrame) -> pd.Series:
    """Each row's replay id (``harness.outcomes.replay_id``): its test id, or one made of its scenario."""
    ids = frame["test_id"].fillna("").astype(str)
    empty = ids == ""
    if empty.any():
        made = [replay_id("", f, s, e or "{}") for f, s, e in
                frame.loc[empty, ["feature_file", "scenario", "example"]].itertuples(index=False)]
        ids = ids.mask(empty, pd.Series(made, index=ids.index[empty], dtype=object))
    return ids


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """A step table with every column the samples read, in its type; examples canonical, replay ids filled."""
    frame = frame.copy()
    for column in ("journey", "feature_file", "scenario", "example", "text", "run_id", "test_id", "status", "action"):
        if column not in frame:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype(str)
    frame["example"] = examples(frame["example"])
    frame["test_id"] = replay_ids(frame)
    for column in ("repeat", "attempt", "scenario_steps"):
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
    return frame[attempt == attempt.groupby([frame[c] for c in REPLAY_FIELDS], sort=False).transform("max")]


def replay_table(everything: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Each replay (its last attempt, ``frame``): time to complete, status (``harness.outcomes``), retried.

    Both tables are :func:`prepare` d; ``everything`` (every attempt) gives how many steps each
    scenario has in each run.
    """
    error = frame["error"] if "error" in frame else pd.Series(None, index=frame.index, dtype=object)
    passed = frame["status"].isin(DONE_STEPS)
    flags = frame.assign(bad=frame["status"] == "failed", skip=(frame["status"] == "skipped") & (error != INTERRUPTED),
                         done_step=frame["step_index"].where(passed), heal=frame["status"] == "healed")
    replays = flags.groupby([*SCENARIO_FIELDS, *REPLAY_FIELDS], sort=False).agg(
        total=("duration_ms", "sum"), failed=("bad", "any"), skipped=("skip", "any"),
        passed_steps=("done_step", "nunique"), retried=("attempt", "max"), healed=("heal", "any")).reset_index()
    sizes = everything.assign(size=np.maximum(everything["step_index"] + 1, everything["scenario_steps"]))
    expected = sizes.groupby([*SCENARIO_FIELDS, "run_id"], sort=False)["size"].max().rename("expected").reset_index()
    replays = replays.merge(expected, on=[*SCENARIO_FIELDS, "run_id"], how="left", sort=False)
    replays["status"] = [replay_status(failed=bool(f), skipped=bool(s), passed_steps=int(p), expected_steps=int(e))
                         for f, s, p, e in replays[["failed", "skipped", "passed_steps", "expected"]]
                         .itertuples(index=False)]
    replays["passed"] = replays["status"] == "passed"
    return replays
