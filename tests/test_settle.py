"""A patient wait (harness.collect.settle.patiently), on plain calls: no browser."""

from __future__ import annotations

import pytest

from harness.collect.settle import is_timeout, patiently


class PlaywrightTimeout(Exception):
    """Stands for playwright's TimeoutError (matched by its name, as the real one is)."""


PlaywrightTimeout.__name__ = "TimeoutError"


def failing(times: int, result: str = "found") -> tuple[list[float], object]:
    """An attempt that times out ``times`` times, then returns ``result``; it logs the timeouts it was given."""
    given: list[float] = []

    def attempt(timeout: float) -> str:
        given.append(timeout)
        if len(given) <= times:
            raise PlaywrightTimeout(f"Timeout {timeout:.0f}ms exceeded.")
        return result

    return given, attempt


def test_a_target_that_comes_late_on_a_busy_page_is_waited_for() -> None:
    given, attempt = failing(3)
    assert patiently(attempt, 10_000, is_settled=lambda: False, slice_ms=250) == ("found", None)
    assert given == [250, 250, 250, 250]


def test_a_settled_page_ends_the_wait_with_the_last_error() -> None:
    given, attempt = failing(100)
    looks = iter([False, False, True])
    result, error = patiently(attempt, 10_000, is_settled=lambda: next(looks), slice_ms=250)
    assert result is None and isinstance(error, PlaywrightTimeout) and len(given) == 3


def test_without_a_quiet_window_one_try_takes_the_whole_timeout() -> None:
    given, attempt = failing(1)
    result, error = patiently(attempt, 2_000, is_settled=lambda: True, slice_ms=2_000)
    assert result is None and error is not None and len(given) == 1 and given[0] > 1_900


def test_an_error_that_is_not_a_timeout_is_raised_at_once() -> None:
    def attempt(timeout: float) -> None:
        raise ValueError("strict mode violation: 2 elements")

    with pytest.raises(ValueError, match="strict mode"):
        patiently(attempt, 10_000, is_settled=lambda: False)


@pytest.mark.parametrize(("error", "timeout"), [
    (PlaywrightTimeout("Timeout 250ms exceeded."), True),
    (AssertionError("Locator expected to be visible"), True),  # an expect() that did not come true in time
    (ValueError("Element is not attached to the DOM"), False),
])
def test_what_counts_as_a_timeout(error: Exception, timeout: bool) -> None:
    assert is_timeout(error) is timeout
