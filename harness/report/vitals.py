"""A step's key page vitals (LCP, TTFB, interaction, CLS, TBT, bytes) as short labelled texts."""

from __future__ import annotations

from collections.abc import Callable

from harness.contracts.records import StepSignals
from harness.report.stats import fmt_bytes, fmt_ms, median


def _cls(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


Probe = Callable[[StepSignals], float | None]
VITALS: tuple[tuple[str, Probe, Callable[[float], str]], ...] = (
    ("LCP", lambda s: s.page_load.lcp_ms if s.page_load else None, fmt_ms),
    ("TTFB", lambda s: s.page_load.ttfb_ms if s.page_load else None, fmt_ms),
    ("interaction", lambda s: s.interaction_ms, fmt_ms),
    ("CLS", lambda s: s.cls or None, _cls),
    ("TBT", lambda s: s.tbt_ms or None, fmt_ms),
    ("bytes", lambda s: float(s.bytes) if s.bytes else None, fmt_bytes),
)
"""(name, how to read it from a step's signals, how to format it); zero CLS, TBT and bytes are not shown."""


def step_vitals(signals: list[StepSignals]) -> list[tuple[str, str]]:
    """The vitals a step measured, each the median over the repeats that measured it.

    Args:
        signals: The step's signals, one per repeat.

    Returns:
        ``(name, formatted value)`` pairs, in a fixed order, only for the vitals present.
    """
    out = []
    for name, read, fmt in VITALS:
        value = median([v for v in (read(s) for s in signals) if v is not None])
        if value is not None:
            out.append((name, fmt(value)))
    return out
