"""The real tour libraries agree with the guide check, on the demo app v1 and v2.

Shepherd.js, Intro.js and Driver.js (pinned, installed from npm by tests/support/tour_libs.py) run the
fixture tours of the sign-in page in real Chromium; each library is asked which element every step
is attached to. A missing target does not stop any of them (they all show a centred popover
instead), so the test reads the library's own state, never "a popover appeared". The guide check
(the real ``harness guides import`` / ``guides check`` CLI) must say ``ok`` exactly when the library
attached to the element the guide's target selects, and ``missing`` exactly when it fell back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from ruamel.yaml import YAML

from harness.demo import load_changes
from harness.demo.server import DemoServer
from harness.spec.tours import import_tour
from tests.support import ROOT, tour_libs
from tests.support.cli import cli, env_with_secrets, harness
from tests.support.servers import both_demo_versions, serve_folder

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("tour-libs")]

TOURS = Path(__file__).parent / "fixtures" / "tours"
LIBRARIES = ("shepherd", "introjs", "driverjs")
#: What each library attaches a step to when the step's element is missing (read from the dist code).
FALLBACKS = {"shepherd": "shepherd-centered", "introjs": "introjsFloatingElement", "driverjs": "driver-dummy-element"}


def tour_file(library: str) -> Path:
    return TOURS / f"{library}-login.js"


def missing_on_v2() -> set[str]:
    """Selectors of /login that v2 no longer matches, from the demo's ground truth."""
    return {b["selector"] for change in load_changes()["changes"] if change["page"] == "/login"
            for b in change["breaks_selectors"] if b["how"] == "missing"}


@pytest.fixture(scope="module", autouse=True)
def libraries() -> None:
    tour_libs.install()  # fail here, clearly, if npm cannot install the libraries


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[int, DemoServer]]:
    with both_demo_versions() as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def run_tour(page: Page, server: DemoServer, library: str) -> tuple[list[dict[str, Any]], list[dict[str, Any] | None]]:
    """What the library highlights at each step, and what each imported step's target selects, on /login."""
    page.goto(server.url + "/login")
    steps = tour_libs.highlighted(page, library, tour_file(library))
    guide = import_tour(library, tour_file(library), page="/login")
    assert len(steps) == len(guide["steps"])
    selected = [tour_libs.describe(page, s["target"]) if "target" in s else None for s in guide["steps"]]
    return steps, selected


@pytest.mark.parametrize("version", [1, 2], ids=["v1", "v2"])
@pytest.mark.parametrize("library", LIBRARIES)
def test_library_attaches_to_present_targets_and_falls_back_for_missing_ones(
        page: Page, servers: dict[int, DemoServer], library: str, version: int) -> None:
    steps, selected = run_tour(page, servers[version], library)
    guide = import_tour(library, tour_file(library), page="/login")
    gone = missing_on_v2() if version == 2 else set()
    assert "#login-button" in missing_on_v2()
    for step, shown, found in zip(guide["steps"], steps, selected, strict=True):
        target = step.get("target")
        if target is None or target in gone:  # floating step, or its element is gone: the library's fallback
            assert not shown["attached"] and shown["fallback"] == FALLBACKS[library], (step, shown)
            assert found is None
            if library == "shepherd":
                assert shown["element"] is None  # getTarget() is null
            elif library == "introjs":
                assert shown["element"]["html"].startswith('<div class="introjsFloatingElement')
            else:
                assert shown["element"]["id"] == "driver-dummy-element"
        else:
            assert shown["attached"] and shown["fallback"] is None, (step, shown)
            assert found is not None and shown["element"]["path"] == found["path"], (step, shown, found)
    if library == "shepherd":
        assert [s["id"] for s in steps] == [s["id"] for s in guide["steps"]]


def test_intro_js_data_attribute_import_matches_what_intro_js_shows(page: Page, tmp_path: Path) -> None:
    starter = tmp_path / "start-attributes-tour.js"
    starter.write_text("import introJs from 'intro.js';\nintroJs.tour().start();\n")
    with serve_folder(TOURS) as url:
        page.goto(f"{url}/introjs-login-attributes.html")
        steps = tour_libs.highlighted(page, "introjs", starter)
        guide = import_tour("introjs", TOURS / "introjs-login-attributes.html")
        assert len(steps) == len(guide["steps"]) == 6
        for step, shown in zip(guide["steps"], steps, strict=True):
            found = tour_libs.describe(page, step["target"])
            assert shown["attached"] and found is not None and shown["element"]["path"] == found["path"], step


def app_yaml(tmp: Path, base_url: str) -> Path:
    """A minimal copy of journeys/demo/app.yaml: name, base_url, login, users, pages (and the login targets)."""
    yaml = YAML(typ="safe")
    full = yaml.load((ROOT / "journeys" / "demo" / "app.yaml").read_text())
    keep = {k: full[k] for k in ("schema_version", "name", "base_url", "login", "users", "pages") if k in full}
    keep["base_url"] = base_url
    named = {full["login"][k] for k in ("username", "password", "submit")}
    keep["targets"] = {name: full["targets"][name] for name in named}
    path = tmp / "app.yaml"
    with path.open("w") as fh:
        yaml.dump(keep, fh)
    return path


@pytest.fixture(scope="module")
def checked(servers: dict[int, DemoServer], tmp_path_factory: pytest.TempPathFactory) -> dict[int, Any]:
    """guides.json of the real CLI for the three imported tours, on v1 and v2."""
    tmp = tmp_path_factory.mktemp("tour-guides")
    for library in LIBRARIES:
        done = cli("guides", "import", library, tour_file(library), "--page", "/login",
                   "--out", tmp / "guides" / f"{library}-login.yaml")
        assert done.returncode == 0, done.stdout + done.stderr
    results: dict[int, Any] = {}
    for version, server in servers.items():
        out = tmp / f"out-v{version}"
        done = harness(
            "guides", "check", "--app", str(app_yaml(tmp, server.url)), "--guides", str(tmp / "guides"),
            "--base-url", server.url, "--out", str(out), "--json")
        report = json.loads((out / "guides.json").read_text())
        results[version] = {"exit": done.returncode, "report": report, "stdout": done.stdout, "stderr": done.stderr}
    return results


@pytest.mark.parametrize("version", [1, 2], ids=["v1", "v2"])
@pytest.mark.parametrize("library", LIBRARIES)
def test_guide_check_verdict_agrees_with_what_the_library_highlights(
        page: Page, servers: dict[int, DemoServer], checked: dict[int, Any], library: str, version: int) -> None:
    result = checked[version]
    report = result["report"]
    assert result["exit"] == (0 if version == 1 else 1), result["stdout"] + result["stderr"]
    assert report["status"] == ("passed" if version == 1 else "failed")
    assert json.loads(result["stdout"]) == report  # --json prints guides.json
    guide = next(g for g in report["guides"] if g["id"] == f"{library}-login")
    steps, selected = run_tour(page, servers[version], library)
    assert [s["index"] for s in guide["steps"]] == list(range(len(steps)))
    for verdict, shown, found in zip(guide["steps"], steps, selected, strict=True):
        where = (library, version, verdict["id"], verdict["status"], shown)
        if verdict["target"] is None:  # a floating step: the library centres it, the check only checks the page
            assert not shown["attached"] and verdict["status"] == "ok", where
            continue
        attached_to_target = shown["attached"] and found is not None and shown["element"]["path"] == found["path"]
        assert (verdict["status"] == "ok") == attached_to_target, where
        assert (verdict["status"] == "missing") == (not shown["attached"]), where
        assert (verdict["status"] == "missing") == (verdict["target"] in missing_on_v2() and version == 2), where
    assert any(v["status"] == "missing" for v in guide["steps"]) == (version == 2)


LOGIN_INPUTS_TOUR = """\
import Shepherd from 'shepherd.js';
const tour = new Shepherd.Tour({useModalOverlay: true});
tour.addStep({id: 'a-field', title: 'A field', text: 'Fill it in.',
              attachTo: {element: 'form#login-form input', on: 'bottom'}});
tour.start();
"""
EXPENSES_TOUR = """\
import Shepherd from 'shepherd.js';
const tour = new Shepherd.Tour({});
tour.addStep({id: 'search', title: 'Search', text: 'Find an expense.',
              attachTo: {element: '#expense-search', on: 'bottom'}});
tour.addStep({id: 'button', title: 'Go', text: 'Run it.',
              attachTo: {element: '#expense-search-form button[type=submit]', on: 'bottom'}});
tour.start();
"""


def test_first_match_baseline_warnings_and_tours_behind_a_login(
        page: Page, servers: dict[int, DemoServer], tmp_path: Path) -> None:
    """A css selector with several matches is the first match (as Shepherd attaches), with a warning; a
    playwright one stays ambiguous; a tour behind a login works with --user, says what to add without it,
    and a failed login is said once per user, without its prefix twice."""
    server = servers[1]
    tours, guides = tmp_path / "tours", tmp_path / "guides"
    tours.mkdir()
    (tours / "login-inputs.js").write_text(LOGIN_INPUTS_TOUR)
    (tours / "expenses.js").write_text(EXPENSES_TOUR)
    # what Shepherd itself attaches the step to: the first of the form's inputs
    page.goto(server.url + "/login")
    shown = tour_libs.highlighted(page, "shepherd", tours / "login-inputs.js")
    first = tour_libs.describe(page, "form#login-form input")
    assert shown[0]["attached"] and first is not None and shown[0]["element"]["path"] == first["path"]
    app = app_yaml(tmp_path, server.url)
    for guide_id, name, *options in (
            ("login-inputs", "login-inputs.js", "--page", "/login"),
            ("expenses-anonymous", "expenses.js", "--page", "/expenses"),
            ("expenses-employee", "expenses.js", "--page", "/expenses", "--user", "employee"),
            ("expenses-manager", "expenses.js", "--page", "/expenses", "--user", "manager")):
        done = cli("guides", "import", "shepherd", tours / name, *options, "--id", guide_id, "--app", app,
                   "--out", guides / f"{guide_id}.yaml")
        assert done.returncode == 0, done.stderr
    (guides / "strict.yaml").write_text("id: strict\npage: /login\nsteps:\n  - id: a-field\n"
                                        "    target: form#login-form input\n")
    # these servers keep the demo's default passwords; the manager's is made wrong
    env = {**env_with_secrets(), "DEMO_EMPLOYEE_PASSWORD": "alice-demo-pw", "DEMO_MANAGER_PASSWORD": "not-the-password",
           "COLUMNS": "400"}
    # a wrong password is known only when the login times out: a short page timeout keeps the test quick
    common = ("--app", str(app), "--guides", str(guides), "--base-url", server.url, "--timeout", "6000")
    # the baseline records the steps that are ok (with the first-match warning) and lists the others, exit 1
    baseline = harness("guides", "baseline", *common, env=env)
    assert baseline.returncode == 1, baseline.stdout + baseline.stderr
    assert "baseline recorded for 3 of 8 steps" in baseline.stderr, baseline.stderr
    assert ("warning: " in baseline.stderr and "form#login-form input matches 2 elements; "
            "Shepherd/querySelector attaches to the first" in baseline.stderr)
    recorded = json.loads((guides / "baseline" / "login-inputs.json").read_text())["steps"]["a-field"]
    assert recorded["fingerprint"]["id"] == "username" and "attaches to the first" in recorded["warning"]
    # the check
    done = harness("guides", "check", *common, "--out", str(tmp_path / "out"), env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "allure-results could not be written" not in done.stderr  # no --allure-dir, no Allure, no message
    report = json.loads((tmp_path / "out" / "guides.json").read_text())
    steps = {(g["id"], s["id"]): s for g in report["guides"] for s in g["steps"]}
    field = steps[("login-inputs", "a-field")]
    assert field["status"] == "ok" and field["match_count"] == 2
    assert field["warning"] == "form#login-form input matches 2 elements; Shepherd/querySelector attaches to the first"
    assert steps[("strict", "a-field")]["status"] == "ambiguous" and "warning" not in steps[("strict", "a-field")]
    assert steps[("expenses-employee", "search")]["status"] == "ok"
    anonymous = steps[("expenses-anonymous", "search")]
    assert anonymous["status"] == "page_error" and "redirected to the login page" in anonymous["message"]
    assert "add `user: <name>`" in anonymous["message"] and "--user NAME" in anonymous["message"]
    manager = steps[("expenses-manager", "search")]["message"]
    assert manager.startswith("login as 'manager'") and "failed: login as" not in manager
    # said once: one row for the manager's two steps, one for the anonymous guide's two
    assert done.stdout.count("login as 'manager'") == 1, done.stdout
    assert done.stdout.count("redirected to the login page") == 1, done.stdout
    assert "warning: login-inputs › a-field (ok): form#login-form input matches 2 elements" in done.stdout
    # with --allure-dir, the check writes one Allure result per guide (the guides without a login: quicker)
    allure = tmp_path / "allure"
    with_allure = harness("guides", "check", *common, "--out", str(tmp_path / "out2"), "--allure-dir", str(allure),
                          "--guide", "login-inputs", "--guide", "strict", "--guide", "expenses-employee", env=env)
    assert with_allure.returncode == 1 and "could not be written" not in with_allure.stderr
    names = sorted(json.loads(p.read_text())["name"] for p in allure.glob("*-result.json"))
    assert len(names) == 3 and "Guide: Login inputs" in names
