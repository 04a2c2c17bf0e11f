"""Where a run's browsers come from: a Selenium Grid 4, a Playwright browser server, or this machine.

Each of ``grid`` and ``connect`` is read from, in order, the command line (``--grid``/``--connect``,
or the plugin's ``--harness-grid``/``--harness-connect``), the environment (``HARNESS_GRID``,
``HARNESS_CONNECT``), then ``[tool.harness]`` of the project's ``pyproject.toml``. The first place
that names either settles both: ``--connect`` on the command line is not mixed with a grid of the
environment. A URL is checked for its scheme here, with the file and line of a pyproject mistake;
whether anything answers there is checked before the run (``harness.collect.remote``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from harness.errors import SpecError
from harness.redaction import without_credentials
from harness.spec.pyproject import read_pyproject

ENV_GRID = "HARNESS_GRID"
ENV_CONNECT = "HARNESS_CONNECT"
SCHEMES = {"grid": ("http", "https"), "connect": ("ws", "wss")}
"""The URL schemes each source takes."""


def check_url(kind: str, url: str, where: str, path: Path | None = None, line: int | None = None) -> str:
    """``url`` as given, once it is a URL of the scheme ``kind`` takes (``grid``: http(s), ``connect``: ws(s)).

    Raises:
        SpecError: It is not (the message shows it without its credentials).
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - a port out of range raises here
    except ValueError:
        host, parts = None, None
    schemes = SCHEMES[kind]
    if parts is None or parts.scheme not in schemes or not host:
        raise SpecError(f"{where}: {without_credentials(url)!r} is not a {' or '.join(schemes)} URL "
                        f"({'a Selenium Grid router' if kind == 'grid' else 'a Playwright browser server'})",
                        path, line)
    return url


def _line_of(text: str, key: str) -> int | None:
    """The line of ``key = ...`` in ``[tool.harness]`` of a pyproject text (or of the table's header)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "[tool.harness]"), None)
    if start is None:
        return None
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("["):
            break
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[i]):
            return i + 1
    return start + 1


def from_pyproject(root: Path) -> tuple[str | None, str | None]:
    """``grid`` and ``connect`` of ``[tool.harness]`` in ``root/pyproject.toml`` (``None`` where not set).

    Raises:
        SpecError: Not valid TOML, a value that is not a string or not a URL of its kind, or both set;
            with the file and line.
    """
    found_file = read_pyproject(root)
    if found_file is None:
        return None, None
    path, text, data = found_file
    table = data.get("tool", {}).get("harness", {})
    if not isinstance(table, dict):
        return None, None
    found: dict[str, str | None] = {}
    for key in ("grid", "connect"):
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            raise SpecError(f"[tool.harness] {key}: must be a string (a URL)", path, _line_of(text, key))
        found[key] = check_url(key, value, f"[tool.harness] {key}", path, _line_of(text, key)) if value else None
    if found["grid"] and found["connect"]:
        raise SpecError("[tool.harness]: set grid or connect, not both", path, _line_of(text, "connect"))
    return found["grid"], found["connect"]


def browser_endpoints(grid: str | None, connect: str | None, environ: Mapping[str, str],
                      root: Path) -> tuple[str | None, str | None]:
    """The run's ``(grid, connect)``: the command line's, else the environment's, else pyproject's.

    Args:
        grid: ``--grid`` as given on the command line.
        connect: ``--connect`` as given on the command line.
        environ: The environment (``HARNESS_GRID``, ``HARNESS_CONNECT``).
        root: The project folder holding ``pyproject.toml``.

    Raises:
        SpecError: A URL of the wrong scheme, or a bad ``[tool.harness]`` (with its file and line).
    """
    if grid or connect:
        chosen, origin = (grid, connect), ("--grid", "--connect")
    elif environ.get(ENV_GRID) or environ.get(ENV_CONNECT):
        chosen, origin = (environ.get(ENV_GRID) or None, environ.get(ENV_CONNECT) or None), (ENV_GRID, ENV_CONNECT)
    else:
        return from_pyproject(root)
    return (check_url("grid", chosen[0], origin[0]) if chosen[0] else None,
            check_url("connect", chosen[1], origin[1]) if chosen[1] else None)
