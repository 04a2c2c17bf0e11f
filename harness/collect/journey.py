"""The state of one scenario run in the browser, and the actions the step library performs.

A :class:`Journey` owns the page of a scenario. It resolves ``"<target>"`` strings
(UI-map name, selector, or accessible name/label/text), measures how long a target took
to become actionable apart from the action itself, waits for the page loads an action
causes, and explains failures in the vocabulary adoption teams use (missing, hidden,
covered, disabled, ambiguous...).
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

from harness.collect.anchors import fingerprint, script
from harness.collect.settle import QUIET_MS, SLICE_MS, is_timeout, patiently, settled
from harness.contracts.targets import FALLBACK_USED
from harness.redaction import Secrets
from harness.spec.profile import AppProfile, Login
from harness.spec.secrets import is_secret_target
from harness.spec.selectors import plain_css
from harness.spec.targets import TargetRef, UnknownTarget, classify_target

T = TypeVar("T")

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page

    from harness.collect.journey_guides import JourneyGuides
    from harness.collect.probes import PageProbes
    from harness.collect.signals import SignalLog
    from harness.collect.target_repair import TargetRepairs
    from harness.collect.tracing import TraceRecorder
    from harness.collect.watchdog import Section, Watchdog
    from harness.contracts.targets import TargetRepair


class StepFailure(AssertionError):
    """A step failed for a reason the harness can name.

    Attributes:
        kind: ``missing``, ``hidden``, ``covered``, ``disabled``, ``ambiguous``, ``offscreen``, ``guide_broken``,
            ``timeout``, ``page_error``, ``assertion``, ``login_failed`` or ``config``.
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(slots=True)
class StepNotes:
    """What the step library learned while running the current step."""

    target: str | None = None
    selector: str | None = None
    fallback_used: bool = False
    wait_ms: float | None = None
    action_ms: float | None = None
    error_kind: str | None = None
    action: str | None = None
    """The step's last action verb (``click``, ``fill``, ``open``...)."""
    harness_ms: float = 0.0
    """Time the harness spent on its own work inside the step (:meth:`Journey.harness_work`): not the user's."""
    fingerprints: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The UI-map targets the step acted on or checked, by name: their element's fingerprint just before."""
    repair: TargetRepair | None = None
    """The repair of the step's UI-map target, when it failed on it (``--heal`` then went on with it)."""
    healed: bool = False
    """The step went on with its target's repaired selector (``--heal``)."""


@dataclass(frozen=True, slots=True)
class Resolved:
    """A target found on the page."""

    ref: TargetRef
    locator: Locator
    selector: str
    fallback_used: bool


_CALL_LOG_KINDS = (
    ("intercepts pointer events", "covered"),
    ("element is not visible", "hidden"),
    ("element is outside of the viewport", "offscreen"),
    ("element is not enabled", "disabled"),
    ("element is disabled", "disabled"),
    ("element is not editable", "disabled"),
    ("strict mode violation", "ambiguous"),
)
_KIND_TEXT = {
    "covered": "another element covers it",
    "hidden": "it is not visible",
    "offscreen": "it cannot be scrolled into view",
    "disabled": "it is disabled",
    "ambiguous": "several elements match",
    "timeout": "it did not become actionable in time",
}


def classify_playwright_error(exc: BaseException) -> tuple[str, str]:
    """Name the reason of a Playwright failure and pick its telling call-log line."""
    text = str(exc)
    for needle, kind in _CALL_LOG_KINDS:
        for line in text.splitlines():
            if needle in line:
                return kind, line.strip(" -")
    first = text.splitlines()[0] if text else type(exc).__name__
    return ("timeout" if "Timeout" in first else "error"), first


_READY_JS = """(els, [strict, needs]) => {
  if (!els.length) return 0;
  if (strict && els.length > 1) return -1;
  const el = els[0];
  if (needs === 'attached') return 1;
  if (!el.isConnected) return -1;
  const shown = el.checkVisibility ? el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
    : el.getClientRects().length > 0;
  if (!shown || el.matches(':disabled') || el.closest('[aria-disabled=true]')) return -1;
  if (el.readOnly || el.getRootNode() !== document) return -1;
  if (needs !== 'hit') return 1;
  let box = el.getBoundingClientRect();
  if (box.bottom < 0 || box.right < 0 || box.top > innerHeight || box.left > innerWidth) {
    el.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' });
    box = el.getBoundingClientRect();
  }
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const top = box.width && box.height ? document.elementFromPoint(x, y) : null;
  return top && (top === el || el.contains(top) || top.control === el || (el.control && el.control === top)) ? 1 : -1;
}"""
"""Whether a target can be acted on right now: 0 no element, 1 ready, -1 there but not ready (or several)."""
_LOOK_JS = f"""(els, args) => {{
  const t0 = performance.now();
  return [({_READY_JS})(els, args), performance.now() - t0];
}}"""
"""The look, timed in the page: [state, ms]."""
_LOOK_CSS_JS = f"""([css, needs]) => {{
  const t0 = performance.now();
  let els;
  try {{ els = document.querySelectorAll(css); }} catch (e) {{ return [0, performance.now() - t0]; }}
  return [({_READY_JS})([...els], [true, needs]), performance.now() - t0];
}}"""
"""The same look for a plain CSS selector, by ``querySelectorAll`` in one round trip (0: ask Playwright)."""


@functools.cache
def _look_css_fingerprint_js() -> str:
    """The CSS look that also reads a ready element's fingerprint (a UI-map target's), in the same round trip."""
    return f"""([css, needs]) => {{
  const t0 = performance.now();
  let els;
  try {{ els = document.querySelectorAll(css); }} catch (e) {{ return [0, performance.now() - t0, null]; }}
  const state = ({_READY_JS})([...els], [true, needs]);
  const print = state === 1 ? ({script()})({{mode: 'fingerprint', element: els[0]}}) : null;
  return [state, performance.now() - t0, print];
}}"""


_PING_JS = "() => [0, 0]"
"""A look at nothing: answered once the page is done with what it was busy with."""
_TRANSPORT_FLOOR_MS: dict[str, float] = {}
"""The fastest round trip seen, per kind of look, in this process: what a look costs on an idle page."""


@dataclass
class Journey:
    """One scenario run's browser state and step actions.

    Attributes:
        page: The scenario's page (fresh context per scenario).
        context: Its browser context.
        profile: The app profile (UI map, pages, users, login).
        base_url: Where the app under test is.
        feature_file: The feature being run (uploads resolve beside it).
        upload_paths: The run's features paths: files may be uploaded from them too
            (:mod:`harness.spec.uploads`).
        signals: The context's event log.
        timeout_ms: How long a step waits for a target or a page.
        sessions: Stored login states of this worker, by user (shared across scenarios).
        tracer: Records the Playwright trace; held from an action on a secret field until the page
            holds no secret (:meth:`release_trace`).
        notes: What the current step learned.
        guides: The app's guides, for guide checks inside the journey (``None``: none).
        probes: The in-page probes of this worker (``None``: off).
        watchdog: The worker's watchdog, which ends a page that stopped answering (``None``: none).
        secrets: The run's secrets (``harness.spec.secrets.run_secrets``).
        repairs: Fingerprints the UI-map targets of passing steps and repairs those a step fails on
            (``None``: neither).
        quiet_ms: How long a page must stay quiet for a wait for what is not there to end early
            (:mod:`harness.collect.settle`); 0 waits the whole timeout.
    """

    page: Page
    context: BrowserContext
    profile: AppProfile
    base_url: str
    feature_file: Path
    signals: SignalLog
    timeout_ms: float = 10_000
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)  # cookies: keep out of logs
    tracer: TraceRecorder | None = None
    notes: StepNotes = field(default_factory=StepNotes)
    guides: JourneyGuides | None = None
    probes: PageProbes | None = None
    watchdog: Watchdog | None = None
    upload_paths: tuple[Path, ...] = ()
    secrets: Secrets = field(default_factory=Secrets, repr=False)
    quiet_ms: float = QUIET_MS
    repairs: TargetRepairs | None = None
    _printed: str | None = field(default=None, init=False, repr=False)
    """The fingerprint the last look read with the target it found ready (JSON), for :meth:`_remember`."""
    gave_up: str | None = field(default=None, init=False)
    """Why the last patient wait ended before the timeout (``None``: it did not)."""

    def watched(self, what: str, hard_limit_s: float | None = None) -> AbstractContextManager[Section | None]:
        """Watch a block with the worker's watchdog; yield its section (``None`` when there is no watchdog)."""
        return self.watchdog.watch(what, hard_limit_s) if self.watchdog is not None else contextlib.nullcontext()

    def flush_events(self) -> None:
        """Let Playwright deliver events already sent by the browser (one cheap round trip).

        Events sent before an action's answer are delivered before it (one connection, in order); this
        catches those that came after it, such as what a click's timer or request caused while the probe
        waited out a dead click's grace period.
        """
        try:
            self.context.cookies()
        except Exception:  # a closed context has nothing left to deliver
            return

    # --- pages -------------------------------------------------------------------------
    def url_for(self, page_or_path: str) -> str:
        """Return the absolute URL of a ``pages:`` name, a path or a URL."""
        try:
            return self.profile.url_for(page_or_path, self.base_url)
        except ValueError as exc:
            raise StepFailure(str(exc), "config") from None

    def open(self, page_or_path: str) -> None:
        """Navigate to a page and wait for it to load; an HTTP error status fails the step."""
        url = self.url_for(page_or_path)
        self.notes.action = "open"
        try:
            response = self.page.goto(url, wait_until="load", timeout=self.timeout_ms)
        except Exception as exc:
            raise StepFailure(f"could not open {url}: {str(exc).splitlines()[0]}", "page_error") from None
        if response is not None and response.status >= 400:
            raise StepFailure(f"{url} answered HTTP {response.status}", "page_error")

    # --- targets -----------------------------------------------------------------------
    def ref(self, written: str) -> TargetRef:
        """Classify a target as written in a step."""
        try:
            return classify_target(written, self.profile)
        except UnknownTarget as exc:
            raise StepFailure(str(exc), "config") from None

    def _candidates(self, ref: TargetRef) -> list[tuple[str, Locator]]:
        """The target's selectors in the order they are tried; a text's candidates are its visible matches."""
        page = self.page
        if ref.kind != "text":
            return [(sel, page.locator(sel)) for sel in ref.selectors]
        name = ref.written
        exact_name = re.compile(rf"^\s*{re.escape(name)}\s*$", re.I)
        return [(sel, loc.filter(visible=True)) for sel, loc in [
            (f'role=button[name="{name}"]', page.get_by_role("button", name=exact_name)),
            (f'role=link[name="{name}"]', page.get_by_role("link", name=exact_name)),
            (f"label={name}", page.get_by_label(name, exact=True)),
            (f"placeholder={name}", page.get_by_placeholder(name, exact=True)),
            (f'role=menuitem[name="{name}"]', page.get_by_role("menuitem", name=exact_name)),
            (f"text={name}", page.get_by_text(name, exact=True)),
            (f"text={name} (partial)", page.get_by_text(name)),
        ]]

    def patiently(self, attempt: Callable[[float], T]) -> T:
        """Call a waiting Playwright call (given its timeout in ms) until it succeeds; its last error when it
        cannot: the step timeout is spent, or the page settled without it (:mod:`harness.collect.settle`)."""
        slice_ms = SLICE_MS if self.quiet_ms else self.timeout_ms
        self.gave_up = None
        start = time.perf_counter()
        result, error = patiently(attempt, self.timeout_ms, self.settled, slice_ms)
        if error is not None:
            waited = (time.perf_counter() - start) * 1000
            self.gave_up = (None if waited >= self.timeout_ms - slice_ms else
                            f"after {waited:.0f} ms, once the page had settled "
                            f"(nothing in flight, no change for {self.quiet_ms:.0f} ms)")
            raise error
        return cast(T, result)

    def settled(self) -> bool:
        """Whether the page has settled (harness work: off the step's clock)."""
        if not self.quiet_ms:
            return False
        with self.harness_work():
            return settled(self.page, self.signals, self.quiet_ms)

    def stop_loading(self) -> None:
        """Stop a navigation still pending after a failed step (Chromium's ``Page.stopLoading``).

        A page whose navigation never answers keeps every later call that needs its document (a probe's
        read, a screenshot) waiting for ever: stopped, the page stays on the document the user was left
        on, and the failed step's evidence and signals are read from it at once.
        """
        with contextlib.suppress(Exception):  # a closed or lost page: nothing is pending any more
            session = self.context.new_cdp_session(self.page)
            try:
                session.send("Page.stopLoading")
            finally:
                session.detach()

    @contextlib.contextmanager
    def harness_work(self) -> Iterator[None]:
        """The harness's own work inside a step (resolving a target, asking the page whether it settled):
        its time is taken out of the step's duration."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.notes.harness_ms += (time.perf_counter() - start) * 1000

    def locate(self, written: str) -> Resolved:
        """Find a target, waiting up to the step timeout for it to be attached (less once the page settled).

        Raises:
            StepFailure: ``missing`` when nothing matches in time.
        """
        ref = self.ref(written)
        self.notes.target = written
        candidates = self._candidates(ref)
        union = candidates[0][1]
        for _, loc in candidates[1:]:
            union = union.or_(loc)
        try:
            self.patiently(lambda timeout: union.first.wait_for(state="attached", timeout=timeout))
        except Exception as exc:
            if not is_timeout(exc):
                raise
            tried = ", ".join(sel for sel, _ in candidates) if ref.kind != "text" else "role, label, text"
            when = self.gave_up or f"after {self.timeout_ms:.0f} ms"
            raise StepFailure(f"{written!r} not found: no element matches ({tried}) {when}", "missing") from None
        for index, (selector, loc) in enumerate(candidates):
            count = loc.count()
            if count:
                return self._resolved(ref, selector, loc if count == 1 or ref.kind != "text" else loc.first, index)
        raise StepFailure(f"{written!r} disappeared while it was being resolved", "missing")

    def find(self, written: str) -> Resolved:
        """A target for a check: one look when it is there (off the clock), else waited for (:meth:`locate`).

        With ``--heal``, a UI-map target that is missing is looked for once more by its repaired selector.
        """
        try:
            resolved = self.ready(written, "attached") or self.locate(written)
        except StepFailure as failure:
            healed = self._heal(written, failure)
            with self._healing(written, healed, failure):
                return self.find(healed)
        self._remember(resolved)
        return resolved

    def _resolved(self, ref: TargetRef, selector: str, locator: Locator, index: int) -> Resolved:
        self.notes.selector = selector
        self.notes.fallback_used = ref.kind != "text" and index > 0
        return Resolved(ref, locator, selector, self.notes.fallback_used)

    def ready(self, written: str, needs: str) -> Resolved | None:
        """The target, when it can be acted on right now; ``None`` when it must be waited for.

        One look per candidate selector, without waiting: the harness's own work, off the step's clock.
        ``None`` also when the first candidate that matches is not ready (hidden, disabled, covered, several
        elements): the waiting path then waits for it, or names why it cannot.

        Args:
            written: The target as written in the step.
            needs: ``attached``, ``visible`` (and enabled, editable for a field) or ``hit`` (also not covered).
        """
        with self.harness_work():
            ref = self.ref(written)
            self.notes.target = written
            candidates = self._candidates(ref)
        css = plain_css(candidates[0][0]) if ref.kind != "text" else None
        if css is not None:  # the common case, one cheap look: the UI map's own selector
            if ref.kind == "map" and self.repairs is not None and not self.notes.healed:  # and its fingerprint
                state = self._look("css-print", lambda: self.page.evaluate(_look_css_fingerprint_js(), [css, needs]))
            else:
                state = self._look("css", lambda: self.page.evaluate(_LOOK_CSS_JS, [css, needs]))
            if state == 1:
                return self._resolved(ref, *candidates[0], 0)
            if state != 0:
                return None
        else:  # the page answers a ping first: what it was still busy with stays on the clock, and then
            # Playwright's engines (roles, labels: the harness's way of looking) run on an idle page, off it
            self._look("css", lambda: self.page.evaluate(_PING_JS))
        for index, (selector, loc) in enumerate(candidates):
            state = self._look("playwright", functools.partial(loc.evaluate_all, _LOOK_JS, [ref.kind != "text", needs]),
                               all_harness=True)
            if state == 0:
                continue
            if state != 1:
                return None
            return self._resolved(ref, selector, loc if ref.kind != "text" else loc.first, index)
        return None

    def _look(self, kind: str, call: Callable[[], list[Any]], all_harness: bool = False) -> int | None:
        """One look in the page: its state (``None`` when the page could not answer).

        What the look costs (its script, and a round trip as fast as the quickest seen) is the harness's
        work, taken out of the step; the rest of its time is the page being busy (still handling the last
        action, rendering), which the user waits for too: it stays on the clock. With ``all_harness`` (a look
        right after another, on a page that just answered) all of it is the harness's.
        """
        start = time.perf_counter()
        self._printed = None
        try:
            state, script_ms, *printed = call()
        except Exception:  # between documents, or a selector the page cannot run: the waiting path takes it
            state, script_ms, printed = None, 0.0, []
        if printed and isinstance(printed[0], str):
            self._printed = printed[0]
        took = (time.perf_counter() - start) * 1000
        transport = max(0.0, took - script_ms)
        floor = _TRANSPORT_FLOOR_MS[kind] = min(_TRANSPORT_FLOOR_MS.get(kind, transport), transport)
        self.notes.harness_ms += took if all_harness else min(took, script_ms + floor)
        return None if state is None else int(state)

    # --- actions -----------------------------------------------------------------------
    def act(self, written: str, verb: str, action: Callable[[Locator], object],
            trial: Callable[[Locator, float], object] | None = None, needs: str | None = None) -> None:
        """Resolve a target, wait until it is actionable, act, and wait for a page load it caused.

        A target that is ready at once is acted on in one Playwright call, as a hand-written script would
        (:meth:`ready`, off the clock); its wait is 0 ms. Otherwise the step waits for it (the wait counts
        as ``wait_ms``) and a page that settled without it ends the wait early.

        Args:
            written: The target as written in the step.
            verb: What is done, for messages (``click``, ``fill``...).
            action: The Playwright action on the resolved locator.
            trial: A no-effect version of the action that only waits for actionability, given its timeout
                (``loc.click(trial=True, timeout=t)``); its time counts as waiting, not acting.
            needs: What makes the target ready (:meth:`ready`): ``hit`` when there is a trial, else ``visible``.

        An action on a secret field (``harness.spec.secrets.is_secret_target``) holds the trace.

        Raises:
            StepFailure: With the reason (missing, hidden, covered, disabled, ambiguous...).
        """
        if self.tracer is not None and is_secret_target(written, self.profile):
            self.tracer.hold()  # before the target is even looked for: the trace would record the action's value
        try:
            self._act(written, verb, action, trial, needs)
        except StepFailure as failure:
            healed = self._heal(written, failure)
            with self._healing(written, healed, failure):
                self._act(healed, verb, action, trial, needs)

    def _act(self, written: str, verb: str, action: Callable[[Locator], object],
             trial: Callable[[Locator, float], object] | None, needs: str | None) -> None:
        self.notes.action = verb.split()[0]
        self.gave_up = None
        resolved = self.ready(written, needs or ("hit" if trial is not None else "visible"))
        start = time.perf_counter()
        if resolved is None:
            try:
                resolved = self.locate(written)
                found = resolved.locator
                if trial is not None:
                    self.patiently(lambda timeout: trial(found, timeout))
                else:
                    self.patiently(lambda timeout: found.wait_for(state="visible", timeout=timeout))
            except Exception as exc:
                self._add_time("wait_ms", start)
                if isinstance(exc, StepFailure) or resolved is None:
                    raise
                self._fail(verb, resolved, exc)
        self._add_time("wait_ms", start)
        self._remember(resolved)
        acted = time.perf_counter()
        navigations = self.signals.navigations
        try:
            action(resolved.locator)
            self.settle(navigations)
        except Exception as exc:
            self._add_time("action_ms", acted)
            self._fail(verb, resolved, exc)
        self._add_time("action_ms", acted)

    def _remember(self, resolved: Resolved) -> None:
        """Fingerprint a UI-map target's element before the step uses it: a later failure's baseline."""
        if self.repairs is None or resolved.ref.kind != "map" or self.notes.healed:
            return
        with self.harness_work():
            printed, self._printed = self._printed, None
            found = json.loads(printed) if printed and not resolved.fallback_used else \
                fingerprint(resolved.locator, plain_css(resolved.selector))
            if found is not None and resolved.fallback_used and self.notes.repair is None:
                self.notes.repair = self.repairs.fallback(self.page, resolved.ref.written, resolved.ref.selectors[0],
                                                          resolved.selector, found)
        if found is not None:
            found["selector"] = resolved.selector
            self.notes.fingerprints[resolved.ref.written] = found

    def _heal(self, written: str, failure: StepFailure) -> str:
        """Repair the UI-map target a step failed on; with ``--heal``, the selector to go on with.

        The repair is the step's (``notes.repair``) whatever happens next. Healing goes on with a
        suggestion once: a second failure is the step's.

        Raises:
            StepFailure: ``failure``, when the step is not healed (no ``--heal``, no suggestion, healed already).
        """
        earlier = self.notes.repair
        if self.repairs is None or self.notes.healed or (earlier is not None and earlier.cause != FALLBACK_USED):
            raise failure
        if self.ref(written).kind != "map":
            raise failure
        self.notes.repair = self.repair_of(written, failure.kind, str(failure))
        suggestion = self.notes.repair.suggestion if self.notes.repair is not None else None
        if not self.repairs.heal or suggestion is None:
            raise failure
        self.notes.healed = True
        self.notes.target = written
        return suggestion.target

    def repair_of(self, target: str | None, kind: str, message: str) -> TargetRepair | None:
        """The repair of a step that failed with ``kind`` on ``target`` (the harness's work, off the clock).

        A UI-map target gets the page's candidates ranked against its baseline (or why none can help); a step
        with no target gets why no selector helps; a selector or a text written in the step gets none (no UI
        map to repair).
        """
        if self.repairs is None:
            return None
        if target is None:
            return self.repairs.repair(None, None, None, kind, message)
        try:
            ref = self.ref(target)
        except StepFailure:
            return None
        if ref.kind != "map":
            return None
        with self.harness_work():
            return self.repairs.repair(self.page, target, ref.selectors[0], kind, message)

    @contextlib.contextmanager
    def _healing(self, written: str, selector: str, failure: StepFailure) -> Iterator[None]:
        """The step goes on with ``selector`` for ``written``; failing again, it fails as it first did, saying so."""
        try:
            yield
        except StepFailure as again:
            raise StepFailure(f"{failure} (healing with {selector} failed too: {again})", failure.kind) from None
        finally:
            self.notes.target = written

    def _add_time(self, field_name: str, since: float) -> float:
        """Add the time since ``since`` to a note (steps with several actions add up); return now."""
        now = time.perf_counter()
        previous = getattr(self.notes, field_name) or 0.0
        setattr(self.notes, field_name, previous + (now - since) * 1000)
        return now

    def settle(self, navigations_before: int) -> None:
        """Wait for the load of a page that the last action navigated to."""
        if self.signals.navigations > navigations_before:
            try:
                self.page.wait_for_load_state("load", timeout=self.timeout_ms)
            except Exception as exc:
                raise StepFailure(f"the page did not finish loading: {str(exc).splitlines()[0]}",
                                  "page_error") from None

    def _fail(self, verb: str, resolved: Resolved, exc: BaseException) -> NoReturn:
        if isinstance(exc, StepFailure):
            raise exc
        kind, detail = classify_playwright_error(exc)
        why = _KIND_TEXT.get(kind, "")
        written = resolved.ref.written
        where = f"{written!r} ({resolved.selector})" if resolved.selector != written else repr(written)
        message = f"cannot {verb} {where}: {why}" if why else f"cannot {verb} {where}"
        if self.gave_up and kind != "ambiguous":
            message += f" ({self.gave_up})"
        raise StepFailure(f"{message} — {detail}", kind) from None

    # --- login -------------------------------------------------------------------------
    def login(self, user: str, password: str | None = None, reuse: bool = True) -> None:
        """Log in through the app's form, or reuse this worker's stored session for ``user``.

        Args:
            user: A key of ``users:`` in the app profile.
            password: A password to type instead of the user's own; the login is then only
                submitted, not expected to succeed (for refused-login journeys).
            reuse: Reuse (and store) the worker's session of ``user``.
        """
        login = self._login_section()
        if user not in self.profile.users:
            raise StepFailure(f"unknown user {user!r}", "config")
        if reuse and password is None and user in self.sessions:
            self._restore_session(self.sessions[user])
            self.open(login.landing_path())
            if not self._on_login_page():
                return
            del self.sessions[user]  # the stored session expired: log in again
        username, secret = self.profile.users[user].credentials()
        self.notes.target = login.submit
        if self.tracer is not None:
            self.tracer.hold()
        try:
            self.open(login.path)
            self.act(login.username, "fill", lambda loc: loc.fill(username))
            self.act(login.password, "fill", lambda loc: loc.fill(secret if password is None else password))
            self.act(login.submit, "click", lambda loc: loc.click(timeout=self.timeout_ms),
                     trial=lambda loc, timeout: loc.click(trial=True, timeout=timeout))
            if password is None:
                self._wait_logged_in(user)
            self.notes.action = "login"
        except BaseException:
            # the form may still hold the password: empty it before the trace (whose DOM
            # snapshots record input values) starts again
            self._clear_password_fields()
            raise
        finally:
            self.release_trace()
        if reuse and password is None:
            self.sessions[user] = dict(self.context.storage_state())

    def release_trace(self) -> None:
        """Let a held trace record again if no frame of the page holds a secret (a no-op when it records)."""
        if self.tracer is not None:
            self.tracer.release(self.page, self.secrets)

    def _clear_password_fields(self) -> None:
        login = self._login_section()
        selectors = ["input[type=password]", *self.ref(login.password).selectors]
        try:
            self.page.evaluate(
                "(sels) => sels.forEach(s => { try { document.querySelectorAll(s).forEach(e => {"
                " if ('value' in e) e.value = ''; }); } catch (e) {} })", selectors)
        except Exception:  # the page may be gone; then nothing holds the password either
            return

    def _restore_session(self, state: dict[str, Any]) -> None:
        """Apply a stored Playwright storage state (cookies and localStorage) to this context."""
        self.context.add_cookies(state.get("cookies", []))
        origins = {o["origin"]: {i["name"]: i["value"] for i in o.get("localStorage", [])}
                   for o in state.get("origins", []) if o.get("localStorage")}
        if origins:
            self.context.add_init_script(
                "(() => { const stored = " + json.dumps(origins) + "[location.origin];"
                " if (stored) for (const [k, v] of Object.entries(stored))"
                " { if (localStorage.getItem(k) === null) localStorage.setItem(k, v); } })();")

    def _login_section(self) -> Login:
        if self.profile.login is None:
            raise StepFailure("the app profile has no login: section", "config")
        return self.profile.login

    def _on_login_page(self) -> bool:
        login = self.profile.login
        return bool(login and login.path in self.page.url)

    def _wait_logged_in(self, user: str) -> None:
        login = self._login_section()
        try:
            if login.success_url_contains:
                self.page.wait_for_url(f"**{login.success_url_contains}**", timeout=self.timeout_ms)
            if login.success_text:
                self.page.get_by_text(login.success_text).first.wait_for(timeout=self.timeout_ms)
        except Exception:
            raise StepFailure(f"login as {user!r} did not succeed (still at {self.page.url})",
                              "login_failed") from None
