"""What every ``harness`` command shares: the consoles and how a user error is shown."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from harness.errors import HarnessError, SpecErrors
from harness.untrusted import printable


class SafeConsole(Console):
    """A console that shows control characters instead of obeying them, and no emoji codes.

    Every string it renders passes :func:`harness.untrusted.printable` first: a step's error or a
    finding's message carries the app's text, and an escape sequence in it must not clear the
    screen, move the cursor or forge a link. ``:v:`` in a label stays ``:v:``.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(printable(text), **kwargs)


out = SafeConsole(highlight=False, emoji=False)
err = SafeConsole(stderr=True, highlight=False, emoji=False)


def fail(exc: HarnessError) -> typer.Exit:
    """Print a user error (each problem on its own line, with file:line) and return the exit."""
    problems = exc.errors if isinstance(exc, SpecErrors) else [exc]
    for problem in problems:
        err.print(f"[bold red]error:[/] {escape(str(problem))}", markup=True, soft_wrap=True)
    if len(problems) > 1:
        err.print(f"{len(problems)} problems; nothing was run.")
    return typer.Exit(exc.exit_code)


GridOpt = Annotated[str | None, typer.Option(
    "--grid", help="take every browser from this Selenium Grid 4 (its router's URL, http(s)://...); else "
                   "$HARNESS_GRID, else grid in [tool.harness] of pyproject.toml (docs/scale.md)")]
"""Where every browser comes from: a Selenium Grid 4 (``harness.spec.remote``, ``docs/scale.md``)."""
ConnectOpt = Annotated[str | None, typer.Option(
    "--connect", help="take every browser from this Playwright browser server (`playwright run-server`, ws://...); "
                      "else $HARNESS_CONNECT, else connect in [tool.harness] of pyproject.toml")]
"""Where every browser comes from: a Playwright browser server."""
