"""``comparison.json``: what changed between a baseline and a candidate run (contract in docs/regressions.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.contracts.records import SCHEMA_VERSION

COMPARISON_JSON = "comparison.json"
SUMMARY_MD = "summary.md"

Verdict = Literal["slower", "faster", "unchanged", "insufficient_data", "new", "removed"]
VERDICTS: tuple[Verdict, ...] = ("slower", "faster", "unchanged", "insufficient_data", "new", "removed")
Level = Literal["journey", "scenario", "step"]
Health = Literal["passing", "flaky", "broken", "skipped", "incomplete", "absent"]
"""A scenario's outcome over its repeats (``harness/outcomes.py``: passed, flaky, failed, skipped,
incomplete), or ``absent``: not run at all."""


class Where(BaseModel):
    """What a change is about: a journey, one of its scenarios (an Examples row), or one of its steps."""

    model_config = ConfigDict(frozen=True)

    level: Level
    journey: str
    feature_file: str
    scenario: str | None = None
    example: dict[str, str] = Field(default_factory=dict)
    step_index: int | None = None
    text: str | None = None
    variant: str | None = None
    """For a step that does different things from one replay to the next (a login that fills the
    form once, then restores the stored session), the action its values come from."""

    def __hash__(self) -> int:
        return hash((self.level, self.journey, self.feature_file, self.scenario, tuple(sorted(self.example.items())),
                     self.step_index, self.text, self.variant))

    def label(self) -> str:
        """``journey › scenario [row] › step N: text`` for people (steps counted from 1, Background included)."""
        parts = [self.journey]
        if self.scenario is not None:
            row = ", ".join(f"{k}={v}" for k, v in self.example.items())
            parts.append(f"{self.scenario} [{row}]" if row else self.scenario)
        if self.text is not None:
            parts.append(f"step {(self.step_index or 0) + 1}: {self.text}"
                         + (f" [as {self.variant}]" if self.variant else ""))
        return " › ".join(parts)


class Stats(BaseModel):
    """One side's sample of a metric."""

    n: int
    median: float | None = None
    p90: float | None = None
    spread: float | None = None
    """Interquartile range."""
    low: float | None = None
    high: float | None = None
    values: list[float] = Field(default_factory=list)
    """The measurements themselves (rounded, the last 200), for distributions in reports; empty for a
    change whose verdict is ``unchanged``."""


class Change(BaseModel):
    """A metric of one journey, scenario or step: baseline vs candidate, and the verdict."""

    where: Where
    metric: str
    """A column of the step table (``duration_ms``, ``lcp_ms``, ``requests``...)."""
    label: str
    unit: str
    baseline: Stats | None = None
    candidate: Stats | None = None
    change: float | None = None
    """Hodges-Lehmann shift, candidate minus baseline, in the metric's unit."""
    change_low: float | None = None
    change_high: float | None = None
    ratio: float | None = None
    """The same on a log scale, as a relative change (0.30: 30% more)."""
    ratio_low: float | None = None
    ratio_high: float | None = None
    confidence: float | None = None
    """Achieved level of both intervals."""
    p_value: float | None = None
    """Two-sided Mann-Whitney U."""
    q_value: float | None = None
    """Benjamini-Hochberg adjusted, over every test of the comparison."""
    verdict: Verdict
    why: str
    """The reason for the verdict, with the figures."""
    impact: float = 0.0
    """Ranking key: the absolute change in ms for time metrics of slower/faster changes, else 0."""


class StatusChange(BaseModel):
    """A scenario whose outcome changed, or stayed failing."""

    where: Where
    baseline: Health
    candidate: Health
    kind: Literal["new_failure", "new_flaky", "fixed", "still_failing", "still_flaky", "now_broken", "less_flaky",
                  "incomplete", "now_skipped"]
    failed_repeats: list[int] = Field(default_factory=list)
    retried_repeats: list[int] = Field(default_factory=list)
    """Repeats that passed only on a retry."""
    repeats: int = 0
    step: str | None = None
    """The step that failed in the candidate (``3. I click "save"``)."""
    error: str | None = None
    error_kind: str | None = None

    def outcome(self) -> str:
        """How the candidate's replays went, in words (``fails in 2/10 repeats, passes on a retry in 1``)."""
        parts = []
        if self.failed_repeats:
            parts.append(f"fails in {len(self.failed_repeats)}/{self.repeats} repeats")
        if self.retried_repeats:
            parts.append(f"passes only on a retry in {len(self.retried_repeats)}/{self.repeats}")
        if self.candidate == "incomplete":
            parts.append("did not finish (the run stopped)")
        elif self.candidate == "skipped":
            parts.append("skipped")
        return ", ".join(parts) or f"passes in {self.repeats}/{self.repeats} repeats"


class FindingChange(BaseModel):
    """A friction finding that appeared or went away."""

    kind: Literal["new", "resolved"]
    id: str
    rule: str
    severity: str
    title: str
    message: str
    journey: str
    scenario: str
    step_text: str | None = None


class GuideChange(BaseModel):
    """A guide step that broke or was repaired."""

    kind: Literal["broken", "repaired", "still_broken"]
    guide: str
    step: str
    baseline: str | None
    candidate: str | None
    reason: str | None = None
    suggestion: str | None = None


class TrendSeries(BaseModel):
    """A metric's median per run over the last runs, oldest first, ending with the candidate."""

    where: Where
    metric: str
    runs: list[str]
    values: list[float | None]
    slope: float | None = None
    """Theil-Sen slope per run."""
    change: float | None = None
    """Drift over the series (slope times runs - 1)."""
    ratio: float | None = None
    p_value: float | None = None
    """Mann-Kendall test of a monotone trend."""
    drifting: bool = False
    """A significant monotone trend larger than the minimum effect."""


class RunWide(BaseModel):
    """The shift a time metric shows on every step alike: the median over steps of candidate/baseline."""

    metric: str
    label: str
    factor: float
    """Candidate over baseline (1.2: the whole run is 20% slower)."""
    low: float
    high: float
    """Distribution-free confidence interval of the factor, at the comparison's confidence."""
    steps: int
    """How many steps (and step variants) it is the median of."""
    applied: bool
    """Whether journey and scenario totals of this metric had to stand out from it."""
    verdict: Literal["slower", "faster", "unchanged"]
    """``slower``/``faster`` when the interval excludes 1 and the factor passes the minimum effect."""

    def pct(self) -> str:
        """The factor as a signed percentage (``+18%``)."""
        return f"{(self.factor - 1) * 100:+.0f}%"

    def interval(self) -> str:
        """The factor's interval as signed percentages (``+9% to +25%``)."""
        return f"{(self.low - 1) * 100:+.0f}% to {(self.high - 1) * 100:+.0f}%"

    def words(self) -> str:
        """What the shift says, for people."""
        figures = f"{self.label} of the median step {self.pct()} (interval {self.interval()}, {self.steps} steps)"
        if self.verdict == "unchanged":
            return f"The run as a whole: {figures}; no shift that every step shares."
        totals = " Journey and scenario totals are called slower or faster only beyond it." if self.applied else ""
        return (f"The run as a whole is {self.verdict}: {figures}. Every step alike: a slower or faster machine "
                f"or network, or a change of the whole app.{totals}")


class Settings(BaseModel):
    """The statistics' settings in force."""

    alpha: float
    confidence: float
    min_effect_pct: float
    min_effect_ms: float
    min_samples: int
    run_wide: bool = True


class GateResult(BaseModel):
    """The CI gate's decision."""

    failed: bool
    reasons: list[str] = Field(default_factory=list)
    policy: dict[str, object] = Field(default_factory=dict)


class RunSide(BaseModel):
    """A side of the comparison: one run or several pooled."""

    runs: list[str]
    app: str | None = None
    app_version: str | None = None
    env: str | None = None
    git_commit: str | None = None
    git_branch: str | None = None
    started_at: str | None = None
    spec: str | None = None
    """How the side was chosen (``green:main``, a path...)."""


class Comparison(BaseModel):
    """``comparison.json``."""

    schema_version: int = SCHEMA_VERSION
    generated_at: str
    baseline: RunSide
    candidate: RunSide
    settings: Settings
    counts: dict[str, int] = Field(default_factory=dict)
    """Changes by verdict, status/finding/guide changes by kind, and ``identical``: metrics left out
    of ``changes`` because both sides measured one and the same constant (0 failed requests...)."""
    run_wide: list[RunWide] = Field(default_factory=list)
    """Per time metric measured on enough steps, the shift the whole run shares."""
    changes: list[Change] = Field(default_factory=list)
    """Every compared metric, ranked: slower first by impact, then faster, new, removed, the rest."""
    statuses: list[StatusChange] = Field(default_factory=list)
    findings: list[FindingChange] = Field(default_factory=list)
    guides: list[GuideChange] = Field(default_factory=list)
    trends: list[TrendSeries] = Field(default_factory=list)
    gate: GateResult | None = None
    duration_ms: float | None = None
    """Time the comparison took."""
