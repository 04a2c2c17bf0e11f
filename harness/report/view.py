"""Turn a loaded run into the plain values the HTML template shows.

Everything numeric that ends up in an attribute (bar offsets and widths) is computed and
formatted here; the template only prints these strings through Jinja's autoescaping.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.contracts.records import StepRecord
from harness.outcomes import ScenarioKey, ScenarioOutcome, worst_outcome
from harness.report.load import RunData, ScenarioRun
from harness.report.repairs import RepairView
from harness.report.stats import median, pct, percentile
from harness.report.vitals import step_vitals

STEP_ORDER = ("failed", "healed", "passed", "skipped", "not_run")
"""A step is failed if it failed in any repeat, else healed if it was healed in any, and so on."""
MIN_BAR_PCT = 0.4
"""Smallest visible bar width, in percent of the timeline."""


@dataclass
class FindingBadge:
    """A small link from a step (or a scenario) to one of its friction findings."""

    anchor: str
    severity: str
    title: str
    icon: str = ""


@dataclass
class StepView:
    """One step of a scenario case, aggregated over its repeats."""

    index: int
    keyword: str
    text: str
    line: int | None
    status: str
    status_label: str
    durations: list[float]
    median_ms: float | None
    min_ms: float | None
    max_ms: float | None
    wait_ms: float | None
    budget_ms: float | None
    over_count: int
    runs: int
    notes: list[str]
    offset: str = "0.00%"
    width: str = "0.00%"
    anchor: str = ""
    vitals: list[tuple[str, str]] = field(default_factory=list)
    """Key page vitals (name, value), medians over the repeats."""
    findings: list[FindingBadge] = field(default_factory=list)
    """Friction findings on this step, in rank order."""
    replays: list[tuple[float | None, str, int]] = field(default_factory=list)
    """Each replay's (duration, status, repeat index), for the distribution chart."""
    repair_anchor: str | None = None
    """The Failures tab's entry of its first healed replay (a healed step's repair)."""


@dataclass
class RunSummary:
    """One repeat of a scenario case."""

    repeat: int
    status: str
    """The replay's status (``harness.outcomes``): ``passed``, ``failed``, ``skipped`` or ``incomplete``."""
    duration_ms: float
    retries: int = 0
    """Attempts before the one shown (``--retries``): a replay that passed after a retry is flaky."""
    healed: bool = False
    """It passed only by healing a step (``--heal``): flaky too."""


@dataclass
class CaseView:
    """A scenario (one Outline row) with all its repeats."""

    key: ScenarioKey
    """``ScenarioRun.case_key`` of its runs: the scenario's ``harness.outcomes.ScenarioKey``."""
    anchor: str
    journey: str
    scenario: str
    example: str
    tags: list[str]
    feature_file: str
    line: int | None
    status: str
    """The scenario's outcome (``harness.outcomes``): passed, flaky, failed, skipped or incomplete."""
    runs: list[RunSummary]
    steps: list[StepView]
    total_ms: float | None
    min_total_ms: float | None
    max_total_ms: float | None
    is_open: bool = False
    findings: list[FindingBadge] = field(default_factory=list)
    """Friction findings on the scenario as a whole (no step)."""
    waterfall_chart: str | None = None
    """Id of its step waterfall chart (see ``chart_specs``)."""
    spread_chart: str | None = None
    """Id of its chart of step durations over the replays."""
    healed: int = 0
    """Replays that passed only by healing a step (``ScenarioOutcome.healed``): flaky (healed)."""

    @property
    def passed_runs(self) -> int:
        """Repeats that passed."""
        return sum(1 for r in self.runs if r.status == "passed")

    @property
    def flaky(self) -> bool:
        """Its outcome is ``flaky``: some replays passed and others failed, or one passed only after a retry."""
        return self.status == "flaky"

    @property
    def filter_status(self) -> str:
        """Words the status filter matches: the outcome, plus ``healed`` and ``over-budget`` when they apply."""
        words = [self.status]
        if self.healed:
            words.append("healed")
        if any(s.over_count for s in self.steps):
            words.append("over-budget")
        return " ".join(words)

    @property
    def title(self) -> str:
        """Scenario name with its example row."""
        return f"{self.scenario} ({self.example})" if self.example else self.scenario


@dataclass
class JourneyView:
    """A feature with its scenario cases."""

    anchor: str
    name: str
    feature_file: str
    cases: list[CaseView]
    status: str = "passed"
    runs_passed: int = 0
    runs_failed: int = 0
    runs_other: int = 0
    steps: int = 0
    total_ms: float = 0.0


@dataclass
class FailureView:
    """One failed step of one scenario run."""

    anchor: str
    case_anchor: str
    journey: str
    scenario: str
    repeat: int | None
    record: StepRecord
    error: str
    error_cut: int
    screenshot: str | None = None
    screenshot_note: str | None = None
    screenshot_href: str | None = None
    """The original file, relative to the run folder (the report's own folder)."""
    trace: str | None = None
    trace_cmd: str | None = None
    trace_missing: bool = False
    trace_href: str | None = None
    failed_requests: list[str] = field(default_factory=list)
    repair: RepairView | None = None
    """The step's UI-map repair: the suggested selector, or why none (``StepRecord.repair``)."""
    healed: bool = False
    """A healed step (``--heal`` applied its repair, and it passed), not a failure."""


@dataclass
class SlowStep:
    """A row of the slowest-steps table."""

    case: CaseView
    step: StepView
    p90_ms: float | None


def example_label(example: dict[str, str]) -> str:
    """Format an Outline row as ``"key = value, key = value"``."""
    return ", ".join(f"{k} = {v}" for k, v in example.items())


def _notes(records: list[StepRecord], repeats: int) -> list[str]:
    """Per-step remarks worth a glance: console/page errors, failed requests, fallback selectors."""
    notes = []
    for one, many, counts in (
        ("console error", "console errors", [len(r.signals.console_errors) for r in records]),
        ("page error", "page errors", [len(r.signals.page_errors) for r in records]),
        ("failed request", "failed requests", [len(r.signals.failed_requests) for r in records]),
    ):
        hits = sum(1 for n in counts if n)
        if hits and repeats > 1:
            notes.append(f"{many} in {hits}/{repeats} runs")
        elif hits:
            notes.append(f"{counts[0]} {one if counts[0] == 1 else many}")
    fallbacks = sum(1 for r in records if r.fallback_used)
    if fallbacks:
        notes.append("fallback selector used" + (f" in {fallbacks}/{repeats} runs" if repeats > 1 else ""))
    return notes


def step_status(statuses: Sequence[str]) -> str:
    """Return the status a step shows for all its repeats (see ``STEP_ORDER``)."""
    return next((s for s in STEP_ORDER if s in statuses), "passed")


def _step_view(records: list[StepRecord], repeats: int) -> StepView:
    first = records[0]
    statuses: list[str] = [r.status for r in records]
    counts = Counter(statuses)
    if len(counts) == 1 and len(records) == repeats:
        label = statuses[0].replace("_", " ")
    else:
        label = ", ".join(f"{s.replace('_', ' ')} {counts[s]}/{repeats}" for s in STEP_ORDER if counts[s])
    durations = [r.duration_ms for r in records if r.duration_ms is not None]
    waits = [r.signals.wait_ms for r in records if r.signals.wait_ms is not None]
    budget = next((r.budget_ms for r in records if r.budget_ms), None)
    return StepView(
        index=first.step_index, keyword=first.keyword, text=first.text, line=first.line,
        status=step_status(statuses), status_label=label, durations=durations, median_ms=median(durations),
        min_ms=min(durations, default=None), max_ms=max(durations, default=None), wait_ms=median(waits),
        budget_ms=budget, over_count=sum(1 for r in records if r.over_budget), runs=len(records),
        notes=_notes(records, repeats), vitals=step_vitals([r.signals for r in records]),
        replays=[(r.duration_ms, r.status, r.repeat) for r in records],
    )


def _layout(steps: list[StepView]) -> None:
    """Set each step's bar offset (cumulative median of earlier steps) and width (its median)."""
    total = sum(s.median_ms or 0.0 for s in steps)
    elapsed = 0.0
    for step in steps:
        ms = step.median_ms or 0.0
        width = ms * 100 / total if total > 0 else 0.0
        if ms > 0:
            width = max(width, MIN_BAR_PCT)
        offset = min(elapsed * 100 / total if total > 0 else 0.0, 100 - width)
        step.offset, step.width = pct(offset, 100), pct(width, 100)
        elapsed += ms


def case_view(runs: list[ScenarioRun], anchor: str, outcome: ScenarioOutcome) -> CaseView:
    """Aggregate the repeats of one scenario case; ``outcome``: the scenario's (``RunData.outcome``)."""
    runs = sorted(runs, key=lambda r: r.repeat)
    by_index: dict[int, list[StepRecord]] = {}
    for run in runs:
        for rec in run.steps:
            by_index.setdefault(rec.step_index, []).append(rec)
    steps = [_step_view(by_index[i], len(runs)) for i in sorted(by_index)]
    for step in steps:
        step.anchor = f"{anchor}-st{step.index + 1}"
    _layout(steps)
    summaries = [RunSummary(repeat=r.repeat, duration_ms=r.duration_ms, status=r.status, retries=r.retries,
                            healed=r.healed) for r in runs]
    totals = [r.duration_ms for r in summaries]
    first = runs[0]
    return CaseView(
        key=first.case_key, anchor=anchor, journey=first.journey, scenario=first.scenario,
        example=example_label(first.example),
        tags=first.tags, feature_file=first.feature_file, line=first.scenario_line,
        status=outcome.status, runs=summaries, steps=steps, total_ms=median(totals),
        min_total_ms=min(totals, default=None), max_total_ms=max(totals, default=None), healed=outcome.healed,
    )


def journey_views(data: RunData, open_limit: int = 12) -> list[JourneyView]:
    """Group scenario runs into journeys and cases, in feature-file and line order."""
    cases = data.cases()
    journeys: dict[tuple[str, str], list[list[ScenarioRun]]] = {}
    for runs in cases.values():
        journeys.setdefault((runs[0].feature_file, runs[0].journey), []).append(runs)
    open_all = len(cases) <= open_limit
    views: list[JourneyView] = []
    for j, key in enumerate(sorted(journeys), start=1):
        groups = sorted(journeys[key], key=lambda rs: (rs[0].scenario_line or 0, min(r.test_id for r in rs)))
        view = JourneyView(anchor=f"j{j}", name=key[1], feature_file=key[0],
                           cases=[case_view(rs, f"j{j}-s{i}", data.outcome(rs[0].case_key))
                                  for i, rs in enumerate(groups, start=1)])
        for case in view.cases:
            case.is_open = open_all or case.status != "passed"
            for run in case.runs:
                view.runs_passed += run.status == "passed"
                view.runs_failed += run.status == "failed"
                view.runs_other += run.status not in ("passed", "failed")
                view.total_ms += run.duration_ms
            view.steps += sum(s.runs for s in case.steps)
        view.status = worst_outcome(c.status for c in view.cases)
        views.append(view)
    return views


def slowest_steps(journeys: list[JourneyView], limit: int = 10) -> list[SlowStep]:
    """Return the ``limit`` steps with the highest median duration across the run."""
    rows = [SlowStep(case=c, step=s, p90_ms=percentile(s.durations, 90) if len(s.durations) > 1 else None)
            for j in journeys for c in j.cases for s in c.steps if s.median_ms is not None]
    rows.sort(key=lambda r: r.step.median_ms or 0.0, reverse=True)
    return rows[:limit]
