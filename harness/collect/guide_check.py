"""Visit the pages guides live on, once each, and examine every anchor there in one pass.

Two uses: :func:`record_baselines` stores each step's fingerprint and a cropped screenshot on
a version known to be good; :func:`check` gives every step a status (``harness/audit``),
evidence and, when the selector is at fault, a repair suggestion verified on the live page.
Step results (``harness/contracts/guides.py``) are appended to ``guides.jsonl`` as they are
made, so a crash loses nothing already checked; ``harness/guides/results.py`` turns them into
``guides.json``.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlparse

from harness.collect import anchors as probe_js
from harness.collect.anchors import Anchor
from harness.collect.browser import launched
from harness.collect.remote import remote_from
from harness.contracts.guides import (
    Alternative,
    Evidence,
    GuideStepCheck,
    JourneyStep,
    Suggestion,
)
from harness.contracts.settings import DEFAULTS
from harness.errors import HarnessError
from harness.guides.repair import ROBUSTNESS, selector_candidates, vocabulary
from harness.guides.similarity import fingerprint_diff, nested, rank
from harness.guides.status import REPAIRABLE, Verdict, classify
from harness.runfolder.guides import append_guide_step, clear_guide_steps
from harness.spec.guide_baseline import Baseline, baseline_folder, save_baseline
from harness.spec.guides import Guide, GuideStep, is_plain_css
from harness.spec.profile import AppProfile

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

GUIDE_ARTIFACTS = Path("artifacts") / "guides"
RED, GREEN, ORANGE = "#c62828", "#2e7d32", "#ef6c00"


@dataclass
class GuideRun:
    """What a baseline or a check needs.

    Attributes:
        profile: The app profile (pages, users, login).
        guides: The guides to examine.
        guides_folder: Where the guides (and their baselines) live.
        base_url: The app under test.
        out_dir: The output folder of a check (screenshots, ``guides.jsonl``).
        baselines: Baselines by guide id (a check compares against them).
        browser_path: An explicit Chromium.
        grid: A Selenium Grid 4 the browser is taken from (its URL, credentials included).
        connect: A Playwright browser server the browser is taken from (its ws URL).
        headed: Show the browser.
        timeout_ms: Page-load timeout.
        screenshots: Take evidence screenshots of steps that are not ok.
        one_call_per_anchor: Benchmark mode: one round trip per anchor.
        min_score: Below this similarity, propose no repair.
        on_step: Called with each step's guide id, step id and status as soon as it is checked
            (``recorded`` when a baseline is recorded).
    """

    profile: AppProfile
    guides: list[Guide]
    guides_folder: Path
    base_url: str
    out_dir: Path | None = None
    baselines: dict[str, Baseline] = field(default_factory=dict)
    browser_path: str | None = None
    grid: str | None = None
    connect: str | None = None
    headed: bool = False
    timeout_ms: float = 15_000
    screenshots: bool = True
    one_call_per_anchor: bool = False
    min_score: float | None = None
    on_step: Callable[[str, str, str], None] | None = None


@dataclass(frozen=True, slots=True)
class PlacedStep:
    """A guide step with the absolute URL of its page."""

    guide: Guide
    step: GuideStep
    index: int
    url: str

    @property
    def key(self) -> str:
        return f"{self.guide.id}/{self.step.id}"


def placed_steps(run: GuideRun) -> dict[tuple[str | None, str], list[PlacedStep]]:
    """Page-based steps grouped by (user, URL), in guide order: each page is visited once."""
    groups: dict[tuple[str | None, str], list[PlacedStep]] = {}
    for guide in run.guides:
        for index, step in enumerate(guide.steps):
            page = guide.step_page(step)
            if page is None:
                continue
            url = run.profile.url_for(page, run.base_url)
            groups.setdefault((guide.user, url), []).append(PlacedStep(guide, step, index, url))
    return groups


# --- browser ---------------------------------------------------------------------------
@contextmanager
def _browser(run: GuideRun) -> Iterator[Browser]:
    """The check's browser: from the grid or server the run names, else a local Chromium."""
    with launched(run.browser_path, not run.headed, remote_from(run.grid, run.connect)) as browser:
        yield browser


class _Contexts:
    """One browser context per user (``None``: not logged in), logged in on first use."""

    def __init__(self, browser: Browser, run: GuideRun) -> None:
        self.browser = browser
        self.run = run
        self.pages: dict[str | None, Page] = {}
        self.errors: dict[str | None, str] = {}

    def page(self, user: str | None) -> Page:
        if user in self.pages:
            return self.pages[user]
        size = DEFAULTS.viewport
        context: BrowserContext = self.browser.new_context(viewport={"width": size.width, "height": size.height},
                                                           base_url=self.run.base_url)
        context.set_default_timeout(self.run.timeout_ms)
        page = context.new_page()
        self.pages[user] = page
        if user is not None:
            self.errors[user] = self._login(context, page, user) or ""
        return page

    def _login(self, context: BrowserContext, page: Page, user: str) -> str | None:
        from harness.collect.journey import Journey, StepFailure
        from harness.collect.signals import SignalLog

        signals = SignalLog()
        signals.attach(context)
        journey = Journey(page=page, context=context, profile=self.run.profile, base_url=self.run.base_url,
                          feature_file=self.run.profile.folder, signals=signals, timeout_ms=self.run.timeout_ms)
        try:
            journey.login(user, reuse=False)
        except StepFailure as exc:
            return login_failure(user, str(exc))
        return None


def login_failure(user: str, why: str) -> str:
    """One message for a failed login (``why`` may already say "login as 'x' ...": not said twice)."""
    if why.startswith(f"login as {user!r}"):
        return why
    return f"login as {user!r} failed: {why}"


def login_redirect(url: str, landed: str, user: str | None) -> str:
    """Why a page that redirected to the login page was not checked, and what to add."""
    message = f"{url} redirected to the login page ({landed})"
    if user is None:
        return (message + ": the page needs a login; add `user: <name>` (a user of app.yaml) to the guide, "
                "or import the tour with `harness guides import --user NAME`")
    return message + f" although logged in as {user!r} (the session did not hold, or {user!r} may not open it)"


def _open(page: Page, url: str, timeout_ms: float, login_path: str | None, user: str | None = None) -> str | None:
    """Load a page; return why it is unusable, or ``None``."""
    statuses: list[int] = []

    def on_response(response: Any) -> None:
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            statuses.append(response.status)

    page.on("response", on_response)
    try:
        if page.url != "about:blank" and urldefrag(page.url).url == urldefrag(url).url and page.url != url:
            # only the fragment differs: goto would just scroll (a single-page app's deep link would
            # not open), so the page is left first and loaded afresh
            page.goto("about:blank")
        response = page.goto(url, wait_until="load", timeout=timeout_ms)
    except Exception as exc:
        # Chromium refuses an error answer without a body (net::ERR_HTTP_RESPONSE_CODE_FAILURE):
        # the status the server sent says more than that
        if statuses and statuses[-1] >= 400:
            return f"{url} answered HTTP {statuses[-1]}"
        return f"could not open {url}: {str(exc).splitlines()[0]}"
    finally:
        page.remove_listener("response", on_response)
    if response is not None and response.status >= 400:
        return f"{url} answered HTTP {response.status}"
    wanted, landed = urlparse(url).path, urlparse(page.url).path
    if login_path and landed != wanted and landed.rstrip("/") == login_path.rstrip("/"):
        return login_redirect(url, page.url, user)
    return None


def settled_probe(page: Page, placed: list[PlacedStep], run: GuideRun) -> dict[str, dict[str, Any]]:
    """Probe a page's anchors; if some look broken, probe again once the network is idle."""
    wanted = [Anchor(p.key, p.step.target, first=first_match_runtime(p.guide) is not None)
              for p in placed if p.step.target]
    if not wanted:
        return {}
    observed = probe_js.probe(page, wanted, one_call_per_anchor=run.one_call_per_anchor)
    if any(o.get("count") != 1 or not o.get("visible") for o in observed.values()):
        # a page that renders after its load event (a single-page app) gets one more chance
        with contextlib.suppress(Exception):  # pages that poll never go idle
            page.wait_for_load_state("networkidle", timeout=min(run.timeout_ms, 3000))
        page.wait_for_timeout(250)
        observed = probe_js.probe(page, wanted, one_call_per_anchor=run.one_call_per_anchor)
    return observed


def _visit(run: GuideRun, handle: Callable[[Page | None, list[PlacedStep], dict[str, dict[str, Any]], str | None],
                                           None]) -> None:
    """Visit each (user, page) once and hand its observations to ``handle``."""
    login_path = run.profile.login.path if run.profile.login else None
    with _browser(run) as browser:
        contexts = _Contexts(browser, run)
        for (user, url), placed in placed_steps(run).items():
            page = contexts.page(user)
            error = contexts.errors.get(user) or _open(page, url, run.timeout_ms, login_path, user)
            observed = {} if error else settled_probe(page, placed, run)
            handle(None if error else page, placed, observed, error)


# --- baseline --------------------------------------------------------------------------
@dataclass
class Recorded:
    """What :func:`record_baselines` recorded.

    Attributes:
        baselines: The baselines written, by guide id (each holds the steps that were recorded).
        steps: How many page-based steps were looked at.
        recorded: How many of them were recorded.
        not_recorded: The others: ``file:line (guide/step): status: message``, one each.
        warnings: Recorded steps to look at: a css guide's target that matches several elements.
    """

    baselines: dict[str, Baseline] = field(default_factory=dict)
    steps: int = 0
    recorded: int = 0
    not_recorded: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def record_baselines(run: GuideRun, app_version: str | None = None) -> Recorded:
    """Record every page-based step that is ok: its fingerprint and a cropped screenshot.

    A step that is not ok on this version (its page fails, its anchor is missing, hidden...) is
    not recorded and is listed in :attr:`Recorded.not_recorded`; the others are recorded all the
    same, so one broken step does not block the baseline of the rest. Each guide's baseline file
    is written again with the steps recorded now (a step not recorded has no fingerprint until a
    later baseline records it).
    """
    folder = baseline_folder(run.guides_folder)
    meta = {"app": run.profile.name, "app_version": app_version, "base_url": run.base_url,
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds")}
    done = Recorded(baselines={g.id: Baseline(g.id, {}, dict(meta)) for g in run.guides})
    shots: dict[Path, bytes] = {}
    boxes: dict[Path, dict[str, Any]] = {}  # the page's crops to cut, by screenshot file

    def handle(page: Page | None, placed: list[PlacedStep], observed: dict[str, dict[str, Any]],
               error: str | None) -> None:
        for p in placed:
            done.steps += 1
            entry, status, why = baseline_entry(p, observed.get(p.key), error)
            if entry is None:
                done.not_recorded.append(f"{_where(p)} ({p.key}): {status}: {why}")
                _announce(run, p, status)
                continue
            if entry["fingerprint"] is not None and page is not None:
                shot = Path(p.guide.id) / f"{p.step.id}.png"
                boxes[shot] = observed[p.key]["box"]
                entry["screenshot"] = shot.as_posix()
            if entry.get("warning"):
                done.warnings.append(f"{_where(p)} ({p.key}): {entry['warning']}")
            done.baselines[p.guide.id].steps[p.step.id] = entry
            done.recorded += 1
            _announce(run, p, "recorded")
        if boxes and page is not None:
            shots.update(_crops(page, boxes))
            boxes.clear()

    _visit(run, handle)
    for baseline in done.baselines.values():
        old = folder / baseline.guide
        if old.is_dir():
            for png in old.glob("*.png"):
                if png.stem not in baseline.steps:
                    png.unlink()
        save_baseline(run.guides_folder, baseline)
    for shot, data in shots.items():
        (folder / shot).parent.mkdir(parents=True, exist_ok=True)
        (folder / shot).write_bytes(data)
    return done


def baseline_entry(p: PlacedStep, observation: dict[str, Any] | None, error: str | None
                   ) -> tuple[dict[str, Any] | None, str, str]:
    """A step's baseline entry (its fingerprint; the screenshot is the caller's), or why it is not recorded.

    A step is recorded when its page loads and its anchor is ok, or disabled (a control a tour
    explains before it is enabled; a later check flags ``disabled`` only for a control that was
    enabled then); a floating step when its page loads. Each step on its own: one that is not ok
    does not keep the others from being recorded.

    Returns:
        ``(entry, "recorded", "")``, or ``(None, status, why)`` for a step not recorded.
    """
    if error:
        return None, "page_error", error
    entry: dict[str, Any] = {"target": p.step.target, "fingerprint": None, "screenshot": None}
    if p.step.target:
        verdict, warning = verdict_of(p, observation)
        if verdict.status not in ("ok", "disabled") or not observation:
            return None, verdict.status, verdict.message
        entry["fingerprint"] = observation["fingerprint"]
        if warning:
            entry["warning"] = warning
    return entry, "recorded", ""


def _announce(run: GuideRun, p: PlacedStep, status: str) -> None:
    if run.on_step:
        run.on_step(p.guide.id, p.step.id, status)


def _crops(page: Page, boxes: dict[Path, dict[str, Any]], pad: int = 24) -> dict[Path, bytes]:
    """PNGs of element boxes and a margin around each, cut from one full-page screenshot (password fields
    masked): one capture per page, however many steps it has."""
    from PIL import Image

    shot = page.screenshot(full_page=True, mask=[page.locator("input[type=password]")], animations="disabled",
                           scale="css")
    out: dict[Path, bytes] = {}
    with Image.open(io.BytesIO(shot)) as image:
        for name, box in boxes.items():
            left, top = max(0, int(box["x"]) - pad), max(0, int(box["y"]) - pad)
            right = min(image.width, int(box["x"]) + int(box["width"]) + pad)
            bottom = min(image.height, int(box["y"]) + int(box["height"]) + pad)
            crop = image.crop((left, top, max(right, left + 1), max(bottom, top + 1)))
            buffer = io.BytesIO()
            crop.save(buffer, "PNG")
            out[name] = buffer.getvalue()
    return out


def _where(p: PlacedStep) -> str:
    return f"{p.guide.file}:{p.step.line}" if p.guide.file and p.step.line else p.url


# --- check -----------------------------------------------------------------------------
RUNTIMES = {"shepherd": "Shepherd", "introjs": "Intro.js", "driverjs": "Driver.js"}


def first_match_runtime(guide: Guide) -> str | None:
    """What attaches a ``css`` guide's steps to the first of several matches (for messages); None: strict.

    Tour libraries find a step's element with ``document.querySelector``: a selector that matches
    several elements works, on the first. A ``playwright`` guide's selectors are strict.
    """
    if guide.selector_format != "css":
        return None
    library = guide.source.library if guide.source else None
    return f"{RUNTIMES.get(library, library)}/querySelector" if library else "querySelector"


def verdict_of(p: PlacedStep, observation: dict[str, Any] | None, baseline: dict[str, Any] | None = None,
               page_error: str | None = None, candidates: Sequence[dict[str, Any]] | None = None
               ) -> tuple[Verdict, str | None]:
    """A step's verdict, and a warning when its guide's runtime attaches to the first of several matches.

    For a ``css`` guide, several matches are not ``ambiguous``: the step's element is the first
    match (as the tour library would attach to it), judged like any other step's element.
    """
    obs = observation or {}
    runtime = first_match_runtime(p.guide)
    count = obs.get("count") or 0
    warning = None
    if runtime and count > 1 and not page_error and not obs.get("error"):
        warning = f"{p.step.target} matches {count} elements; {runtime} attaches to the first"
        observation = {**obs, "count": 1}  # the first match's own observation (the probe describes it)
    verdict = classify(observation, target=p.step.target, expected_text=p.step.text, baseline=baseline,
                       page_error=page_error, candidates=candidates)
    return verdict, warning


def step_result(p: PlacedStep, verdict: Verdict, observation: dict[str, Any] | None,
                baseline: dict[str, Any] | None) -> GuideStepCheck:
    """The result of one step (one line of ``guides.jsonl``), without repair or screenshots yet."""
    obs = observation or {}
    current = obs.get("fingerprint")
    evidence = Evidence.model_validate({  # what the browser saw, validated
        "box": obs.get("box"), "boxes": obs.get("boxes") or [], "covered_by": obs.get("covered_by"),
        "expected_text": p.step.text, "actual_text": obs.get("text"), "actual_name": obs.get("name"),
        "similarity": verdict.similarity,
        "diff": fingerprint_diff(baseline, current) if baseline and current else [],
        "fingerprint": current, "baseline_fingerprint": baseline,
    })
    return GuideStepCheck(
        guide=p.guide.id, id=p.step.id, index=p.index, title=p.step.title, body=p.step.body, line=p.step.line,
        page=p.guide.step_page(p.step), after=JourneyStep(**p.step.after.model_dump()) if p.step.after else None,
        url=p.url, target=p.step.target, selector_format=p.guide.selector_format, status=verdict.status,
        message=verdict.message, match_count=obs.get("count", 0), evidence=evidence,
    )


def _selector_for(page: Page, fp: dict[str, Any], index: int, selector_format: str,
                  keep: str | None) -> str | None:
    """The most robust selector that selects candidate ``index`` alone, in ``selector_format``.

    Order: ``keep`` (the step's own target, when it still selects the element: a text_changed
    step keeps its selector), then test ids, role and name, stable ids, naming attributes and
    stable classes, then the shortest unique path of those (@medv/finder, positions only where
    nothing else tells the element apart), then the remaining scoped, text and path forms.
    """
    if keep and probe_js.is_candidate(page, keep, index):
        return keep
    found = selector_candidates(fp, selector_format=selector_format)
    head = [c.selector for c in found if c.rank <= ROBUSTNESS["class"]]
    tail = [c.selector for c in found if c.rank > ROBUSTNESS["class"]]
    for selector in head:
        if probe_js.is_candidate(page, selector, index):
            return selector
    words = vocabulary(fp)
    path = probe_js.unique_css(page, index, ids=words.ids, classes=words.classes, attributes=words.attributes)
    if path and probe_js.is_candidate(page, path, index):
        return path
    return next((selector for selector in tail if probe_js.is_candidate(page, selector, index)), None)


def suggest(page: Page, baseline: dict[str, Any], selector_format: str, min_score: float | None = None,
            exclude: str | None = None, pool: Sequence[dict[str, Any]] | None = None,
            keep: str | None = None) -> Suggestion | None:
    """Find the element of the live page that best matches the baseline, as a unique selector.

    Candidates are the page's visible elements, ranked by similarity to the baseline
    fingerprint. The best one gets the most robust selector that selects it alone
    (:func:`_selector_for`); when none does, only an element nested with it (its wrapper or
    its content) may stand in: never a lower-ranked element elsewhere on the page.

    Args:
        page: The checked page, still open.
        baseline: The step's baseline fingerprint.
        selector_format: ``playwright`` or ``css`` (what the guide's runtime understands).
        min_score: Propose nothing that scores lower.
        exclude: A selector whose elements are not proposed (a drifted target's own element).
        pool: The page's candidates when already fetched (:class:`~harness.collect.anchors.PageCandidates`).
        keep: The step's own selector, kept when it selects the proposed element alone.
    """
    cands = pool if pool is not None else probe_js.candidates(page)
    kwargs = {"minimum": min_score} if min_score is not None else {}
    ranked = [r for r in rank(baseline, cands, limit=6, **kwargs)
              if not (exclude and probe_js.selects_candidate(page, exclude, r.index))]
    found: list[Suggestion] = []
    for r in ranked:
        fp = cands[r.index]
        if not found and r is not ranked[0] and not nested(cands[ranked[0].index], fp):
            break  # the best match has no selector of its own: a lesser element is no repair
        target = _selector_for(page, fp, r.index, selector_format, keep)
        if target is None:
            continue
        css = target if selector_format == "css" or is_plain_css(target) else \
            _selector_for(page, fp, r.index, "css", None)
        found.append(Suggestion.model_validate({
            "target": target, "css": css, "score": round(r.score, 3), "reasons": list(r.reasons),
            "box": fp.get("box"), "text": fp.get("text") or fp.get("name"), "index": r.index}))
        if len(found) >= 3:
            break
    if not found:
        return None
    best, rest = found[0], found[1:]
    best.alternatives = [Alternative(target=a.target, score=a.score) for a in rest]
    return best


def _evidence_shot(page: Page, key: str, result: GuideStepCheck, path: Path) -> None:
    """Screenshot the page with the anchor (or its absence), what covers it and any suggestion outlined."""
    ev = result.evidence
    status = result.status
    items: list[dict[str, Any]] = []
    banner = None
    if status in ("missing", "page_error"):
        banner = f"{status}: {result.target}"
    elif status == "ambiguous":
        items += [{"ref": {"anchor": key, "match": i}, "colour": RED, "label": f"match {i + 1}"}
                  for i in range(len(ev.boxes))]
    else:
        items.append({"ref": {"anchor": key, "match": 0}, "colour": RED, "label": status})
        if status == "hidden":
            banner = f"hidden: {result.target}"
    if ev.covered_by:
        items.append({"ref": {"anchor": key, "cover": True}, "colour": ORANGE, "label": "covering element"})
    suggestion = result.suggestion
    if suggestion and suggestion.index is not None:
        items.append({"ref": {"candidate": suggestion.index}, "colour": GREEN, "label": "suggested"})
    try:
        probe_js.highlight(page, items, banner)
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), mask=[page.locator("input[type=password]")], animations="disabled")
    finally:
        probe_js.unhighlight(page)
        page.evaluate("() => window.scrollTo(0, 0)")


def examine(page: Page | None, placed: list[PlacedStep], observed: dict[str, dict[str, Any]], error: str | None,
            run: GuideRun) -> list[GuideStepCheck]:
    """Give each step of one page its verdict, evidence and repair suggestion."""
    results = []
    pool = probe_js.PageCandidates(page) if page is not None else None  # fetched once, if a step needs them
    for p in placed:
        baseline = run.baselines.get(p.guide.id)
        base_fp = baseline.fingerprint(p.step.id, p.step.target) if baseline else None
        obs = observed.get(p.key)
        verdict, warning = verdict_of(p, obs, base_fp, error, pool)
        result = step_result(p, verdict, obs, base_fp)
        result.warning = warning
        if page is not None:
            _repair_and_evidence(page, run, p, result, base_fp, baseline, pool)
        _copy_baseline_shot(run, p, baseline, result)
        results.append(result)
    return results


def check(run: GuideRun) -> list[GuideStepCheck]:
    """Check every page-based step of the guides; return the step results in guide order.

    Results are appended to ``<out_dir>/guides.jsonl`` as they are made.
    """
    out = run.out_dir
    if out is None:
        raise HarnessError("a guide check needs an output folder")
    (out / GUIDE_ARTIFACTS).mkdir(parents=True, exist_ok=True)
    clear_guide_steps(out)
    results: list[GuideStepCheck] = []

    def handle(page: Page | None, placed: list[PlacedStep], observed: dict[str, dict[str, Any]],
               error: str | None) -> None:
        for result in examine(page, placed, observed, error, run):
            results.append(result)
            append_guide_step(out, result)
            if run.on_step:
                run.on_step(result.guide, result.id, result.status)

    _visit(run, handle)
    order = {(g.id, s.id): (gi, si) for gi, g in enumerate(run.guides) for si, s in enumerate(g.steps)}
    results.sort(key=lambda r: order[(r.guide, r.id)])
    return results


def no_baseline_note(p: PlacedStep, baseline: Baseline | None) -> str:
    """Why a step has no baseline fingerprint, and what to do (``no baseline for this step: ...``)."""
    if baseline is None:
        return (f"no baseline for this step: guide {p.guide.id!r} has none; record one with "
                "`harness guides baseline` on a version where the guide works")
    when = baseline.meta.get("recorded_at") or "?"
    return (f"no baseline for this step: it was not recorded by the baseline of {when} (it was not ok then); "
            "record it with `harness guides baseline` on a version where it works")


def _repair_and_evidence(page: Page, run: GuideRun, p: PlacedStep, result: GuideStepCheck,
                         base_fp: dict[str, Any] | None, baseline: Baseline | None = None,
                         pool: Sequence[dict[str, Any]] | None = None) -> None:
    status = result.status
    if status == "ok":
        return
    if status in REPAIRABLE and base_fp:
        started = time.perf_counter()
        exclude = p.step.target if status == "drifted" else None
        keep = p.step.target if status == "text_changed" else None
        result.suggestion = suggest(page, base_fp, p.guide.selector_format, run.min_score, exclude=exclude,
                                    pool=pool, keep=keep)
        result.evidence.repair_ms = round((time.perf_counter() - started) * 1000, 1)
    elif status in REPAIRABLE:
        result.evidence.note = no_baseline_note(p, baseline)
    if run.screenshots and run.out_dir is not None:
        rel = GUIDE_ARTIFACTS / p.guide.id / f"{p.step.id}.png"
        try:
            _evidence_shot(page, p.key, result, run.out_dir / rel)
            result.evidence.screenshot = rel.as_posix()
        except Exception as exc:  # evidence is best effort: the verdict stands without it
            result.evidence.screenshot_error = str(exc).splitlines()[0]


def _copy_baseline_shot(run: GuideRun, p: PlacedStep, baseline: Baseline | None, result: GuideStepCheck) -> None:
    if result.status == "ok" or baseline is None or run.out_dir is None:
        return
    entry = baseline.steps.get(p.step.id) or {}
    if not entry.get("screenshot"):
        return
    source = baseline_folder(run.guides_folder) / entry["screenshot"]
    if source.is_file():
        rel = GUIDE_ARTIFACTS / p.guide.id / f"{p.step.id}.baseline.png"
        (run.out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, run.out_dir / rel)
        result.evidence.baseline_screenshot = rel.as_posix()
