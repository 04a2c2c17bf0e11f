"""The measured-against-threshold table of evidence as read (not a rule's model), and the thresholds in force.

Evidence that fits its rule's model has its table built from the fields
(:mod:`harness.report.html.friction_evidence`). Evidence as read comes in a few shapes, all
recognised here:

* a threshold pair ``"thresholds": [medium, high]`` (medium above the first, high from the
  second) judging the ``ratio``, or else the first plain number (``"interaction_ms": 340``);
* ``{"thresholds": {"lcp_ms": 2500}, "measured": {"lcp_ms": 4100}}``;
* a figure of its own: ``"lcp_ms": {"median": 4100, "thresholds": [2500, 4000], "values": {...}}``
  or ``"steps": {"value": 9, "baseline": 6, "ratio": 1.5, "thresholds": [1.2, 1.5]}``;
* a limit beside its figure: ``"lcp_ms"`` with ``"lcp_threshold_ms"``, ``"duration_ms"`` with
  ``"budget_ms"``, or a lone ``"threshold"`` with ``"value"`` / ``"measured"``;
* ``"values": {"0": 812.3, "1": 905.1}``: the figure per repeat.
"""

from __future__ import annotations

from typing import Any

from harness.report.html.friction_blocks import (
    FigureRow,
    figures_block,
    limit_text,
    number,
    per_repeat,
    threshold_pair,
)
from harness.report.html.friction_cells import Block, Cell, label, show

LIMIT_WORDS = ("threshold", "budget", "limit")
VALUE_KEYS = ("measured", "value", "actual", "median_ms", "measured_ms", "value_ms")
"""What a lone ``threshold`` is compared with."""
NOT_FIGURES = {"count", "repeats", "runs"}


def _is_limit(key: str) -> bool:
    return any(word in key.lower() for word in LIMIT_WORDS)


def _nested(key: str, fig: dict[str, Any]) -> FigureRow | None:
    value = number(fig.get("median", fig.get("value")))
    if value is None:
        return None
    ratio = number(fig.get("ratio"))
    measured = show(value, key) + (f" ({show(ratio, 'ratio')} of baseline)" if ratio is not None else "")
    limits = fig.get("thresholds", fig.get("threshold"))
    limit = limit_text(limits, "ratio" if ratio is not None else key) if limits is not None else "–"
    return FigureRow(key, measured, limit, key, baseline=show(fig["baseline"], key) if "baseline" in fig else "",
                     per_repeat=per_repeat(fig.get("values"), key))


def _base_of(key: str) -> str:
    """``lcp_threshold_ms`` → ``lcp_ms``; ``threshold`` → ``""``."""
    return "_".join(p for p in key.split("_") if p.lower() not in LIMIT_WORDS)


def _same_unit(limit_key: str, scalar: dict[str, float], used: set[str]) -> str | None:
    """The one figure with the limit's unit (``duration_ms`` for ``budget_ms``), if only one."""
    unit = limit_key.rsplit("_", 1)[-1] if "_" in limit_key else None
    found = [k for k in scalar if unit and k.endswith("_" + unit) and not _is_limit(k) and k not in used]
    return found[0] if len(found) == 1 else None


class _Table:
    def __init__(self, ev: dict[str, Any], rule: str) -> None:
        self.ev, self.rule = ev, rule
        self.rows: list[FigureRow] = []
        self.used: set[str] = set()
        self.scalar = {k: v for k, v in ((k, number(v)) for k, v in ev.items()) if v is not None}

    def add(self, row: FigureRow, *keys: str | None) -> None:
        self.rows.append(row)
        self.used.update(k for k in keys if k)

    def nested(self) -> None:
        for key, value in self.ev.items():
            row = _nested(key, value) if isinstance(value, dict) and key not in ("measured", "values") else None
            if row is not None:
                self.add(row, key)

    def named_limits(self) -> None:
        limits, measured = self.ev.get("thresholds"), self.ev.get("measured")
        if not isinstance(limits, dict) or "thresholds" in self.used:
            return
        measured = measured if isinstance(measured, dict) else {}
        self.used.update({"thresholds"} | ({"measured"} if measured else set()))
        for name, limit in limits.items():
            value = measured.get(name, self.ev.get(name) if name not in self.used else None)
            self.add(FigureRow(name, "–" if value is None else show(value, name), limit_text(limit, name), name),
                     name if name in self.ev and not measured else None)

    def scalar_limits(self) -> None:
        for key, limit in self.scalar.items():
            if not _is_limit(key) or key in self.used:
                continue
            base = _base_of(key)
            if base and base in self.scalar and not _is_limit(base) and base not in self.used:
                self.add(FigureRow(base, show(self.scalar[base], base), show(limit, key), base), key, base)
                continue
            value_key = (next((k for k in VALUE_KEYS if k in self.scalar and k not in self.used), None)
                         or _same_unit(key, self.scalar, self.used))
            metric = self.ev.get("metric") if isinstance(self.ev.get("metric"), str) else None
            name = metric or (value_key if value_key and value_key not in VALUE_KEYS else self.rule) or "value"
            unit = value_key or key
            measured = show(self.scalar[value_key], unit) if value_key else "–"
            self.add(FigureRow(name, measured, show(limit, key), unit), key, value_key, "metric" if metric else None)

    def pair(self) -> None:
        limits = threshold_pair(self.ev.get("thresholds"))
        if limits is None or "thresholds" in self.used:
            return
        free = [k for k in self.scalar if k not in self.used and not _is_limit(k) and k not in NOT_FIGURES]
        key = "ratio" if "ratio" in free else next(iter(free), None)
        if key is None:
            return
        self.add(FigureRow(key, show(self.scalar[key], key), limit_text(limits, key), key), key, "thresholds")

    def values(self) -> None:
        values = self.ev.get("values")
        target = next((r for r in self.rows if r.key != "ratio" and not r.per_repeat), None)
        if isinstance(values, dict) and target is not None:
            target.per_repeat = per_repeat(values, target.unit)
            self.used.add("values")

def untyped_figures(evidence: dict[str, Any], rule: str = "") -> tuple[Block | None, set[str]]:
    """The measured-against-threshold table of ``evidence`` and the keys it shows (None without figures)."""
    table = _Table(evidence, rule)
    table.nested()
    table.named_limits()
    table.scalar_limits()
    table.pair()
    if not table.rows:
        return None, set()
    table.values()
    return figures_block(table.rows), table.used


def thresholds_block(thresholds: dict[str, Any]) -> Block | None:
    """The thresholds in force (``name -> [medium, high]``) as one table; None when there are none."""
    if not thresholds:
        return None
    rows = [[Cell(label(name)), Cell(limit_text(value, name))] for name, value in thresholds.items()]
    return Block("Thresholds in force", ["Figure", "Severity"], rows, total=len(rows))
