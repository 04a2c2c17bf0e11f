"""A finding's ``evidence`` as readable blocks: tables and text, one renderer per kind of item.

The keys a rule writes are recognised by name and shape: requests, console lines, validation
messages, overlays, accessibility nodes, and the figures measured against thresholds
(:mod:`harness.report.html.friction_figures`). Anything else is shown in a generic key/value
table, nested values as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.report.html.friction_cells import Block, Cell, clip, label, show, web_url
from harness.report.html.friction_figures import figures_block

MAX_ROWS = 50
"""Rows (or lines) shown per block; the rest is counted."""
MAX_TEXT = 8000
"""Characters of one text block."""
LIST_KEYS = ("failed_requests", "requests", "slow_requests", "slowest_request", "request", "console_errors",
             "page_errors", "console", "errors", "console_lines", "lines", "shift_sources", "validation",
             "messages", "validation_messages", "overlays", "violations", "a11y", "nodes")
"""Keys whose empty list says nothing: left out."""
NODE_KEYS = ("nodes", "count", "help_url", "help", "impact", "id", "rule_id", "axe_rule")


def _dicts(value: Any, needed: str) -> list[dict[str, Any]] | None:
    """``value`` as a list of objects that all have ``needed`` (one object counts as a list), else None."""
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not items:
        return None
    if all(isinstance(i, dict) and needed in i for i in items):
        return items
    return None


def _repeats(value: Any) -> str:
    if not isinstance(value, list) or not all(isinstance(r, int) for r in value):
        return show(value)
    return ", ".join(f"#{r + 1}" for r in value)


def _requests(key: str, value: Any) -> Block | None:
    items = _dicts(value, "url")
    if items is None:
        return None
    timed = any(isinstance(i.get("duration_ms"), int | float) for i in items)
    repeats = any("repeats" in i for i in items)
    headers = ["Method", "URL", "Status / failure"] + (["Duration"] if timed else []) + (["Repeats"] if repeats else [])
    block = Block(label(key), headers, total=len(items))
    for item in items[:MAX_ROWS]:
        fallback = "–" if "duration_ms" in item else "failed"
        outcome = item.get("status") if item.get("status") is not None else item.get("failure") or fallback
        row = [Cell(show(item.get("method") or "GET")), Cell(show(item["url"]), mono=True), Cell(show(outcome))]
        row += [Cell(show(item.get("duration_ms"), "duration_ms"))] if timed else []
        row += [Cell(_repeats(item.get("repeats", [])))] if repeats else []
        block.rows.append(row)
    return block


def _lines(key: str, value: Any) -> Block | None:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        return None
    text = "\n".join(i.rstrip() for i in items[:MAX_ROWS])
    return Block(label(key), text=clip(text, MAX_TEXT), total=len(items))


def _validation(key: str, value: Any) -> Block | None:
    items = _dicts(value, "message")
    if items is None:
        return None
    sources = any(i.get("source") for i in items)
    block = Block(label(key), ["Field", "Message"] + (["Shown as"] if sources else []), total=len(items))
    for i in items[:MAX_ROWS]:
        row = [Cell(show(i.get("field") or "–")), Cell(show(i["message"]))]
        block.rows.append(row + ([Cell(show(i.get("source") or "–"))] if sources else []))
    return block


def _overlays(key: str, value: Any) -> Block | None:
    items = _dicts(value, "element")
    if items is None:
        return None
    block = Block(label(key), ["Element", "Role", "Text", "Covers"], total=len(items))
    for o in items[:MAX_ROWS]:
        area = o.get("area_pct")
        covers = f"{area:.0f}% of the viewport" if isinstance(area, int | float) else "–"
        block.rows.append([Cell(show(o["element"]), mono=True), Cell(show(o.get("role") or "–")),
                           Cell(show(o.get("text") or "")), Cell(covers)])
    return block


def _nodes(title: str, nodes: Any, count: Any, help_url: Any) -> Block:
    items = _dicts(nodes, "target") or []
    total = count if isinstance(count, int) and count >= len(items) else len(items)
    link = Cell(show(help_url), href=web_url(help_url)) if isinstance(help_url, str) and help_url else None
    block = Block(title, ["Element", "HTML"], total=total, link=link)
    block.rows = [[Cell(show(n["target"]), mono=True), Cell(show(n.get("html") or ""), mono=True)]
                  for n in items[:MAX_ROWS]]
    return block


def _violation_title(v: dict[str, Any]) -> str:
    impact = f" ({v['impact']})" if v.get("impact") else ""
    helps = f": {v['help']}" if v.get("help") else ""
    return clip(f"{v.get('id') or v.get('axe_rule') or v.get('rule_id') or 'Elements'}{impact}{helps}")


def _a11y(key: str, value: Any) -> list[Block] | None:
    if isinstance(value, dict) and isinstance(value.get("violations"), list):
        value = value["violations"]
    items = _dicts(value, "nodes")
    if items is None:
        return None
    return [_nodes(_violation_title(v), v.get("nodes"), v.get("count"), v.get("help_url")) for v in items[:MAX_ROWS]]


Renderer = Callable[[str, Any], Block | list[Block] | None]
RENDERERS: list[tuple[tuple[str, ...], Renderer]] = [
    (("failed_requests", "requests", "slow_requests", "slowest_request", "request"), _requests),
    (("console_errors", "page_errors", "console", "errors", "error", "console_lines", "lines", "shift_sources"),
     _lines),
    (("validation", "messages", "validation_messages"), _validation),
    (("overlays",), _overlays),
    (("violations", "a11y"), _a11y),
]


def kv_block(title: str, items: dict[str, Any]) -> Block | None:
    """A key/value table (nested values as JSON); None when there is nothing to show."""
    if not items:
        return None
    rows = [[Cell(label(str(k))), Cell(show(v, str(k)), href=web_url(v), mono=not isinstance(v, str))]
            for k, v in items.items()]
    return Block(title, ["Figure", "Value"], rows[:MAX_ROWS], total=len(rows))


def evidence_blocks(evidence: dict[str, Any], rule: str = "") -> list[Block]:
    """Turn a finding's ``evidence`` into blocks; keys no renderer takes end in one generic table (nulls left out).

    Args:
        evidence: ``Finding.evidence`` as read from ``findings.json`` (untrusted).
        rule: The finding's rule id, naming a lone threshold's figure.
    """
    figures, used = figures_block(evidence, rule)
    blocks = [figures] if figures else []
    listed: list[Block] = []
    for key, value in evidence.items():
        if key in used:
            continue
        if key in LIST_KEYS and value in ([], None):
            used.add(key)
            continue
        for keys, render in RENDERERS:
            out = render(key, value) if key in keys else None
            if out is not None:
                listed.extend(out if isinstance(out, list) else [out])
                used.add(key)
                break
    if "nodes" not in used and _dicts(evidence.get("nodes"), "target") is not None:
        listed.append(_nodes(_violation_title(evidence), evidence["nodes"], evidence.get("count"),
                             evidence.get("help_url")))
        used |= set(NODE_KEYS) & evidence.keys()
    count = evidence.get("count")
    if len(listed) == 1 and "count" not in used and isinstance(count, int) and count >= listed[0].total:
        listed[0].total = count
        used.add("count")
    rest = kv_block("Other figures", {k: v for k, v in evidence.items() if k not in used and v is not None})
    return blocks + listed + ([rest] if rest else [])
