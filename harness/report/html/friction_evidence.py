"""A finding's evidence as readable blocks: tables and text, read from its rule's evidence model.

Each model (:mod:`harness.contracts.evidence`) gives its figures against thresholds, its lists
(requests, lines, messages, overlays, elements) and a key/value table of the rest. Evidence that
fits no model is shown from its keys (:mod:`harness.report.html.friction_untyped`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.contracts.evidence import (
    A11yViolationEvidence,
    BlockingScriptsEvidence,
    ConsoleErrorEvidence,
    CoveredTargetEvidence,
    DeadClickEvidence,
    Evidence,
    FailedRequestEvidence,
    LayoutShiftEvidence,
    LongerJourneyEvidence,
    LongWaitEvidence,
    OverBudgetEvidence,
    RawEvidence,
    RefusedInputEvidence,
    RepeatFigures,
    SlowInteractionEvidence,
    SlowPageLoadEvidence,
    StepFigureEvidence,
    parse_evidence,
)
from harness.report.html.friction_blocks import (
    FigureRow,
    MessageRow,
    OverlayRow,
    RequestRow,
    figures_block,
    kv_block,
    limit_text,
    lines_block,
    messages_block,
    nodes_block,
    overlays_block,
    per_repeat,
    requests_block,
    violation_title,
)
from harness.report.html.friction_cells import Block, show
from harness.report.html.friction_untyped import untyped_blocks

OTHER = "Other figures"
URL_KEYS = ("url",)
"""The keys whose values are links."""


def _rest(items: dict[str, Any]) -> Block | None:
    """The figures no other block shows (nulls left out)."""
    return kv_block(OTHER, {k: v for k, v in items.items() if v is not None}, links=URL_KEYS)


def _repeat_figures(key: str, fig: RepeatFigures) -> FigureRow:
    return FigureRow(key, show(fig.median, key), limit_text(fig.thresholds, key), key,
                     per_repeat=per_repeat(fig.values, key))


def _over_budget(ev: OverBudgetEvidence) -> list[Block | None]:
    return [figures_block([
        FigureRow("duration_ms", show(ev.duration_ms, "duration_ms"), show(ev.budget_ms, "budget_ms"), "duration_ms",
                  per_repeat=per_repeat(ev.values, "duration_ms")),
        FigureRow("ratio", show(ev.ratio, "ratio"), limit_text(ev.thresholds, "ratio"), "ratio")])]


def _step_figure(ev: StepFigureEvidence) -> Block | None:
    key = ev.metric
    return figures_block([FigureRow(key, show(ev.measured, key), limit_text(ev.thresholds, key), key,
                                    per_repeat=per_repeat(ev.values, key))])


def _slow_page_load(ev: SlowPageLoadEvidence) -> list[Block | None]:
    measured = {"lcp_ms": ev.lcp_ms, "ttfb_ms": ev.ttfb_ms, "load_ms": ev.load_ms}
    return [figures_block([_repeat_figures(k, fig) for k, fig in measured.items() if fig is not None]),
            _rest({"url": ev.url, "lcp_element": ev.lcp_element})]


def _longer_journey(ev: LongerJourneyEvidence) -> list[Block | None]:
    rows = []
    for key, growth in (("page_loads", ev.page_loads), ("steps", ev.steps)):
        if growth is None:
            continue
        ratio = f" ({show(growth.ratio, 'ratio')} of baseline)" if growth.ratio is not None else ""
        rows.append(FigureRow(key, show(growth.value, key) + ratio,
                              limit_text(growth.thresholds, "ratio" if growth.ratio is not None else key), key,
                              baseline=show(growth.baseline, key)))
    if ev.time_ms is not None:
        rows.append(FigureRow("time_ms", show(ev.time_ms.value, "time_ms"), "–", "time_ms",
                              baseline=show(ev.time_ms.baseline, "time_ms")))
    return [figures_block(rows), _rest({"baseline": ev.baseline})]


def _console_error(ev: ConsoleErrorEvidence) -> list[Block | None]:
    listed = [lines_block(title, lines) for title, lines in (("Page errors", ev.page_errors),
                                                               ("Console errors", ev.console_errors)) if lines]
    if len(listed) == 1 and ev.count >= listed[0].total:
        listed[0].total = ev.count
        return [*listed]
    return [*listed, _rest({"count": ev.count})]


def _blocks(ev: Evidence) -> list[Block | None]:
    match ev:
        case OverBudgetEvidence():
            return _over_budget(ev)
        case SlowPageLoadEvidence():
            return _slow_page_load(ev)
        case SlowInteractionEvidence():
            return [_step_figure(ev), _rest({"interaction_event": ev.interaction_event})]
        case LongWaitEvidence():
            return [_step_figure(ev), _rest({"target": ev.target, "selector": ev.selector})]
        case LayoutShiftEvidence():
            return [_step_figure(ev), lines_block("Shift sources", ev.shift_sources) if ev.shift_sources else None]
        case BlockingScriptsEvidence():
            return [_step_figure(ev), _rest({"long_tasks": ev.long_tasks, "longest_task_ms": ev.longest_task_ms})]
        case FailedRequestEvidence():
            rows = [RequestRow(r.method, r.url, r.status if r.status is not None else r.failure or "failed",
                               repeats=r.repeats) for r in ev.requests]
            return [requests_block("Requests", rows, max(ev.count, len(rows)))]
        case ConsoleErrorEvidence():
            return _console_error(ev)
        case RefusedInputEvidence():
            rows_m = [MessageRow(m.field, m.message, m.source) for m in ev.messages]
            return [messages_block("Messages", rows_m, max(ev.count, len(rows_m)))]
        case DeadClickEvidence():
            clicked = ev.clicked.model_dump() if ev.clicked else None
            return [_rest({"target": ev.target, "selector": ev.selector, "url": ev.url, "clicked": clicked})]
        case CoveredTargetEvidence():
            overlays = [OverlayRow(o.element, o.role, o.text, o.area_pct) for o in ev.overlays]
            return [lines_block("Error", [ev.error]), overlays_block("Overlays", overlays, len(overlays)) if overlays
                    else None, _rest({"intercepting": ev.intercepting, "subtree": ev.subtree, "target": ev.target,
                                      "selector": ev.selector})]
        case LongerJourneyEvidence():
            return _longer_journey(ev)
        case A11yViolationEvidence():
            nodes = nodes_block(violation_title(ev.axe_rule, ev.impact, ev.help),
                                [(n.target, n.html) for n in ev.nodes], ev.count, ev.help_url)
            return [nodes, _rest({"state": ev.state, "url": ev.url, "engine": ev.engine})]
    return [*untyped_blocks(ev.as_json())]


def evidence_blocks(evidence: Evidence | Mapping[str, Any], rule: str = "") -> list[Block]:
    """Turn a finding's evidence into blocks: figures against thresholds first, then lists, then the rest.

    Args:
        evidence: ``Finding.evidence``, or evidence as a mapping (read with ``rule``'s model when it fits).
        rule: The finding's rule id (names a lone threshold's figure in evidence that fits no model).
    """
    if not isinstance(evidence, Evidence):
        evidence = parse_evidence(rule, evidence)
    if isinstance(evidence, RawEvidence):
        return untyped_blocks(evidence.data, rule)
    return [block for block in _blocks(evidence) if block is not None]
