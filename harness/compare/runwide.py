"""The shift every step shares: a slower machine (or app) told apart from one step's change.

Two runs of the same app version, minutes apart on one machine, differ as a whole: CPU
frequency, other jobs, caches and the network make every step of one run 10-20% slower or
faster than the other's. Repeats within a run do not see that (they share it), so a test of
one step's repeats calls the whole run's drift significant. The comparison therefore
estimates, per time metric, the factor the run moved by as a whole, and judges each change
journey and scenario totals beyond it (steps are judged as measured: part of a step's time is
the server's, which a slower client does not scale).

The factor is the median, over the steps measured on both sides, of the ratio of their
medians (candidate / baseline): DESeq2's median-of-ratios normalisation, which assumes that
most of the things compared did not change. One slower step barely moves it; a change that
slows every step alike shows as the factor itself, reported (and gated) on its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import bdtr

from harness.contracts.comparison import RunWide
from harness.contracts.metrics import METRIC_BY_COLUMN
from harness.spec.regressions import CompareSettings


@dataclass(frozen=True, slots=True)
class Ratio:
    """One step's (or step variant's) median of a time metric on both sides."""

    metric: str
    baseline: float
    candidate: float


def median_interval(logs: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Median of ``logs`` with its distribution-free (order statistic) confidence interval.

    The interval is ``[x_(k), x_(n-k+1)]`` with the largest ``k`` whose coverage,
    ``1 - 2 * P(Binomial(n, 1/2) < k)``, is at least ``confidence`` (the whole range when no ``k``
    reaches it).
    """
    x = np.sort(logs)
    n = x.size
    ks = np.arange(1, n // 2 + 1)
    covered = ks[1 - 2 * bdtr(ks - 1, n, 0.5) >= confidence]
    k = int(covered.max()) if covered.size else 1
    return float(np.median(x)), float(x[k - 1]), float(x[n - k])


def estimate(ratios: Sequence[Ratio], settings: CompareSettings) -> dict[str, RunWide]:
    """The run-wide factor of each time metric measured on enough steps (``run_wide_min_steps``).

    Args:
        ratios: Per step measured on both sides (with enough values), the medians of one metric.
        settings: The comparison's settings.

    Returns:
        Per metric column, its factor and interval; metrics on too few steps are left out.
    """
    logs: dict[str, list[float]] = {}
    for r in ratios:
        if r.baseline > 0 and r.candidate > 0 and math.isfinite(r.baseline) and math.isfinite(r.candidate):
            logs.setdefault(r.metric, []).append(math.log(r.candidate / r.baseline))
    found: dict[str, RunWide] = {}
    for column, values in logs.items():
        metric = METRIC_BY_COLUMN[column]
        if metric.unit != "ms" or len(values) < settings.run_wide_min_steps:
            continue
        mid, low, high = median_interval(np.asarray(values), settings.confidence)
        factor = math.exp(mid)
        beyond = abs(factor - 1) * 100 >= settings.min_effect_pct
        significant = low > 0 or high < 0
        direction = "slower" if factor > 1 else "faster"
        found[column] = RunWide(
            metric=column, label=metric.label, factor=factor, low=math.exp(low), high=math.exp(high),
            steps=len(values), applied=settings.run_wide,
            verdict=direction if beyond and significant else "unchanged")
    return found

