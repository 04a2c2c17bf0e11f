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
  element the key names; its ``--write-fixes`` patch changes the repaired ``target:`` lines only,
  and once applied with ``git apply`` the re-check finds those steps ok.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.support import ROOT
from tests.support.cli import harness
from tests.support.django_admin import (
    DEFAULT_PASSWORD,
    OTHER_USERNAME,
    SESSION_PASSWORD,
    USERNAME,
    DjangoSites,
    admin_password,
    harness_env,
)
from tests.support.guide_corpus import (
    PATCHED_LINE,
    CliRuns,
    Key,
    LivePages,
    Observed,
    StepCase,
    apply_fixes,
    baseline_problems,
    broken,
    check_summary_problems,
    expected_problems,
    guides_json,
    key_problems,
    live_key_problems,
    live_pages,
    load_cases,
    observe_all,
    output,
    report,
    run_cli,
    status_problems,
    step_results,
    suggestion_problem,
)
from tests.support.run_folders import folder_text

#: The module's fixtures start both servers (once per worker: ``django_sites``) and run three harness commands
#: inside its first tests.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("django"), pytest.mark.timeout(900)]

FIXTURE = ROOT / "tests" / "fixtures" / "django_admin"
BASELINE, CHECKED = "4.2", "5.2"
#: A non-default password: the servers' superusers and the harness both read it from the environment.
SECRET = SESSION_PASSWORD


def log_in(context: BrowserContext, user: str) -> None:
    """Log a browser context in through the admin's login form."""
    assert user in (USERNAME, OTHER_USERNAME)
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", admin_password())
    page.click('#login-form input[type="submit"]')
    page.get_by_role("heading", name="Site administration").wait_for()
    page.close()


# --- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cases() -> dict[Key, StepCase]:
    """The fixture guides' steps with their answer key."""
    return load_cases(FIXTURE)


@pytest.fixture(scope="module")
def secret_env(django_sites: DjangoSites) -> dict[str, str]:
    """The harness's environment: the servers' non-default admin password (``$DJANGO_ADMIN_PASSWORD``)."""
    return harness_env()


@pytest.fixture(scope="module")
def pages(django_sites: DjangoSites, browser: Browser) -> Iterator[dict[str, LivePages]]:
    """Live 5.2 pages, each opened once for the module's tests (4.2 is proven by the baseline, which records a
    step only when its target selects one visible element showing its text, and by the check of 4.2)."""
    with contextlib.ExitStack() as stack:
        yield {CHECKED: stack.enter_context(live_pages(browser, django_sites.url(CHECKED), log_in))}


@pytest.fixture(scope="module")
def live(cases: dict[Key, StepCase], pages: dict[str, LivePages]) -> dict[str, dict[Key, Observed]]:
    """Every step observed on live 5.2 pages, without the harness."""
    return {CHECKED: observe_all(pages[CHECKED], cases)}


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, cases: dict[Key, StepCase], secret_env: dict[str, str],
        django_sites: DjangoSites, pages: dict[str, LivePages]) -> CliRuns:
    """Baseline and check on 4.2, then check on 5.2 and try each suggestion on the live 5.2 pages."""
    return run_cli(FIXTURE, tmp_path_factory.mktemp("django-guides"), django_sites.url(BASELINE),
                   django_sites.url(CHECKED), env=secret_env, new_pages=pages[CHECKED], cases=cases)


# --- the answer key itself --------------------------------------------------------------
def test_the_answer_key_covers_every_step_with_a_known_status(cases: dict[Key, StepCase]) -> None:
    assert len(cases) >= 25
    assert len({c.guide for c in cases.values()}) >= 9
    wrong = key_problems(FIXTURE, cases, BASELINE, CHECKED, "/admin/")
    assert not wrong, report(wrong)
    checked = [c.status[CHECKED] for c in cases.values()]
    assert checked.count("ok") >= 20 and len(set(checked) - {"ok"}) >= 4


def test_on_5_2_every_step_is_what_the_answer_key_says(cases: dict[Key, StepCase],
                                                       live: dict[str, dict[Key, Observed]]) -> None:
    wrong = live_key_problems(cases, live[CHECKED], CHECKED)
    assert not wrong, report(wrong)


def test_on_5_2_every_expected_element_is_one_visible_element(cases: dict[Key, StepCase],
                                                            live: dict[str, dict[Key, Observed]]) -> None:
    wrong = expected_problems(cases, live[CHECKED])
    assert not wrong, report(wrong)


# --- the harness CLI --------------------------------------------------------------------
def test_baseline_on_4_2_records_every_step(cli: CliRuns, cases: dict[Key, StepCase]) -> None:
    wrong = baseline_problems(cli, cases, "django_admin")
    assert not wrong, report(wrong)


def test_check_on_4_2_finds_every_step_ok(cli: CliRuns, cases: dict[Key, StepCase]) -> None:
    assert cli.check_old is not None
    wrong = check_summary_problems(cli.check_old, cli.out_old, cases, passes=True)
    assert not wrong, report(wrong)
    data = guides_json(cli.out_old)
    wrong = status_problems(step_results(data), cases, BASELINE)
    assert not wrong, report(wrong)
    assert data["totals"]["steps"] == data["totals"]["ok"] == len(cases)


def test_check_on_5_2_gives_every_step_the_answer_keys_status(cli: CliRuns, cases: dict[Key, StepCase]) -> None:
    wrong = check_summary_problems(cli.check_new, cli.out_new, cases, passes=False)
    assert not wrong, report(wrong)
    data = guides_json(cli.out_new)
    wrong = status_problems(step_results(data), cases, CHECKED)
    assert not wrong, report(wrong)
    wanted = {key: c.status[CHECKED] for key, c in cases.items()}
    for status in set(wanted.values()):
        assert data["totals"][status] == list(wanted.values()).count(status), status
    fail_on = set(data["policy"]["fail_on"])
    for guide in data["guides"]:
        mine = {wanted[guide["id"], s["id"]] for s in guide["steps"]}
        status = "broken" if mine & fail_on else "intact" if mine == {"ok"} else "warning"
        assert guide["status"] == status, guide["id"]


def test_check_on_5_2_suggests_exactly_the_expected_element(cli: CliRuns, cases: dict[Key, StepCase]) -> None:
    results = cli.results()
    wrong = {case.name: problem for key, case in cases.items()
             if (problem := suggestion_problem(case, results.get(key), cli.repairs.get(key), CHECKED))}
    assert not wrong, report(wrong)
    repairable = [c for c in broken(cases, CHECKED).values() if c.expected_element]
    out_of_reach = [c for c in repairable if c.not_suggested]
    assert len(out_of_reach) <= 1 and len(repairable) >= 10  # "most broken steps": all but one


def test_write_fixes_patch_touches_only_targets_and_after_git_apply_the_repaired_steps_are_ok(
        cli: CliRuns, cases: dict[Key, StepCase], django_sites: DjangoSites, secret_env: dict[str, str],
        tmp_path: Path) -> None:
    """The review patch changes the repaired lines and nothing else; applied, the re-check finds them ok."""
    patch = (cli.out_new / "guide-fixes.patch").read_text(encoding="utf-8")
    changed = [line for line in patch.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed and all(PATCHED_LINE.match(line) for line in changed), patch
    repaired = {key for key, repair in cli.repairs.items() if repair.target_is_expected}
    assert len([line for line in changed if line.startswith("+")]) == len(repaired)
    app_yaml = apply_fixes(cli, tmp_path)
    done = harness("guides", "check", "--app", app_yaml, "--base-url", django_sites.url(CHECKED),
                   "--out", tmp_path / "out", "--json", env=secret_env)
    assert (tmp_path / "out" / "guides.json").is_file(), output(done)
    results = step_results(guides_json(tmp_path / "out"))
    for key in repaired:
        assert results[key]["status"] == "ok", (cases[key].name, results[key]["message"])
    still = {key for key, r in results.items() if r["status"] != "ok"}
    assert still == set(broken(cases, CHECKED)) - repaired, output(done)


def test_no_output_holds_the_admin_password(cli: CliRuns) -> None:
    assert SECRET != DEFAULT_PASSWORD
    for folder in (cli.app / "guides" / "baseline", cli.out_old, cli.out_new):
        assert folder.is_dir(), folder
        assert SECRET not in folder_text(folder), folder
    for done in (cli.baseline, cli.check_old, cli.check_new):
        assert SECRET not in done.stdout + done.stderr
