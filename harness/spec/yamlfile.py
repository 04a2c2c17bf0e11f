"""Read YAML keeping line numbers, and turn validation errors into file:line messages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from harness.errors import SpecError

M = TypeVar("M", bound=BaseModel)


def load_yaml(path: Path) -> Any:
    """Load a YAML file with ruamel's round-trip loader, which remembers line numbers.

    Raises:
        SpecError: When the file is missing or is not valid YAML, naming the line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("file not found", path) from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text ({exc.reason})", path) from None
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(f"invalid YAML: {problem}", path, line) from None
    except RecursionError:  # thousands of nested [ or {: no profile or guide is shaped like that
        raise SpecError("invalid YAML: nested too deeply", path) from None


def line_of(data: Any, loc: Sequence[str | int]) -> int | None:
    """Return the 1-based line of the value at ``loc`` in ruamel data, or of its nearest parent."""
    line: int | None = None
    node = data
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    if line is None and isinstance(data, CommentedMap | CommentedSeq):
        line = data.lc.line + 1
    return line


def validate(model: type[M], data: Any, path: Path) -> M:
    """Validate ``data`` against ``model``; report the first problem with its file and line.

    Raises:
        SpecError: On the first validation error, with the line of the offending key.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [part for part in first["loc"] if isinstance(part, str | int)]
        # pydantic puts union member names (e.g. "str") in the location; keep real keys only
        line = line_of(data, loc)
        dotted = ".".join(str(part) for part in loc) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SpecError(f"{dotted}: {first['msg']}{more}", path, line) from None
