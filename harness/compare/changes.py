"""Metric changes between two sides, with verdicts that do not cry wolf.

For each journey, scenario and step present on both sides, and each metric measured on
both, the change is the Hodges-Lehmann shift (candidate minus baseline) with its
distribution-free confidence interval, in units and on a log scale (relative), and its
two-sided Mann-Whitney U p-value. The p-values of the whole comparison are adjusted
together (Benjamini-Hochberg over every metric of every journey, scenario and step: per metric
families let page-load noise through in A/A trials), and a change is called
``slower`` or ``faster`` only when it is significant *and* at least the minimum effect, both
relative and absolute; a journey or scenario total must also stand out from the shift the
whole run shares (a slower machine: see ``runwide``). The values themselves are kept for the
changes that are not ``unchanged`` (for the report's distributions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from harness.compare.runwide import Ratio, estimate
from harness.compare.samples import Key, Samples, where
from harness.contracts.comparison import Change, RunWide, Stats, Verdict
from harness.contracts.metrics import METRIC_BY_COLUMN, METRICS, Metric
from harness.spec.regressions import CompareSettings
from harness.stats import Shift, Summary, bh_adjust, compare_many, describe, describe_many

ORDER: dict[Verdict, int] = {"slower": 0, "faster": 1, "new": 2, "removed": 3, "insufficient_data": 4,
                             "unchanged": 5}
LEVELS = {"journey": 0, "scenario": 1, "step": 2}
KEEP_VALUES = 200
"""Values kept per side for distributions (a pooled history can hold thousands)."""


def _stats(values: np.ndarray, unit: str, summary: Summary | None = None, keep: bool = True) -> Stats:
    summary = summary or describe(values)
    digits = 1 if unit == "ms" else 4
    kept = values[-KEEP_VALUES:] if keep else values[:0]
    # built without validation: thousands per comparison, from numbers this module computed
    return Stats.model_construct(n=summary.n, median=summary.median, p90=summary.p90, spread=summary.spread,
                                 low=summary.low, high=summary.high, values=np.round(kept, digits).tolist())


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def min_abs(metric: Metric, settings: CompareSettings) -> float:
    """The smallest absolute change of ``metric`` worth a verdict."""
    return settings.min_effect_ms if metric.unit == "ms" else metric.min_abs


def _size(metric: Metric, shift: Shift) -> str:
    unit = " ms" if metric.unit == "ms" else ""
    size = f"{shift.estimate:+.4g}{unit}"
    return size + (f" ({shift.ratio * 100:+.1f}%)" if shift.ratio is not None else "")


def _small(metric: Metric, shift: Shift, settings: CompareSettings) -> str | None:
    """Why a change is under the minimum effect, or None when it is not."""
    floor = min_abs(metric, settings)
    if abs(shift.estimate) < floor or shift.estimate == 0:
        return f"the minimum of {floor:g}{' ms' if metric.unit == 'ms' else ''}"
    if shift.ratio is not None and abs(shift.ratio) * 100 < settings.min_effect_pct:
        return f"the minimum of {settings.min_effect_pct:g}%"
    return None


def judge(metric: Metric, shift: Shift, q: float, settings: CompareSettings,
          beyond: tuple[RunWide, Shift] | None = None) -> tuple[Verdict, str]:
    """The verdict of a change with enough data, and why, in words with the figures.

    Args:
        metric: What was measured.
        shift: The change.
        q: Its adjusted p-value.
        settings: Alpha and the minimum effects.
        beyond: For a journey or scenario total, the run-wide shift and the change measured
            beyond it (the baseline scaled by it): that too must pass the minimum effect, the
            same way.
    """
    size = _size(metric, shift)
    if not q < settings.alpha:
        return "unchanged", f"not significant: {size}, q = {q:.3g} ≥ {settings.alpha:g}"
    if (small := _small(metric, shift, settings)) is not None:
        return "unchanged", f"significant (q = {q:.3g}) but {size} is under {small}"
    if beyond is not None:
        run_wide, rest = beyond
        if (rest.estimate > 0) != (shift.estimate > 0) or _small(metric, rest, settings) is not None:
            return "unchanged", (f"significant (q = {q:.3g}) but {size} is in line with the run-wide "
                                 f"{run_wide.pct()} every step shares (beyond it: {_size(metric, rest)})")
    verdict: Verdict = "slower" if shift.estimate > 0 else "faster"
    return verdict, f"{size}, q = {q:.3g} < {settings.alpha:g}, above the minimum effect"


@dataclass(frozen=True, slots=True)
class Compared:
    """What ``compare_samples`` found.

    Attributes:
        changes: Every metric of every journey, scenario and step on both sides, ranked.
        identical: How many metrics were left out because both sides measured one and the same
            constant every time (no request ever failed, no layout ever shifted).
        run_wide: Per time metric measured on enough steps, the shift the whole run shares.
    """

    changes: list[Change]
    identical: int
    run_wide: dict[str, RunWide]


def compare_samples(baseline: Samples, candidate: Samples, settings: CompareSettings) -> Compared:
    """Every metric of every key: stats of both sides, change, interval, p and q values, verdict.

    Journey and scenario totals must also stand out from the run-wide shift of their metric (see
    ``runwide``) unless the settings turn that off.
    """
    pending: list[tuple[Key, str | None, Metric, np.ndarray, np.ndarray]] = []
    changes: list[Change] = []
    for key in dict.fromkeys([*baseline.values, *candidate.values]):
        base, cand = baseline.values.get(key), candidate.values.get(key)
        if base is None or cand is None:
            ran_both = key in baseline.seen and key in candidate.seen
            changes.append(_never_passed(key, base, cand) if ran_both else _one_sided(key, base, cand))
            continue
        for variant, base_values, cand_values in _variants(key, baseline, candidate, base, cand):
            for metric in METRICS:
                b, c = base_values.get(metric.column), cand_values.get(metric.column)
                if b is None or c is None:
                    continue  # not measured on one side (a page load only some repeats made): nothing to compare
                pending.append((key, variant, metric, b, c))
    enough = np.array([b.size >= settings.min_samples and c.size >= settings.min_samples
                       for _, _, _, b, c in pending], dtype=bool)
    summaries = describe_many([side for _, _, _, b, c in pending for side in (b, c)], nan_free=True)
    # both sides one and the same constant (no request failed, ever): nothing to test, nor to count
    # among the tests the correction divides alpha by
    same = np.array([b.low == b.high == c.low == c.high for b, c in zip(summaries[::2], summaries[1::2], strict=True)],
                    dtype=bool)
    tested = enough & ~same
    run_wide = estimate([Ratio(metric.column, summaries[2 * i].median or 0.0, summaries[2 * i + 1].median or 0.0)
                         for i, (key, _, metric, _, _) in enumerate(pending) if tested[i] and key[0] == "step"],
                        settings)
    shifts = compare_many([(b, c) for _, _, _, b, c in pending], confidence=settings.confidence)
    beyond = _beyond_run_wide(pending, tested, run_wide, settings)
    p_values = np.array([s.p_value for s in shifts], dtype="float64")
    q_values = np.full(len(pending), np.nan)
    if tested.any():  # one family: every metric of every journey, scenario and step
        q_values[tested] = bh_adjust(p_values[tested])
    places = {(key, variant): where(key, variant) for key, variant, _, _, _ in pending}
    for i, ((key, variant, metric, b, c), shift) in enumerate(zip(pending, shifts, strict=True)):
        if same[i]:
            continue
        if enough[i]:
            verdict, why = judge(metric, shift, float(q_values[i]) if not math.isnan(q_values[i]) else 1.0,
                                 settings, beyond.get(i))
        else:
            verdict, why = "insufficient_data", (f"{b.size} baseline and {c.size} candidate values; "
                                                 f"at least {settings.min_samples} each are needed")
        impact = abs(shift.estimate) if verdict in ("slower", "faster") and metric.unit == "ms" else 0.0
        changes.append(Change.model_construct(
            where=places[(key, variant)], metric=metric.column, label=metric.label, unit=metric.unit,
            baseline=_stats(b, metric.unit, summaries[2 * i], keep=verdict != "unchanged"),
            candidate=_stats(c, metric.unit, summaries[2 * i + 1], keep=verdict != "unchanged"),
            change=_finite(shift.estimate), change_low=_finite(shift.low), change_high=_finite(shift.high),
            ratio=_finite(shift.ratio), ratio_low=_finite(shift.ratio_low), ratio_high=_finite(shift.ratio_high),
            confidence=_finite(shift.level), p_value=_finite(shift.p_value), q_value=_finite(q_values[i]),
            verdict=verdict, why=why, impact=impact))
    return Compared(rank(changes), int(same.sum()), run_wide)


def _beyond_run_wide(pending: list[tuple[Key, str | None, Metric, np.ndarray, np.ndarray]], tested: np.ndarray,
                     run_wide: dict[str, RunWide], settings: CompareSettings) -> dict[int, tuple[RunWide, Shift]]:
    """For each tested journey and scenario total, its change beyond the run-wide shift of its metric.

    A total sums many steps, so the shift they all share (a slower machine) adds up to a large,
    significant change of the total; it counts only when it also stands out from that shift.
    Steps are judged as measured: a step's time is partly the server's, which a slower client
    does not scale, so scaling it would call unchanged server-bound steps faster.
    """
    if not settings.run_wide:
        return {}
    totals = [i for i, (key, _, metric, _, _) in enumerate(pending)
              if tested[i] and key[0] != "step" and metric.column in run_wide]
    scaled = compare_many([(pending[i][3] * run_wide[pending[i][2].column].factor, pending[i][4]) for i in totals],
                          confidence=settings.confidence)
    return {i: (run_wide[pending[i][2].column], shift) for i, shift in zip(totals, scaled, strict=True)}


def _variants(key: Key, baseline: Samples, candidate: Samples, base: dict[str, np.ndarray],
              cand: dict[str, np.ndarray]) -> list[tuple[str | None, dict[str, np.ndarray], dict[str, np.ndarray]]]:
    """The samples to compare for a key: as a whole, or per action when the step does different things.

    A login step fills the form in some replays and restores the stored session in others (how many
    of each depends on how the scenarios were dealt to the workers): its values are two
    populations, compared action by action (those on both sides).
    """
    b_actions, c_actions = baseline.by_action.get(key, {}), candidate.by_action.get(key, {})
    if len(set(b_actions) | set(c_actions)) <= 1:
        return [(None, base, cand)]
    return [(action or None, b_actions[action], c_actions[action]) for action in b_actions if action in c_actions]


def _one_sided(key: Key, base: dict[str, np.ndarray] | None, cand: dict[str, np.ndarray] | None) -> Change:
    metric = METRIC_BY_COLUMN["duration_ms"]
    side = cand if base is None else base
    values = (side or {}).get(metric.column, np.array([]))
    verdict: Verdict = "new" if base is None else "removed"
    why = "only in the candidate" if verdict == "new" else "only in the baseline"
    stats = _stats(values, metric.unit)
    return Change(where=where(key), metric=metric.column, label=metric.label, unit=metric.unit,
                  baseline=stats if verdict == "removed" else None, candidate=stats if verdict == "new" else None,
                  verdict=verdict, why=why)


def _never_passed(key: Key, base: dict[str, np.ndarray] | None, cand: dict[str, np.ndarray] | None) -> Change:
    """A key both sides ran, that never passed on one of them: its failure is an outcome, not a timing."""
    metric = METRIC_BY_COLUMN["duration_ms"]
    side = "candidate" if cand is None else "baseline"
    present = (base or cand or {}).get(metric.column, np.array([]))
    stats = _stats(present, metric.unit)
    return Change(where=where(key), metric=metric.column, label=metric.label, unit=metric.unit,
                  baseline=stats if base is not None else None, candidate=stats if cand is not None else None,
                  verdict="insufficient_data", why=f"it never passed in the {side}: see the outcomes that changed")


def rank(changes: list[Change]) -> list[Change]:
    """Slower first (biggest absolute change first), then faster, new, removed, too little data, unchanged."""
    return sorted(changes, key=lambda c: (ORDER[c.verdict], -c.impact, -abs(c.ratio or 0.0),
                                          LEVELS[c.where.level]))
