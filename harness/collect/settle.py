"""When a page has settled: no request in flight, no DOM change and no running animation for a quiet window.

A step waiting for something that is not there (a target, a text, a state) used to wait its whole
timeout. Once the page has settled nothing will change it any more, short of a timer the page set
without showing anything: :func:`patiently` then ends the wait early with the same reason the
timeout would have given. Anything that keeps a page busy (a slow request, a spinner's animation,
a DOM that keeps changing) keeps the wait going, up to the step's timeout as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from harness.contracts.settings import DEFAULTS

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from harness.collect.signals import SignalLog

T = TypeVar("T")

QUIET_MS: float = DEFAULTS.quiet_ms
"""How long a page must stay quiet before a wait gives up early (``RunSettings.quiet_ms``)."""
SLICE_MS = 250.0
"""How long each try of a patient wait lasts before the page is asked whether it has settled."""
CHECK_TIMEOUT_MS = 1_000.0
"""How long the page may take to say whether it is quiet: one that does not answer is busy."""

_QUIET_JS = """() => {
  let q = window.__harnessQuiet;
  if (!q) {
    q = window.__harnessQuiet = { last: performance.now() };
    new MutationObserver(() => { q.last = performance.now(); })
      .observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  }
  const animating = (typeof document.getAnimations === 'function'
    && document.getAnimations().some((a) => a.playState === 'running'))
    || [...document.querySelectorAll('[aria-busy=true]')].some((el) => el.getClientRects().length > 0);
  return [performance.now() - q.last, document.readyState === 'complete', animating];
}"""
"""Install (once per document) a DOM-change watch; answer [ms since the last change, loaded, animating]."""


def is_timeout(exc: BaseException) -> bool:
    """Whether a Playwright call gave up waiting: a ``TimeoutError``, or an ``expect`` that did not come true."""
    return isinstance(exc, AssertionError) or "Timeout" in type(exc).__name__ or "Timeout " in str(exc)[:200]


def settled(page: Page, signals: SignalLog, quiet_ms: float = QUIET_MS) -> bool:
    """Whether the page has been quiet for ``quiet_ms``: nothing in flight, no DOM change, no animation, loaded."""
    if signals.in_flight or (time.perf_counter() - signals.last_activity) * 1000 < quiet_ms:
        return False
    try:
        since_change, loaded, animating = page.locator(":root").evaluate(
            f"(_root) => ({_QUIET_JS})()", timeout=CHECK_TIMEOUT_MS)
    except Exception:  # navigating, busy or closed: not settled
        return False
    return bool(loaded and not animating and since_change >= quiet_ms)


def patiently(attempt: Callable[[float], T], timeout_ms: float, is_settled: Callable[[], bool],
              slice_ms: float = SLICE_MS) -> tuple[T, None] | tuple[None, BaseException]:
    """Try ``attempt(timeout)`` in short slices until it succeeds, the timeout is spent, or the page has settled.

    Args:
        attempt: A waiting Playwright call, given how long it may wait (ms); it must have no effect
            when it fails (a wait, an ``expect``, a trial action).
        timeout_ms: The step's timeout.
        is_settled: Whether the page has settled (asked after each slice that timed out).
        slice_ms: How long one try waits; ``timeout_ms`` or more: one try, as without patience.

    Returns:
        ``(result, None)``, or ``(None, error)``: the last try's error (its call log tells why), when the
        timeout was spent or the page settled without the awaited state. Any other error is raised.
    """
    deadline = time.perf_counter() + timeout_ms / 1000
    while True:
        remaining = (deadline - time.perf_counter()) * 1000
        try:
            return attempt(max(1.0, min(slice_ms, remaining))), None
        except Exception as exc:
            if not is_timeout(exc):
                raise
            if remaining <= slice_ms or is_settled():
                return None, exc
