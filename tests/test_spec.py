"""Spec loading and every error message: plain data, no browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.collect.steps import library
from harness.errors import SpecError
from harness.spec.features import (
    check_features,
    feature_files,
    parse_feature,
    scenario_runs,
)
from harness.spec.profile import load_profile
from harness.spec.selectors import looks_like_selector, selector_error
from harness.spec.targets import UnknownTarget, classify_target
from tests.support.cli import Done, cli

FIXTURES = Path(__file__).parent / "fixtures" / "spec"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A copy of the spec fixtures that a test may break."""
    shutil.copytree(FIXTURES, tmp_path / "spec")
    return tmp_path / "spec"


def problems(folder: Path) -> list[str]:
    profile = load_profile(folder / "app.yaml")
    features = [parse_feature(p) for p in feature_files([folder])]
    return [str(e) for e in check_features(features, profile, library())]


def test_good_profile_loads_with_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = load_profile(FIXTURES / "app.yaml")
    assert profile.name == "mini"
    assert profile.targets["login.submit"].selectors == ["#login-button", "form button[type=submit]"]
    assert profile.targets["home.title"].selector == "h1"
    assert profile.users["employee"].credentials() == ("alice", "s3cret-pw")
    monkeypatch.setenv("MINI_PASSWORD", "from-env")
    assert profile.users["employee"].credentials() == ("alice", "from-env")
    assert profile.secrets() == ["from-env"]
    assert profile.budgets.for_step('I click "login.submit"') == 500
    assert profile.budgets.for_step('I open "home"') == 3000


def test_good_features_pass_the_checks() -> None:
    assert problems(FIXTURES) == []


def test_outline_expands_to_one_run_per_example() -> None:
    feature = parse_feature(FIXTURES / "good.feature")
    runs = scenario_runs(feature)
    assert [r.example for r in runs] == [{"page": "home"}, {"page": "/home"}, {}]
    assert [s.name for s in runs[0].steps][:2] == ['I am logged in as "employee"', 'I open "home"']


def test_french_feature_uses_the_french_steps() -> None:
    feature = parse_feature(FIXTURES / "good_fr.feature")
    assert feature.language == "fr"
    assert [s.type for s in scenario_runs(feature)[0].steps] == ["given", "when", "then", "then"]


def test_malformed_yaml_names_file_and_line(work: Path) -> None:
    text = (work / "app.yaml").read_text().replace("  home: /home", "  home: [/home")
    (work / "app.yaml").write_text(text)
    with pytest.raises(SpecError) as caught:
        load_profile(work / "app.yaml")
    assert caught.value.file.endswith("app.yaml")
    assert caught.value.line is not None and caught.value.line >= 16
    assert "invalid YAML" in str(caught.value)


def test_unknown_key_in_profile_names_its_line(work: Path) -> None:
    text = (work / "app.yaml").read_text().replace("budgets:", "budgetz:")
    (work / "app.yaml").write_text(text)
    with pytest.raises(SpecError) as caught:
        load_profile(work / "app.yaml")
    lines = (work / "app.yaml").read_text().splitlines()
    assert lines[caught.value.line - 1].startswith("budgetz:")
    assert "budgetz: Extra inputs are not permitted" in str(caught.value)


def test_bad_selector_in_ui_map_names_its_line(work: Path) -> None:
    text = (work / "app.yaml").read_text().replace('home.title: "h1"', 'home.title: "h1[class="')
    (work / "app.yaml").write_text(text)
    with pytest.raises(SpecError) as caught:
        load_profile(work / "app.yaml")
    lines = (work / "app.yaml").read_text().splitlines()
    assert "home.title" in lines[caught.value.line - 1]
    assert "invalid CSS selector" in caught.value.message


def test_bad_fallback_selector_names_the_fallback_line(work: Path) -> None:
    text = (work / "app.yaml").read_text().replace('"form button[type=submit]"', '"form button[type=submit"')
    (work / "app.yaml").write_text(text)
    with pytest.raises(SpecError) as caught:
        load_profile(work / "app.yaml")
    assert "fallbacks" in (work / "app.yaml").read_text().splitlines()[caught.value.line - 1]


def test_missing_profile_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"no app profile for 'nope' \(expected .*journeys/nope/app.yaml\)"):
        load_profile("nope", tmp_path)


def test_malformed_gherkin_names_file_and_line(work: Path) -> None:
    (work / "bad.feature").write_text("Feature: Broken\n  Scenario: one\n    Given I open \"home\"\n  Oops here\n")
    with pytest.raises(SpecError) as caught:
        parse_feature(work / "bad.feature")
    assert caught.value.line == 4
    assert str(caught.value) == f"{work / 'bad.feature'}:4: invalid Gherkin: Unexpected token found. " \
        "Check Gherkin syntax near the reported error."


@pytest.mark.parametrize(("text", "reason", "line"), [
    ("# language: xx\nFeature: x\n", "Language not supported: xx", 1),
    ("Feature: x\n  Scenario: s\n    Given I fill in:\n      | a | b |\n      | c |\n",
     "inconsistent cell count within the table", 5),
    ('Feature: x\n  Scenario: s\n    Given I fill in:\n      """\n      abc\n', "unexpected end of file", 6),
])
def test_gherkin_errors_keep_their_reason(work: Path, text: str, reason: str, line: int) -> None:
    (work / "bad.feature").write_text(text)
    with pytest.raises(SpecError) as caught:
        parse_feature(work / "bad.feature")
    assert caught.value.line == line
    assert caught.value.message.startswith(f"invalid Gherkin: {reason}")


def test_outline_without_examples_is_an_error(work: Path) -> None:
    (work / "x.feature").write_text('Feature: X\n  Scenario Outline: o\n    When I click "<btn>"\n')
    [found] = problems(work)
    assert found.endswith("x.feature:2: Scenario Outline 'o' has no Examples rows: its <placeholders> would run as-is")


def test_placeholder_without_a_column_is_an_error(work: Path) -> None:
    (work / "x.feature").write_text('Feature: X\n  Scenario Outline: o\n    When I open "<pgae>"\n'
                                    "    Examples:\n      | page |\n      | home |\n")
    [found] = problems(work)
    assert found.endswith("x.feature:3: <pgae> is not a column of the Examples table")


def test_a_user_whose_password_variable_is_unset_is_reported(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (work / "app.yaml").read_text().replace("{env: MINI_PASSWORD, default: s3cret-pw}", "{env: MINI_PW_UNSET}")
    (work / "app.yaml").write_text(text)
    monkeypatch.delenv("MINI_PW_UNSET", raising=False)
    found = problems(work)
    assert found and all("user 'employee': the environment variable MINI_PW_UNSET is not set" in f for f in found)


def test_a_typo_in_the_login_section_names_its_line(work: Path) -> None:
    text = (work / "app.yaml").read_text().replace("  submit: login.submit", "  submit: login.submt")
    (work / "app.yaml").write_text(text)
    with pytest.raises(SpecError) as caught:
        load_profile(work / "app.yaml")
    assert "login.submt" in (work / "app.yaml").read_text().splitlines()[caught.value.line - 1]
    assert "login.submit: unknown target 'login.submt'" in caught.value.message


def test_feature_paths_must_exist_and_be_features(work: Path) -> None:
    with pytest.raises(SpecError, match="no such file or folder"):
        feature_files([work / "nope.feature"])
    with pytest.raises(SpecError, match=r"not a \.feature file"):
        feature_files([work / "app.yaml"])
    assert [p.name for p in feature_files([work])] == ["good.feature", "good_fr.feature"]


def test_empty_feature_is_an_error(work: Path) -> None:
    (work / "empty.feature").write_text("# nothing here\n")
    with pytest.raises(SpecError, match="empty feature file"):
        parse_feature(work / "empty.feature")


def test_unknown_step_names_file_and_line(work: Path) -> None:
    (work / "x.feature").write_text('Feature: X\n  Scenario: s\n    When I teleport to "Mars"\n')
    found = problems(work)
    assert found == [f"{(work / 'x.feature').resolve()}:3: unknown step: When 'I teleport to \"Mars\"' "
                     "(see `harness steps` for the step library)"]


def test_unknown_target_suggests_the_closest_name(work: Path) -> None:
    (work / "x.feature").write_text('Feature: X\n  Scenario: s\n    When I click "login.sbumit"\n')
    [found] = problems(work)
    assert "x.feature:3: unknown target 'login.sbumit': not in the UI map; did you mean 'login.submit'" in found


def test_unknown_target_in_a_data_table(work: Path) -> None:
    (work / "x.feature").write_text(
        "Feature: X\n  Scenario: s\n    When I fill in:\n      | field | value |\n      | login.pasword | x |\n")
    [found] = problems(work)
    assert "x.feature:3: unknown target 'login.pasword'" in found


def test_a_data_table_without_a_header_row_is_checked_from_its_first_row(work: Path) -> None:
    (work / "x.feature").write_text(
        "Feature: X\n  Scenario: s\n    When I fill in:\n      | login.pasword | x |\n      | login.username | y |\n")
    [found] = problems(work)
    assert "x.feature:3: unknown target 'login.pasword'" in found


def test_bad_selector_in_a_step(work: Path) -> None:
    (work / "x.feature").write_text('Feature: X\n  Scenario: s\n    When I click "#save["\n')
    [found] = problems(work)
    assert "x.feature:3: bad selector '#save[': invalid CSS selector" in found


def test_unknown_user_page_and_upload(work: Path) -> None:
    (work / "x.feature").write_text(
        'Feature: X\n  Scenario: s\n    Given I am logged in as "ghost"\n    When I open "nowhere"\n'
        '    And I upload "files/none.pdf" to "#receipt"\n')
    found = problems(work)
    assert any(":3: unknown user 'ghost' (users in the app profile: employee)" in f for f in found)
    assert any(":4: unknown page 'nowhere'" in f for f in found)
    assert any(":5: file to upload not found: 'files/none.pdf'" in f for f in found)


def test_outline_errors_are_reported_once(work: Path) -> None:
    (work / "x.feature").write_text(
        'Feature: X\n  Scenario Outline: s\n    When I click "<t>"\n    Examples:\n      | t |\n'
        "      | login.nope |\n      | login.nope |\n")
    assert len(problems(work)) == 1


@pytest.mark.parametrize(("selector", "error"), [
    ("#ok", None), ("text=Save", None), ('role=button[name="Save"]', None),
    ('button:has-text("Save") >> nth=0', None), ("//div[@id='a']", None),
    ("#save[", "invalid CSS selector"), ("//div[@id='a'", "unbalanced brackets"),
    ("role=Button!", "invalid role selector"), ("nth=x", "expected an integer"), ("a >> ", "empty part"),
    ('a:has-text("x"', "unbalanced parenthesis"),
    ("xpath=//button[@@id==1]", "invalid XPath"), ("//a[contains(text(),'x')]", None),
    ("role=buttton", "unknown ARIA role 'buttton' in 'buttton': it would match nothing; did you mean 'button'"),
    ('role=textbox[name="Search"]', None),
])
def test_selector_syntax(selector: str, error: str | None) -> None:
    found = selector_error(selector)
    assert (found is None) if error is None else (error in (found or ""))


@pytest.mark.parametrize(("text", "is_selector"), [
    ("Save", False), ("New expense", False), ("Total: 5", False), ("#id", True), (".cls", True),
    ("button.primary", True), ("input[name=q]", True), ("css=div", True), ("a >> b", True),
])
def test_selector_or_text(text: str, is_selector: bool) -> None:
    assert looks_like_selector(text) is is_selector


def test_target_classification() -> None:
    profile = load_profile(FIXTURES / "app.yaml")
    assert classify_target("login.submit", profile).selectors == ("#login-button", "form button[type=submit]")
    assert classify_target("button.primary", profile).kind == "selector"
    assert classify_target("Save draft", profile).kind == "text"
    with pytest.raises(UnknownTarget, match=r"did you mean 'login\.submit'"):
        classify_target("login.submt", profile)


def run_check(*args: str, cwd: Path) -> Done:
    return cli("check", *args, cwd=cwd)


def test_cli_check_prints_every_problem_with_exit_2_and_no_traceback(work: Path) -> None:
    (work / "x.feature").write_text('Feature: X\n  Scenario: s\n    When I teleport\n    And I click "login.x"\n')
    done = run_check(str(work), "--app", str(work / "app.yaml"), cwd=work)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "x.feature:3: unknown step" in done.stderr
    assert "x.feature:4: unknown target 'login.x'" in done.stderr
    assert "2 problems; nothing was run." in done.stderr


def test_cli_check_reports_bad_yaml_with_exit_2(work: Path) -> None:
    (work / "app.yaml").write_text("name: [unclosed\n")
    done = run_check(str(work), "--app", str(work / "app.yaml"), cwd=work)
    assert done.returncode == 2
    assert "app.yaml:" in done.stderr and "invalid YAML" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_prints_app_text_that_looks_like_markup_as_is(work: Path) -> None:
    (work / "x.feature").write_text('Feature: X\n  Scenario: s\n    When I frobnicate "[/x]" and "[b]bold[/b]"\n')
    done = run_check(str(work), "--app", str(work / "app.yaml"), cwd=work)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert 'I frobnicate "[/x]" and "[b]bold[/b]"' in done.stderr


def test_cli_check_accepts_good_specs(work: Path) -> None:
    done = run_check(str(work), "--app", str(work / "app.yaml"), cwd=work)
    assert done.returncode == 0, done.stderr
    assert "ok: 2 features" in done.stdout


@pytest.mark.parametrize(("selector", "css"), [
    ("#login-button", "#login-button"),
    ("css=form#login-form button[type=submit]", "form#login-form button[type=submit]"),
    ("tr.expense-row:nth-child(2) > td", "tr.expense-row:nth-child(2) > td"),
    ("button:has-text('Save')", None),  # Playwright's own pseudo-class
    ("#list >> text=Save", None),
    ("text=Save", None),
    ('role=button[name="Save"]', None),
    ("//button[@id='save']", None),
    ("'Save'", None),
])
def test_which_selectors_the_browser_reads_as_playwright_does(selector: str, css: str | None) -> None:
    from harness.spec.selectors import plain_css

    assert plain_css(selector) == css
