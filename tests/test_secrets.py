"""The secrets of a run and their redaction, on plain data: which values, every form, every writer (no browser)."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from _pytest._io import TerminalWriter

from harness.collect.steps import library
from harness.collect.tracing import WITHHELD_NOTE, TraceRecorder, trace_holds_secret
from harness.compat import filter_terminal
from harness.contracts.records import STEPS_JSONL, StepRecord
from harness.plugin.artifacts import ArtifactsRecorder, TraceWithheld
from harness.plugin.recorder import slug
from harness.redaction import Secrets, forms
from harness.runfolder.io import append_record, read_records
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


def _record(**fields: object) -> StepRecord:
    base: dict[str, object] = {"run_id": "r", "app": "vault", "journey": "Vault", "feature_file": "vault.feature",
                               "scenario": "S", "step_index": 0, "keyword": "When", "text": "t", "status": "passed"}
    return StepRecord.model_validate({**base, **fields})


def test_a_record_is_redacted_everywhere_but_the_names_the_harness_gives(tmp_path: Path) -> None:
    secrets = Secrets(["Row-One~1*'(", "Row-Two~2*'(", "vault"])  # "vault" is weak: it is the app's name too
    for row in ("Row-One~1*'(", "Row-Two~2*'("):
        append_record(tmp_path, _record(
            scenario=f"From a table ({row})", example={"password": row}, test_id=f"test_vault[{row}-Hello]",
            text=f'I fill "login.password" with "{row}"', tags=["vault"], url=f"http://x/w?p={quote_plus(row)}",
            error=f"typed {row}"), secrets)
    text = (tmp_path / STEPS_JSONL).read_text()
    assert "Row-" not in text and "Row%2D" not in text
    first, second = read_records(tmp_path)[0]
    assert first.app == "vault" and first.tags == ["[redacted-3]"]
    assert first.example == {"password": "[redacted-1]"} and second.example == {"password": "[redacted-2]"}
    assert first.test_id != second.test_id and first.scenario != second.scenario  # two rows stay two rows
    assert first.url == "http://x/w?p=[redacted-1]" and first.error == "typed [redacted-1]"


def test_an_artifact_folder_is_named_after_the_redacted_scenario() -> None:
    secrets = Secrets([PASSWORD])
    name = slug(f"vault-test_table[{PASSWORD}-Hello]", secrets)
    assert not re.search("p.ss.w0rd", name) and "redacted-1" in name


def test_a_trace_holding_a_form_of_a_secret_in_a_file_or_a_name_is_found(tmp_path: Path) -> None:
    secrets = Secrets([PASSWORD])
    for name, member, data in (("clean", "trace.trace", b"{}"), ("url", "trace.network", b"?p=p%40ss+w0rd%21"),
                               ("named", "resources/p@ss w0rd!.html", b"")):
        with zipfile.ZipFile(tmp_path / f"{name}.zip", "w") as archive:
            archive.writestr(member, data)
    assert not trace_holds_secret(tmp_path / "clean.zip", secrets)
    assert trace_holds_secret(tmp_path / "url.zip", secrets) and trace_holds_secret(tmp_path / "named.zip", secrets)
    (tmp_path / "torn.zip").write_bytes(b"PK\x03\x04 torn")
    assert trace_holds_secret(tmp_path / "torn.zip", secrets)  # unreadable: not kept


def test_what_pytest_prints_is_redacted_as_it_is_written() -> None:
    # pytest.log under `harness run`, the terminal under pytest: the test ids, the failures, the summary
    out = io.StringIO()
    reporter = type("Reporter", (), {"_tw": TerminalWriter(out)})()
    config = type("Config", (), {"pluginmanager": type("PM", (), {"getplugin": lambda self, name: reporter})()})()
    assert filter_terminal(config, Secrets([PASSWORD]).redact_text)  # type: ignore[arg-type]
    assert filter_terminal(config, Secrets([PASSWORD]).redact_text)  # type: ignore[arg-type]  (once is enough)
    writer = reporter._tw
    writer.sep("_", f"test_vault[{PASSWORD}-Hello]")
    writer.line("E   at /w?password=p%40ss+w0rd%21")
    writer.write(f"FAILED test_vault[{PASSWORD}-Hello]\n")
    writer.flush()
    text = out.getvalue()
    assert "p@ss" not in text and "p%40ss" not in text and text.count("[redacted-1]") == 3


class _Tracing:
    """A browser context's tracing that writes each part with the next of ``payloads``."""

    def __init__(self, payloads: list[bytes]) -> None:
        self.payloads, self.starts = iter(payloads), 0

    def start(self, **options: object) -> None:
        self.starts += 1

    def stop(self, path: str) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("trace.network", next(self.payloads))


class _Frame:
    def __init__(self, holds: bool) -> None:
        self.holds = holds

    def wait_for_function(self, script: str, arg: list[str], timeout: float) -> _Frame:
        assert PASSWORD in arg and "p%40ss+w0rd%21" in arg and timeout
        return self

    def json_value(self) -> str:
        return "holds" if self.holds else "clean"


def test_a_held_trace_records_again_only_once_the_page_is_clean_and_a_part_with_a_secret_is_withheld(
        tmp_path: Path) -> None:
    tracing = _Tracing([b"GET /login.html", b"GET /welcome.html?password=p%40ss+w0rd%21"])  # the app echoed it
    context = type("Context", (), {"tracing": tracing})()
    tracer = TraceRecorder(context, "on")  # type: ignore[arg-type]
    secrets = Secrets([PASSWORD])
    tracer.hold()  # a secret is about to be typed
    assert tracer.held and tracing.starts == 1
    holding, clean = type("Page", (), {"frames": [_Frame(False), _Frame(True)]})(), type("Page", (), {"frames": []})()
    assert not tracer.release(holding, secrets) and tracer.held and tracing.starts == 1  # the field still holds it
    assert tracer.release(clean, secrets) and not tracer.held and tracing.starts == 2
    artifacts = ArtifactsRecorder(tmp_path, "scenario", tracer)
    with pytest.warns(TraceWithheld, match="trace.zip not kept"):
        artifacts.finish(failed=False, secrets=secrets)
    folder = tmp_path / "artifacts" / "scenario"
    assert sorted(p.name for p in folder.iterdir()) == ["trace-part-1.zip", WITHHELD_NOTE]
    assert (folder / WITHHELD_NOTE).read_text().startswith("trace.zip: not kept, because the trace held a secret")
