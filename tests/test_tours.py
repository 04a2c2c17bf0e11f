"""Tour importers: Shepherd.js, Intro.js and Driver.js tours read (never run) into guide definitions."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from ruamel.yaml import YAML

from harness.errors import SpecError
from harness.spec.guides import load_guide
from harness.spec.htmlsteps import plain_text, unique_selector
from harness.spec.tours import guide_yaml, import_tour

TOURS = Path(__file__).parent / "fixtures" / "tours"
LOGIN_TARGETS = [None, "#username", "#password", "#login-button"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def targets(data: dict) -> list[str | None]:
    return [step.get("target") for step in data["steps"]]


def test_shepherd_add_step_calls() -> None:
    data = import_tour("shepherd", TOURS / "shepherd-login.js", page="/login")
    assert {k: data[k] for k in ("schema_version", "id", "page", "selector_format", "source")} == {
        "schema_version": 1, "id": "shepherd-login", "page": "/login", "selector_format": "css",
        "source": {"library": "shepherd", "file": (TOURS / "shepherd-login.js").as_posix()}}
    assert [s["id"] for s in data["steps"]] == ["welcome", "username", "password", "sign-in", "the-form"]
    # document.querySelector('#password') is the selector it queries; the welcome step floats
    assert targets(data) == [*LOGIN_TARGETS, "form#login-form"]
    welcome, username, password = data["steps"][:3]
    assert "target" not in welcome
    assert welcome["body"] == ("Spendly keeps all your expenses in one place.\n"
                               "This short tour shows you how to sign in.")
    assert username == {"id": "username", "target": "#username", "title": "Your username",
                        "body": "Type the username your administrator gave you."}
    assert password["body"] == "Then your password \u2014 it is never shown."


def test_shepherd_json_and_tour_options(tmp_path: Path) -> None:
    data = import_tour("shepherd.js", TOURS / "shepherd-steps.json")
    assert "page" not in data
    assert [s["id"] for s in data["steps"]] == ["welcome", "username", "sign-in"]
    assert targets(data) == [None, "#username", "#login-button"]
    assert data["steps"][0]["body"] == "Spendly keeps all your expenses in one place.\nLet us sign in."
    options = write(tmp_path, "Expense Tour (v2).mjs", """
        import Shepherd from 'shepherd.js';
        const steps = [
          {title: 'Search', text: `Type any <i>word</i>`, attachTo: {element: "input[name='q']", on: 'bottom'}},
          {id: 'new', attachTo: {element: document.getElementById('new-expense'), on: 'left'}},
        ];
        const tour = new Shepherd.Tour({useModalOverlay: true, steps});
        tour.addSteps([{text: 'Bye'}]);
        tour.addStep('legacy', {attachTo: {element: '.legacy', on: 'top'}});
    """)
    data = import_tour("shepherd", options)
    assert data["id"] == "expense-tour-v2" and data["title"] == "Expense tour (v2)"
    assert [s["id"] for s in data["steps"]] == ["step-1", "new", "step-3", "legacy"]
    assert targets(data) == ["input[name='q']", "#new-expense", None, ".legacy"]
    assert data["steps"][0]["body"] == "Type any word"


def test_introjs_set_options() -> None:
    data = import_tour("introjs", TOURS / "introjs-login.js", guide_id="Sign in", title="Sign in")
    assert data["id"] == "sign-in" and data["title"] == "Sign in"
    assert [s["id"] for s in data["steps"]] == [f"step-{n}" for n in range(1, 6)]
    # getElementById('login-form') becomes #login-form
    assert targets(data) == [*LOGIN_TARGETS, "#login-form"]
    assert data["steps"][0] == {"id": "step-1", "title": "Welcome to Spendly",
                                "body": "Spendly keeps all your expenses in one place. \U0001f44b"}
    assert data["steps"][3]["body"] == "Click Sign in and you land on your dashboard."


def test_introjs_other_call_forms_and_json(tmp_path: Path) -> None:
    legacy = write(tmp_path, "legacy.js", """
        var intro = introJs();
        intro.setOption('steps', [{intro: 'Hi'}, {element: '#a', intro: 'A'}]);
        intro.addStep({element: document.querySelector('.b'), intro: 'B'});
        intro.start();
    """)
    assert targets(import_tour("introjs", legacy)) == [None, "#a", ".b"]
    as_json = write(tmp_path, "steps.json", '{"steps": [{"element": "#a", "intro": "x"}, {"intro": "y"}]}')
    assert targets(import_tour("intro.js", as_json)) == ["#a", None]


def test_introjs_html_data_attributes_in_intro_js_order() -> None:
    path = TOURS / "introjs-login-attributes.html"
    data = import_tour("introjs", path, page="/login")
    # data-step 1, 2, 3 first; unnumbered elements fill 4, 5, 6 in document order; the hidden one is skipped
    assert targets(data) == ["h1", "#login-button", "#password", 'label[for="username"]',
                             "#login-form > div:nth-of-type(2)", "p.muted"]
    assert data["steps"][0] == {"id": "step-1", "target": "h1", "title": "Welcome", "body": "Welcome to Spendly!"}
    assert data["steps"][1]["body"] == 'Click "Sign in" when you are done.'
    soup = BeautifulSoup(path.read_text(), "html.parser")
    for step in data["steps"]:
        matched = soup.select(step["target"])
        assert len(matched) == 1 and matched[0].has_attr("data-intro"), step
        assert plain_text(matched[0]["data-intro"]) == step["body"]


def test_unique_selector_prefers_id_then_attributes_then_anchored_paths() -> None:
    soup = BeautifulSoup("""<body><div id="app"><ul><li><a href="/x">X</a></li><li><a href="/x">X</a></li></ul>
        <form><input name="q" type="search"><button class="go">Go</button><button>Other</button></form>
        <div id="side"><button>Other</button></div></div><p id="1st">n</p></body>""", "html.parser")
    elements = {key: el for key, el in [
        ("second_link", soup.select("a")[1]), ("q", soup.select_one("input")), ("go", soup.select_one(".go")),
        ("form_other", soup.select("form button")[1]), ("side_other", soup.select("#side button")[0]),
        ("digit_id", soup.select_one("p"))]}
    selectors = {key: unique_selector(el, soup) for key, el in elements.items()}
    assert selectors == {
        "second_link": "#app > ul > li:nth-of-type(2) > a",
        "q": 'input[name="q"]', "go": "button.go",
        "form_other": "#app > form > button:nth-of-type(2)",
        "side_other": "#side button",
        "digit_id": '[id="1st"]',
    }
    for key, selector in selectors.items():
        assert soup.select(selector) == [elements[key]]


def test_driverjs_driver_steps_and_other_forms(tmp_path: Path) -> None:
    data = import_tour("driverjs", TOURS / "driverjs-login.js")
    assert targets(data) == [*LOGIN_TARGETS, "form#login-form"]
    assert data["steps"][0] == {"id": "step-1", "title": "Welcome to Spendly",
                                "body": "Spendly keeps all your expenses in one place."}
    assert data["steps"][3]["body"] == "Click Sign in and you land on your dashboard."
    cdn = write(tmp_path, "cdn.js", """
        const driver = window.driver.js.driver;
        const driverObj = driver();
        driverObj.setSteps([{element: '.a', popover: {description: '<p>one</p><p>two</p>'}}, {popover: {title: 'T'}}]);
        driverObj.drive();
    """)
    data = import_tour("driver.js", cdn)
    assert targets(data) == [".a", None] and data["steps"][0]["body"] == "one\ntwo"
    single = write(tmp_path, "highlight.jsx", """
        export function Hint() {
          const d = driver({popoverClass: 'x'});
          d.highlight({element: '#only', popover: {title: 'Only this'}});
          return <div className="hint" />;
        }
    """)
    assert targets(import_tour("driverjs", single)) == ["#only"]


def test_element_followed_through_a_constant(tmp_path: Path) -> None:
    path = write(tmp_path, "consts.js", """
        const button = document.querySelector('#login-button');
        const SEL = '#user' + 'name';
        driver({steps: [{element: SEL}, {element: button}]}).drive();
    """)
    assert targets(import_tour("driverjs", path)) == ["#username", "#login-button"]


@pytest.mark.parametrize(("source", "line", "what"), [
    ("driver({steps: [\n  {element: '#a'},\n  {element: () => document.querySelector('#b')},\n]});", 3, "a function"),
    ("const el = findTheButton();\ndriver({steps: [\n  {element: el}]});", 3,
     "the variable el (a call to findTheButton(), line 1)"),
    ("let target = '#a';\ntarget = '#b';\ndriver({\n  steps: [{element: target}]});", 4, "the variable target"),
    ("driver({steps: [{\n  element: document.querySelectorAll('.row')[0]}]});", 2, "a subscript expression"),
])
def test_element_that_is_not_a_selector_is_named_with_file_and_line(
        tmp_path: Path, source: str, line: int, what: str) -> None:
    path = write(tmp_path, "bad.js", source)
    with pytest.raises(SpecError) as caught:
        import_tour("driverjs", path)
    assert caught.value.file == str(path) and caught.value.line == line
    assert what in caught.value.message and "CSS selector" in caught.value.message
    assert str(caught.value).startswith(f"{path}:{line}: step ")


def test_shepherd_function_element_and_dynamic_steps_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "fn.js", "tour.addStep({id: 'a'});\ntour.addStep({\n  attachTo: {\n"
                                    "    element() { return document.body; }, on: 'top'}});")
    with pytest.raises(SpecError, match=r"step 2: attachTo.element is a function") as caught:
        import_tour("shepherd", path)
    assert caught.value.line == 4
    spread = write(tmp_path, "spread.js", "const tour = new Shepherd.Tour();\n\ntour.addSteps(makeSteps());")
    with pytest.raises(SpecError, match=r"the steps are a call to makeSteps\(\)") as caught:
        import_tour("shepherd", spread)
    assert caught.value.line == 3


def test_syntax_errors_missing_steps_and_unknown_library(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.js", "const tour = new Shepherd.Tour();\ntour.addStep({id: 'a' title: 'b'});\n")
    with pytest.raises(SpecError, match="JavaScript syntax error") as caught:
        import_tour("shepherd", broken)
    assert caught.value.line == 2
    empty = write(tmp_path, "empty.js", "console.log('no tour here');")
    with pytest.raises(SpecError, match="no introjs tour steps found"):
        import_tour("introjs", empty)
    with pytest.raises(SpecError, match="unknown tour library 'joyride'"):
        import_tour("joyride", empty)
    with pytest.raises(SpecError, match="tour file not found"):
        import_tour("shepherd", tmp_path / "nope.js")


def test_modern_syntax_parses(tmp_path: Path) -> None:
    path = write(tmp_path, "modern.js", """
        class Onboarding { #tour; start() { this.#tour?.start() ?? null; } }
        for await (const x of stream()) {}
        introJs.tour().setOptions({steps: [{element: '#a', intro: `A`}], ...defaults}).start();
    """)
    assert targets(import_tour("introjs", path)) == ["#a"]


def test_html_text_becomes_plain_text() -> None:
    assert plain_text("Click <b>Save</b>&nbsp;now &amp; relax") == "Click Save\u00a0now & relax".replace(
        "\u00a0", " ")
    assert plain_text("<h3>Title</h3><ul><li>one</li><li>two <br>lines</li></ul>") == "Title\none\ntwo\nlines"
    assert plain_text("  spaced\n   out  ") == "spaced out"


def test_guide_yaml_is_readable_and_loads_as_a_guide(tmp_path: Path) -> None:
    data = import_tour("shepherd", TOURS / "shepherd-login.js", page="/login")
    text = guide_yaml(data)
    assert text.startswith("# Imported from the shepherd tour ")
    assert "  - id: welcome\n    title: Welcome to Spendly\n    body: |-\n      Spendly keeps" in text
    assert YAML(typ="safe").load(text) == data
    path = write(tmp_path, "shepherd-login.yaml", text)
    guide = load_guide(path)
    assert guide.selector_format == "css" and guide.page == "/login"
    assert [(s.id, s.target) for s in guide.steps] == [(s["id"], s.get("target")) for s in data["steps"]]


def test_duplicate_step_ids_are_made_unique(tmp_path: Path) -> None:
    path = write(tmp_path, "dups.js", "t.addStep({id: 'a'}); t.addStep({id: 'a'}); t.addStep({id: 'step-3'});"
                                      " t.addStep({});")
    assert [s["id"] for s in import_tour("shepherd", path)["steps"]] == ["a", "a-2", "step-3", "step-4"]


def test_inline_script_of_an_html_page(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", "<html><body>\n<p>Hi</p>\n<script>\n"
                                        "driver({steps: [{element: '#a'},\n {element: makeEl()}]});\n</script>")
    with pytest.raises(SpecError) as caught:
        import_tour("driverjs", path)
    assert caught.value.line == 5


# --- a tour behind a login: --user ------------------------------------------------------------------
DEMO_APP = Path(__file__).resolve().parents[1] / "journeys" / "demo" / "app.yaml"


def test_import_with_a_user_sets_the_guides_user(tmp_path: Path) -> None:
    data = import_tour("shepherd", TOURS / "shepherd-login.js", page="/expenses", user="employee")
    assert list(data)[:5] == ["schema_version", "id", "title", "user", "page"] and data["user"] == "employee"
    out = tmp_path / "g.yaml"
    out.write_text(guide_yaml(data))
    assert load_guide(out).user == "employee"


def test_import_cli_checks_the_user_and_page_against_the_app_profile(tmp_path: Path) -> None:
    from tests.support.cli import cli

    tour = TOURS / "shepherd-login.js"
    bad = cli("guides", "import", "shepherd", tour, "--user", "bogus", "--app", DEMO_APP)
    assert bad.returncode == 2 and "unknown user 'bogus'" in bad.stderr and str(DEMO_APP) in bad.stderr
    assert "employee, manager" in bad.stderr and "Traceback" not in bad.stderr
    page = cli("guides", "import", "shepherd", tour, "--page", "nowhere", "--app", DEMO_APP)
    assert page.returncode == 2 and "unknown page 'nowhere'" in page.stderr and str(DEMO_APP) in page.stderr
    lost = cli("guides", "import", "shepherd", tour, "--user", "employee", "--out", tmp_path / "g.yaml")
    assert lost.returncode == 2 and "--user needs the app profile" in lost.stderr
    # the app.yaml above an --out guides folder is found on its own
    app = tmp_path / "demo"
    (app / "guides").mkdir(parents=True)
    (app / "app.yaml").write_text(DEMO_APP.read_text())
    good = cli("guides", "import", "shepherd", tour, "--user", "manager", "--page", "/expenses",
               "--out", app / "guides" / "tour.yaml")
    assert good.returncode == 0, good.stderr
    assert load_guide(app / "guides" / "tour.yaml").user == "manager"
    wrong = cli("guides", "import", "shepherd", tour, "--user", "root", "--out", app / "guides" / "t2.yaml")
    assert wrong.returncode == 2 and str((app / "app.yaml").resolve()) in wrong.stderr
    assert not (app / "guides" / "t2.yaml").exists()


def test_login_messages_are_said_once_and_say_what_to_add() -> None:
    from harness.collect.guide_check import login_failure, login_redirect

    why = "login as 'alice' did not succeed (still at http://app/login)"
    assert login_failure("alice", why) == why  # not "login as 'alice' failed: login as 'alice' ..."
    assert login_failure("alice", "cannot click #go") == "login as 'alice' failed: cannot click #go"
    anonymous = login_redirect("http://app/expenses", "http://app/login?next=/expenses", None)
    assert "redirected to the login page" in anonymous and "add `user: <name>`" in anonymous
    assert "harness guides import --user NAME" in anonymous
    assert "add `user:" not in login_redirect("http://app/expenses", "http://app/login", "alice")
