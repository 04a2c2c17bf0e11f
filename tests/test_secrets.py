"""The secrets of a run and their redaction, on plain data: which values, every form, every writer (no browser)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from harness.collect.steps import library
from harness.redaction import Secrets, forms
from harness.spec.features import parse_feature
from harness.spec.profile import load_profile
from harness.spec.secrets import is_secret_target, run_secrets, secrets_of_paths

PASSWORD = "p@ss w0rd!"
PROFILE = """schema_version: 1
name: vault
login: {path: /login, username: login.username, password: login.password, submit: login.submit}
users:
  agent:
    username: agent
    password: {env: VAULT_UNIT_PASSWORD, default: Env-Default-Pw}
targets:
  login.username: "#username"
  login.password: "#password"
  login.submit: "#login-button"
  vault.pin: {selector: "#pin", secret: true}
  account.password_hint: {selector: "#hint", secret: false}
  account.code: "#new-password"
  account.name: "#name"
"""
FEATURE = """Feature: Vault
  Scenario: Typed as written
    When I fill "login.username" with "bob"
    And I fill "login.password" with "p@ss w0rd!"
    And I fill "account.password_hint" with "my dog"
    And I fill "account.code" with "Sel3ctor-Named"
    And I fill "account.name" with "Ada"

  Scenario Outline: From a table (<password>)
    When I fill "login.password" with "<password>"
    And I fill "vault.pin" with "<pin>"
    And I should see "<greeting>"

    Examples:
      | password     | pin    | greeting |
      | Row-One~1*'( | 4711-8 | Hello    |
      | Row-Two~2*'( | 4711-9 | Hello    |

  Scenario: A table and a refused login
    When I fill in:
      | field        | value          |
      | vault.pin    | Table-Pin-0042 |
      | account.name | Grace          |
    And I log in as "agent" with password "Wrong-Pw-77"
"""


@pytest.fixture
def suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VAULT_UNIT_PASSWORD", "Env-Secret-Pw-5")
    (tmp_path / "app.yaml").write_text(PROFILE)
    (tmp_path / "vault.feature").write_text(FEATURE)
    library()  # the built-in step library is registered
    return tmp_path


def test_forms_are_every_encoding_a_value_meets_in_the_outputs() -> None:
    found = forms(PASSWORD)
    assert found[0] == PASSWORD
    for encoded in (quote(PASSWORD, safe=""), quote(PASSWORD), quote_plus(PASSWORD), "p%40ss+w0rd%21"):
        assert encoded in found
    tricky = "a~b*c'd\"e<f&g|h é"
    found = forms(tricky)
    assert "a%7Eb*c%27d%22e%3Cf%26g%7Ch+%C3%A9" in found  # a browser's form submission: ~ encoded, * kept
    assert "a~b%2Ac%27d%22e%3Cf%26g%7Ch+%C3%A9" in found  # Python's quote_plus: the other way round
    assert "a~b*c'd%22e%3Cf%26g%7Ch%20%C3%A9" in found  # encodeURIComponent
    assert html.escape(tricky) in found and json.dumps(tricky)[1:-1] in found
    assert json.dumps(tricky, ensure_ascii=False)[1:-1] in found
    assert "a~b*c&#39;d&#34;e&lt;f&amp;g|h é" in found  # jinja2's autoescape
    assert 'a~b*c\'d""e<f&g|h é' in found and "a~b*c'd\"e<f&g\\|h é" in found  # CSV, Markdown
    assert "a~b*c'd\"e<f&g|h \\xe9" in found  # pytest's test id (ASCII-escaped), and its forms in turn:
    assert json.dumps("a~b*c'd\"e<f&g|h \\xe9")[1:-1] in found  # in an Allure result's JSON
    assert forms("") == ()


def test_each_value_has_its_label_and_every_form_is_redacted() -> None:
    secrets = Secrets([PASSWORD, "", "Other-1", PASSWORD])
    assert secrets.values == (PASSWORD, "Other-1") and repr(secrets) == "Secrets(2 values)"
    text = (f"typed {PASSWORD}; url /w?u=bob&password=p%40ss+w0rd%21 and p%40ss%20w0rd%21, lower p%40ss+w0rd%21"
            " then Other-1")
    clean = secrets.redact_text(text)
    assert clean == ("typed [redacted-1]; url /w?u=bob&password=[redacted-1] and [redacted-1], lower [redacted-1]"
                     " then [redacted-2]")
    assert secrets.redact_text(clean) == clean  # redacting twice changes nothing
    assert secrets.holds(text) and secrets.holds(text.encode()) and not secrets.holds(clean)
    assert secrets.holds(b"...password=p%40ss+w0rd%21...") and not secrets.holds(clean.encode())
    assert secrets.redact({"a": [text], "n": 3}) == {"a": [clean], "n": 3}
    assert Secrets().redact_text(text) == text and not Secrets() and not Secrets().holds(text)


def test_a_secret_inside_another_is_redacted_as_the_longer_one() -> None:
    secrets = Secrets(["pass", "password-long"])
    assert secrets.redact_text("password-long and pass") == "[redacted-2] and [redacted-1]"


def test_secret_targets_by_login_form_mark_and_name(suite: Path) -> None:
    profile = load_profile(suite / "app.yaml")
    assert is_secret_target("login.password", profile)  # the login form's password field
    assert is_secret_target("vault.pin", profile)  # marked secret: true
    assert not is_secret_target("account.password_hint", profile)  # marked secret: false, despite its name
    assert is_secret_target("account.code", profile)  # its selector names a password
    assert not is_secret_target("account.name", profile) and not is_secret_target("login.username", profile)
    for written in ("#id_password", "input[type=password]", "Password", "Mot de passe", "Passphrase", "API secret"):
        assert is_secret_target(written, profile), written
    assert not is_secret_target("Email address", profile)


def test_the_secrets_of_a_run_are_what_its_features_type_into_secret_fields_then_the_passwords(suite: Path) -> None:
    profile = load_profile(suite / "app.yaml")
    secrets = run_secrets(profile, [parse_feature(suite / "vault.feature")])
    assert secrets.values == (PASSWORD, "Sel3ctor-Named", "Row-One~1*'(", "4711-8", "Row-Two~2*'(", "4711-9",
                              "Table-Pin-0042", "Wrong-Pw-77", "Env-Secret-Pw-5")
    assert secrets_of_paths(profile, [suite, suite / "missing"]).values == secrets.values  # the same, from paths
