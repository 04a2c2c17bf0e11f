"""The guide check on a real vendor update: the Django admin, 4.2 LTS (baseline) vs 5.2 LTS.

The guides in ``tests/fixtures/django_admin/guides`` were written against 4.2 the way an
adoption team writes them; ``expected.yaml`` says, step by step, what 5.2 does to each and
which element a repair must point at. Two sets of tests:

- the answer key against the live pages, in Chromium, without the harness: every guide step
  selects one visible element on 4.2, and on 5.2 each step is what the key says (nothing
  matches, several match, the text is gone, the page answers an error...), and every
  ``expected_element`` selects exactly one visible element;
- the real ``harness guides baseline`` and ``harness guides check`` commands: all ok on 4.2,
  then on 5.2 every step has the key's status and every repair suggestion selects the very
  element the key names.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError

from harness.spec.guides import guides_dir, load_guides
from harness.spec.profile import load_profile
from harness.spec.yamlfile import load_yaml
from tests.support import ROOT
from tests.support.cli import Done, harness
from tests.support.django_admin import (
    DEFAULT_PASSWORD,
    OTHER_USERNAME,
    PASSWORD_ENV,
    SESSION_PASSWORD,
    USERNAME,
    DjangoSites,
    admin_password,
)
from tests.support.run_folders import folder_text

#: The module's fixtures start both servers (once per worker: ``django_sites``) and run three harness commands
#: inside its first tests.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("django"), pytest.mark.timeout(900)]

FIXTURE = ROOT / "tests" / "fixtures" / "django_admin"
BASELINE, CHECKED = "4.2", "5.2"
#: A non-default password: the servers' superusers and the harness both read it from the environment.
SECRET = SESSION_PASSWORD
STATUSES = {"page_error", "missing", "ambiguous", "hidden", "offscreen", "covered", "disabled", "text_changed",
            "drifted", "ok"}
Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class StepCase:
    """A guide step with what the answer key says about it.

    Attributes:
        guide: The guide id.
        step: The step id.
        user: The user the guide logs in as (``None``: anonymous).
        page: The step's page (a path).
        target: The step's selector.
        text: The text the step expects its element to show.
        status: The key's status by Django version (``"4.2"``, ``"5.2"``).
        expected_element: CSS of the element the step should point at on 5.2 (non-ok steps).
        why: What changed, for messages.
        not_suggested: Why the harness is known to propose nothing for this step (its fingerprint
            has too little in common with the right element); it must then propose nothing at all.
    """

    guide: str
    step: str
    user: str | None
    page: str
    target: str
    text: str | None
    status: dict[str, str]
    expected_element: str | None
    why: str | None
    not_suggested: str | None = None

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
            assert page is not None and step.target is not None
            cases[guide.id, step.id] = StepCase(
                guide.id, step.id, guide.user, page, step.target, step.text,
                {BASELINE: entry[BASELINE], CHECKED: entry[CHECKED]}, entry.get("expected_element"), entry.get("why"),
                entry.get("not_suggested"))
    return cases


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


# --- the live admin in Chromium ---------------------------------------------------------
class LivePages:
    """Pages of a live admin: one browser context per user (logged in once), each URL opened once."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: dict[str | None, BrowserContext] = {}
        self.pages: dict[tuple[str | None, str], tuple[Page, int | None]] = {}

    def _context(self, user: str | None) -> BrowserContext:
        if user not in self.contexts:
            context = self.browser.new_context(viewport={"width": 1280, "height": 720}, base_url=self.base_url)
            if user is not None:
                assert user in (USERNAME, OTHER_USERNAME)
                page = context.new_page()
                page.goto("/admin/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", admin_password())
                page.click('#login-form input[type="submit"]')
                page.get_by_role("heading", name="Site administration").wait_for()
                page.close()
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
                page.wait_for_load_state("networkidle")
            except PlaywrightError:  # Chromium refuses to show an error answer with no body (a 405)
                status = context.request.get(page_path, max_redirects=0).status
            self.pages[user, page_path] = (page, status)
        return self.pages[user, page_path]

    def close(self) -> None:
        """Close every context (and so every page) opened."""
        for context in self.contexts.values():
            context.close()


@contextlib.contextmanager
def live_pages(browser: Browser, base_url: str) -> Iterator[LivePages]:
    """Pages of a live admin in ``browser``, closed on exit."""
    pages = LivePages(browser, base_url)
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
    """

    http_status: int | None
    count: int = 0
    visible: bool = False
    shows_text: bool | None = None
    expected_count: int | None = None
    expected_visible: bool = False
    target_is_expected: bool = False


def observe(pages: LivePages, case: StepCase) -> Observed:
    """Look at a step's target (and its expected element) on the live page."""
    page, status = pages.open(case.user, case.page)
    seen = Observed(status)
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
            seen.target_is_expected = same_element(page, case.target, case.expected_element)
    return seen


# --- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cases() -> dict[Key, StepCase]:
    """The fixture guides' steps with their answer key."""
    return load_cases()


@pytest.fixture(scope="module")
def secret_env(django_sites: DjangoSites) -> dict[str, str]:
    """The harness's environment: the servers' non-default admin password (``$DJANGO_ADMIN_PASSWORD``)."""
    assert os.environ[PASSWORD_ENV] == SECRET
    env = {**os.environ, "CI": "true"}
    for name in ("HARNESS_RUN_DIR", "HARNESS_RUN_ID"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def live(cases: dict[Key, StepCase], django_sites: DjangoSites, browser: Browser) -> dict[str, dict[Key, Observed]]:
    """Every step observed on live 4.2 and 5.2 pages, without the harness."""
    seen: dict[str, dict[Key, Observed]] = {}
    for version in (BASELINE, CHECKED):
        with live_pages(browser, django_sites.url(version)) as pages:
            seen[version] = {key: observe(pages, case) for key, case in cases.items()}
    return seen


def output(done: Done) -> str:
    """A command's exit code and the end of its output, for assertion messages."""
    return f"exit {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


@dataclass(slots=True)
class Repair:
    """How a suggestion for a 5.2 step lands on the live page.

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
    check_old: Done
    check_new: Done
    out_old: Path
    out_new: Path
    repairs: dict[Key, Repair] = field(default_factory=dict)


def guides_json(out: Path) -> dict[str, Any]:
    """The ``guides.json`` of a check's output folder."""
    path = out / "guides.json"
    assert path.is_file(), f"no {path}"
    return json.loads(path.read_text(encoding="utf-8"))


def step_results(data: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    """A ``guides.json``'s step results by (guide id, step id)."""
    return {(g["id"], s["id"]): s for g in data["guides"] for s in g["steps"]}


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, cases: dict[Key, StepCase], secret_env: dict[str, str],
        django_sites: DjangoSites, browser: Browser) -> CliRuns:
    """Baseline and check on 4.2, then check on 5.2 and try each suggestion on the live 5.2 pages."""
    work = tmp_path_factory.mktemp("django-guides")
    app = work / "app"
    shutil.copytree(FIXTURE, app)
    out_old, out_new = work / "out42", work / "out52"
    url = django_sites.url(BASELINE)
    baseline = harness("guides", "baseline", "--app", app / "app.yaml", "--base-url", url, env=secret_env)
    check_old = harness("guides", "check", "--app", app / "app.yaml", "--base-url", url,
                        "--out", out_old, "--json", env=secret_env)
    url = django_sites.url(CHECKED)
    check_new = harness("guides", "check", "--app", app / "app.yaml", "--base-url", url,
                        "--out", out_new, "--json", env=secret_env)
    runs = CliRuns(app, baseline, check_old, check_new, out_old, out_new)
    if (out_new / "guides.json").is_file():
        results = step_results(guides_json(out_new))
        with live_pages(browser, url) as pages:
            for key, case in cases.items():
                suggestion = (results.get(key) or {}).get("suggestion")
                if not case.expected_element or not suggestion:
                    continue
                page, _ = pages.open(case.user, case.page)
                css = suggestion.get("css")
                runs.repairs[key] = Repair(
                    suggestion["target"], css, page.locator(suggestion["target"]).count(),
                    same_element(page, suggestion["target"], case.expected_element),
                    same_element(page, css, case.expected_element) if css else None)
    return runs


# --- the answer key itself --------------------------------------------------------------
def test_the_answer_key_covers_every_step_with_a_known_status(cases: dict[Key, StepCase]) -> None:
    assert len(cases) >= 25
    assert len({c.guide for c in cases.values()}) >= 9
    for case in cases.values():
        assert case.page.startswith("/admin/"), case.key
        assert case.status[BASELINE] == "ok", case.key
        assert case.status[CHECKED] in STATUSES, case.key
        if case.status[CHECKED] == "ok":
            assert case.expected_element is None and case.why is None, case.key
        else:
            assert case.why, case.key
    key = load_yaml(FIXTURE / "expected.yaml")
    assert {(g, s) for g, steps in key["guides"].items() for s in steps} == set(cases)
    checked = [c.status[CHECKED] for c in cases.values()]
    assert checked.count("ok") >= 20 and len(set(checked) - {"ok"}) >= 4


def test_on_4_2_every_guide_step_selects_one_visible_element_showing_its_text(
        cases: dict[Key, StepCase], live: dict[str, dict[Key, Observed]]) -> None:
    for key, seen in live[BASELINE].items():
        assert seen.http_status == 200, (key, seen)
        assert seen.count == 1 and seen.visible, (key, seen)
        assert seen.shows_text in (None, True), (key, seen)


def test_on_5_2_every_step_is_what_the_answer_key_says(cases: dict[Key, StepCase],
                                                       live: dict[str, dict[Key, Observed]]) -> None:
    for key, case in cases.items():
        seen = live[CHECKED][key]
        status = case.status[CHECKED]
        if status == "page_error":
            assert seen.http_status is not None and seen.http_status >= 400, (key, seen)
            continue
        assert seen.http_status == 200, (key, seen)
        if status == "missing":
            assert seen.count == 0, (key, seen)
        elif status == "ambiguous":
            assert seen.count > 1, (key, seen)
        elif status == "text_changed":
            assert seen.count == 1 and seen.visible and seen.shows_text is False, (key, seen)
        elif status == "drifted":
            assert seen.count == 1 and seen.visible and not seen.target_is_expected, (key, seen)
        else:
            assert status == "ok", key
            assert seen.count == 1 and seen.visible and seen.shows_text in (None, True), (key, seen)


def test_on_5_2_every_expected_element_is_one_visible_element(cases: dict[Key, StepCase],
                                                            live: dict[str, dict[Key, Observed]]) -> None:
    for key, case in cases.items():
        if case.expected_element is None:
            continue
        seen = live[CHECKED][key]
        assert seen.expected_count == 1 and seen.expected_visible, (key, case.expected_element, seen)


# --- the harness CLI --------------------------------------------------------------------
def test_baseline_on_4_2_records_every_step(cli: CliRuns, cases: dict[Key, StepCase]) -> None:
    assert cli.baseline.returncode == 0, output(cli.baseline)
    folder = cli.app / "guides" / "baseline"
    for guide in {c.guide for c in cases.values()}:
        data = json.loads((folder / f"{guide}.json").read_text(encoding="utf-8"))
        assert data["guide"] == guide and data["app"] == "django_admin"
        steps = {s for g, s in cases if g == guide}
        assert set(data["steps"]) == steps
        for step in steps:
            entry = data["steps"][step]
            assert entry["target"] == cases[guide, step].target
            assert entry["fingerprint"]["visible"] is True
            assert (folder / entry["screenshot"]).is_file()


def test_check_on_4_2_finds_every_step_ok(cli: CliRuns, cases: dict[Key, StepCase]) -> None:
    assert cli.check_old.returncode == 0, output(cli.check_old)
    data = guides_json(cli.out_old)
    assert json.loads(cli.check_old.stdout)["status"] == data["status"] == "passed"
    statuses = {key: r["status"] for key, r in step_results(data).items()}
    assert statuses == {key: "ok" for key in cases}
    assert data["totals"]["steps"] == data["totals"]["ok"] == len(cases)


def test_check_on_5_2_gives_every_step_the_answer_keys_status(cli: CliRuns, cases: dict[Key, StepCase]) -> None:
    assert cli.check_new.returncode == 1, output(cli.check_new)
    data = guides_json(cli.out_new)
    assert json.loads(cli.check_new.stdout)["status"] == data["status"] == "failed"
    results = step_results(data)
    got = {key: r["status"] for key, r in results.items()}
    wanted = {key: c.status[CHECKED] for key, c in cases.items()}
    wrong = {f"{g}/{s}": f"got {got.get((g, s))}, expected {wanted[g, s]} ({results.get((g, s), {}).get('message')})"
             for g, s in wanted if got.get((g, s)) != wanted[g, s]}
    assert not wrong, json.dumps(wrong, indent=1, ensure_ascii=False)
    assert data["totals"]["steps"] == len(cases)
    for status in set(wanted.values()):
        assert data["totals"][status] == list(wanted.values()).count(status), status
    fail_on = set(data["policy"]["fail_on"])
    for guide in data["guides"]:
        mine = {wanted[guide["id"], s["id"]] for s in guide["steps"]}
        status = "broken" if mine & fail_on else "intact" if mine == {"ok"} else "warning"
        assert guide["status"] == status, guide["id"]


def test_check_on_5_2_suggests_exactly_the_expected_element(cli: CliRuns, cases: dict[Key, StepCase]) -> None:
    results = step_results(guides_json(cli.out_new))
    wrong: dict[str, Any] = {}
    for key, case in cases.items():
        if case.status[CHECKED] == "ok":
            continue
        suggestion = results[key]["suggestion"]
        name = f"{key[0]}/{key[1]}"
        if case.expected_element is None:
            if suggestion is not None:
                wrong[name] = f"the element is gone, but {suggestion['target']!r} was suggested"
            continue
        repair = cli.repairs.get(key)
        if case.not_suggested:
            if suggestion is not None:
                wrong[name] = f"known to be out of reach, yet {suggestion['target']!r} was suggested"
            continue
        if repair is None:
            wrong[name] = f"no suggestion; expected {case.expected_element!r}"
        elif not repair.target_is_expected or repair.css_is_expected is False:
            wrong[name] = (f"suggested {repair.target!r} (css {repair.css!r}, {repair.target_matches} match(es)), "
                           f"expected {case.expected_element!r}")
    assert not wrong, json.dumps(wrong, indent=1, ensure_ascii=False)
    repairable = [c for c in cases.values() if c.status[CHECKED] != "ok" and c.expected_element]
    out_of_reach = [c for c in repairable if c.not_suggested]
    assert len(out_of_reach) <= 1 and len(repairable) >= 10  # "most broken steps": all but one


def test_no_output_holds_the_admin_password(cli: CliRuns) -> None:
    assert SECRET != DEFAULT_PASSWORD
    for folder in (cli.app / "guides" / "baseline", cli.out_old, cli.out_new):
        assert folder.is_dir(), folder
        assert SECRET not in folder_text(folder), folder
    for done in (cli.baseline, cli.check_old, cli.check_new):
        assert SECRET not in done.stdout + done.stderr
