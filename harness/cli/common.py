"""What every ``harness`` command shares: the consoles and how a user error is shown."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from harness.errors import HarnessError, SpecErrors

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def fail(exc: HarnessError) -> typer.Exit:
    """Print a user error (each problem on its own line, with file:line) and return the exit."""
    problems = exc.errors if isinstance(exc, SpecErrors) else [exc]
    for problem in problems:
        err.print(f"[bold red]error:[/] {escape(str(problem))}", markup=True, soft_wrap=True)
    if len(problems) > 1:
        err.print(f"{len(problems)} problems; nothing was run.")
    return typer.Exit(exc.exit_code)
