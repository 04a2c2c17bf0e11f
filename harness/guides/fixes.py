"""Write accepted repair suggestions as a patch to the guide YAML, for a person to review.

Nothing is changed in place: the patch (``guide-fixes.patch``, unified diff with ``a/`` and
``b/`` prefixes) is applied with ``git apply`` or ``patch -p1`` after review. Comments and
layout of the guide files are kept (ruamel round trip); each repaired target carries a
comment with its score and reasons.
"""

from __future__ import annotations

import difflib
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

FIXES_PATCH = "guide-fixes.patch"
MAX_TEXT = 80


def accepted(results: list[dict[str, Any]], min_score: float) -> list[dict[str, Any]]:
    """Results whose suggestion scores at least ``min_score`` and changes something."""
    keep = []
    for r in results:
        s = r.get("suggestion")
        if not s or s.get("score", 0) < min_score:
            continue
        new_text = _new_text(r)
        if s["target"] != r.get("target") or new_text:
            keep.append(r)
    return keep


def _new_text(result: dict[str, Any]) -> str | None:
    """The expected text to write for a ``text_changed`` step: the element's short text now."""
    if result.get("status") != "text_changed" or not result.get("suggestion"):
        return None
    text = (result["suggestion"].get("text") or "").strip()
    return text if text and len(text) <= MAX_TEXT else None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix().lstrip("/")


def fixes_patch(results: list[dict[str, Any]], files: dict[str, Path], root: Path, min_score: float) -> str:
    """A unified diff applying the accepted suggestions to the guide files.

    Args:
        results: Step results with ``guide``, ``step``, ``target``, ``suggestion``.
        files: Guide file by guide id.
        root: Paths in the patch are relative to this folder (the project root).
        min_score: Suggestions scoring lower are left out.
    """
    by_guide: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in accepted(results, min_score):
        by_guide[r["guide"]].append(r)
    chunks: list[str] = []
    for guide_id in sorted(by_guide):
        path = files[guide_id]
        original = path.read_text(encoding="utf-8")
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096
        data = yaml.load(original)
        steps = {str(s.get("id")): s for s in data.get("steps", [])}
        for r in by_guide[guide_id]:
            step = steps.get(r["step"])
            if step is None:
                continue
            s = r["suggestion"]
            if s["target"] != r.get("target"):
                step["target"] = s["target"]
                why = ", ".join(s.get("reasons", [])[:3])
                step.yaml_add_eol_comment(f"repaired ({r['status']}, score {s['score']:.2f}: {why})", "target")
            new_text = _new_text(r)
            if new_text and "text" in step:
                step["text"] = new_text
        buffer = io.StringIO()
        yaml.dump(data, buffer)
        rel = _relative(path, root)
        chunks.extend(difflib.unified_diff(original.splitlines(keepends=True), buffer.getvalue().splitlines(
            keepends=True), fromfile=f"a/{rel}", tofile=f"b/{rel}"))
    return "".join(chunks)
