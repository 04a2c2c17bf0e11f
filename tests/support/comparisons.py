"""Step tables and comparisons built from literal durations, for the compare and export tests (no browser)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from harness.compare.changes import Compared, compare_samples
from harness.compare.outcomes import status_changes
from harness.compare.samples import Samples, collect
from harness.contracts.comparison import Comparison, RunSide, Settings
from harness.spec.regressions import CompareSettings

SETTINGS = CompareSettings()


def step_rows(run: str, scenario: str, steps: dict[str, list[float | None]], *, repeats: int = 10,
              failed: dict[str, set[int]] | None = None, journey: str = "Expenses") -> list[dict]:
    """Step records of one scenario replayed ``repeats`` times: ``steps`` maps text -> durations per repeat."""
    rows = []
    for repeat in range(repeats):
        for index, (text, durations) in enumerate(steps.items()):
            bad = repeat in (failed or {}).get(text, set())
            rows.append({"run_id": run, "journey": journey, "feature_file": "expenses.feature", "scenario": scenario,
                         "example": "{}", "step_index": index, "text": text, "repeat": repeat,
                         "test_id": f"{scenario}[{repeat}]", "status": "failed" if bad else "passed",
                         "error_kind": "timeout" if bad else None, "error": "Timeout 5000 ms" if bad else None,
                         "duration_ms": durations[repeat % len(durations)], "requests": 3.0})
    return rows


def noise(seed: int, centre: float, n: int = 10, spread: float = 0.05) -> list[float]:
    """``n`` log-normal durations around ``centre`` (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    return list(centre * rng.lognormal(0, spread, n))


def compared_rows(base_rows: list[dict], cand_rows: list[dict],
                  settings: CompareSettings = SETTINGS) -> tuple[Samples, Samples, Compared]:
    """Both sides' samples, and what :func:`compare_samples` makes of them."""
    base, cand = collect(pd.DataFrame(base_rows)), collect(pd.DataFrame(cand_rows))
    return base, cand, compare_samples(base, cand, settings)


def comparison_of(base_rows: list[dict], cand_rows: list[dict], **extra: Any) -> Comparison:
    """A whole :class:`Comparison` of two step tables (``extra``: more of its fields)."""
    base, cand, compared = compared_rows(base_rows, cand_rows)
    return Comparison(generated_at="2026-11-27T00:00:00Z", baseline=RunSide(runs=["b"]), candidate=RunSide(runs=["c"]),
                      settings=Settings(alpha=0.05, confidence=0.95, min_effect_pct=10, min_effect_ms=100,
                                        min_samples=5),
                      run_wide=list(compared.run_wide.values()), changes=compared.changes,
                      statuses=status_changes(base, cand), **extra)
