"""Run folders of one scenario replayed 10 times, one step made slower, for the regressions report tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.contracts.records import RunInfo, StepRecord
from harness.runfolder.io import append_record, write_run_info
from harness.runfolder.parquet import write_parquet

HOSTILE = 'I open "<img src=x onerror=alert(1)>"'
STEPS = ["I open the shop", HOSTILE, "I pay"]


def write_run(folder: Path, run_id: str, seed: int, slow: float, started: str) -> Path:
    """A run of one scenario replayed 10 times; the hostile step is ``slow`` ms slower."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    write_run_info(folder, RunInfo(run_id=run_id, app="shop", base_url="http://shop.test", harness_version="0",
                                   started_at=started, ended_at=started, status="complete", exit_code=0,
                                   app_version=f"<b>{run_id}</b>", options={"repeat": 10}))
    for repeat in range(10):
        for index, text in enumerate(STEPS):
            ms = 200.0 * rng.lognormal(0, 0.05) + (slow if text == HOSTILE else 0.0)
            append_record(folder, StepRecord(run_id=run_id, app="shop", journey="Shop <script>x</script>",
                                             feature_file="shop.feature", scenario="Buy", test_id=f"buy[{repeat}]",
                                             repeat=repeat, step_index=index, keyword="When", text=text,
                                             status="passed", started_at=started, duration_ms=ms))
    write_parquet(folder)
    return folder
