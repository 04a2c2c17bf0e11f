"""The guide check on a real vendor update: Swagger UI (``swagger-ui-dist``), 3.52.5 (baseline) vs 5.35.0.

The guides in ``tests/fixtures/swagger_ui/guides`` were written against 3.52.5 the way an adoption
team writes them (two were imported from an Intro.js and a Driver.js tour); ``expected.yaml`` says,
step by step, what 5.35.0 does to each and which element a repair must point at. Two sets of tests:

- the answer key against the live pages, in Chromium, without the harness: every guide step selects
  one visible element on 3.52.5 showing its text, on 5.35.0 each step is what the key says, and every
  ``expected_element`` selects exactly one visible element;
- the real ``harness guides baseline`` (3.52.5) and ``harness guides check --json`` (5.35.0), step by
  step: the status is the key's, and the top suggestion selects exactly the key's element. Where the
  harness is known to disagree, the step is ``xfail(strict=True)`` with the reason
  (:data:`HARNESS_DISAGREES`); the key is never bent to it.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from harness.spec.guides import guides_dir, load_guides
from harness.spec.profile import load_profile
from harness.spec.yamlfile import load_yaml
from tests.support import ROOT
from tests.support.cli import Done, harness
from tests.support.swagger_ui import VERSIONS, swagger_ui

#: One server per version and three harness commands, shared by the module's tests.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("swagger_ui"), pytest.mark.timeout(600)]

FIXTURE = ROOT / "tests" / "fixtures" / "swagger_ui"
BASELINE, CHECKED = VERSIONS
STATUSES = {"page_error", "missing", "ambiguous", "hidden", "offscreen", "covered", "disabled", "text_changed",
            "drifted", "ok"}
Key = tuple[str, str]

#: Steps whose top suggestion on 5.35.0 is known not to be the key's element, and why.
SUGGESTION_DISAGREES: dict[Key, str] = {
    ("overview", "logo"): "no suggestion: an <img> and the inline <svg> logo share too little (similarity 0.32)",
}
#: Steps whose status on 5.35.0 the harness is known to get wrong, and why.
STATUS_DISAGREES: dict[Key, str] = {}


@dataclass(frozen=True, slots=True)
class StepCase:
    """A guide step with what the answer key says about it.

    Attributes:
        guide: The guide id.
        step: The step id.
        page: The step's page (a path, with its query and deep link).
        target: The step's selector (``None``: a floating step).
        text: The text the step expects its element to show.
        status: The key's status by Swagger UI version.
        expected_element: CSS of the element the step should point at on 5.35.0 (non-ok steps).
        why: What changed, for messages.
    """

    guide: str
    step: str
    page: str
    target: str | None
    text: str | None
    status: dict[str, str]
    expected_element: str | None
    why: str | None

    @property
    def key(self) -> Key:
        return self.guide, self.step


def load_cases() -> dict[Key, StepCase]:
    """Every step of the fixture guides, joined with ``expected.yaml``."""
    profile = load_profile(FIXTURE / "app.yaml")
    key = load_yaml(FIXTURE / "expected.yaml")
    cases: dict[Key, StepCase] = {}
    for guide in load_guides(guides_dir(profile), profile):
        for step in guide.steps:
            entry = key["guides"][guide.id][step.id]
            page = guide.step_page(step)
            assert page is not None
            path = profile.url_for(page, "http://host").removeprefix("http://host")
            cases[guide.id, step.id] = StepCase(
                guide.id, step.id, path, step.target, step.text, {v: entry[v] for v in VERSIONS},
                entry.get("expected_element"), entry.get("why"))
    return cases


CASES = load_cases()
BROKEN = [k for k, c in CASES.items() if c.status[CHECKED] != "ok"]


def _param(key: Key, known: dict[Key, str]) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=known[key])] if key in known else []
    return pytest.param(key, id=f"{key[0]}/{key[1]}", marks=marks)


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


# --- the live pages in Chromium ---------------------------------------------------------
class LivePages:
    """Pages of a live Swagger UI: each URL opened once, in a page of its own (a fresh document)."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=base_url)
        self.pages: dict[str, tuple[Page, int | None]] = {}

    def open(self, path: str) -> tuple[Page, int | None]:
        """The page (rendered: the OpenAPI document loaded) and the HTTP status it answered."""
        if path not in self.pages:
            page = self.context.new_page()
            response = page.goto(path, wait_until="load")
            # rendered once the schemas are, and a deep link's operation is open
            page.locator("#swagger-ui section.models").wait_for()
            if "#/" in path:
                page.locator("#swagger-ui .opblock.is-open .responses-table").wait_for()
            self.pages[path] = (page, response.status if response else None)
        return self.pages[path]


@contextlib.contextmanager
def live_pages(browser: Browser, base_url: str) -> Iterator[LivePages]:
    """Pages of a live Swagger UI in ``browser``, closed on exit."""
    pages = LivePages(browser, base_url)
    try:
        yield pages
    finally:
        pages.context.close()


def shows(page: Page, selector: str, text: str) -> bool:
    """Whether the single element of ``selector`` shows ``text`` in its text, value or names."""
    shown = page.locator(selector).evaluate(
        "e => [e.innerText, e.value, e.placeholder, e.title, e.alt, e.getAttribute('aria-label')]"
        ".filter(v => typeof v === 'string')")
    return any(_norm(text) in _norm(s) for s in shown)


def same_element(page: Page, selector: str, css: str) -> bool:
    """Whether ``selector`` (Playwright) and ``css`` (plain CSS) each select exactly one element, the same one."""
    mine = page.locator(selector)
    if mine.count() != 1 or page.evaluate("css => document.querySelectorAll(css).length", css) != 1:
        return False
    return bool(mine.evaluate("(e, css) => e === document.querySelector(css)", css))


@dataclass(slots=True)
class Observed:
    """What a step's selectors select on a live page (see the Django corpus's twin)."""

    http_status: int | None
    count: int = 0
    visible: bool = False
    shows_text: bool | None = None
    expected_count: int | None = None
    expected_visible: bool = False
    target_is_expected: bool = False


def observe(pages: LivePages, case: StepCase) -> Observed:
    """Look at a step's target (and its expected element, with the browser's own CSS) on the live page."""
    page, status = pages.open(case.page)
    seen = Observed(status)
    if case.target is None:
        return seen
    target = page.locator(case.target)
    seen.count = target.count()
    if seen.count == 1:
        seen.visible = target.is_visible()
        seen.shows_text = shows(page, case.target, case.text) if case.text else None
    if case.expected_element:
        seen.expected_count = page.evaluate("css => document.querySelectorAll(css).length", case.expected_element)
        if seen.expected_count == 1:
            seen.expected_visible = page.locator(f"css={case.expected_element}").is_visible()
            seen.target_is_expected = same_element(page, case.target, case.expected_element)
    return seen


# --- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    """Both Swagger UI versions, served for the whole module: base URL by version."""
    with contextlib.ExitStack() as stack:
        yield {version: stack.enter_context(swagger_ui(version)) for version in VERSIONS}


@pytest.fixture(scope="module")
def new_pages(servers: dict[str, str], browser: Browser) -> Iterator[LivePages]:
    """The live 5.35.0 pages, opened once for the module (the key's checks and the suggestions')."""
    with live_pages(browser, servers[CHECKED]) as pages:
        yield pages


@pytest.fixture(scope="module")
def live(servers: dict[str, str], browser: Browser, new_pages: LivePages) -> dict[str, dict[Key, Observed]]:
    """Every step observed on the live 3.52.5 and 5.35.0 pages, without the harness."""
    with live_pages(browser, servers[BASELINE]) as pages:
        seen = {BASELINE: {key: observe(pages, case) for key, case in CASES.items()}}
    seen[CHECKED] = {key: observe(new_pages, case) for key, case in CASES.items()}
    return seen


@dataclass(slots=True)
class Repair:
    """How a 5.35.0 step's top suggestion lands on the live page.

    Attributes:
        target: The suggested selector.
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
    """The harness commands' results: baseline on 3.52.5, check on 5.35.0."""

    app: Path
    baseline: Done
    check: Done
    out: Path
    results: dict[Key, dict[str, Any]]
    repairs: dict[Key, Repair]


def output(done: Done) -> str:
    """A command's exit code and the end of its output, for assertion messages."""
    return f"exit {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, servers: dict[str, str], new_pages: LivePages) -> CliRuns:
    """Baseline on 3.52.5, check on 5.35.0, and each suggestion tried on the live 5.35.0 pages."""
    work = tmp_path_factory.mktemp("swagger-ui-guides")
    app = work / "app"
    shutil.copytree(FIXTURE, app)
    out = work / "out"
    baseline = harness("guides", "baseline", "--app", app / "app.yaml", "--base-url", servers[BASELINE])
    check = harness("guides", "check", "--app", app / "app.yaml", "--base-url", servers[CHECKED], "--out", out,
                    "--json")
    results: dict[Key, dict[str, Any]] = {}
    repairs: dict[Key, Repair] = {}
    if (out / "guides.json").is_file():
        data = json.loads((out / "guides.json").read_text(encoding="utf-8"))
        results = {(g["id"], s["id"]): s for g in data["guides"] for s in g["steps"]}
        for key, case in CASES.items():
            suggestion = (results.get(key) or {}).get("suggestion")
            if not case.expected_element or not suggestion:
                continue
            page, _ = new_pages.open(case.page)
            css = suggestion.get("css")
            repairs[key] = Repair(
                suggestion["target"], css, page.locator(suggestion["target"]).count(),
                same_element(page, suggestion["target"], case.expected_element),
                same_element(page, f"css={css}", case.expected_element) if css else None)
    return CliRuns(app, baseline, check, out, results, repairs)


# --- the answer key itself --------------------------------------------------------------
def test_the_answer_key_covers_every_step_with_a_known_status() -> None:
    key = load_yaml(FIXTURE / "expected.yaml")
    assert (key["app"], key["baseline"], key["checked"]) == ("swagger_ui", BASELINE, CHECKED)
    assert {(g, s) for g, steps in key["guides"].items() for s in steps} == set(CASES)
    anchored = [c for c in CASES.values() if c.target]
    assert len(anchored) >= 30
    assert {c.guide for c in CASES.values()} >= {"api-reference-tour", "open-ticket-tour"}
    for case in CASES.values():
        assert case.page.startswith("/?tour="), case.key
        assert case.status[BASELINE] == "ok", case.key
        assert case.status[CHECKED] in STATUSES, case.key
        if case.status[CHECKED] == "ok":
            assert case.expected_element is None and case.why is None, case.key
        else:
            assert case.target and case.why, case.key
    for key_ in (*SUGGESTION_DISAGREES, *STATUS_DISAGREES):
        assert key_ in BROKEN, key_


def test_on_3_52_every_guide_step_selects_one_visible_element_showing_its_text(
        live: dict[str, dict[Key, Observed]]) -> None:
    for key, seen in live[BASELINE].items():
        assert seen.http_status == 200, (key, seen)
        if CASES[key].target is None:
            continue
        assert seen.count == 1 and seen.visible, (key, seen)
        assert seen.shows_text in (None, True), (key, seen)


def test_on_5_35_every_step_is_what_the_answer_key_says(live: dict[str, dict[Key, Observed]]) -> None:
    for key, case in CASES.items():
        seen = live[CHECKED][key]
        status = case.status[CHECKED]
        assert seen.http_status == 200, (key, seen)
        if case.target is None:
            assert status == "ok", key
        elif status == "missing":
            assert seen.count == 0, (key, seen)
        elif status == "ambiguous":
            assert seen.count > 1, (key, seen)
        elif status == "text_changed":
            assert seen.count == 1 and seen.visible and seen.shows_text is False, (key, seen)
            assert seen.target_is_expected, (key, seen)
        elif status == "drifted":
            assert seen.count == 1 and seen.visible and not seen.target_is_expected, (key, seen)
        else:
            assert status == "ok", key
            assert seen.count == 1 and seen.visible and seen.shows_text in (None, True), (key, seen)


def test_on_5_35_every_expected_element_is_one_visible_element(live: dict[str, dict[Key, Observed]]) -> None:
    for key, case in CASES.items():
        if case.expected_element is not None:
            seen = live[CHECKED][key]
            assert seen.expected_count == 1 and seen.expected_visible, (key, case.expected_element, seen)


# --- the harness CLI --------------------------------------------------------------------
def test_baseline_on_3_52_records_every_step(cli: CliRuns) -> None:
    assert cli.baseline.returncode == 0, output(cli.baseline)
    folder = cli.app / "guides" / "baseline"
    for guide in {c.guide for c in CASES.values()}:
        data = json.loads((folder / f"{guide}.json").read_text(encoding="utf-8"))
        assert data["guide"] == guide and data["app"] == "swagger_ui"
        steps = {s for g, s in CASES if g == guide}
        assert set(data["steps"]) == steps
        for step in steps:
            entry = data["steps"][step]
            assert entry["target"] == CASES[guide, step].target
            if entry["target"] is not None:
                assert entry["fingerprint"]["visible"] is True
                assert (folder / entry["screenshot"]).is_file()


def test_check_on_5_35_fails_and_counts_every_status_of_the_key(cli: CliRuns) -> None:
    assert cli.check.returncode == 1, output(cli.check)
    data = json.loads((cli.out / "guides.json").read_text(encoding="utf-8"))
    assert json.loads(cli.check.stdout)["status"] == data["status"] == "failed"
    assert set(cli.results) == set(CASES)
    assert data["totals"]["steps"] == len(CASES)


@pytest.mark.parametrize("key", [_param(k, STATUS_DISAGREES) for k in CASES])
def test_check_on_5_35_gives_the_step_the_answer_keys_status(cli: CliRuns, key: Key) -> None:
    result = cli.results.get(key) or {}
    assert result.get("status") == CASES[key].status[CHECKED], (result.get("status"), result.get("message"))


@pytest.mark.parametrize("key", [_param(k, SUGGESTION_DISAGREES) for k in BROKEN])
def test_check_on_5_35_suggests_exactly_the_expected_element(cli: CliRuns, key: Key) -> None:
    case = CASES[key]
    suggestion = (cli.results.get(key) or {}).get("suggestion")
    if case.expected_element is None:
        assert suggestion is None, f"the element is gone, but {suggestion['target']!r} was suggested"
        return
    repair = cli.repairs.get(key)
    assert repair is not None, f"no suggestion; expected {case.expected_element!r}"
    assert repair.target_is_expected and repair.css_is_expected is not False, (
        f"suggested {repair.target!r} (css {repair.css!r}, {repair.target_matches} match(es)), "
        f"expected {case.expected_element!r}")
