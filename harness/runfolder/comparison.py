"""``comparison.json``: written atomically, read tolerantly."""

from __future__ import annotations

from pathlib import Path

from harness.contracts.comparison import COMPARISON_JSON, Comparison
from harness.runfolder.files import write_atomic


def write_comparison(folder: Path, comparison: Comparison) -> Path:
    """Write ``comparison.json`` atomically."""
    return write_atomic(folder / COMPARISON_JSON, comparison.model_dump_json(indent=1) + "\n")


def read_comparison(folder: Path) -> Comparison | None:
    """Read ``comparison.json``; ``None`` when there is none or it is unreadable."""
    path = folder / COMPARISON_JSON
    try:
        return Comparison.model_validate_json(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, ValueError):
        return None
