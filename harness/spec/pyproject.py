"""The project's ``pyproject.toml``, read once for its ``[tool.harness]`` tables."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from harness.errors import SpecError

PYPROJECT = "pyproject.toml"


def read_pyproject(root: Path) -> tuple[Path, str, dict[str, Any]] | None:
    """``root/pyproject.toml``: its path, its text (for line numbers) and its data; ``None`` when there is none.

    Raises:
        SpecError: It is not valid TOML (with the line TOML names).
    """
    path = root / PYPROJECT
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    try:
        return path, text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise SpecError(f"not valid TOML: {exc}", path, int(match.group(1)) if match else None) from None
