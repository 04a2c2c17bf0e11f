"""The test tiers: a test that starts a browser or a server-backed run is marked ``e2e``.

``tests/conftest.py`` marks tests by the fixtures they use and tells this module whether the
running test is marked; the helpers that start a browser or a harness process call
:func:`require_e2e`, so a test that forgot its mark fails instead of slowing the fast tier.
"""

from __future__ import annotations

_state = {"e2e": True}  # outside a test (collection, a script) nothing is refused


def set_current(e2e: bool) -> None:
    """Record whether the test about to run is marked ``e2e``."""
    _state["e2e"] = e2e


def require_e2e(what: str) -> None:
    """Fail when the running test is not marked ``e2e``.

    Raises:
        AssertionError: The running test starts ``what`` without the mark.
    """
    if not _state["e2e"]:
        raise AssertionError(f"{what}: a test that starts a browser or a harness process must be marked e2e")
