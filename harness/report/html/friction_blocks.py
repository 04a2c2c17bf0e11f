"""Evidence blocks by kind of item: requests, text lines, refusal messages, overlays, accessibility nodes,
figures against thresholds, and the key/value table for the rest.

Both readers of evidence build their blocks here: the typed one
(:mod:`harness.report.html.friction_evidence`) and the one for evidence as read
(:mod:`harness.report.html.friction_untyped`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from harness.report.html.friction_cells import Block, Cell, clip, label, show, web_url

MAX_ROWS = 50
"""Rows (or lines) shown per block; the rest is counted."""
MAX_TEXT = 8000
"""Characters of one text block."""
NO_VALUE = object()
"""A column a row has no value for."""


class RequestRow(NamedTuple):
    """One request: ``outcome`` is its status or failure; ``duration_ms`` is shown for timed requests."""

    method: str
    url: Any
    outcome: Any
    duration_ms: Any = NO_VALUE
    repeats: Any = NO_VALUE


class MessageRow(NamedTuple):
    """One refusal message."""

    field: Any
    message: Any
    source: Any = None


class OverlayRow(NamedTuple):
    """One overlay."""

    element: Any
    role: Any
    text: Any
    area_pct: Any


@dataclass
class FigureRow:
    """One line of the measured-against-threshold table (values already in words)."""

    key: str
    measured: str
    limit: str
    unit: str
    baseline: str = ""
    per_repeat: str = ""


def repeats_text(value: Any) -> str:
    """``[0, 2]`` → ``#1, #3``."""
    if not isinstance(value, list) or not all(isinstance(r, int) for r in value):
        return show(value)
    return ", ".join(f"#{r + 1}" for r in value)


def requests_block(title: str, rows: list[RequestRow], total: int) -> Block:
    """Method, URL, status or failure, and the duration and repeats when some row has them."""
    timed = any(r.duration_ms is not NO_VALUE for r in rows)
    repeats = any(r.repeats is not NO_VALUE for r in rows)
    headers = ["Method", "URL", "Status / failure"] + (["Duration"] if timed else []) + (["Repeats"] if repeats else [])
    block = Block(title, headers, total=total)
    for r in rows[:MAX_ROWS]:
        row = [Cell(show(r.method)), Cell(show(r.url), mono=True), Cell(show(r.outcome))]
        row += [Cell(show(None if r.duration_ms is NO_VALUE else r.duration_ms, "duration_ms"))] if timed else []
        row += [Cell(repeats_text([] if r.repeats is NO_VALUE else r.repeats))] if repeats else []
        block.rows.append(row)
    return block


def lines_block(title: str, lines: list[str], total: int | None = None) -> Block:
    """Text lines (console lines, an error) as one text block."""
    text = "\n".join(line.rstrip() for line in lines[:MAX_ROWS])
    return Block(title, text=clip(text, MAX_TEXT), total=len(lines) if total is None else total)


def messages_block(title: str, rows: list[MessageRow], total: int) -> Block:
    """Field, message, and how it was shown when some row says."""
    sources = any(r.source for r in rows)
    block = Block(title, ["Field", "Message"] + (["Shown as"] if sources else []), total=total)
    for r in rows[:MAX_ROWS]:
        row = [Cell(show(r.field or "–")), Cell(show(r.message))]
        block.rows.append(row + ([Cell(show(r.source or "–"))] if sources else []))
    return block


def overlays_block(title: str, rows: list[OverlayRow], total: int) -> Block:
    """Element, role, text and the share of the viewport each overlay covers."""
    block = Block(title, ["Element", "Role", "Text", "Covers"], total=total)
    for o in rows[:MAX_ROWS]:
        area = o.area_pct
        covers = f"{area:.0f}% of the viewport" if isinstance(area, int | float) else "–"
        block.rows.append([Cell(show(o.element), mono=True), Cell(show(o.role or "–")), Cell(show(o.text or "")),
                           Cell(covers)])
    return block


def violation_title(rule_id: str, impact: Any, help_text: Any) -> str:
    """``color-contrast (serious): Elements must meet...``."""
    impact = f" ({impact})" if impact else ""
    helps = f": {help_text}" if help_text else ""
    return clip(f"{rule_id}{impact}{helps}")


def nodes_block(title: str, nodes: list[tuple[Any, Any]], total: int, help_url: Any) -> Block:
    """The elements an accessibility rule failed on (target, HTML), linked to the rule's help page."""
    link = Cell(show(help_url), href=web_url(help_url)) if isinstance(help_url, str) and help_url else None
    block = Block(title, ["Element", "HTML"], total=max(total, len(nodes)), link=link)
    block.rows = [[Cell(show(target), mono=True), Cell(show(html or ""), mono=True)]
                  for target, html in nodes[:MAX_ROWS]]
    return block


def kv_block(title: str, items: Mapping[str, Any], links: Collection[str] | None = None) -> Block | None:
    """A key/value table (nested values as JSON); None when there is nothing to show.

    Args:
        title: The block's title.
        items: Key -> value, in order.
        links: The keys whose web URLs become links (``None``: any value that is one).
    """
    if not items:
        return None
    rows = [[Cell(label(str(k))), Cell(show(v, str(k)), href=web_url(v) if links is None or k in links else None,
                                       mono=not isinstance(v, str))]
            for k, v in items.items()]
    return Block(title, ["Figure", "Value"], rows[:MAX_ROWS], total=len(rows))


def number(value: Any) -> float | None:
    """``value`` when it is a number (not a bool), as a float."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def threshold_pair(value: Any) -> tuple[float, float] | None:
    """``value`` when it is a pair of numbers ``[medium, high]``."""
    if isinstance(value, list | tuple) and len(value) == 2:
        low, high = number(value[0]), number(value[1])
        if low is not None and high is not None:
            return low, high
    return None


def limit_text(limit: Any, unit: str) -> str:
    """A threshold pair as ``medium > 2,500 ms · high ≥ 4,000 ms``; a single limit as its value."""
    pair = threshold_pair(limit)
    if pair is not None:
        return f"medium > {show(pair[0], unit)} · high ≥ {show(pair[1], unit)}"
    return show(limit, unit)


def per_repeat(values: Any, unit: str) -> str:
    """``{"0": 812.3, "1": 905.1}`` → ``#1 812 ms · #2 905 ms``."""
    if not isinstance(values, dict):
        return ""
    parts = []
    for key, value in values.items():
        name = f"#{int(key) + 1}" if str(key).isdigit() else str(key)
        parts.append(f"{name} {show(value, unit)}")
    return " · ".join(parts)


def figures_block(rows: list[FigureRow]) -> Block | None:
    """The measured-against-threshold table; the baseline and per-repeat columns when some row has them."""
    if not rows:
        return None
    baseline = any(r.baseline for r in rows)
    repeats = any(r.per_repeat for r in rows)
    headers = ["Figure", "Measured", "Threshold"] + (["Baseline"] if baseline else [])
    headers += ["Per repeat"] if repeats else []
    cells = []
    for r in rows:
        line = [Cell(label(r.key)), Cell(r.measured), Cell(r.limit)]
        line += [Cell(r.baseline or "–")] if baseline else []
        line += [Cell(r.per_repeat or "–")] if repeats else []
        cells.append(line)
    return Block("Measured against thresholds", headers, cells, total=len(cells))
