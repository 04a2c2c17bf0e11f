"""What a ``"<target>"`` in a step means: a UI-map name, a selector, or visible text.

Rules, in order:
1. A name in the profile's ``targets:`` is that target (its selector and fallbacks).
2. A dotted name whose first segment is a UI-map namespace (``expense.sbumit`` when the map
   has ``expense.submit``) is a typo: an unknown target, reported with the closest names.
3. Something that looks like a Playwright selector (``#id``, ``.cls``, ``css=``, ``role=``,
   ``a >> b``...) is a selector, checked for syntax.
4. Anything else is an accessible name, label, placeholder or text, found at run time.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from harness.spec.selectors import looks_like_selector, selector_error

if TYPE_CHECKING:
    from harness.spec.profile import AppProfile

TargetKind = Literal["map", "selector", "text"]


@dataclass(frozen=True, slots=True)
class TargetRef:
    """A target as the step library will look for it.

    Attributes:
        written: The target exactly as written in the step.
        kind: ``map`` (UI-map name), ``selector`` or ``text``.
        selectors: Selectors to try in order (primary then fallbacks); empty for ``text``.
    """

    written: str
    kind: TargetKind
    selectors: tuple[str, ...] = ()


class UnknownTarget(ValueError):
    """A target that looks like a UI-map name but is not in the map, or a bad selector."""


def classify_target(written: str, profile: AppProfile | None) -> TargetRef:
    """Decide how to find ``written``.

    Raises:
        UnknownTarget: For a typo of a UI-map name or a selector with a syntax error.
    """
    targets = profile.targets if profile else {}
    if written in targets:
        return TargetRef(written, "map", tuple(targets[written].selectors))
    head = written.split(".", 1)[0]
    if profile and "." in written and " " not in written and head in profile.namespaces():
        close = difflib.get_close_matches(written, list(targets), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownTarget(f"unknown target {written!r}: not in the UI map{hint}")
    if looks_like_selector(written):
        problem = selector_error(written)
        if problem:
            raise UnknownTarget(f"bad selector {written!r}: {problem}")
        return TargetRef(written, "selector", (written,))
    return TargetRef(written, "text")
