"""Write accepted repair suggestions as a patch to the guide YAML, for a person to review.

Nothing is changed in place: the patch (``guide-fixes.patch``, unified diff with ``a/`` and
``b/`` prefixes) is applied with ``git apply`` or ``patch -p1`` after review.

The patch touches only the ``target:`` lines of the repaired steps (and the ``text:`` line of a
``text_changed`` step): the value is replaced where it stands in the file, found through the YAML
parser's marks (line and column of the scalar's start and end), so every other byte of the file
(comments, quoting, indentation, flow mappings) stays as it was. The new value is written by the
YAML emitter (quoted only when it must be, in the old value's quote style when it had one), and
each repaired target gets an end-of-line comment with its score and reasons; an earlier
``repaired (...)`` comment on that line is replaced, any other comment is kept.

A value that cannot be rewritten safely on its line (a block scalar ``|``/``>``, a quoted or plain
scalar spread over several lines, an alias, anchor or tag, a new value the emitter can only write
on several lines, or an edit whose result does not read back as intended) is left out of the
patch, and said so (:attr:`FixesPatch.skipped`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from harness.contracts.guides import GuideStepCheck
from harness.guides.yamledit import (
    emit_scalar,
    load_plain,
    mapping_value,
    relative_path,
    unified_diff,
    unsafe_scalar,
)

FIXES_PATCH = "guide-fixes.patch"
MAX_TEXT = 80
REPAIRED = "repaired ("
"""How the comment the patch adds begins (an earlier one is replaced, not stacked)."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A repair left out of the patch, and why."""

    guide: str
    step: str
    reason: str
    where: str = ""
    """``file:line`` of the value, when known."""


@dataclass
class FixesPatch:
    """The patch, and the accepted repairs it leaves out."""

    text: str = ""
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Edit:
    """Replace ``source[start:end]`` (one line) by ``value``; ``comment`` goes at that line's end."""

    line: int
    start: int
    end: int
    value: str
    comment: str | None


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


# --- YAML nodes ------------------------------------------------------------------------
def _steps(root: Node | None) -> dict[str, MappingNode]:
    steps = mapping_value(root, "steps") if root is not None else None
    found: dict[str, MappingNode] = {}
    if isinstance(steps, SequenceNode):
        for item in steps.value:
            ident = mapping_value(item, "id")
            if isinstance(item, MappingNode) and isinstance(ident, ScalarNode):
                found.setdefault(str(ident.value), item)
    return found


def _ends(node: Node, into: dict[int, int]) -> None:
    """The last character index each line's nodes end at (flow collections included)."""
    line = node.end_mark.line
    into[line] = max(into.get(line, -1), node.end_mark.index)
    if isinstance(node, MappingNode):
        for k, v in node.value:
            _ends(k, into)
            _ends(v, into)
    elif isinstance(node, SequenceNode):
        for v in node.value:
            _ends(v, into)


# --- one value ------------------------------------------------------------------------
def _comment(result: GuideStepCheck) -> str:
    s = result.suggestion
    assert s is not None
    why = ", ".join(s.reasons[:3])
    text = f"{REPAIRED}{result.status}, score {s.score or 0:.2f}" + (f": {why})" if why else ")")
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)


def _apply(source: str, edits: list[_Edit], ends: dict[int, int]) -> str:
    """The source with the edits made, right to left within each line, comments at the lines' ends."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    by_line: dict[int, list[_Edit]] = defaultdict(list)
    for edit in edits:
        by_line[edit.line].append(edit)
    for number, line_edits in by_line.items():
        begin, line = offsets[number], lines[number]
        body = line.rstrip("\r\n")
        newline = line[len(body):]
        # after the line's last value come flow indicators (, ] }), then maybe a comment
        last = max(ends.get(number, begin), *(e.end for e in line_edits)) - begin
        rest = body[last:].lstrip(" \t,]}")
        old_comment = rest if rest.startswith("#") else ""
        code = body[:len(body) - len(old_comment)]
        for edit in sorted(line_edits, key=lambda e: e.start, reverse=True):
            code = code[:edit.start - begin] + edit.value + code[edit.end - begin:]
        comments = [e.comment for e in line_edits if e.comment]
        if not comments:
            lines[number] = code + old_comment + newline
            continue
        ours = "# " + "; ".join(comments)
        kept = old_comment
        if re.match(r"#\s*" + re.escape(REPAIRED), kept):
            kept = ""  # an earlier repair's comment: replaced
        elif "# " + REPAIRED in kept:
            kept = kept[:kept.index("# " + REPAIRED)].rstrip()
        if kept:
            lines[number] = code + kept + "  " + ours + newline
        elif old_comment:
            lines[number] = code + ours + newline
        else:
            lines[number] = code.rstrip(" \t") + "  " + ours + newline
    return "".join(lines)


def _step_edits(result: GuideStepCheck, node: MappingNode, source: str,
                flow: bool) -> tuple[list[_Edit], str | None]:
    """The edits of one repaired step, or why it cannot be repaired in place."""
    s = result.suggestion
    assert s is not None
    edits: list[_Edit] = []
    changes: list[tuple[str, str, str | None]] = []
    if s.target != result.target:
        changes.append(("target", s.target, _comment(result)))
    new_text = _new_text(result)
    if new_text and mapping_value(node, "text") is not None:
        changes.append(("text", new_text, None))
    for key, value, comment in changes:
        scalar = mapping_value(node, key)
        problem = unsafe_scalar(scalar, source, f"{key}:")
        if problem:
            return [], problem
        assert isinstance(scalar, ScalarNode)
        style = scalar.style if scalar.style in ("'", '"') else None
        emitted = emit_scalar(value, style, flow=flow)
        if emitted is None:
            return [], f"the new {key} cannot be written on one line"
        edits.append(_Edit(scalar.start_mark.line, scalar.start_mark.index, scalar.end_mark.index, emitted, comment))
    return edits, None


def _expected(data: Any, index: int, result: GuideStepCheck) -> Any:
    step = data["steps"][index]
    s = result.suggestion
    assert s is not None
    step["target"] = s.target
    new_text = _new_text(result)
    if new_text and "text" in step:
        step["text"] = new_text
    return data


def _file_patch(path: Path, rel: str, results: list[GuideStepCheck], skipped: list[Skipped]) -> str:
    try:
        source = path.read_bytes().decode("utf-8")  # as it is: \r\n line ends stay
        root = YAML(typ="rt").compose(source)
        original = load_plain(source)
    except (YAMLError, UnicodeDecodeError) as exc:
        skipped.extend(Skipped(r.guide, r.id, f"{rel} is not valid YAML any more ({type(exc).__name__})")
                       for r in results)
        return ""
    steps = _steps(root)
    order = [str(s.get("id")) for s in original.get("steps") or []] if isinstance(original, dict) else []
    ends: dict[int, int] = {}
    if root is not None:
        _ends(root, ends)
    kept: list[_Edit] = []
    expected = load_plain(source)
    for r in results:
        node = steps.get(r.id)
        if node is None or r.id not in order:
            skipped.append(Skipped(r.guide, r.id, f"step {r.id!r} is no longer in {rel}"))
            continue
        value = mapping_value(node, "target")
        where = f"{rel}:{(value or node).start_mark.line + 1}"
        edits, problem = _step_edits(r, node, source, bool(node.flow_style))
        if not problem:
            # the edit alone must read back as exactly the intended change
            want = _expected(load_plain(source), order.index(r.id), r)
            try:
                if load_plain(_apply(source, edits, ends)) != want:
                    problem = "the edited line does not read back as the new value"
            except YAMLError:
                problem = "the edited line is not valid YAML"
        if problem:
            skipped.append(Skipped(r.guide, r.id, problem + ": repair it by hand", where))
            continue
        kept.extend(edits)
        expected = _expected(expected, order.index(r.id), r)
    if not kept:
        return ""
    fixed = _apply(source, kept, ends)
    if load_plain(fixed) != expected:  # each edit read back alone; together they must too
        skipped.extend(Skipped(r.guide, r.id, "the edits of this file do not read back together: repair by hand")
                       for r in results)
        return ""
    return unified_diff(source, fixed, rel)


def fixes_patch(results: list[GuideStepCheck], files: dict[str, Path], root: Path, min_score: float) -> FixesPatch:
    """A unified diff applying the accepted suggestions to the guide files, changed lines only.

    Args:
        results: Step results.
        files: Guide file by guide id.
        root: Paths in the patch are relative to this folder (the project root).
        min_score: Suggestions scoring lower are left out.

    Returns:
        The patch text (empty when nothing is proposed) and the accepted repairs it leaves out.
    """
    by_guide: dict[str, list[GuideStepCheck]] = defaultdict(list)
    for r in accepted(results, min_score):
        by_guide[r.guide].append(r)
    patch = FixesPatch()
    for guide_id in sorted(by_guide):
        path = files.get(guide_id)
        if path is None or not path.is_file():
            patch.skipped.extend(Skipped(guide_id, r.id, "the guide file cannot be found") for r in by_guide[guide_id])
            continue
        patch.text += _file_patch(path, relative_path(path, root), by_guide[guide_id], patch.skipped)
    return patch
