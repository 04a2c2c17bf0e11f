"""A real guide corpus: guides written on a vendor's old version, an answer key for its new one.

A corpus is a fixture folder (``app.yaml``, ``guides/*.yaml``, ``expected.yaml``) whose key
says, step by step, what the new version does to each step and which element a repair must
point at (tests/fixtures/django_admin, flask_admin, swagger_ui). What the corpus tests share:

- :func:`load_cases`: the guides' steps joined with the key;
- :class:`LivePages` and :func:`observe_all`: what every step selects on a live page in
  Chromium, without the harness, and the checks of those observations against the key
  (:func:`baseline_problem`, :func:`live_problem`, :func:`expected_problem`);
- :func:`run_cli`: the real ``harness guides baseline`` and ``check`` commands on both versions,
  with every suggestion tried on the live new page, and the checks of their results against
  the key (:func:`status_problem`, :func:`suggestion_problem`).

A ``*_problem`` function returns ``None`` when the step agrees with the key, else what is wrong;
a ``*_problems`` function is the body of a test the corpus modules share (what is wrong, by step
or by part, empty when all is right: the test asserts it is empty, with :func:`report` as the
message), and :func:`step_params` parametrizes a per-step test with its known disagreements.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError

from harness.spec.guides import guides_dir, load_guides
from harness.spec.profile import load_profile
from harness.spec.yamlfile import load_yaml
from tests.support.cli import Done, harness

STATUSES = ("page_error", "missing", "ambiguous", "hidden", "offscreen", "covered", "disabled", "text_changed",
            "drifted", "ok")
Key = tuple[str, str]
#: Logs a browser context in as a user (the corpus's own login form).
Login = Callable[[BrowserContext, str], None]
#: Waits until a page just opened at a path (the second argument) is rendered.
Ready = Callable[[Page, str], None]


@dataclass(frozen=True, slots=True)
class StepCase:
    """A guide step with what the answer key says about it.

    Attributes:
        guide: The guide id.
        step: The step id.
        user: The user the guide logs in as (``None``: anonymous).
        page: The step's page: a path (with any query and fragment; a ``pages:`` name is resolved).
        target: The step's selector (``None``: a floating step, only its page is checked).
        text: The text the step expects its element to show.
        status: The key's status by version (the key's ``baseline`` and ``checked``).
        expected_element: CSS of the element the step should point at on the new version (non-ok steps).
        why: What changed, for messages.
        not_suggested: Why the harness is known to propose nothing for this step (its fingerprint
            has too little in common with the right element); it must then propose nothing at all.
        selector_format: ``playwright``, or ``css`` for a guide imported from a tour library.
    """

    guide: str
    step: str
    user: str | None
    page: str
    target: str | None
    text: str | None
    status: dict[str, str]
    expected_element: str | None
    why: str | None
    not_suggested: str | None = None
    selector_format: str = "playwright"

    @property
    def key(self) -> Key:
        return self.guide, self.step

    @property
    def name(self) -> str:
        """``guide/step``, for messages and test ids."""
        return f"{self.guide}/{self.step}"


def load_cases(fixture: Path) -> dict[Key, StepCase]:
    """Every step of a corpus's guides, joined with its ``expected.yaml``.

    Args:
        fixture: The corpus folder (``app.yaml``, ``guides/``, ``expected.yaml``).
    """
    profile = load_profile(fixture / "app.yaml")
    key = load_yaml(fixture / "expected.yaml")
    versions = (key["baseline"], key["checked"])
    cases: dict[Key, StepCase] = {}
    for guide in load_guides(guides_dir(profile), profile):
        for step in guide.steps:
            entry = key["guides"][guide.id][step.id]
            page = guide.step_page(step)
            assert page is not None
            page = profile.pages.get(page, page)
            cases[guide.id, step.id] = StepCase(
                guide.id, step.id, guide.user, page, step.target, step.text,
                {version: entry[version] for version in versions}, entry.get("expected_element"), entry.get("why"),
                entry.get("not_suggested"), guide.selector_format)
    return cases


def key_steps(fixture: Path) -> set[Key]:
    """The (guide, step) pairs ``expected.yaml`` names."""
    key = load_yaml(fixture / "expected.yaml")
    return {(g, s) for g, steps in key["guides"].items() for s in steps}


def key_problems(fixture: Path, cases: dict[Key, StepCase], old: str, new: str, page_prefix: str) -> dict[str, str]:
    """What is wrong with a corpus's answer key: each step's page starts with ``page_prefix``, is ok on ``old``
    and has a known status on ``new`` (explained by ``why`` unless ok, and then with no expected element), and
    the key names exactly the guides' steps."""
    wrong: dict[str, str] = {}
    for case in cases.values():
        if not case.page.startswith(page_prefix):
            wrong[case.name] = f"page {case.page!r} is not under {page_prefix!r}"
        elif case.status[old] != "ok" or case.status[new] not in STATUSES:
            wrong[case.name] = f"status {case.status}: not ok on {old}, or unknown on {new}"
        elif case.status[new] == "ok" and (case.expected_element is not None or case.why is not None):
            wrong[case.name] = "ok, yet with an expected element or a why"
        elif case.status[new] != "ok" and not case.why:
            wrong[case.name] = f"{case.status[new]} without a why"
    if key_steps(fixture) != set(cases):
        wrong["expected.yaml"] = f"names other steps than the guides: {key_steps(fixture) ^ set(cases)}"
    return wrong


def broken(cases: dict[Key, StepCase], version: str) -> dict[Key, StepCase]:
    """The steps the key says are not ok on ``version``."""
    return {key: case for key, case in cases.items() if case.status[version] != "ok"}


def step_params(cases: dict[Key, StepCase], known: dict[Key, str]) -> list[Any]:
    """One test parameter per step (its id ``guide/step``), a strict xfail where the harness is known to disagree
    (``known``: what it does instead, by step)."""
    return [pytest.param(key, id=case.name,
                         marks=[pytest.mark.xfail(strict=True, reason=known[key])] if key in known else [])
            for key, case in cases.items()]


def report(wrong: dict[str, Any]) -> str:
    """A ``*_problems`` result, for an assertion message."""
    return json.dumps(wrong, indent=1, ensure_ascii=False, default=str)


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


# --- the live site in Chromium ----------------------------------------------------------
class LivePages:
    """Pages of a live site: one browser context per user (logged in once), each URL opened once, in a page
    of its own.

    Args:
        browser: The browser.
        base_url: The site's base URL.
        login: How a guide's user logs in (``None``: the site has no login).
        ready: How an opened page is known to be rendered (``None``: the network is idle).
    """

    def __init__(self, browser: Browser, base_url: str, login: Login | None = None,
                 ready: Ready | None = None) -> None:
        self.browser = browser
        self.base_url = base_url
        self.login = login
        self.ready = ready
        self.contexts: dict[str | None, BrowserContext] = {}
        self.pages: dict[tuple[str | None, str], tuple[Page, int | None]] = {}

    def _context(self, user: str | None) -> BrowserContext:
        if user not in self.contexts:
            context = self.browser.new_context(viewport={"width": 1280, "height": 720}, base_url=self.base_url)
            if user is not None:
                assert self.login is not None, f"the corpus has no login, yet a guide logs in as {user!r}"
                self.login(context, user)
            self.contexts[user] = context
        return self.contexts[user]

    def open(self, user: str | None, page_path: str) -> tuple[Page, int | None]:
        """The page (opened once, with the user's session) and the HTTP status it answered."""
        if (user, page_path) not in self.pages:
            context = self._context(user)
            page = context.new_page()
            try:
                response = page.goto(page_path, wait_until="load")
                status = response.status if response else None
                if self.ready is None:
                    page.wait_for_load_state("networkidle")
            except PlaywrightError:  # Chromium refuses to show an error answer with no body (a 405)
                status = context.request.get(page_path, max_redirects=0).status
            else:
                if self.ready is not None:
                    self.ready(page, page_path)
            self.pages[user, page_path] = (page, status)
        return self.pages[user, page_path]

    def close(self) -> None:
        """Close every context (and so every page) opened."""
        for context in self.contexts.values():
            context.close()


@contextlib.contextmanager
def live_pages(browser: Browser, base_url: str, login: Login | None = None,
               ready: Ready | None = None) -> Iterator[LivePages]:
    """Pages of a live site in ``browser`` (see :class:`LivePages`), closed on exit."""
    pages = LivePages(browser, base_url, login, ready)
    try:
        yield pages
    finally:
        pages.close()


def shows(locator: Locator, text: str) -> bool:
    """Whether an element shows ``text`` (case- and whitespace-insensitive) in its text, value or names."""
    shown = locator.evaluate(
        "e => [e.innerText, e.value, e.placeholder, e.title, e.alt, e.getAttribute('aria-label')]"
        ".filter(v => typeof v === 'string')")
    return any(_norm(text) in _norm(s) for s in shown)


def same_element(page: Page, selector: str, css: str) -> bool:
    """Whether ``selector`` (Playwright) and ``css`` each select exactly one element, the same one."""
    mine, theirs = page.locator(selector), page.locator(css)
    if mine.count() != 1 or theirs.count() != 1:
        return False
    handle = theirs.element_handle()
    return bool(mine.evaluate("(a, b) => a === b", handle))


@dataclass(slots=True)
class Observed:
    """What a step's selectors select on a live page.

    Attributes:
        http_status: The page's HTTP status.
        count: Elements matching the step's target.
        visible: The target's single match is visible.
        shows_text: The target's single match shows the step's text (``None`` without text).
        expected_count: Elements matching ``expected_element`` (``None`` without one).
        expected_visible: The expected element is visible.
        target_is_expected: The target's single match is the expected element.
        floating: The step has no target (only its page counts).
    """

    http_status: int | None
    count: int = 0
    visible: bool = False
    shows_text: bool | None = None
    expected_count: int | None = None
    expected_visible: bool = False
    target_is_expected: bool = False
    floating: bool = False


def observe(pages: LivePages, case: StepCase) -> Observed:
    """Look at a step's target (and its expected element) on the live page."""
    page, status = pages.open(case.user, case.page)
    seen = Observed(status, floating=case.target is None)
    if case.target is not None:
        target = page.locator(case.target)
        seen.count = target.count()
        if seen.count == 1:
            seen.visible = target.is_visible()
            seen.shows_text = shows(target, case.text) if case.text else None
    if case.expected_element:
        expected = page.locator(case.expected_element)
        seen.expected_count = expected.count()
        if seen.expected_count == 1:
            seen.expected_visible = expected.is_visible()
            seen.target_is_expected = case.target is not None and same_element(page, case.target,
                                                                               case.expected_element)
    return seen


def observe_all(pages: LivePages, cases: dict[Key, StepCase]) -> dict[Key, Observed]:
    """Every step observed on a live site."""
    return {key: observe(pages, case) for key, case in cases.items()}


def baseline_problem(seen: Observed) -> str | None:
    """What is wrong with a step on the version its guide was written on (one visible element showing its text)."""
    if seen.http_status != 200:
        return f"the page answered {seen.http_status}"
    if seen.floating:
        return None
    if seen.count != 1 or not seen.visible:
        return f"{seen.count} match(es), visible={seen.visible}"
    if seen.shows_text is False:
        return "the element does not show the step's text"
    return None


def live_problem(case: StepCase, seen: Observed, version: str) -> str | None:
    """Where the live page on ``version`` contradicts the key's status for a step."""
    status = case.status[version]
    if status == "page_error":
        return None if seen.http_status is not None and seen.http_status >= 400 else f"page answered {seen}"
    if seen.http_status != 200:
        return f"the page answered {seen.http_status}"
    ok = {
        "missing": seen.count == 0,
        "ambiguous": seen.count > 1,
        "hidden": seen.count == 1 and not seen.visible,
        "text_changed": seen.count == 1 and seen.visible and seen.shows_text is False,
        "drifted": seen.count == 1 and seen.visible and not seen.target_is_expected,
        "ok": seen.floating or (seen.count == 1 and seen.visible and seen.shows_text in (None, True)),
    }
    if status not in ok:
        return f"the key's status {status} is not checked on live pages"
    return None if ok[status] else f"key says {status}, the page shows {seen}"


def expected_problem(case: StepCase, seen: Observed) -> str | None:
    """What is wrong with a step's ``expected_element`` on the new version (it must be one visible element)."""
    if case.expected_element is None:
        return None
    if seen.expected_count != 1 or not seen.expected_visible:
        return f"{case.expected_element!r}: {seen.expected_count} match(es), visible={seen.expected_visible}"
    return None


def live_key_problems(cases: dict[Key, StepCase], observed: dict[Key, Observed], version: str,
                      also: Callable[[StepCase, Observed], str | None] | None = None) -> dict[str, str]:
    """Where the live pages on ``version`` contradict the key (:func:`live_problem`, then ``also``), by step."""
    wrong = {}
    for key, case in cases.items():
        problem = live_problem(case, observed[key], version) or (also(case, observed[key]) if also else None)
        if problem:
            wrong[case.name] = problem
    return wrong


def expected_problems(cases: dict[Key, StepCase], observed: dict[Key, Observed]) -> dict[str, str]:
    """The steps whose ``expected_element`` is not one visible element on the live new pages
    (:func:`expected_problem`)."""
    return {case.name: problem for key, case in cases.items() if (problem := expected_problem(case, observed[key]))}


# --- the harness CLI --------------------------------------------------------------------
def output(done: Done) -> str:
    """A command's exit code and the end of its output, for assertion messages."""
    return f"exit {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


@dataclass(slots=True)
class Repair:
    """How a suggestion for a step lands on the live new page.

    Attributes:
        target: The suggested Playwright selector.
        css: The suggested plain-CSS equivalent, if any.
        target_matches: Elements ``target`` selects.
        target_is_expected: ``target`` selects the key's expected element, alone.
        css_is_expected: ``css`` selects the key's expected element, alone (``None`` without css).
    """

    target: str
    css: str | None
    target_matches: int
    target_is_expected: bool
    css_is_expected: bool | None


@dataclass(slots=True)
class CliRuns:
    """The harness commands' results on both versions."""

    app: Path
    baseline: Done
    check_old: Done | None
    check_new: Done
    out_old: Path
    out_new: Path
    repairs: dict[Key, Repair] = field(default_factory=dict)

    def results(self) -> dict[Key, dict[str, Any]]:
        """The new version's step results by (guide id, step id)."""
        return step_results(guides_json(self.out_new))


def guides_json(out: Path) -> dict[str, Any]:
    """The ``guides.json`` of a check's output folder."""
    path = out / "guides.json"
    assert path.is_file(), f"no {path}"
    return json.loads(path.read_text(encoding="utf-8"))


def step_results(data: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    """A ``guides.json``'s step results by (guide id, step id)."""
    return {(g["id"], s["id"]): s for g in data["guides"] for s in g["steps"]}


def run_cli(fixture: Path, work: Path, old_url: str, new_url: str, *, env: dict[str, str],
            new_pages: LivePages, cases: dict[Key, StepCase], check_old: bool = True) -> CliRuns:
    """Baseline and check on the old version, check on the new one (``--write-fixes``), and try each suggestion
    on the live new pages.

    Args:
        fixture: The corpus folder, copied to ``work/app`` (the baseline is written there).
        work: A fresh folder.
        old_url: Base URL of the old version.
        new_url: Base URL of the new version.
        env: The harness's environment.
        new_pages: Live pages of the new version (at ``new_url``), where the suggestions are tried.
        cases: The corpus's steps.
        check_old: Also check the old version (every step ok right after its baseline).
    """
    assert new_pages.base_url == new_url
    app = work / "app"
    shutil.copytree(fixture, app)
    out_old, out_new = work / "out-old", work / "out-new"
    baseline = harness("guides", "baseline", "--app", app / "app.yaml", "--base-url", old_url, env=env)
    old_check = harness("guides", "check", "--app", app / "app.yaml", "--base-url", old_url,
                        "--out", out_old, "--json", env=env) if check_old else None
    check_new = harness("guides", "check", "--app", app / "app.yaml", "--base-url", new_url,
                        "--out", out_new, "--json", "--write-fixes", env=env)
    runs = CliRuns(app, baseline, old_check, check_new, out_old, out_new)
    if (out_new / "guides.json").is_file():
        results = step_results(guides_json(out_new))
        for key, case in cases.items():
            suggestion = (results.get(key) or {}).get("suggestion")
            if not case.expected_element or not suggestion:
                continue
            page, _ = new_pages.open(case.user, case.page)
            css = suggestion.get("css")
            runs.repairs[key] = Repair(
                suggestion["target"], css, page.locator(suggestion["target"]).count(),
                same_element(page, suggestion["target"], case.expected_element),
                same_element(page, css, case.expected_element) if css else None)
    return runs


def status_problem(case: StepCase, result: dict[str, Any] | None, version: str) -> str | None:
    """Where the check's status for a step differs from the key's on ``version``."""
    wanted = case.status[version]
    got = (result or {}).get("status")
    if got == wanted:
        return None
    return f"got {got}, expected {wanted} ({(result or {}).get('message')})"


def suggestion_problem(case: StepCase, result: dict[str, Any] | None, repair: Repair | None,
                       version: str) -> str | None:
    """Where the check's suggestion for a broken step differs from the key's ``expected_element``."""
    if case.status[version] == "ok":
        return None
    suggestion = (result or {}).get("suggestion")
    if case.expected_element is None:
        return None if suggestion is None else f"the element is gone, but {suggestion['target']!r} was suggested"
    if case.not_suggested:
        return None if suggestion is None else f"known to be out of reach, yet {suggestion['target']!r} was suggested"
    if repair is None:
        return f"no suggestion; expected {case.expected_element!r}"
    if not repair.target_is_expected or repair.css_is_expected is False:
        return (f"suggested {repair.target!r} (css {repair.css!r}, {repair.target_matches} match(es)), "
                f"expected {case.expected_element!r}")
    return None


def status_problems(results: dict[Key, dict[str, Any]], cases: dict[Key, StepCase], version: str) -> dict[str, str]:
    """The steps whose status in a check's ``results`` is not the key's on ``version`` (:func:`status_problem`)."""
    return {case.name: problem for key, case in cases.items()
            if (problem := status_problem(case, results.get(key), version))}


def baseline_problems(runs: CliRuns, cases: dict[Key, StepCase], app: str) -> dict[str, str]:
    """What is wrong with ``harness guides baseline``: it must succeed and record every step of every guide
    (``guides/baseline/<guide>.json`` of app ``app``) with its target, and, unless the step is floating, a
    visible fingerprint and a screenshot."""
    if runs.baseline.returncode != 0:
        return {"harness guides baseline": output(runs.baseline)}
    wrong: dict[str, str] = {}
    folder = runs.app / "guides" / "baseline"
    for guide in sorted({c.guide for c in cases.values()}):
        data = json.loads((folder / f"{guide}.json").read_text(encoding="utf-8"))
        if (data["guide"], data["app"]) != (guide, app):
            wrong[guide] = f"recorded as guide {data['guide']!r} of app {data['app']!r}"
        steps = {s for g, s in cases if g == guide}
        if set(data["steps"]) != steps:
            wrong[f"{guide} (steps)"] = f"records steps {sorted(data['steps'])}, the guide has {sorted(steps)}"
        for step in sorted(steps & set(data["steps"])):
            entry, name = data["steps"][step], cases[guide, step].name
            if entry["target"] != cases[guide, step].target:
                wrong[name] = f"target {entry['target']!r}, the guide's is {cases[guide, step].target!r}"
            elif entry["target"] is None:  # a floating step: nothing to fingerprint
                if entry["fingerprint"] is not None or entry["screenshot"] is not None:
                    wrong[name] = "a floating step with a fingerprint or a screenshot"
            elif (visible := (entry["fingerprint"] or {}).get("visible")) is not True:
                wrong[name] = f"fingerprint's visible is {visible!r}"
            elif not entry["screenshot"] or not (folder / entry["screenshot"]).is_file():
                wrong[name] = f"no screenshot {entry['screenshot']!r}"
    return wrong


def check_summary_problems(done: Done, out: Path, cases: dict[Key, StepCase], *, passes: bool) -> dict[str, str]:
    """What is wrong with a ``harness guides check --json`` (``done``, output folder ``out``) as a whole: it must
    pass (exit 0) or fail (exit 1) as ``passes`` says, say so on stdout and in ``guides.json``, and check every
    step of ``cases`` (each one result, counted in the totals)."""
    if done.returncode != (0 if passes else 1):
        return {"exit": output(done)}
    data = guides_json(out)
    wrong: dict[str, str] = {}
    wanted = "passed" if passes else "failed"
    if json.loads(done.stdout)["status"] != wanted or data["status"] != wanted:
        wrong["status"] = f"stdout {json.loads(done.stdout)['status']!r}, guides.json {data['status']!r}: not {wanted}"
    if set(step_results(data)) != set(cases):
        wrong["steps"] = f"results for other steps than the guides': {set(step_results(data)) ^ set(cases)}"
    if data["totals"]["steps"] != len(cases):
        wrong["totals"] = f"{data['totals']['steps']} steps counted, the guides have {len(cases)}"
    return wrong


#: A line a guide-fixes patch may change: a step's ``target:`` or ``text:`` (the first key of a list item too).
PATCHED_LINE = re.compile(r"^[+-]\s*(?:-\s+)?(?:target|text):")


def apply_fixes(runs: CliRuns, work: Path) -> Path:
    """Copy the checked app folder to ``work/app`` and apply the new version's ``guide-fixes.patch`` there with git.

    Returns:
        The copy's ``app.yaml``.
    """
    patch = (runs.out_new / "guide-fixes.patch").read_text(encoding="utf-8")
    copy = work / "app"
    shutil.copytree(runs.app, copy)
    # the patch names the files by their path below the project, or from / when outside it (as here)
    old_prefix, new_prefix = runs.app.resolve().as_posix().lstrip("/"), copy.resolve().as_posix().lstrip("/")
    moved = work / "guide-fixes.patch"
    moved.write_text(patch.replace(old_prefix, new_prefix), encoding="utf-8")
    applied = subprocess.run(["git", "apply", "-v", str(moved)], cwd="/", capture_output=True, text=True,
                             check=False)
    assert applied.returncode == 0, applied.stderr
    return copy / "app.yaml"
