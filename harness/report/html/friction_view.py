"""The friction section: ``findings.json`` turned into the plain values the template shows.

Findings keep the file's rank order; anchors (``fd1``) and CSS classes are made here, never
taken from the file. Each scenario's score is shown with its parts, each part linking to its
finding, and findings are pinned on their step of the step waterfall.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.contracts.records import Finding, FindingsFile, JourneyFriction
from harness.outcomes import OUTCOMES, ScenarioKey, example_key
from harness.report.html.friction_cells import Block
from harness.report.html.friction_evidence import evidence_blocks
from harness.report.html.friction_figures import thresholds_block
from harness.report.html.images import Images
from harness.report.stats import fmt_time
from harness.report.view import CaseView, FindingBadge, JourneyView, example_label

SEVERITIES = ("high", "medium", "low")
SEVERITY_ICONS = {"high": "▲", "medium": "◆", "low": "▽"}
STATUSES = OUTCOMES
MAX_PARTS_OPEN = 6
"""A score with more parts than this lists them collapsed."""
SCORE_TOLERANCE = 0.005


@dataclass
class PartView:
    """One line of a score: a rule on a step, its points, and the finding it links to."""

    rule: str
    where: str
    points: str
    severity: str
    anchor: str | None


@dataclass
class ScenarioFriction:
    """One row of the per-scenario friction table."""

    journey: str
    scenario: str
    example: str
    case_anchor: str | None
    status: str
    runs: int
    time_ms: float | None
    steps: int
    page_loads: int
    wait_ms: float
    errors: int
    refused_inputs: int
    counts: list[tuple[str, int]]
    score: str
    parts: list[PartView]
    parts_sum: str
    mismatch: bool
    """The file's score is not the sum of its parts (shown, not hidden)."""

    @property
    def collapsed(self) -> bool:
        """Many parts start closed."""
        return len(self.parts) > MAX_PARTS_OPEN


@dataclass
class FindingView:
    """One finding, in rank order."""

    anchor: str
    rank: int
    severity: str
    icon: str
    title: str
    rule: str
    message: str
    journey: str
    scenario: str
    case_anchor: str | None
    step_number: int | None
    step_text: str | None
    step_anchor: str | None
    location: str
    occurrences: str | None
    impact_ms: float | None
    points: str
    blocks: list[Block]
    screenshot: str | None = None
    screenshot_note: str | None = None
    screenshot_href: str | None = None
    journey_anchor: str | None = None
    """Anchor of the finding's journey in the report (the journey filter's value)."""


@dataclass
class FrictionView:
    """The whole friction section."""

    findings: list[FindingView]
    scenarios: list[ScenarioFriction]
    counts: list[tuple[str, int]]
    generated: str
    baseline_run: str | None
    thresholds: Block | None
    warnings: list[str] = field(default_factory=list)


def fmt_points(value: float) -> str:
    """``8.0`` → ``8``; ``4.25`` → ``4.25``."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def severity_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts by severity, most severe first, unknown severities last; zeros left out."""
    order = [s for s in SEVERITIES if counts.get(s)] + sorted(s for s in counts if s not in SEVERITIES)
    return [(s, counts[s]) for s in order if counts[s]]


def _case_keys(feature_file: str, journey: str, scenario: str, example: dict[str, str]) -> tuple[tuple, tuple]:
    ex = example_key(example)
    return ScenarioKey(journey, feature_file, scenario, ex), (feature_file, scenario, ex)


class _Cases:
    """Finds the report's scenario case of a finding or a summary."""

    def __init__(self, journeys: list[JourneyView]) -> None:
        self.exact: dict[tuple, CaseView] = {}
        self.loose: dict[tuple, CaseView] = {}
        for case in (c for j in journeys for c in j.cases):
            self.exact.setdefault(case.key, case)
            self.loose.setdefault((case.key.feature_file, case.key.scenario, case.key.example), case)

    def find(self, item: Finding | JourneyFriction) -> CaseView | None:
        exact, loose = _case_keys(item.feature_file, item.journey, item.scenario, item.example)
        return self.exact.get(exact) or self.loose.get(loose)


def _occurrences(f: Finding) -> str | None:
    if f.runs <= 1:
        return "in the only run"
    if not f.repeats:
        return None
    which = ", ".join(f"#{r + 1}" for r in sorted(f.repeats))
    return f"in {len(f.repeats)} of {f.runs} repeats ({which})"


def _title(scenario: str, example: dict[str, str]) -> str:
    label = example_label(example)
    return f"{scenario} ({label})" if label else scenario


def finding_view(f: Finding, rank: int, case: CaseView | None, images: Images) -> FindingView:
    """The view of one finding (``rank`` from 1); pins a badge on its step or scenario in ``case``."""
    anchor = f"fd{rank}"
    step = None
    if case is not None and f.step_index is not None:
        step = next((s for s in case.steps if s.index == f.step_index), None)
    line = f.step_line if f.step_index is not None else f.scenario_line
    view = FindingView(
        anchor=anchor, rank=rank, severity=f.severity, icon=SEVERITY_ICONS[f.severity], title=f.title,
        rule=f.rule, message=f.message, journey=f.journey, scenario=_title(f.scenario, f.example),
        case_anchor=case.anchor if case else None,
        step_number=f.step_index + 1 if f.step_index is not None else None,
        step_text=f.step_text, step_anchor=step.anchor if step else None,
        location=f"{f.feature_file}:{line}" if line else f.feature_file, occurrences=_occurrences(f),
        impact_ms=f.impact_ms, points=fmt_points(f.points), blocks=evidence_blocks(f.evidence, f.rule),
    )
    view.journey_anchor = case.anchor.split("-")[0] if case else None
    shot = images.shot(f.screenshot)
    if shot is not None:
        view.screenshot, view.screenshot_note, view.screenshot_href = shot.src, shot.note, shot.href
    badge = FindingBadge(anchor=anchor, severity=f.severity, title=f.title, icon=view.icon)
    if step is not None:
        step.findings.append(badge)
    elif case is not None and f.step_index is None:
        case.findings.append(badge)
    return view


def scenario_friction(jf: JourneyFriction, case: CaseView | None, anchors: dict[str, str]) -> ScenarioFriction:
    """One row of the per-scenario table, its score broken down into linked parts."""
    parts = [PartView(rule=p.rule, where=f"step {p.step_index + 1}" if p.step_index is not None else "scenario",
                      points=f"+{fmt_points(p.points)}", severity=p.severity, anchor=anchors.get(p.finding))
             for p in jf.breakdown]
    total = sum(p.points for p in jf.breakdown)
    return ScenarioFriction(
        journey=jf.journey, scenario=jf.scenario, example=example_label(jf.example),
        case_anchor=case.anchor if case else None, status=jf.status if jf.status in STATUSES else "unknown",
        runs=jf.runs, time_ms=jf.time_ms, steps=jf.steps, page_loads=jf.page_loads, wait_ms=jf.wait_ms,
        errors=jf.errors, refused_inputs=jf.refused_inputs, counts=severity_counts(jf.findings),
        score=fmt_points(jf.score), parts=parts, parts_sum=fmt_points(total),
        mismatch=abs(total - jf.score) > SCORE_TOLERANCE,
    )


def friction_view(ff: FindingsFile, folder: Path, journeys: list[JourneyView],
                  images: Images | None = None) -> FrictionView:
    """Build the section and pin each finding on the step waterfall of ``journeys``.

    Args:
        ff: ``findings.json`` as read (:func:`harness.report.html.friction_model.read_findings`).
        folder: The run folder (screenshot paths are relative to it).
        journeys: The run's journeys; their steps and cases get the findings' badges.
        images: Embeds the screenshots (default: a new budget for this section alone).
    """
    cases = _Cases(journeys)
    images = images or Images(Path(folder))
    findings = [finding_view(f, n, cases.find(f), images) for n, f in enumerate(ff.findings, start=1)]
    anchors: dict[str, str] = {}
    for f, view in zip(ff.findings, findings, strict=True):
        anchors.setdefault(f.id, view.anchor)
    counts: dict[str, int] = {}
    for f in ff.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return FrictionView(
        findings=findings, scenarios=[scenario_friction(jf, cases.find(jf), anchors) for jf in ff.journeys],
        counts=[(s, counts.get(s, 0)) for s in SEVERITIES], generated=fmt_time(ff.generated_at),
        baseline_run=ff.baseline_run, thresholds=thresholds_block(ff.thresholds),
    )
