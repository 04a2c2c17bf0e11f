"""The pieces an evidence block is made of (cells, blocks) and the text helpers they share.

Every string stays text for Jinja's autoescaping; only ``http(s)`` URLs become links.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from harness.report.stats import fmt_bytes, fmt_ms

OPEN_ROWS = 5
"""A block with more rows (or lines) than this starts collapsed."""
MAX_CHARS = 500
"""Characters of one cell."""
ACRONYMS = {"lcp", "ttfb", "cls", "tbt", "dcl", "url", "dom", "html", "http", "id", "inp", "fcp"}
UNITS = {"ms"}
"""A trailing unit dropped from a label (the value is formatted with it)."""


@dataclass
class Cell:
    """One table cell: text, and a link when it is a safe web URL."""

    text: str
    href: str | None = None
    mono: bool = False


@dataclass
class Block:
    """One piece of evidence: a table (``headers`` and ``rows``) or a text block (``text``)."""

    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    text: str | None = None
    total: int = 0
    """Items in the evidence (rows shown may be fewer)."""
    link: Cell | None = None
    """A reference for the whole block (an accessibility rule's help page)."""

    @property
    def hidden(self) -> int:
        """Items not shown."""
        shown = len(self.text.splitlines()) if self.text is not None else len(self.rows)
        return max(0, self.total - shown)

    @property
    def collapsed(self) -> bool:
        """Long blocks start closed."""
        return self.total > OPEN_ROWS


def web_url(value: object) -> str | None:
    """Return ``value`` when it is an absolute ``http(s)`` URL, else None (never a ``javascript:`` link)."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def label(key: str) -> str:
    """A key in words: ``failed_requests`` → ``Failed requests``, ``lcp_ms`` → ``LCP`` (values carry the unit)."""
    words = [w for w in key.split("_") if w]
    if len(words) > 1 and words[-1].lower() in UNITS:
        words.pop()
    words = [w.upper() if w.lower() in ACRONYMS else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else key


def clip(text: str, limit: int = MAX_CHARS) -> str:
    """Cut ``text`` to ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + " …"


def show(value: Any, key: str = "") -> str:
    """A value as short text: times, sizes and ratios by the key's name, floats rounded, nested values as JSON."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        name = key.lower()
        if name.endswith("_ms") or name == "ms":
            return fmt_ms(float(value))
        if "bytes" in name:
            return fmt_bytes(float(value))
        if name == "ratio" or name.endswith("_ratio"):
            return f"{value:,.2f}".rstrip("0").rstrip(".") + "x"
        return f"{value:,}" if isinstance(value, int) else f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, str):
        return clip(value)
    return clip(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
