"""The statistics of a regression comparison, checked against known answers, scipy and first principles."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from scipy import stats as sps

from harness import stats
from harness.compare.runwide import median_interval
from harness.stats import Shift, Summary, Trend, bh_adjust, compare, compare_many, describe, trend

# --- first-principles references ------------------------------------------------------------------


def enumerated_u_counts(m: int, n: int) -> Counter[int]:
    """How many of the C(m+n, m) orderings give each U: every choice of the baseline's ranks, counted."""
    counts: Counter[int] = Counter()
    for ranks in itertools.combinations(range(m + n), m):
        # U of the baseline: pairs (baseline, candidate) where the baseline value is the larger.
        counts[sum(rank - i for i, rank in enumerate(ranks))] += 1
    return counts


@cache
def recursive_u_count(m: int, n: int, u: int) -> int:
    """The same count by recursion on the largest value: a baseline value beats all n candidates, or not."""
    if u < 0:
        return 0
    if m == 0 or n == 0:
        return 1 if u == 0 else 0
    return recursive_u_count(m - 1, n, u - n) + recursive_u_count(m, n - 1, u)


def null_cdf(m: int, n: int) -> list[Fraction]:
    """P(U <= u) for u = 0 .. m*n, exact."""
    total = math.comb(m + n, m)
    cumulative = itertools.accumulate(recursive_u_count(m, n, u) for u in range(m * n + 1))
    return [Fraction(c, total) for c in cumulative]


def moses_reference(m: int, n: int, confidence: float) -> tuple[int, float]:
    """The largest k with P(U <= k-1) <= alpha/2 (1 when none), and the level 1 - 2 P(U <= k-1), in exact arithmetic."""
    cdf = null_cdf(m, n)
    half_alpha = (1 - Fraction(str(confidence))) / 2
    k = max((j + 1 for j in range(m * n + 1) if cdf[j] <= half_alpha), default=1)
    return k, float(1 - 2 * cdf[k - 1])


def sorted_differences(b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.sort(np.subtract.outer(np.asarray(c, float), np.asarray(b, float)).ravel())


def scipy_p(b: np.ndarray, c: np.ndarray) -> float:
    b, c = np.asarray(b, float), np.asarray(c, float)
    b, c = b[~np.isnan(b)], c[~np.isnan(c)]
    if b.size == 0 or c.size == 0:
        return math.nan
    exact = b.size * c.size <= stats.EXACT_MAX_PAIRS and np.unique(np.r_[b, c]).size == b.size + c.size
    return float(sps.mannwhitneyu(b, c, alternative="two-sided", method="exact" if exact else "asymptotic").pvalue)


def random_pairs(rng: np.random.Generator, count: int, max_size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    pairs = []
    for _ in range(count):
        nb, nc = rng.integers(1, max_size + 1, size=2)
        if rng.random() < 0.5:  # counts: many ties
            pairs.append((rng.integers(0, 5, nb).astype(float), rng.integers(0, 6, nc).astype(float)))
        else:  # durations: skewed, no ties
            pairs.append((rng.lognormal(6, 0.5, nb), rng.lognormal(6.1, 0.5, nc)))
    return pairs


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return (math.isnan(a) and math.isnan(b)) or a == b


# --- describe -------------------------------------------------------------------------------------


def test_describe_known_answer() -> None:
    summary = describe(range(1, 11))
    assert summary == Summary(n=10, median=5.5, p90=pytest.approx(9.1), spread=4.5, low=1.0, high=10.0)


def test_describe_drops_nan_and_handles_empty_and_single() -> None:
    assert describe([np.nan, *range(1, 11), np.nan]) == describe(list(range(1, 11)))
    assert describe([]) == Summary(0, None, None, None, None, None)
    assert describe([np.nan]) == Summary(0, None, None, None, None, None)
    assert describe(np.array([42.0])) == Summary(1, 42.0, 42.0, 0.0, 42.0, 42.0)


# --- Hodges-Lehmann and Moses ---------------------------------------------------------------------


def test_hand_computed_small_example() -> None:
    # differences c_j - b_i: 3, 2, 1, 5, 4, 3 -> sorted 1 2 3 3 4 5, median 3
    shift = compare([1, 2, 3], [4, 6])
    assert shift.estimate == 3.0
    # 3 vs 2 has C(5, 2) = 10 orderings: P(U <= 0) = 0.1 > 0.025, so only the widest interval, at level 0.8
    assert (shift.low, shift.high) == (1.0, 5.0)
    assert shift.level == pytest.approx(0.8)
    # U = 0, exact p = 2 * P(U <= 0) = 0.2
    assert shift.p_value == pytest.approx(0.2)
    # ratios c/b: 4, 2, 4/3, 6, 3, 2 -> sorted 4/3 2 2 3 4 6; on logs the median is the geometric mean of 2 and 3
    assert shift.ratio == pytest.approx(math.sqrt(6) - 1)
    assert (shift.ratio_low, shift.ratio_high) == (pytest.approx(1 / 3), pytest.approx(5.0))


def test_constant_shift_of_constant_samples_is_exact() -> None:
    shift = compare([200.0] * 10, [300.0] * 10)
    assert (shift.estimate, shift.low, shift.high) == (100.0, 100.0, 100.0)
    assert shift.ratio == pytest.approx(0.5)
    assert shift.p_value < 0.001


def test_candidate_is_baseline_plus_100() -> None:
    baseline = np.random.default_rng(3).lognormal(6, 0.5, 10)
    shift = compare(baseline, baseline + 100)
    assert shift.estimate == pytest.approx(100.0, abs=1e-9)
    assert shift.low <= 100.0 <= shift.high
    assert shift.low < shift.high


def test_null_distribution_recursion_matches_enumeration() -> None:
    for m, n in [(1, 1), (2, 3), (4, 4), (5, 6), (3, 7)]:
        enumerated = enumerated_u_counts(m, n)
        assert [enumerated[u] for u in range(m * n + 1)] == [recursive_u_count(m, n, u) for u in range(m * n + 1)]


@pytest.mark.parametrize(("m", "n"), [(1, 1), (2, 2), (3, 2), (4, 4), (5, 6), (6, 5), (8, 3), (7, 9), (12, 15)])
def test_null_distribution_of_u(m: int, n: int) -> None:
    cdf = stats._null_cdf(m, n)
    assert np.allclose(cdf, [float(p) for p in null_cdf(m, n)], rtol=1e-12, atol=0)
    assert stats._null_counts(m, n).sum() == math.comb(m + n, m)


@pytest.mark.parametrize("confidence", [0.95, 0.90])
@pytest.mark.parametrize(("nb", "nc"), [(5, 6), (6, 5), (4, 4), (3, 8), (7, 7), (2, 2), (1, 1)])
def test_moses_interval_against_brute_force(nb: int, nc: int, confidence: float) -> None:
    k, level = moses_reference(nb, nc, confidence)
    rng = np.random.default_rng(nb * 100 + nc)
    pairs = [(rng.normal(100, 10, nb), rng.normal(105, 10, nc)) for _ in range(5)]
    for (b, c), shift in zip(pairs, compare_many(pairs, confidence=confidence), strict=True):
        d = sorted_differences(b, c)
        assert (shift.low, shift.high) == (d[k - 1], d[nb * nc - k])
        assert shift.estimate == np.median(d)
        assert shift.level == pytest.approx(level, abs=1e-12)
        assert shift.level >= confidence or k == 1


@pytest.mark.parametrize(("nb", "nc", "confidence", "k"), [(39, 1, 0.90, 2), (1, 39, 0.95, 1), (1, 19, 0.90, 1)])
def test_moses_level_exactly_on_the_boundary_counts(nb: int, nc: int, confidence: float, k: int) -> None:
    # 1 vs 39: P(U <= j) = (j + 1) / 40, so P(U <= 1) = 0.05 is exactly alpha / 2 at 90%: k = 2, level exactly 0.90
    assert moses_reference(nb, nc, confidence)[0] == k
    b, c = np.arange(nb, dtype=float), np.arange(nc, dtype=float) * 1.7 + 0.1
    shift = compare(b, c, confidence)
    d = sorted_differences(b, c)
    assert (shift.low, shift.high) == (d[k - 1], d[d.size - k])
    assert shift.level == pytest.approx(confidence)


def test_moses_brute_force_examples_are_the_published_ones() -> None:
    # Mann-Whitney tables, two-sided 5%: critical U is 0 for 4 vs 4 and 3 for 5 vs 6, so k = U + 1
    assert moses_reference(4, 4, 0.95)[0] == 1
    assert moses_reference(5, 6, 0.95)[0] == 4


def test_moses_interval_10_vs_10_matches_the_published_critical_value() -> None:
    # Published: n = m = 10, two-sided 5%, critical value of U is 23, so the interval is [d_(24), d_(77)]
    rng = np.random.default_rng(10)
    b, c = rng.lognormal(6, 0.5, 10), rng.lognormal(6.2, 0.5, 10)
    shift = compare(b, c)
    d = sorted_differences(b, c)
    assert (shift.low, shift.high) == (d[23], d[76])
    cdf = null_cdf(10, 10)
    assert cdf[23] <= 0.025 < cdf[24]
    assert shift.level == pytest.approx(1 - 2 * cdf[23])
    assert 0.95 < shift.level < 0.96


def test_level_when_not_attainable_is_that_of_the_widest_interval() -> None:
    one = compare([100.0], [130.0])
    assert (one.estimate, one.low, one.high, one.level, one.p_value) == (30.0, 30.0, 30.0, 0.0, 1.0)
    assert one.ratio == pytest.approx(0.3)
    two = compare([1.0, 2.0], [5.0, 9.0])
    assert (two.low, two.high) == (3.0, 8.0)
    assert two.level == pytest.approx(1 - 2 / 6)


def test_large_samples_use_a_normal_approximation_close_to_the_exact_level() -> None:
    rng = np.random.default_rng(5)
    b, c = rng.normal(100, 10, 101), rng.normal(100, 10, 100)  # 10,100 differences: beyond the exact limit
    assert b.size * c.size > stats.EXACT_MAX_PAIRS
    shift = compare(b, c)
    d = sorted_differences(b, c)
    k = int(np.searchsorted(d, shift.low, side="left")) + 1
    assert shift.high == d[d.size - k]
    assert 0.95 <= shift.level < 0.952
    exact_k, _ = stats._moses_k(100, 100, 0.95)  # the exact one, 10,000 differences
    assert abs(k - exact_k * 1.01) < 3


def test_coverage_of_the_shift_interval_by_simulation() -> None:
    rng = np.random.default_rng(2024)
    pairs = [(rng.lognormal(6, 0.5, 10), rng.lognormal(6, 0.5, 10) + 150) for _ in range(2000)]
    shifts = compare_many(pairs)
    covered = np.mean([s.low <= 150 <= s.high for s in shifts])
    assert 0.93 <= covered <= 0.98
    assert abs(np.median([s.estimate for s in shifts]) - 150) < 10


def test_coverage_of_the_ratio_interval_by_simulation() -> None:
    rng = np.random.default_rng(2025)
    pairs = [(rng.lognormal(6, 0.5, 10), rng.lognormal(6, 0.5, 10) * 1.3) for _ in range(2000)]
    shifts = compare_many(pairs)
    assert all(s.ratio is not None for s in shifts)
    covered = np.mean([s.ratio_low <= 0.3 <= s.ratio_high for s in shifts])
    assert 0.93 <= covered <= 0.98
    assert abs(np.median([s.ratio for s in shifts]) - 0.3) < 0.03


def test_counts_with_many_ties() -> None:
    baseline, candidate = [3.0] * 10, [3.0] * 7 + [4.0] * 3  # differences: 70 zeros and 30 ones
    shift = compare(baseline, candidate)
    assert (shift.estimate, shift.low, shift.high) == (0.0, 0.0, 1.0)
    assert shift.p_value == pytest.approx(scipy_p(np.array(baseline), np.array(candidate)))


def test_confidence_changes_the_interval() -> None:
    rng = np.random.default_rng(8)
    b, c = rng.lognormal(6, 0.5, 10), rng.lognormal(6, 0.5, 10)
    wide, narrow = compare(b, c, 0.99), compare(b, c, 0.80)
    assert wide.low < narrow.low <= narrow.high < wide.high
    assert wide.level >= 0.99 and 0.80 <= narrow.level < wide.level


# --- p-values -------------------------------------------------------------------------------------


def test_p_values_equal_scipy_pair_by_pair_and_order_is_kept() -> None:
    rng = np.random.default_rng(11)
    pairs = random_pairs(rng, 500, 15)
    shifts = compare_many(pairs)
    assert len(shifts) == len(pairs)
    got = np.array([s.p_value for s in shifts])
    expected = np.array([scipy_p(b, c) for b, c in pairs])
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-12)
    # input order, sizes mixed: each result is that of its pair compared alone
    for (b, c), shift in zip(pairs[:60], shifts[:60], strict=True):
        alone = compare(b, c)
        assert all(same(getattr(alone, f), getattr(shift, f)) for f in Shift.__slots__)
        assert shift.estimate == np.median(sorted_differences(b, c))


def test_exact_p_value_is_kept_for_untied_pairs_grouped_with_tied_ones() -> None:
    untied = (np.array([1.0, 2, 3, 4, 5]), np.array([6.0, 7, 8, 9, 10, 11]))
    tied = (np.array([1.0, 1, 3, 4, 5]), np.array([6.0, 7, 8, 9, 10, 11]))
    shifts = compare_many([tied, untied, tied])
    assert shifts[1].p_value == pytest.approx(2 / math.comb(11, 5))  # exact: U = 0
    for (b, c), shift in zip([tied, untied, tied], shifts, strict=True):
        assert shift.p_value == pytest.approx(scipy_p(b, c), rel=1e-12)


def test_exact_p_value_against_first_principles() -> None:
    rng = np.random.default_rng(12)
    for nb, nc in [(5, 6), (4, 4), (8, 12)]:
        b, c = rng.normal(0, 1, nb), rng.normal(0.8, 1, nc)
        u_b = sum(int(x > y) for x in b for y in c)
        cdf = null_cdf(nb, nc)
        expected = min(1.0, 2 * cdf[min(u_b, nb * nc - u_b)])
        assert compare(b, c).p_value == pytest.approx(expected, rel=1e-12)


def test_p_values_for_larger_and_unequal_sizes_equal_scipy() -> None:
    rng = np.random.default_rng(13)
    pairs = [
        (rng.lognormal(6, 0.5, 8), rng.lognormal(6.2, 0.5, 50)),
        (rng.lognormal(6, 0.5, 50), rng.lognormal(6, 0.5, 9)),
    ]
    pairs += [(rng.integers(0, 3, 40).astype(float), rng.integers(0, 3, 45).astype(float))]
    got = [s.p_value for s in compare_many(pairs)]
    assert np.allclose(got, [scipy_p(b, c) for b, c in pairs], rtol=1e-9, atol=1e-12)


def test_identical_values_give_p_one() -> None:
    shifts = compare_many([([5.0] * 10, [5.0] * 10), ([5.0] * 10, [5.0] * 10), ([4.0] * 10, [5.0] * 10)])
    assert [s.p_value for s in shifts[:2]] == [1.0, 1.0]
    assert shifts[2].p_value < 0.001
    assert (shifts[0].estimate, shifts[0].low, shifts[0].high, shifts[0].ratio) == (0.0, 0.0, 0.0, 0.0)


def test_false_alarm_rate_under_the_null() -> None:
    rng = np.random.default_rng(99)
    pairs = [(rng.lognormal(6, 0.5, 10), rng.lognormal(6, 0.5, 10)) for _ in range(2000)]
    rate = np.mean([s.p_value < 0.05 for s in compare_many(pairs)])
    assert 0.03 <= rate <= 0.07


# --- edge cases -----------------------------------------------------------------------------------


def test_empty_sides() -> None:
    for baseline, candidate in [([], [1.0, 2.0]), ([1.0], []), ([], []), ([np.nan], [1.0])]:
        shift = compare(baseline, candidate)
        assert math.isnan(shift.p_value) and math.isnan(shift.estimate) and math.isnan(shift.level)
        assert math.isnan(shift.low) and math.isnan(shift.high)
        assert (shift.ratio, shift.ratio_low, shift.ratio_high) == (None, None, None)
    assert compare_many([]) == []


def test_nan_values_are_dropped_from_each_side() -> None:
    with_nan = compare([1.0, np.nan, 2.0, 3.0], [np.nan, 4.0, 6.0])
    assert with_nan == compare([1.0, 2.0, 3.0], [4.0, 6.0])


def test_ratio_needs_positive_values() -> None:
    rows = [([0.0, 1.0, 2.0], [3.0, 4.0, 5.0]), ([1.0, 2.0, 3.0], [3.0, 4.0, 5.0]), ([-1.0, 1.0, 2.0], [3.0, 4.0, 5.0])]
    shifts = compare_many(rows)
    assert [s.ratio is None for s in shifts] == [True, False, True]
    assert shifts[0].ratio_low is None and shifts[0].ratio_high is None
    assert [s.estimate for s in shifts] == [3.0, 2.0, 3.0]
    assert shifts[1].ratio == pytest.approx(np.exp(np.median(np.log(np.outer([3, 4, 5], [1, 1 / 2, 1 / 3])))) - 1)


def test_accepts_arrays_tuples_and_integers() -> None:
    expected = compare([1.0, 2.0, 3.0], [4.0, 6.0])
    assert compare(np.array([1, 2, 3]), (4, 6)) == expected


def test_invalid_input_is_refused() -> None:
    with pytest.raises(ValueError, match="confidence"):
        compare([1.0], [2.0], confidence=1.0)
    with pytest.raises(ValueError, match="finite"):
        compare([1.0, np.inf], [2.0])


# --- Benjamini-Hochberg ---------------------------------------------------------------------------


def test_bh_classic_example() -> None:
    assert np.allclose(bh_adjust([0.01, 0.04, 0.03, 0.005]), [0.02, 0.04, 0.04, 0.02])


def test_bh_nan_stays_nan_and_is_not_counted() -> None:
    q = bh_adjust(np.array([0.01, np.nan, 0.04, 0.03, 0.005, np.nan]))
    assert np.isnan(q[[1, 5]]).all()
    assert np.allclose(q[[0, 2, 3, 4]], [0.02, 0.04, 0.04, 0.02])
    assert np.isnan(bh_adjust([np.nan, np.nan])).all()
    assert bh_adjust([]).shape == (0,)


# --- trend ----------------------------------------------------------------------------------------


def test_trend_of_a_straight_line() -> None:
    result = trend([100, 110, 120, 130, 140, 150, 160, 170, 180, 190])
    assert (result.n, result.slope, result.change) == (10, pytest.approx(10.0), pytest.approx(90.0))
    assert result.ratio == pytest.approx(0.9)
    assert result.slope_low == pytest.approx(10.0) and result.slope_high == pytest.approx(10.0)
    assert result.p_value is not None and result.p_value < 0.001


def test_trend_of_a_constant_series() -> None:
    result = trend([50.0] * 8)
    assert (result.slope, result.change, result.p_value, result.ratio) == (0.0, 0.0, 1.0, 0.0)


def test_trend_of_noise_is_not_significant() -> None:
    result = trend(np.random.default_rng(4).lognormal(6, 0.3, 20))
    assert result.p_value is not None and result.p_value > 0.1
    assert result.slope_low is not None and result.slope_high is not None
    assert result.slope_low <= 0 <= result.slope_high


def test_trend_short_series_and_nan() -> None:
    assert trend([1.0, 2.0]) == Trend(2, None, None, None, None, None, None)
    assert trend([]) == Trend(0, None, None, None, None, None, None)
    result = trend([100.0, np.nan, 110.0, 120.0])
    assert (result.n, result.slope, result.change) == (3, pytest.approx(10.0), pytest.approx(20.0))


def test_trend_ratio_needs_a_positive_start() -> None:
    assert trend([-10.0, 0.0, 10.0, 20.0]).ratio is None
    falling = trend([200.0, 180.0, 160.0, 140.0, 120.0])
    assert falling.change == pytest.approx(-80.0) and falling.ratio == pytest.approx(-0.4)


@pytest.mark.parametrize(("n", "k"), [(10, 2), (20, 6), (50, 18), (5, 1)])
def test_the_median_interval_is_the_order_statistics_the_binomial_gives(n: int, k: int) -> None:
    # 95% intervals of a median from tables (Conover): x_(k) to x_(n-k+1); n = 5 only reaches 93.8%,
    # so the whole range
    values = np.arange(1.0, n + 1)
    mid, low, high = median_interval(values[::-1].copy(), 0.95)
    assert (mid, low, high) == (float(np.median(values)), float(k), float(n - k + 1))
