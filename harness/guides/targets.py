"""A journey step's failure and its UI-map target: whether a new selector can repair it, and if not, why.

Pure: the vocabulary is the step library's failure kinds (``harness.collect.journey.StepFailure``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Failure kinds whose cause is the target's selector: a better selector can repair the step.
REPAIRABLE_KINDS = frozenset({"missing", "ambiguous", "hidden", "text_changed"})

_NOT_THE_SELECTOR: dict[str, str] = {
    "covered": "the target was found, visible, but another element covers it{detail}: a step must dismiss what "
               "covers it (a banner, a dialog); a new selector cannot",
    "disabled": "the target was found but is disabled: the journey's data or an earlier step keeps it so, "
                "not its selector",
    "offscreen": "the target was found but cannot be scrolled into view: the page's layout, not the selector",
    "timeout": "the target was found but did not become actionable in time: the page, not the selector",
    "page_error": "the page did not load: no selector can repair that",
    "login_failed": "the login did not succeed: credentials or the login page, not a selector",
    "config": "the step is written wrong (an unknown target or page, a bad selector): fix the feature or the UI map",
    "unknown_step": "no step definition matches the step: fix the feature",
}
_NO_TARGET = ("the step failed on what the page shows{detail}, not on finding a UI-map target: a new selector "
              "cannot repair it")


def repairable(kind: str | None) -> bool:
    """Whether a step failing with ``kind`` may be repaired by a new selector for its target."""
    return kind in REPAIRABLE_KINDS


def why_not(kind: str | None, target: str | None, detail: str = "") -> str:
    """Why a step that failed with ``kind`` gets no selector repair (``detail``: the telling part of its error)."""
    shown = f" ({detail})" if detail else ""
    if kind in _NOT_THE_SELECTOR:
        return _NOT_THE_SELECTOR[kind].format(detail=shown)
    if target is None or kind in ("assertion", "text_not_found"):
        return _NO_TARGET.format(detail=shown)
    return f"the step failed for a reason ({kind}) a new selector cannot repair"


def no_baseline(target: str) -> str:
    """Why a repairable target has no suggestion: no passing run ever resolved it."""
    return (f"no baseline for {target}: no registered run has passed a step that resolved it; a passing run "
            "on a version where it works records one (it is kept in the run history)")


def nothing_close(target: str, cause: str, minimum: float, best: tuple[float, str] | None) -> str:
    """Why a repairable target has no suggestion: no element of the page is like its baseline."""
    seen = f"; the closest, {best[1]}, scores {best[0]:.2f}" if best else ""
    where = (" It is probably behind a menu, a tab or a step the journey must now take first." if cause == "hidden"
             else "")
    return (f"no visible element of the page scores {minimum:.2f} or more against {target}'s last passing "
            f"fingerprint{seen}: proposing none rather than a wrong element.{where}")


_TEXT_FIELDS = ("text", "name")


def text_changed(diff: Sequence[Mapping[str, Any]]) -> bool:
    """Whether an element kept its identity but changed its words (a diff of ``similarity.fingerprint_diff``)."""
    fields = {str(d.get("field")) for d in diff}
    return bool(fields & set(_TEXT_FIELDS)) and not fields & {"tag", "id"}
