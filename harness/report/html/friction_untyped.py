"""Evidence as read (:class:`~harness.contracts.evidence.RawEvidence`) as readable blocks: keys recognised by
name and shape.

Evidence that does not fit its rule's model (a hand-written or older ``findings.json``, an unknown
rule) is shown from its keys: requests, console lines, validation messages, overlays,
accessibility nodes, and the figures measured against thresholds
(:mod:`harness.report.html.friction_figures`). Anything else is shown in a generic key/value
table, nested values as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.report.html.friction_blocks import (
    MAX_ROWS,
    NO_VALUE,
    MessageRow,
    OverlayRow,
    RequestRow,
    kv_block,
    lines_block,
    messages_block,
    nodes_block,
    overlays_block,
    requests_block,
    violation_title,
)
from harness.report.html.friction_cells import Block, label
from harness.report.html.friction_figures import untyped_figures

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


def _requests(key: str, value: Any) -> Block | None:
    items = _dicts(value, "url")
    if items is None:
        return None
    rows = []
    for item in items:
        fallback = "–" if "duration_ms" in item else "failed"
        outcome = item.get("status") if item.get("status") is not None else item.get("failure") or fallback
        rows.append(RequestRow(item.get("method") or "GET", item["url"], outcome,
                               item.get("duration_ms", NO_VALUE), item.get("repeats", NO_VALUE)))
    return requests_block(label(key), rows, len(items))


def _lines(key: str, value: Any) -> Block | None:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        return None
    return lines_block(label(key), items)


def _validation(key: str, value: Any) -> Block | None:
    items = _dicts(value, "message")
    if items is None:
        return None
    rows = [MessageRow(i.get("field"), i["message"], i.get("source")) for i in items]
    return messages_block(label(key), rows, len(items))


def _overlays(key: str, value: Any) -> Block | None:
    items = _dicts(value, "element")
    if items is None:
        return None
    rows = [OverlayRow(o["element"], o.get("role"), o.get("text"), o.get("area_pct")) for o in items]
    return overlays_block(label(key), rows, len(items))


def _nodes(title: str, nodes: Any, count: Any, help_url: Any) -> Block:
    items = _dicts(nodes, "target") or []
    total = count if isinstance(count, int) else 0
    return nodes_block(title, [(n["target"], n.get("html")) for n in items], total, help_url)


def _violation_title(v: dict[str, Any]) -> str:
    return violation_title(v.get("id") or v.get("axe_rule") or v.get("rule_id") or "Elements", v.get("impact"),
                           v.get("help"))


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


def untyped_blocks(evidence: dict[str, Any], rule: str = "") -> list[Block]:
    """Turn evidence as read into blocks; keys no renderer takes end in one generic table (nulls left out).

    Args:
        evidence: The evidence's keys and values (untrusted).
        rule: The finding's rule id, naming a lone threshold's figure.
    """
    figures, used = untyped_figures(evidence, rule)
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
