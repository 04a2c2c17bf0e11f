"""Figures and app text in words, for finding messages; app text cut to a sane size for the evidence."""

from __future__ import annotations

from harness.contracts.records import StepRecord

MAX_TEXT = 300
"""Longest text kept from the app (console lines, URLs, messages, HTML)."""
MAX_ITEMS = 10
"""Most items kept in an evidence list."""


def clip(text: str | None, limit: int = MAX_TEXT) -> str:
    """App-derived text cut to a sane length, on one line."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fmt_ms(ms: float) -> str:
    """A duration in words: ``840 ms``, ``2.31 s``."""
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.0f} ms"


def fmt_ratio(ratio: float) -> str:
    """A ratio in words: ``2.3x``, ``1.03x`` (two decimals near 1 so it never reads ``1.0x`` when over)."""
    return f"{ratio:.1f}x" if ratio >= 1.1 else f"{ratio:.2f}x"


def step_name(record: StepRecord) -> str:
    """The step as written, quoted for a message."""
    return f"“{clip(record.text, 120)}”"


def target_name(record: StepRecord) -> str:
    """The step's target as written (else its selector), quoted, or ``its target``."""
    target = record.target or record.selector
    return f'"{clip(target, 120)}"' if target else "its target"


def first_few(items: list[str], shown: int = 3) -> str:
    """``a, b, c and 2 more``."""
    head = ", ".join(items[:shown])
    return head + (f" and {len(items) - shown} more" if len(items) > shown else "")
