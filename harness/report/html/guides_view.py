"""The guide-health section: ``guides.json`` turned into the plain values the template shows.

Everything here is text for Jinja's autoescaping; anchors and CSS classes are made by the
report (``g1-s2``, ``t-fail``), never taken from the file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness.contracts.guides import GuideResult, GuideStepResult, JourneyStep
from harness.guides.results import fail_on_of, guide_status
from harness.guides.status import REPAIRABLE, STATUSES
from harness.report.html.images import Images, Shot
from harness.report.repairs import DiffRow, SuggestionView, score_text, show_value, suggestion_view
from harness.report.stats import fmt_time
from harness.report.view import JourneyView
from harness.runfolder.guides import GuidesRead, read_guides

GUIDE_STATUSES = ("broken", "warning", "intact")
ICONS = {"ok": "✓", "fail": "✗", "warn": "⚠"}


@dataclass
class GuideStepView:
    """One guide step."""

    anchor: str
    number: int
    id: str
    title: str | None
    body: str | None
    status: str
    label: str
    tone: str
    icon: str
    message: str | None
    floating: bool
    page: str | None
    url: str | None
    target: str | None
    line: int | None
    after: str | None = None
    after_anchor: str | None = None
    checked_in: str | None = None
    checked_in_anchor: str | None = None
    match_count: int | None = None
    similarity: str | None = None
    covered_by: str | None = None
    expected_text: str | None = None
    actual_text: str | None = None
    actual_name: str | None = None
    diff: list[DiffRow] = field(default_factory=list)
    screenshot: Shot | None = None
    baseline: Shot | None = None
    suggestion: SuggestionView | None = None
    repairable: bool = False
    note: str | None = None
    warning: str | None = None


@dataclass
class GuideView:
    """One guide: its status and its steps in order."""

    anchor: str
    id: str
    title: str
    file: str | None
    status: str
    tone: str
    icon: str
    steps: list[GuideStepView]

    @property
    def problems(self) -> list[GuideStepView]:
        """Steps that are not ok, shown in detail."""
        return [s for s in self.steps if s.status != "ok"]

    @property
    def fine(self) -> list[GuideStepView]:
        """Steps that are ok (anchored or floating), listed compactly."""
        return [s for s in self.steps if s.status == "ok"]


@dataclass
class GuidesView:
    """The whole guide-health section."""

    error: str | None
    warnings: list[str]
    app: str | None
    app_version: str | None
    base_url: str | None
    checked_at: str | None
    duration_ms: float | None
    status: str
    fail_on: list[str]
    guides: list[GuideView]
    guide_counts: list[tuple[str, int]]
    step_counts: list[tuple[str, int, str]]
    """(status, count, tone) in vocabulary order."""

    @property
    def steps(self) -> int:
        """Number of steps shown."""
        return sum(len(g.steps) for g in self.guides)

    @property
    def broken(self) -> int:
        """Number of broken guides."""
        return sum(1 for g in self.guides if g.status == "broken")

    @property
    def intact(self) -> int:
        """Number of intact guides."""
        return sum(1 for g in self.guides if g.status == "intact")

    @property
    def ok_steps(self) -> int:
        """Number of ok steps."""
        return sum(len(g.fine) for g in self.guides)


def tone_of(status: str, fail_on: list[str]) -> str:
    """``ok``, ``fail`` (the policy fails on it) or ``warn`` (anything else)."""
    if status == "ok":
        return "ok"
    return "fail" if status in fail_on else "warn"


def label_of(status: str) -> str:
    """``text_changed`` → ``TEXT CHANGED``."""
    return status.replace("_", " ").upper()


def _same_feature(named: str, case_file: str) -> bool:
    """Whether a feature named in guides.json (a file name, a relative or an absolute path) is ``case_file``."""
    named = named.replace("\\", "/")
    return bool(named) and (named == case_file or case_file.endswith("/" + named.lstrip("/"))
                            or named.endswith("/" + case_file))


def journey_link(where: JourneyStep | None, journeys: list[JourneyView]) -> tuple[str | None, str | None]:
    """A journey step as ``feature › scenario › step``, and the anchor of its scenario in this report when found."""
    if where is None:
        return None, None
    label = " › ".join(p for p in (where.feature, where.scenario, where.step) if p) or None
    for case in (c for j in journeys for c in j.cases):
        if _same_feature(where.feature or "", case.feature_file) and where.scenario in (None, case.scenario):
            return label, case.anchor
    return label, None


def _suggestion(step: GuideStepResult, anchor: str) -> SuggestionView | None:
    return suggestion_view(step.suggestion, anchor)


def _covered(step: GuideStepResult) -> str | None:
    c = step.evidence.covered_by
    if c is None:
        return None
    ident = f"#{c.id}" if c.id else "".join(f".{k}" for k in c.classes[:2])
    return f"<{c.tag or 'element'}{ident}>" + (f" “{c.text[:120]}”" if c.text else "")


def step_view(step: GuideStepResult, position: int, anchor: str, fail_on: list[str], images: Images,
              journeys: list[JourneyView]) -> GuideStepView:
    """The view of one step (``position`` is its 0-based place in the guide)."""
    ev = step.evidence
    tone = tone_of(step.status, fail_on)
    floating = step.target is None
    label = label_of(step.status) + (" · FLOATING" if floating and step.status == "ok" else "")
    view = GuideStepView(
        anchor=anchor, number=(step.index if step.index is not None else position) + 1, id=step.id,
        title=step.title, body=step.body, status=step.status, label=label, tone=tone, icon=ICONS[tone],
        message=step.message, floating=floating, page=step.page, url=step.url, target=step.target, line=step.line,
    )
    view.after, view.after_anchor = journey_link(step.after, journeys)
    view.checked_in, view.checked_in_anchor = journey_link(step.journey, journeys)
    view.warning = step.warning
    if step.status == "ok":
        return view
    view.match_count = step.match_count
    view.similarity = score_text(ev.similarity)
    view.covered_by = _covered(step)
    view.expected_text, view.actual_text, view.actual_name = ev.expected_text, ev.actual_text, ev.actual_name
    view.diff = [DiffRow(d.field, show_value(d.old), show_value(d.new)) for d in ev.diff]
    view.screenshot = images.shot(ev.screenshot, ev.screenshot_error)
    view.baseline = images.shot(ev.baseline_screenshot)
    view.suggestion = _suggestion(step, anchor)
    view.repairable = step.status in REPAIRABLE
    view.note = ev.note
    return view


def guide_view(guide: GuideResult, gi: int, fail_on: list[str], images: Images,
               journeys: list[JourneyView]) -> GuideView:
    """The view of one guide (``gi`` numbers it in the report, from 1)."""
    steps = [step_view(s, n, f"g{gi}-s{n + 1}", fail_on, images, journeys) for n, s in enumerate(guide.steps)]
    status = guide.status if guide.status in GUIDE_STATUSES else guide_status([s.status for s in steps], fail_on)
    tone = {"broken": "fail", "warning": "warn", "intact": "ok"}[status]
    return GuideView(anchor=f"g{gi}", id=guide.id, title=guide.title or guide.id, file=guide.file,
                     status=status, tone=tone, icon=ICONS[tone], steps=steps)


def guides_view(gf: GuidesRead, folder: Path, journeys: list[JourneyView] | None = None,
                images: Images | None = None) -> GuidesView:
    """Build the section from a read ``guides.json``.

    Args:
        gf: The file read back (:func:`harness.runfolder.guides.read_guides`).
        folder: The folder holding it (screenshot paths are relative to it).
        journeys: The run's journeys, to link ``after`` steps to their scenario.
        images: Embeds the screenshots (default: a new budget for this section alone).
    """
    meta = gf.file
    fail_on = list(fail_on_of(meta))
    images = images or Images(Path(folder))
    guides = [guide_view(g, n, fail_on, images, journeys or []) for n, g in enumerate(meta.guides, start=1)]
    by_guide = Counter(g.status for g in guides)
    by_step = Counter(s.status for g in guides for s in g.steps)
    order = [s for s in STATUSES if by_step[s]] + sorted(s for s in by_step if s not in STATUSES)
    if gf.error:
        status = "unknown"
    elif meta.status in ("passed", "failed"):
        status = meta.status
    else:
        status = "failed" if by_guide["broken"] else "passed"
    warnings = list(gf.warnings)
    if meta.schema_version is not None and meta.schema_version > 1:
        warnings.append(f"guides.json has schema version {meta.schema_version}; this report knows version 1 "
                        "and shows what it recognises.")
    return GuidesView(
        error=gf.error, warnings=warnings, app=meta.app, app_version=meta.app_version, base_url=meta.base_url,
        checked_at=fmt_time(meta.checked_at) if meta.checked_at else None, duration_ms=meta.duration_ms,
        status=status, fail_on=fail_on, guides=guides,
        guide_counts=[(s, by_guide[s]) for s in GUIDE_STATUSES],
        step_counts=[(s, by_step[s], tone_of(s, fail_on)) for s in order],
    )


def load_guides_view(folder: Path, journeys: list[JourneyView] | None = None,
                     images: Images | None = None) -> GuidesView | None:
    """Read and view ``folder / guides.json``; None when there is none."""
    gf = read_guides(folder)
    return None if gf is None else guides_view(gf, folder, journeys, images)
