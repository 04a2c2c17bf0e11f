"""What a comparison measures: the step table's key columns and its metrics.

The flat step table (``steps.parquet``, one row per step record; see
``harness.runfolder.parquet.records_frame``) carries one column per metric, so the compare
stage and the history store read plain columns and never parse the nested signals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["ms", "count", "score"]


@dataclass(frozen=True, slots=True)
class Metric:
    """One measured quantity of a step, where more is worse.

    Attributes:
        column: Its column in the step table.
        label: What a reader calls it.
        unit: ``ms`` (a time), ``count`` (requests, errors) or ``score`` (layout shift).
        min_abs: The smallest absolute change worth a verdict, unless the policy sets one
            (for ``ms`` metrics the policy's ``min_effect_ms`` applies instead).
    """

    column: str
    label: str
    unit: Unit
    min_abs: float


METRICS: tuple[Metric, ...] = (
    Metric("duration_ms", "duration", "ms", 0.0),
    Metric("wait_ms", "wait for the target", "ms", 0.0),
    Metric("action_ms", "action", "ms", 0.0),
    Metric("ttfb_ms", "time to first byte", "ms", 0.0),
    Metric("dcl_ms", "DOM content loaded", "ms", 0.0),
    Metric("load_ms", "page load", "ms", 0.0),
    Metric("lcp_ms", "largest contentful paint", "ms", 0.0),
    Metric("interaction_ms", "interaction latency", "ms", 0.0),
    Metric("tbt_ms", "total blocking time", "ms", 0.0),
    Metric("cls", "layout shift", "score", 0.05),
    Metric("requests", "requests", "count", 1.0),
    Metric("failed_requests", "failed requests", "count", 1.0),
    Metric("console_errors", "console errors", "count", 1.0),
    Metric("page_errors", "uncaught errors", "count", 1.0),
)
METRIC_BY_COLUMN = {m.column: m for m in METRICS}

STEP_KEY = ("journey", "feature_file", "scenario", "example", "step_index", "text")
"""Identifies a step across runs (``example`` is the Examples row as JSON text)."""
RUN_COLUMNS = ("run_id", "repeat", "attempt", "status", "error_kind", "error", "test_id", "action", "scenario_steps")
"""Per-record columns beside the key and the metrics."""
HISTORY_COLUMNS = (*STEP_KEY, *RUN_COLUMNS, *(m.column for m in METRICS))
"""The columns the history store keeps of each run's step table."""
