"""The event log's windows: every event a scenario's steps saw lands on exactly one step (no browser)."""

from __future__ import annotations

from harness.collect.signals import SignalLog
from harness.contracts.records import FailedRequest, SlowRequest, StepSignals


def _arrive(log: SignalLog, console: str = "", failed: str = "", navigations: int = 0) -> None:
    """What Playwright's handlers do when events arrive."""
    if console:
        log.console_errors.append(console)
    if failed:
        log.failed.append(FailedRequest(url=failed, method="GET", status=404))
        log.requests += 1
    log.navigations += navigations


def test_windows_are_contiguous_so_an_event_between_two_steps_lands_on_the_next_one() -> None:
    log = SignalLog()
    _arrive(log, console="during the login fixture", navigations=1)
    log.skip()  # the scenario's first step begins
    _arrive(log, console="during step 1", navigations=1)
    first = log.take()  # step 1's clock stops
    _arrive(log, failed="/late.json")  # while step 1 is probed
    first.add_late(log.take())
    _arrive(log, console="between the steps")  # while step 1's record is written
    _arrive(log, console="during step 2")
    second = log.take()
    assert first.console_errors == ["during step 1"] and first.navigations == 1
    assert [f.url for f in first.failed_requests] == ["/late.json"] and first.requests == 1
    assert second.console_errors == ["between the steps", "during step 2"]
    assert second.failed_requests == [] and second.navigations == 0
    assert log.take() == StepSignals()  # nothing left, nothing counted twice


def test_late_events_add_to_the_step_and_keep_its_slowest_request() -> None:
    step = StepSignals(requests=1, bytes=100, slowest_request=SlowRequest(url="/a", method="GET", status=200,
                                                                          duration_ms=80.0))
    step.add_late(StepSignals(requests=2, bytes=50, page_errors=["boom"],
                              slowest_request=SlowRequest(url="/b", method="GET", status=200, duration_ms=30.0)))
    assert (step.requests, step.bytes, step.page_errors) == (3, 150, ["boom"])
    assert step.slowest_request is not None and step.slowest_request.url == "/a"
    step.add_late(StepSignals(slowest_request=SlowRequest(url="/c", method="GET", status=500, duration_ms=900.0)))
    assert step.slowest_request.url == "/c"
