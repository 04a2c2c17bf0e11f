"""The regressions section of the report, from ``comparison.json``: ranked changes, outcomes, trends."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from harness.contracts.comparison import COMPARISON_JSON, Change, Comparison, FindingChange, GuideChange, StatusChange
from harness.report.html.charts import distribution, sparkline
from harness.report.markdown.comparison import fmt_value
from harness.runfolder.comparison import read_comparison

MAX_ROWS = 80
"""Changes listed (unchanged ones are only counted)."""
MAX_CHARTS = 16
"""Distributions drawn, for the first changes of the ranking."""
MAX_TRENDS = 30
WORDS = {"slower": "slower", "faster": "faster", "unchanged": "no significant change",
         "insufficient_data": "too little data", "new": "new", "removed": "removed"}


@dataclass
class ChangeRow:
    """One ranked change."""

    where: str
    level: str
    metric: str
    verdict: str
    words: str
    baseline: str
    candidate: str
    change: str
    interval: str
    q: str
    why: str
    chart: Markup | None = None


@dataclass
class TrendRow:
    """One trend series."""

    where: str
    level: str
    runs: int
    first: str
    last: str
    drift: str
    drifting: bool
    chart: Markup


@dataclass
class RegressionsView:
    """Everything the regressions section shows."""

    baseline: str
    candidate: str
    failed: bool
    reasons: list[str]
    counts: list[tuple[str, int]]
    rows: list[ChangeRow]
    unchanged: int
    statuses: list[StatusChange]
    findings: list[FindingChange]
    guides: list[GuideChange]
    trends: list[TrendRow] = field(default_factory=list)
    method: str = ""
    run_wide: str | None = None
    """The shift every step shares, in words."""
    error: str | None = None


def _signed(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{value:+,.0f} ms" if unit == "ms" else f"{value:+.3g}"


def _row(change: Change, draw: bool) -> ChangeRow:
    pct = f" ({change.ratio * 100:+.1f}%)" if change.ratio is not None else ""
    if change.ratio_low is not None and change.ratio_high is not None:
        interval = f"{change.ratio_low * 100:+.1f}% to {change.ratio_high * 100:+.1f}%"
    elif change.change_low is not None and change.change_high is not None:
        interval = f"{_signed(change.change_low, change.unit)} to {_signed(change.change_high, change.unit)}"
    else:
        interval = "–"
    if change.confidence is not None and interval != "–":
        interval += f" ({change.confidence:.0%})"
    chart = None
    if draw and change.baseline and change.candidate and change.baseline.values and change.candidate.values:
        label = (f"{change.label} of {change.where.label()}: baseline median "
                 f"{fmt_value(change.baseline.median, change.unit)}, candidate median "
                 f"{fmt_value(change.candidate.median, change.unit)}, {WORDS[change.verdict]}")
        chart = distribution(change.baseline.values, change.candidate.values, unit=change.unit, label=label,
                             low=change.change_low, high=change.change_high,
                             slower={"slower": True, "faster": False}.get(change.verdict))
    return ChangeRow(
        where=change.where.label(), level=change.where.level, metric=change.label, verdict=change.verdict,
        words=WORDS[change.verdict],
        baseline=fmt_value(change.baseline.median if change.baseline else None, change.unit),
        candidate=fmt_value(change.candidate.median if change.candidate else None, change.unit),
        change=_signed(change.change, change.unit) + pct if change.change is not None else "–",
        interval=interval, q=f"{change.q_value:.2g}" if change.q_value is not None else "–", why=change.why,
        chart=chart)


def _side(comparison: Comparison, which: str) -> str:
    side = comparison.baseline if which == "baseline" else comparison.candidate
    runs = side.runs[0] if len(side.runs) == 1 else f"{len(side.runs)} runs pooled (newest {side.runs[0]})"
    extra = [p for p in (side.app_version, side.env, side.git_branch,
                         side.git_commit[:10] if side.git_commit else None) if p]
    chosen = f" — chosen by {side.spec}" if side.spec and side.spec != side.runs[0] else ""
    return runs + (f" ({', '.join(extra)})" if extra else "") + chosen


def regressions_view(comparison: Comparison) -> RegressionsView:
    """Build the section's view from a comparison."""
    listed = [c for c in comparison.changes if c.verdict != "unchanged"][:MAX_ROWS]
    rows = [_row(c, i < MAX_CHARTS and c.verdict in ("slower", "faster", "insufficient_data"))
            for i, c in enumerate(listed)]
    trends = [t for t in comparison.trends if t.where.level == "journey" or t.drifting]
    moved = {c.where for c in comparison.changes if c.verdict in ("slower", "faster") and c.metric == "duration_ms"}
    trends += [t for t in comparison.trends if t.where in moved and t not in trends]
    trend_rows = []
    for t in trends[:MAX_TRENDS]:
        known = [v for v in t.values if v is not None]
        if len(known) < 2:
            continue
        drift = f"{t.ratio * 100:+.0f}% over the series" if t.ratio is not None else "–"
        label = f"duration of {t.where.label()} over {len(t.runs)} runs, from {known[0]:,.0f} ms to {known[-1]:,.0f} ms"
        trend_rows.append(TrendRow(where=t.where.label(), level=t.where.level, runs=len(t.runs),
                                   first=fmt_value(known[0], "ms"), last=fmt_value(known[-1], "ms"), drift=drift,
                                   drifting=t.drifting, chart=sparkline(t.values, label=label, rising=t.drifting)))
    s = comparison.settings
    method = (f"Each change is the Hodges-Lehmann shift between the candidate's and the baseline's values, with "
              f"its {s.confidence:.0%} distribution-free interval; significance is a two-sided Mann-Whitney U test, "
              f"adjusted for the {sum(1 for c in comparison.changes if c.q_value is not None)} tests of this "
              f"comparison (Benjamini-Hochberg, q < {s.alpha:g}). A change is called slower or faster only when "
              f"it is significant and at least {s.min_effect_pct:g}% and {s.min_effect_ms:g} ms, and a journey or "
              f"scenario total only when it also stands out from the shift every step shares; fewer than "
              f"{s.min_samples} values on a side is too little data.")
    counts = [(WORDS[k], comparison.counts.get(k, 0)) for k in WORDS if comparison.counts.get(k, 0)]
    return RegressionsView(
        baseline=_side(comparison, "baseline"), candidate=_side(comparison, "candidate"),
        failed=bool(comparison.gate and comparison.gate.failed),
        reasons=comparison.gate.reasons if comparison.gate else [], counts=counts, rows=rows,
        unchanged=comparison.counts.get("unchanged", 0), statuses=comparison.statuses,
        findings=comparison.findings, guides=comparison.guides, trends=trend_rows, method=method,
        run_wide=next((r.words() for r in comparison.run_wide if r.metric == "duration_ms"), None))


def load_regressions_view(run_dir: Path) -> RegressionsView | None:
    """The section for a run folder with a ``comparison.json``; None without one."""
    path = run_dir / COMPARISON_JSON
    if not path.is_file():
        return None
    comparison = read_comparison(run_dir)
    if comparison is None:
        return RegressionsView(baseline="", candidate="", failed=False, reasons=[], counts=[], rows=[], unchanged=0,
                               statuses=[], findings=[], guides=[],
                               error=f"{COMPARISON_JSON} could not be read; run `harness compare` again.")
    return regressions_view(comparison)
