"""The statistics of a regression comparison: summaries, shifts, false discovery control and trends.

A comparison holds thousands of (baseline, candidate) samples, one per step key and metric, each
of a few values (about 10 repeats). ``compare_many`` groups the pairs by their sizes
``(n_baseline, n_candidate)`` and handles each group as 2-D arrays, so the cost is a few numpy
calls per distinct size, never a Python loop of heavy work per pair:

* the two-sided Mann-Whitney U p-value, as ``scipy.stats.mannwhitneyu(b, c)`` gives it pair by
  pair with ``method="exact"`` for pairs without ties of up to ``EXACT_MAX_PAIRS`` differences,
  else ``method="asymptotic"`` (normal approximation with tie and continuity correction).
  scipy's ``auto`` is exact only while a side has 8 values or fewer; at 10 vs 10 its
  approximation cannot go below p = 1.8e-4, against 1.1e-5 exactly, and with a thousand steps
  tested per metric that floor alone keeps a real slowdown of one step from surviving the
  false discovery control;
* the Hodges-Lehmann shift (median of the pairwise differences ``candidate_j - baseline_i``) and
  its distribution-free (Moses) confidence interval, ``[d_(k), d_(N+1-k)]`` of the ``N`` sorted
  differences, with ``k`` from the null distribution of U;
* the same on log values, read as a ratio ``candidate / baseline - 1``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special

ArrayLike = Sequence[float] | np.ndarray

EXACT_MAX_PAIRS = 10_000
"""Up to this many pairwise differences (``n_b * n_c``), the interval's ``k`` comes from U's exact null distribution."""



_REL_TOL = 1e-12


@dataclass(frozen=True, slots=True)
class Summary:
    """The shape of a sample.

    Attributes:
        n: The number of values (NaNs excluded).
        median: The median.
        p90: The 90th percentile (linear interpolation).
        spread: The interquartile range, p75 - p25 (0.0 for a single value).
        low: The smallest value.
        high: The largest value.
    """

    n: int
    median: float | None
    p90: float | None
    spread: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Shift:
    """How a candidate sample differs from a baseline sample.

    Attributes:
        p_value: The two-sided Mann-Whitney U p-value; nan when a side is empty.
        estimate: The Hodges-Lehmann shift, median of all differences ``candidate_j - baseline_i``;
            nan when a side is empty.
        low: The lower end of the distribution-free (Moses) confidence interval of the shift.
        high: Its upper end.
        level: The confidence level the interval achieves (at least the asked one when attainable,
            else that of the widest interval ``[min difference, max difference]``); nan when a side is empty.
        ratio: The Hodges-Lehmann shift of the log values as ``candidate / baseline - 1`` (0.30 = 30%
            more); None when a value of either side is <= 0 or a side is empty.
        ratio_low: The lower end of its interval, same convention.
        ratio_high: The upper end of its interval.
    """

    p_value: float
    estimate: float
    low: float
    high: float
    level: float
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None


@dataclass(frozen=True, slots=True)
class Trend:
    """The drift of a metric over a series of runs, oldest first.

    Attributes:
        n: The number of values (NaNs excluded).
        slope: The Theil-Sen slope, per run; None when n < 3.
        slope_low: The lower end of the slope's confidence interval.
        slope_high: Its upper end.
        p_value: The Mann-Kendall p-value of a monotone trend (1.0 for a constant series); None when n < 3.
        change: ``slope * (n - 1)``, the drift over the whole series in the metric's units.
        ratio: ``change`` relative to the Theil-Sen line's value at the first run; None when that is <= 0.
    """

    n: int
    slope: float | None
    slope_low: float | None
    slope_high: float | None
    p_value: float | None
    change: float | None
    ratio: float | None


def describe(values: ArrayLike) -> Summary:
    """Summarise a sample.

    Args:
        values: The values; NaNs are dropped.

    Returns:
        The sample's summary, all statistics None when it is empty.
    """
    a = np.asarray(values, dtype=float).ravel()
    a = a[~np.isnan(a)]
    if a.size == 0:
        return Summary(0, None, None, None, None, None)
    p25, p50, p75, p90 = np.percentile(a, [25, 50, 75, 90]).tolist()
    return Summary(int(a.size), p50, p90, p75 - p25, float(a.min()), float(a.max()))


def describe_many(samples: Sequence[ArrayLike], nan_free: bool = False) -> list[Summary]:
    """Summarise many samples at once (as ``describe`` does each), in their order.

    Samples of the same size are stacked and summarised by one numpy call per size.

    Args:
        samples: The samples.
        nan_free: The samples are 1-D float arrays without NaN already (skips the cleaning).
    """
    out: list[Summary | None] = [None] * len(samples)
    by_size: dict[int, list[tuple[int, np.ndarray]]] = {}
    for i, values in enumerate(samples):
        if nan_free:
            a = np.asarray(values)  # already clean: no copy for an array
        else:
            a = np.asarray(values, dtype=float).ravel()
            a = a[~np.isnan(a)]
        by_size.setdefault(int(a.size), []).append((i, a))
    for n, items in by_size.items():
        if n == 0:
            for i, _ in items:
                out[i] = Summary(0, None, None, None, None, None)
            continue
        stack = np.vstack([a for _, a in items])
        p25, p50, p75, p90 = np.percentile(stack, [25, 50, 75, 90], axis=1)
        lows, highs = stack.min(axis=1), stack.max(axis=1)
        for j, (i, _) in enumerate(items):
            out[i] = Summary(n, float(p50[j]), float(p90[j]), float(p75[j] - p25[j]), float(lows[j]), float(highs[j]))
    return out  # type: ignore[return-value]


def compare(baseline: ArrayLike, candidate: ArrayLike, confidence: float = 0.95) -> Shift:
    """Compare one candidate sample with its baseline; see ``compare_many``."""
    return compare_many([(baseline, candidate)], confidence)[0]


def compare_many(pairs: Sequence[tuple[ArrayLike, ArrayLike]], confidence: float = 0.95) -> list[Shift]:
    """Compare many (baseline, candidate) samples at once.

    Args:
        pairs: The samples, each side a sequence of values; NaNs are dropped from each side first.
        confidence: The confidence level asked of the intervals, in (0, 1).

    Returns:
        One ``Shift`` per pair, in the order of ``pairs``.

    Raises:
        ValueError: When ``confidence`` is not in (0, 1), or a value is infinite.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), not {confidence!r}")
    count = len(pairs)
    if count == 0:
        return []
    flat, offsets, lengths = _flatten(pairs)
    if not np.isfinite(flat).all():
        raise ValueError("sample values must be finite numbers (NaN for a missing one)")
    n_b, n_c = lengths[0::2], lengths[1::2]
    off_b, off_c = offsets[0::2], offsets[1::2]

    # p-value, estimate, low, high, level, then the log shift, its low and high (NaN: not computed).
    out = np.full((8, count), np.nan)
    key = n_b * (int(n_c.max()) + 1) + n_c
    order = np.argsort(key, kind="stable")
    order = order[(n_b[order] > 0) & (n_c[order] > 0)]
    starts = np.flatnonzero(np.r_[True, key[order][1:] != key[order][:-1]]) if order.size else np.empty(0, int)
    for start, end in itertools.pairwise([*starts.tolist(), order.size]):
        rows = order[start:end]
        nb, nc = int(n_b[rows[0]]), int(n_c[rows[0]])
        b = flat[off_b[rows][:, None] + np.arange(nb)]
        c = flat[off_c[rows][:, None] + np.arange(nc)]
        k, level = _moses_k(nb, nc, confidence)
        out[4, rows] = level
        pooled = np.sort(np.concatenate([b, c], axis=1), axis=1)
        d = _sorted_differences(b, c)
        out[0, rows] = _mann_whitney_p(d, pooled, nb, nc)
        out[1:4, rows] = _shift(d, k)
        positive = pooled[:, 0] > 0
        if positive.all():
            out[5:8, rows] = _shift(_sorted_differences(np.log(b), np.log(c)), k)
        elif positive.any():
            out[5:8, rows[positive]] = _shift(_sorted_differences(np.log(b[positive]), np.log(c[positive])), k)

    with np.errstate(over="ignore"):
        ratios = np.expm1(out[5:8])
    known = (~np.isnan(ratios[0])).tolist()
    ratio_cols = [[v if ok else None for v, ok in zip(x, known, strict=True)] for x in ratios.tolist()]
    return [Shift(*row) for row in zip(*out[:5].tolist(), *ratio_cols, strict=True)]


def bh_adjust(p_values: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values).

    Args:
        p_values: The p-values; NaN entries stay NaN and do not count in the number of tests.

    Returns:
        The q-values, in the order of ``p_values``.
    """
    p = np.asarray(p_values, dtype=float).ravel()
    q = np.full(p.shape, np.nan)
    known = ~np.isnan(p)
    if known.any():
        from scipy import stats  # ~1 s to import: loaded only when a comparison needs it

        q[known] = stats.false_discovery_control(p[known], method="bh")
    return q


def trend(series: ArrayLike, confidence: float = 0.95) -> Trend:
    """The monotone drift of a metric over runs.

    Args:
        series: One value per run, oldest first; NaNs are dropped (keeping the order).
        confidence: The confidence level of the slope's interval.

    Returns:
        The Theil-Sen slope with its interval and the Mann-Kendall p-value; None fields when
        fewer than 3 values remain.
    """
    y = np.asarray(series, dtype=float).ravel()
    y = y[~np.isnan(y)]
    n = int(y.size)
    if n < 3:
        return Trend(n, None, None, None, None, None, None)
    x = np.arange(n, dtype=float)
    from scipy import stats  # ~1 s to import: loaded only when the trends need it

    fit = stats.theilslopes(y, x, alpha=confidence)
    slope = float(fit.slope)
    p_value = 1.0 if np.ptp(y) == 0 else float(stats.kendalltau(x, y).pvalue)  # constant: no trend
    change = slope * (n - 1)
    start = float(fit.intercept)
    return Trend(
        n=n,
        slope=slope,
        slope_low=_float_or_none(fit.low_slope),
        slope_high=_float_or_none(fit.high_slope),
        p_value=p_value,
        change=change,
        ratio=change / start if start > 0 else None,
    )


def _float_or_none(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _flatten(pairs: Sequence[tuple[ArrayLike, ArrayLike]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All values of all sides in one array, NaNs dropped.

    Returns:
        The values; where side ``i`` (baseline of pair ``i // 2`` for even ``i``, else its
        candidate) starts in them; its number of values.
    """
    sides: list[Sequence[float]] = []
    for baseline, candidate in pairs:
        sides.append(baseline if isinstance(baseline, list | tuple) else np.asarray(baseline, float).tolist())
        sides.append(candidate if isinstance(candidate, list | tuple) else np.asarray(candidate, float).tolist())
    lengths = np.fromiter(map(len, sides), dtype=np.int64, count=len(sides))
    flat = np.fromiter(itertools.chain.from_iterable(sides), dtype=float, count=int(lengths.sum()))
    missing = np.isnan(flat)
    if missing.any():
        side = np.repeat(np.arange(len(sides)), lengths)
        lengths = lengths - np.bincount(side[missing], minlength=len(sides))
        flat = flat[~missing]
    offsets = np.zeros(len(sides), dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    return flat, offsets, lengths


def _sorted_differences(b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Per row, the ``n_b * n_c`` differences ``c_j - b_i``, sorted."""
    d = (c[:, None, :] - b[:, :, None]).reshape(b.shape[0], b.shape[1] * c.shape[1])
    d.sort(axis=1)
    return d


def _shift(d: np.ndarray, k: int) -> np.ndarray:
    """Per row of sorted differences, their median, k-th smallest and k-th largest (shape ``(3, rows)``)."""
    size = d.shape[1]
    half = size // 2
    median = d[:, half] if size % 2 else 0.5 * (d[:, half - 1] + d[:, half])
    return np.stack([median, d[:, k - 1], d[:, size - k]])


def _mann_whitney_p(d: np.ndarray, pooled: np.ndarray, nb: int, nc: int) -> np.ndarray:
    """Per row, the two-sided Mann-Whitney U p-value: exact without ties (up to ``EXACT_MAX_PAIRS``), else normal.

    Args:
        d: The differences ``c_j - b_i`` of each pair (any order).
        pooled: Each pair's values of both sides, sorted.
        nb: The number of baseline values.
        nc: The number of candidate values.
    """
    size, n = nb * nc, nb + nc
    u_b = (d < 0).sum(axis=1) + 0.5 * (d == 0).sum(axis=1)
    u = np.maximum(u_b, size - u_b)
    new_run = pooled[:, 1:] != pooled[:, :-1]
    tied = ~new_run.all(axis=1)
    tie_term = np.zeros(len(u))
    if tied.any():
        # sum(t^3 - t) over the groups of equal values: the lengths of the runs in each sorted row.
        runs = np.ones((int(tied.sum()), n), dtype=bool)
        runs[:, 1:] = new_run[tied]
        run_id = np.cumsum(runs, axis=1) - 1 + (np.arange(runs.shape[0]) * n)[:, None]
        t = np.bincount(run_id.ravel(), minlength=runs.size).astype(float)
        tie_term[tied] = (t**3 - t).reshape(runs.shape).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(size / 12 * ((n + 1) - tie_term / (n * (n - 1))))
        p = 2 * special.ndtr((size / 2 + 0.5 - u) / sigma)
    p[~(sigma > 0)] = 1.0  # every value equal: no evidence of a shift
    if size <= EXACT_MAX_PAIRS and not tied.all():
        exact = ~tied
        p[exact] = 2 * _null_cdf(nb, nc)[size - u[exact].astype(np.int64)]
    return np.minimum(p, 1.0)


@lru_cache(maxsize=1024)
def _null_counts(m: int, n: int) -> np.ndarray:
    """How many of the C(m + n, m) orderings of two samples give U = 0 .. m * n (no ties).

    These are the coefficients of the Gaussian binomial ``prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i)``,
    built factor by factor (float64: exact up to 2**53, then relative precision).
    """
    m, n = min(m, n), max(m, n)
    size = m * n + 1
    poly = np.zeros(size)
    poly[0] = 1.0
    for i in range(1, m + 1):
        shift = n + i
        if shift < size:
            poly[shift:] = poly[shift:] - poly[:-shift]
        pad = (-size) % i
        poly = np.concatenate([poly, np.zeros(pad)]).reshape(-1, i).cumsum(axis=0).ravel()[:size]
    poly.flags.writeable = False
    return poly


@lru_cache(maxsize=1024)
def _null_cdf(m: int, n: int) -> np.ndarray:
    """P(U <= u) for u = 0 .. m * n under the null hypothesis (no ties)."""
    counts = _null_counts(m, n)
    cdf = np.cumsum(counts) / counts.sum()
    cdf.flags.writeable = False
    return cdf


@lru_cache(maxsize=4096)
def _moses_k(nb: int, nc: int, confidence: float) -> tuple[int, float]:
    """The rank ``k`` of the Moses interval ``[d_(k), d_(N+1-k)]`` and the level it achieves.

    ``k`` is the largest with ``P(U <= k - 1) <= alpha / 2`` (U's exact null distribution up to
    ``EXACT_MAX_PAIRS`` differences, else its normal approximation with continuity correction);
    the level is ``1 - 2 P(U <= k - 1)``. When even ``k = 1`` falls short, ``k`` is 1.
    """
    size = nb * nc
    half_alpha = (1.0 - confidence) / 2
    if size <= EXACT_MAX_PAIRS:
        cdf = _null_cdf(nb, nc)
        k = max(int(np.searchsorted(cdf, half_alpha * (1 + _REL_TOL), side="right")), 1)
        return k, float(1.0 - 2 * cdf[k - 1])
    sigma = math.sqrt(size * (nb + nc + 1) / 12)
    z = float(special.ndtri(1.0 - half_alpha))
    k = max(math.floor(size / 2 - 0.5 - z * sigma) + 1, 1)
    return k, float(1.0 - 2 * special.ndtr((k - 0.5 - size / 2) / sigma))
