"""``steps.parquet``: the step records as one flat table (pandas and pyarrow, loaded only here)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd

from harness.contracts.records import STEPS_PARQUET, StepRecord
from harness.runfolder.files import atomic_path
from harness.runfolder.io import FLAT_SIGNALS, LEFT_OUT_OF_TABLES, NESTED, flat_signals, read_records

if TYPE_CHECKING:
    from pathlib import Path


def records_frame(records: list[StepRecord]) -> pd.DataFrame:
    """Return step records as a flat table: nested fields as JSON strings, key signals as columns."""
    rows = []
    for record in records:
        row = record.model_dump(mode="json", exclude=set(LEFT_OUT_OF_TABLES))
        row.update(flat_signals(row["signals"]))
        for key in NESTED:
            row[key] = json.dumps(row[key], ensure_ascii=False)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in FLAT_SIGNALS:  # numbers even when a column holds only None (no probe ran)
        if column in frame and column != "action":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def write_parquet(run_dir: Path) -> Path:
    """Write ``steps.parquet`` from ``steps.jsonl``, atomically: a disk that fills up leaves no cut file behind.

    (A cut file newer than ``steps.jsonl`` would look up to date to :func:`harness.report.outputs.write_steps_parquet`.)
    """
    records, _ = read_records(run_dir)
    path = run_dir / STEPS_PARQUET
    with atomic_path(path) as tmp:
        records_frame(records).to_parquet(tmp, index=False)
    return path
