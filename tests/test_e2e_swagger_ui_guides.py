"""The guide check on a real vendor update: Swagger UI (``swagger-ui-dist``), 3.52.5 (baseline) vs 5.35.0.

The guides in ``tests/fixtures/swagger_ui/guides`` were written against 3.52.5 the way an adoption
team writes them (two were imported from an Intro.js and a Driver.js tour), each launched by a link
of its own (``/?tour=<guide>``, with Swagger UI's deep link on one operation); ``expected.yaml`` says,
step by step, what 5.35.0 does to each and which element a repair must point at. Two sets of tests:

- the answer key against the live 5.35.0 pages, in Chromium, without the harness: each step is what
  the key says, and every ``expected_element`` selects exactly one visible element (3.52.5 is proven
  by the baseline, which records a step only when its target selects one visible element showing its
  text);
- the real ``harness guides baseline`` (3.52.5) and ``harness guides check`` (5.35.0) commands: one
  test per step for its status and one per broken step for its suggestion. Where the harness does not
  agree with the key yet, the test is a strict xfail saying how (:data:`STATUS_DISAGREES`,
  :data:`SUGGESTION_DISAGREES`): the key is not bent to the tool.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from harness.spec.yamlfile import load_yaml
from tests.support import ROOT
from tests.support.cli import env_with_secrets
from tests.support.guide_corpus import (
    CliRuns,
    Key,
    LivePages,
    Observed,
    StepCase,
    baseline_problems,
    broken,
    check_summary_problems,
    expected_problems,
    key_problems,
    live_key_problems,
    live_pages,
    load_cases,
    observe_all,
    report,
    run_cli,
    status_problem,
    step_params,
    suggestion_problem,
)
from tests.support.swagger_ui import PACKAGE, VERSIONS, swagger_ui, swagger_ui_dist

#: The module's fixtures start one server per version and run two harness commands inside its first tests.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("swagger_ui"), pytest.mark.timeout(600)]

FIXTURE = ROOT / "tests" / "fixtures" / "swagger_ui"
BASELINE, CHECKED = VERSIONS
CASES = load_cases(FIXTURE)
BROKEN = broken(CASES, CHECKED)

#: Steps whose 5.35.0 status the harness does not get right yet, and what it says instead.
STATUS_DISAGREES: dict[Key, str] = {}
#: Broken steps whose 5.35.0 suggestion is not the key's expected element yet, and what it does instead.
SUGGESTION_DISAGREES: dict[Key, str] = {
    ("overview", "logo"): "no suggestion: an <img> and the inline <svg> logo share too little (similarity 0.32)",
}


def _rendered(page: Page, path: str) -> None:
    """Wait until Swagger UI has rendered the OpenAPI document (its schemas shown) and, on a deep link,
    opened the linked operation."""
    page.locator("#swagger-ui section.models").wait_for()
    if "#/" in path:
        page.locator("#swagger-ui .opblock.is-open .responses-table").wait_for()


def _swagger_problem(case: StepCase, seen: Observed) -> str | None:
    """What the Swagger UI key says beyond :func:`live_problem`: every page answers 200, and a
    ``text_changed`` step's target is still the expected element."""
    if seen.http_status != 200:
        return f"the page answered {seen.http_status}"
    if case.status[CHECKED] == "text_changed" and not seen.target_is_expected:
        return f"the text changed, but the target is not {case.expected_element!r}: {seen}"
    return None


# --- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    """Both Swagger UI versions, served for the whole module: base URL by version."""
    with contextlib.ExitStack() as stack:
        yield {version: stack.enter_context(swagger_ui(version)) for version in VERSIONS}


@pytest.fixture(scope="module")
def cases() -> dict[Key, StepCase]:
    """The fixture guides' steps with their answer key."""
    return CASES


@pytest.fixture(scope="module")
def pages(servers: dict[str, str], browser: Browser) -> Iterator[dict[str, LivePages]]:
    """Live 5.35.0 pages, each opened once for the module's tests (3.52.5 is proven by the baseline, which
    records a step only when its target selects one visible element showing its text)."""
    with contextlib.ExitStack() as stack:
        yield {CHECKED: stack.enter_context(live_pages(browser, servers[CHECKED], ready=_rendered))}


@pytest.fixture(scope="module")
def live(cases: dict[Key, StepCase], pages: dict[str, LivePages]) -> dict[str, dict[Key, Observed]]:
    """Every step observed on live 5.35.0 pages, without the harness."""
    return {CHECKED: observe_all(pages[CHECKED], cases)}


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, cases: dict[Key, StepCase], servers: dict[str, str],
        pages: dict[str, LivePages]) -> CliRuns:
    """Baseline on 3.52.5, then check on 5.35.0 and try each suggestion on the live 5.35.0 pages (the check of
    an unchanged version, every step ok, is the Django admin module's)."""
    return run_cli(FIXTURE, tmp_path_factory.mktemp("swagger-ui-guides"), servers[BASELINE], servers[CHECKED],
                   env=env_with_secrets(), new_pages=pages[CHECKED], cases=cases, check_old=False)


# --- the corpus itself ------------------------------------------------------------------
def test_the_answer_key_covers_every_step_with_a_known_status(cases: dict[Key, StepCase]) -> None:
    key = load_yaml(FIXTURE / "expected.yaml")
    assert (key["app"], key["baseline"], key["checked"]) == ("swagger_ui", BASELINE, CHECKED)
    wrong = key_problems(FIXTURE, cases, BASELINE, CHECKED, "/?tour=")
    assert not wrong, report(wrong)
    assert len([c for c in cases.values() if c.target]) >= 30
    assert {c.guide for c in cases.values()} >= {"api-reference-tour", "open-ticket-tour"}
    assert not [c.name for c in BROKEN.values() if not c.target]  # a broken step is never floating
    for key_ in (*SUGGESTION_DISAGREES, *STATUS_DISAGREES):
        assert key_ in BROKEN, key_


@pytest.mark.parametrize("version", VERSIONS)
def test_the_cached_npm_package_is_the_named_swagger_ui_release(version: str) -> None:
    package = json.loads((swagger_ui_dist(version) / "package.json").read_text(encoding="utf-8"))
    assert (package["name"], package["version"]) == (PACKAGE, version)


# --- the answer key against the live pages ----------------------------------------------
def test_on_5_35_every_step_is_what_the_answer_key_says(cases: dict[Key, StepCase],
                                                        live: dict[str, dict[Key, Observed]]) -> None:
    wrong = live_key_problems(cases, live[CHECKED], CHECKED, also=_swagger_problem)
    assert not wrong, report(wrong)


def test_on_5_35_every_expected_element_is_one_visible_element(cases: dict[Key, StepCase],
                                                             live: dict[str, dict[Key, Observed]]) -> None:
    wrong = expected_problems(cases, live[CHECKED])
    assert not wrong, report(wrong)


# --- the harness CLI --------------------------------------------------------------------
def test_baseline_on_3_52_records_every_step(cli: CliRuns, cases: dict[Key, StepCase]) -> None:
    wrong = baseline_problems(cli, cases, "swagger_ui")
    assert not wrong, report(wrong)


def test_check_on_5_35_fails_and_counts_every_status_of_the_key(cli: CliRuns, cases: dict[Key, StepCase]) -> None:
    wrong = check_summary_problems(cli.check_new, cli.out_new, cases, passes=False)
    assert not wrong, report(wrong)


@pytest.mark.parametrize("key", step_params(CASES, STATUS_DISAGREES))
def test_check_on_5_35_gives_the_step_the_answer_keys_status(cli: CliRuns, key: Key) -> None:
    problem = status_problem(CASES[key], cli.results().get(key), CHECKED)
    assert problem is None, problem


@pytest.mark.parametrize("key", step_params(BROKEN, SUGGESTION_DISAGREES))
def test_check_on_5_35_suggests_exactly_the_expected_element(cli: CliRuns, key: Key) -> None:
    problem = suggestion_problem(CASES[key], cli.results().get(key), cli.repairs.get(key), CHECKED)
    assert problem is None, problem
