"""``harness repair RUN``: the repairs a run's failed steps found for their UI-map targets; the patch to app.yaml."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from harness.cli.common import fail, out
from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.guides.uimap_fixes import MapEdit, MapSkip, TargetAsk, UiMapFixes


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _say(text: str, indent: int = 0) -> None:
    """One line of app text (selectors, notes), control characters shown, never obeyed."""
    out.print(" " * indent + text, markup=False, soft_wrap=True, highlight=False)


def _print_ask(ask: TargetAsk, edit: MapEdit | None, skip: MapSkip | None, profile: str) -> None:
    healed = f", {ask.healed} healed" if ask.healed else ""
    _say(f"{ask.target}: {', '.join(ask.causes)} in {_plural(len(ask.steps), 'step')} of "
         f"{_plural(ask.scenarios, 'scenario')}{healed}")
    old = ask.selectors[0] if len(ask.selectors) == 1 else " | ".join(ask.selectors) or "?"
    many = len(ask.proposals) > 1
    for new, (suggestion, steps) in ask.proposals.items():
        score = f"score {suggestion.score:.2f}" if suggestion.score is not None else "no score"
        votes = f" ({_plural(len(steps), 'step')})" if many else ""
        _say(f"{old}  →  {new}   {score}{votes}", 2)
        if suggestion.reasons:
            _say(f"why: {', '.join(suggestion.reasons)}", 4)
    if edit is not None:
        kept = ", the old selector kept as its first fallback" if edit.kept_old else ""
        _say(f"in the patch ({profile}:{edit.line}){kept}", 2)
    elif skip is not None:
        _say(f"left out of the patch: {skip.reason}", 2)


def print_repairs(fixes: UiMapFixes, run_dir: Path) -> None:
    """Print each target's repair (or why none), and what the patch does with it."""
    if not fixes.asked and not fixes.unrepaired:
        _say(f"Nothing to repair: no failed step of {run_dir} carries a UI-map repair.")
        return
    edits = {e.target: e for e in fixes.edits}
    skips = {s.target: s for s in fixes.skipped}
    if fixes.asked:
        _say(f"UI-map repairs for {fixes.profile}:")
        for ask in fixes.asked:
            _print_ask(ask, edits.get(ask.target), skips.get(ask.target), fixes.profile)
    if fixes.unrepaired:
        _say("No repair found:")
        for group in fixes.unrepaired:
            why = f": {group.note}" if group.note else ""
            where = group.target or "no UI-map target"
            _say(f"{where} ({group.cause}, {_plural(len(group.steps), 'step')}){why}", 2)


def repair(
    run_dir: Annotated[Path, typer.Argument(help="a run folder")],
    write_fixes: Annotated[bool, typer.Option("--write-fixes", help="write the repairs as ui-map-fixes.patch "
                                              "into the run folder, to review and git apply")] = False,
    keep_old: Annotated[bool, typer.Option("--keep-old", help="keep each old selector as the first fallback "
                                           "of its target")] = False,
    app: Annotated[str | None, typer.Option("--app", help="the app profile to patch: name under journeys/ or "
                                            "path to app.yaml (default: the run's own)")] = None,
) -> None:
    """Show the repairs a run's failed steps found for their UI-map targets; write them as a patch to app.yaml.

    Example: harness repair reports/20261126-190501-demo --write-fixes --keep-old
    """
    from harness.pipeline import ui_map_fixes

    try:
        fixes, written = ui_map_fixes(run_dir, write=write_fixes, keep_old=keep_old, app=app)
    except HarnessError as exc:
        raise fail(exc) from None
    print_repairs(fixes, run_dir)
    if not fixes.edits:
        if fixes.asked:
            _say("No UI-map fix to write." if write_fixes else "No UI-map fix to propose.")
        return
    edited = _plural(len(fixes.edits), "target")
    if written is None:
        _say(f"{edited} can be fixed in {fixes.profile}: write the patch with --write-fixes"
             + ("" if keep_old else " (--keep-old keeps the old selectors as fallbacks)"))
        return
    _say(f"Patch ({edited}): {written}")
    _say(f"Apply it from the project root: cd {shlex.quote(str(fixes.root))} && "
         f"git apply {shlex.quote(str(written.resolve()))}")
