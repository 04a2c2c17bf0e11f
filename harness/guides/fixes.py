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

from ruamel.yaml import YAML

from harness.contracts.guides import GuideStepCheck

FIXES_PATCH = "guide-fixes.patch"
MAX_TEXT = 80


def accepted(results: list[GuideStepCheck], min_score: float) -> list[GuideStepCheck]:
    """Results whose suggestion scores at least ``min_score`` and changes something."""
    keep = []
    for r in results:
        s = r.suggestion
        if s is None or (s.score or 0) < min_score:
            continue
        if s.target != r.target or _new_text(r):
            keep.append(r)
    return keep


def _new_text(result: GuideStepCheck) -> str | None:
    """The expected text to write for a ``text_changed`` step: the element's short text now."""
    if result.status != "text_changed" or result.suggestion is None:
        return None
    text = (result.suggestion.text or "").strip()
    return text if text and len(text) <= MAX_TEXT else None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix().lstrip("/")


def fixes_patch(results: list[GuideStepCheck], files: dict[str, Path], root: Path, min_score: float) -> str:
    """A unified diff applying the accepted suggestions to the guide files.

    Args:
        results: Step results.
        files: Guide file by guide id.
        root: Paths in the patch are relative to this folder (the project root).
        min_score: Suggestions scoring lower are left out.
    """
    by_guide: dict[str, list[GuideStepCheck]] = defaultdict(list)
    for r in accepted(results, min_score):
        by_guide[r.guide].append(r)
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
            step = steps.get(r.id)
            s = r.suggestion
            if step is None or s is None:
                continue
            if s.target != r.target:
                step["target"] = s.target
                why = ", ".join(s.reasons[:3])
                step.yaml_add_eol_comment(f"repaired ({r.status}, score {s.score or 0:.2f}: {why})", "target")
            new_text = _new_text(r)
            if new_text and "text" in step:
                step["text"] = new_text
        buffer = io.StringIO()
        yaml.dump(data, buffer)
        rel = _relative(path, root)
        chunks.extend(difflib.unified_diff(original.splitlines(keepends=True), buffer.getvalue().splitlines(
            keepends=True), fromfile=f"a/{rel}", tofile=f"b/{rel}"))
    return "".join(chunks)
