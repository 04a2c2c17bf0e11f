"""What a step caused in the page, from Playwright events: navigations, requests, errors, dialogs.

Listeners are attached once per browser context. The log is read in contiguous windows:
``skip()`` before a scenario's first step drops what its set-up caused, then each ``take()``
returns the events since the previous one. A step takes its window when its clock stops and
once more after its probes were read, so a step owns exactly the events that arrived while it
ran, and an event that arrives between two steps lands on the next one: none is lost or
counted twice. A request a step started but that ends after the step returned (a background
fetch) is counted on the step during which it ends.

JavaScript dialogs are recorded and dismissed (as Playwright does when nobody listens), so a
journey never hangs on an unexpected ``alert()``. A dismissed ``beforeunload`` prompt ("Leave
site? Changes may not be saved") cancels the navigation that raised it: the step that tried to
leave fails and says so (:func:`leaving_cancelled`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.contracts.records import Dialog, FailedRequest, SlowRequest, StepSignals

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Frame, Page, Request, Response
    from playwright.sync_api import Dialog as PwDialog

MAX_TEXT = 500
NAVIGATION_CANCELLED = "navigation_cancelled"
"""The ``error_kind`` of a step whose navigation a ``beforeunload`` prompt cancelled."""


def leaving_cancelled(signals: StepSignals | None) -> str | None:
    """Why the step could not leave the page, when a ``beforeunload`` prompt was dismissed during it."""
    if signals is None or not any(d.type == "beforeunload" for d in signals.dialogs):
        return None
    return ("the page asked to confirm leaving it (a beforeunload prompt, often unsaved changes); the harness "
            "answers such prompts with Cancel, so the page was not left")


@dataclass
class SignalLog:
    """Events of one browser context, in arrival order.

    Not slotted: Playwright tags bound-method handlers with attributes.

    Attributes:
        navigations: Count of main-frame navigations.
        requests: Count of requests started.
        failed: Failed requests (network failures and HTTP status >= 400).
        console_errors: Text of ``console.error`` messages.
        page_errors: Uncaught exceptions in the page.
        finished: Requests that finished: (url, method, status, duration ms).
        received: Bytes announced by the responses (``content-length``), summed.
        dialogs: JavaScript dialogs the page raised.
        in_flight: Requests started and not yet finished or failed.
        last_activity: ``time.perf_counter()`` of the last request started or ended, or navigation.
    """

    navigations: int = 0
    requests: int = 0
    failed: list[FailedRequest] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    finished: list[tuple[str, str, int | None, float]] = field(default_factory=list)
    received: int = 0
    dialogs: list[Dialog] = field(default_factory=list)
    in_flight: int = 0
    last_activity: float = field(default_factory=time.perf_counter)
    _status: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _cursor: tuple[int, ...] = (0, 0, 0, 0, 0, 0, 0, 0)

    def attach(self, context: BrowserContext) -> None:
        """Listen to a context: every page it opens, now and later."""
        context.on("request", self._on_request)
        context.on("requestfailed", self._on_request_failed)
        context.on("response", self._on_response)
        context.on("requestfinished", self._on_request_finished)
        context.on("dialog", self._on_dialog)
        context.on("console", self._on_console)
        context.on("weberror", lambda err: self.page_errors.append(str(err.error)[:MAX_TEXT]))
        context.on("page", self.watch_page)
        for page in context.pages:
            self.watch_page(page)

    def watch_page(self, page: Page) -> None:
        """Count main-frame navigations of ``page``."""
        page.on("framenavigated", lambda frame: self._on_navigated(page, frame))

    def mark(self) -> tuple[int, ...]:
        """Return a position in the log, to diff against later."""
        return (self.navigations, self.requests, len(self.failed), len(self.console_errors),
                len(self.page_errors), len(self.finished), self.received, len(self.dialogs))

    def skip(self) -> None:
        """Start the next window now: what arrived so far belongs to no step."""
        self._cursor = self.mark()

    def take(self) -> StepSignals:
        """Return what arrived since the previous ``take`` (or ``skip``), and start the next window."""
        events = self.since(self._cursor)
        self._cursor = self.mark()
        return events

    def since(self, mark: tuple[int, ...]) -> StepSignals:
        """Return what happened after ``mark``."""
        nav, req, failed, console, errors, finished, received, dialogs = mark
        done = self.finished[finished:]
        slowest = max(done, key=lambda item: item[3], default=None)
        return StepSignals(
            navigations=self.navigations - nav,
            requests=self.requests - req,
            failed_requests=list(self.failed[failed:]),
            console_errors=list(self.console_errors[console:]),
            page_errors=list(self.page_errors[errors:]),
            bytes=self.received - received,
            slowest_request=SlowRequest(url=slowest[0], method=slowest[1], status=slowest[2],
                                        duration_ms=slowest[3]) if slowest else None,
            dialogs=list(self.dialogs[dialogs:]),
        )

    def _on_navigated(self, page: Page, frame: Frame) -> None:
        if frame == page.main_frame:
            self.navigations += 1
            self.last_activity = time.perf_counter()

    def _on_request(self, request: Request) -> None:
        self.requests += 1
        self.in_flight += 1
        self.last_activity = time.perf_counter()

    def _ended(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.last_activity = time.perf_counter()

    def _on_request_failed(self, request: Request) -> None:
        self._ended()
        self.failed.append(FailedRequest(url=request.url[:MAX_TEXT], method=request.method,
                                         failure=(request.failure or "failed")[:MAX_TEXT]))

    def _on_response(self, response: Response) -> None:
        length = response.headers.get("content-length")
        if length and length.isdigit():
            self.received += int(length)
        self._status[(response.url, response.request.method)] = response.status
        if response.status >= 400:
            self.failed.append(FailedRequest(url=response.url[:MAX_TEXT], method=response.request.method,
                                             status=response.status))

    def _on_request_finished(self, request: Request) -> None:
        self._ended()
        timing = request.timing
        end = timing.get("responseEnd", -1)
        if end is None or end < 0:
            return
        status = self._status.pop((request.url, request.method), None)  # from the response event: no round trip
        self.finished.append((request.url[:MAX_TEXT], request.method, status, round(end, 1)))

    def _on_dialog(self, dialog: PwDialog) -> None:
        self.dialogs.append(Dialog(type=dialog.type, message=dialog.message[:MAX_TEXT]))
        try:
            dialog.dismiss()
        except Exception:  # someone else (a custom step) handled it first
            return

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text[:MAX_TEXT])
