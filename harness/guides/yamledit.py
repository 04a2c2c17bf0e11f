"""Editing YAML files a value at a time, every other byte kept: what the guide and UI-map fix patches share.

The value to change is found through the YAML parser's marks (line and column of a node's start and
end), replaced where it stands, and the result read back to check it means what was intended. A
patch is a unified diff with ``a/`` and ``b/`` prefixes, applied with ``git apply`` or ``patch -p1``.
"""

from __future__ import annotations

import difflib
import io
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

NO_NEWLINE = "\\ No newline at end of file\n"


def mapping_value(node: Node | None, key: str) -> Node | None:
    """The value node of ``key`` in a mapping node (None: not a mapping, or no such key)."""
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return v
    return None


def plain(data: Any) -> Any:
    """ruamel data as plain dicts, lists and scalars, for comparing two loads."""
    if isinstance(data, dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data if data is None or isinstance(data, bool | int | float) else str(data)


def load_plain(text: str) -> Any:
    """``text`` loaded by the round-trip loader, as :func:`plain` data."""
    return plain(YAML(typ="rt").load(text))


def emit_scalar(value: str, style: str | None = None, flow: bool = False) -> str | None:
    """``value`` as a YAML scalar written by the emitter, on one line (None: it needs several).

    Args:
        value: The string.
        style: ``'`` or ``"`` to keep a quote style; None lets the emitter choose (plain when it can).
        flow: The value sits inside a flow collection (``{...}``), where ``,[]{}`` need quotes.
    """
    yaml = YAML(typ="rt")
    yaml.width = 1 << 20
    scalar: Any = value
    if style == "'":
        scalar = SingleQuotedScalarString(value)
    elif style == '"':
        scalar = DoubleQuotedScalarString(value)
    buffer = io.StringIO()
    yaml.dump({"k": scalar}, buffer)
    text = buffer.getvalue()
    if not text.startswith("k: ") or text.count("\n") != 1:
        return None
    emitted = text[3:-1]
    if flow and emitted[:1] not in ("'", '"') and re.search(r"[,\[\]{}]", emitted):
        return emit_scalar(value, "'", flow=False)
    return emitted


def unsafe_scalar(node: Node | None, source: str, label: str) -> str | None:
    """Why a value cannot be rewritten on its line (None: it can)."""
    if not isinstance(node, ScalarNode):
        return f"its {label} is not a single value"
    if node.style in ("|", ">"):
        return f"its {label} is a block scalar ({node.style})"
    if node.start_mark.line != node.end_mark.line:
        return f"its {label} spans several lines"
    if source[node.start_mark.index:node.start_mark.index + 1] in ("&", "*", "!"):
        return f"its {label} has an anchor, alias or tag"
    return None


def unified_diff(old: str, new: str, rel: str) -> str:
    """A unified diff of one file, ``a/rel`` to ``b/rel`` (empty when nothing changed)."""
    lines = list(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                      fromfile=f"a/{rel}", tofile=f"b/{rel}"))
    # a last line without a newline: unified diff says so, or patch tools would add one
    return "".join(line if line.endswith("\n") else line + "\n" + NO_NEWLINE for line in lines)


def relative_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, POSIX style (an absolute path without its ``/`` when outside it)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix().lstrip("/")
