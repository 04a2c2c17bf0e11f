"""Small numeric and formatting helpers for the report."""

from __future__ import annotations

import math
from datetime import UTC, datetime


def median(values: list[float]) -> float | None:
    """Return the median of ``values`` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: list[float], pct: float) -> float | None:
    """Return the ``pct`` percentile of ``values`` with linear interpolation (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def fmt_ms(ms: float | None) -> str:
    """Format milliseconds for people: ``"1,234 ms"``, ``"<1 ms"`` or ``"–"``."""
    if ms is None:
        return "–"
    if ms < 0.5:
        return "<1 ms"
    return f"{ms:,.0f} ms"


def fmt_total(ms: float | None) -> str:
    """Format a longer duration: ``"850 ms"``, ``"12.3 s"`` or ``"4 min 05 s"``."""
    if ms is None:
        return "–"
    if ms < 1000:
        return fmt_ms(ms)
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def parse_time(value: str | None) -> datetime | None:
    """Parse an ISO-8601 timestamp (None when missing or invalid)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def fmt_time(value: str | None) -> str:
    """Format an ISO-8601 timestamp as ``"2026-11-26 19:05:01 UTC"`` (or the raw text)."""
    parsed = parse_time(value)
    if parsed is None:
        return value or "–"
    if parsed.tzinfo is None:
        return parsed.strftime("%Y-%m-%d %H:%M:%S")
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def pct(part: float, whole: float) -> str:
    """Return ``part / whole`` as a CSS percentage string clamped to 0–100 (``"12.50%"``)."""
    value = 0.0 if whole <= 0 else max(0.0, min(100.0, part * 100 / whole))
    return f"{value:.2f}%"


def fmt_bytes(n: float | None) -> str:
    """Format a byte count: ``"812 B"``, ``"12.3 kB"``, ``"4.1 MB"`` or ``"–"``."""
    if n is None:
        return "–"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n:,.0f} B"
