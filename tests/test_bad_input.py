"""Bad input, table-driven: one clear message naming the file (and line), exit 2, never a traceback.

Each case is a file the user got wrong and the command that reads it, run in-process (no browser).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import cli
from tests.support.servers import serve_folder

FEATURE = 'Feature: F\n  Scenario: S\n    When I open "/x"\n'
APP = "schema_version: 1\nname: a\nbase_url: http://127.0.0.1:9\ntargets:\n  ok: '#ok'\n"


def _app(extra: str = "", version: str = "1") -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "f.feature").write_text(FEATURE)
        (folder / "app.yaml").write_text(APP.replace("schema_version: 1", f"schema_version: {version}") + extra)
        return ["check", str(folder / "f.feature"), "--app", str(folder / "app.yaml")]
    return make


def _feature(text: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        command = _app()(folder)
        (folder / "f.feature").write_text(text)
        return command
    return make


ONE_COLUMN = 'Feature: F\n  Scenario: S\n    When I open "/x"\n    And I fill in:\n      | name |\n      | Alice |\n'
NO_TABLE = 'Feature: F\n  Scenario: S\n    When I open "/x"\n    And I fill in:\n'


def _guide(text: str, command: str = "check") -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        args = _app()(folder) if command == "check" else _run_with()(folder)
        (folder / "guides").mkdir()
        (folder / "guides" / "tour.yaml").write_text(text)
        return args
    return make


GUIDE = "id: tour\npage: /x\nsteps:\n  - id: one\n    target: '#ok'\n"


def _upload(name: str) -> Callable[[Path], list[str]]:
    """A feature that uploads ``name`` (``{secret}``: a file beside the features folder, outside it)."""
    def make(folder: Path) -> list[str]:
        (folder / "secret.txt").write_text("not for the app")
        (folder / "features").mkdir()
        (folder / "features" / "link.txt").symlink_to(folder / "secret.txt")
        _app()(folder / "features")
        (folder / "features" / "f.feature").write_text(
            FEATURE + f'    And I upload "{name.format(secret=folder / "secret.txt")}" to "x"\n')
        return ["check", str(folder / "features"), "--app", str(folder / "features" / "app.yaml")]
    return make


def _with_file(command: Callable[[Path], list[str]], *options: str) -> Callable[[Path], list[str]]:
    """``command`` with ``options``: ``{file}`` is a file, ``{missing}`` a path to nothing, ``{folder}`` a folder."""
    def make(folder: Path) -> list[str]:
        (folder / "a-file.txt").write_text("not a folder")
        paths = {"file": folder / "a-file.txt", "missing": folder / "no-such-report", "folder": folder}
        return [*command(folder), *(option.format(**paths) for option in options)]
    return make


def _demo(folder: Path) -> list[str]:
    return ["demo", "--out", str(folder / "run")]


def _report(folder: Path) -> list[str]:
    (folder / "saved-run").mkdir()
    return ["report", str(folder / "saved-run")]


def _command(*args: str) -> Callable[[Path], list[str]]:
    """A command whose arguments name files of the test's folder (``{folder}``)."""
    def make(folder: Path) -> list[str]:
        (folder / "saved-run").mkdir(exist_ok=True)
        return [arg.format(folder=folder) for arg in args]
    return make


def _unwritable_findings(folder: Path) -> list[str]:
    """A run folder whose findings.json cannot be written (a folder stands in its place): the OS says no."""
    run = folder / "saved-run"
    (run / "findings.json").mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({"run_id": "r", "app": "a", "base_url": "http://127.0.0.1:9",
                                              "harness_version": "0", "started_at": "2026-12-05T10:00:00+00:00"}))
    (run / "steps.jsonl").write_text("")
    return ["audit", str(run)]


def _deep_yaml(folder: Path) -> list[str]:
    (folder / "f.feature").write_text(FEATURE)
    (folder / "app.yaml").write_text("a: " + "[" * 20_000 + "]" * 20_000 + "\n")
    return ["check", str(folder / "f.feature"), "--app", str(folder / "app.yaml")]


def _run_json(text: str, command: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "run.json").write_text(text)
        (folder / "steps.jsonl").write_text("")
        return [command, str(folder)]
    return make


def _run_with(*options: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        _app()(folder)
        return ["run", str(folder / "f.feature"), "--app", str(folder / "app.yaml"), "--out", str(folder / "run"),
                *options]
    return make


CASES = {
    "xpath that does not compile": (_app("  b: 'xpath=//button[@@id==1]'\n"), "app.yaml:6", "invalid XPath"),
    "unknown ARIA role": (_app("  b: 'role=buttton'\n"), "app.yaml:6", "did you mean 'button'"),
    "unknown schema version": (_app(version="99"), "app.yaml:1", "schema_version: Input should be 1"),
    "20,000-deep YAML": (_deep_yaml, "app.yaml", "nested too deeply"),
    "run.json not JSON (report)": (_run_json("not json", "report"), "run.json", "not a valid run file"),
    "run.json not JSON (audit)": (_run_json("not json", "audit"), "run.json", "not a valid run file"),
    "run.json of the wrong shape": (_run_json(json.dumps({"run_id": 5, "status": []}), "report"), "run.json",
                                    "not a valid run file: "),
    "one-column 'I fill in:' table": (_feature(ONE_COLUMN), "f.feature:5", "needs 2 columns, | field | value |"),
    "'I fill in:' without a table": (_feature(NO_TABLE), "f.feature:4", "needs a data table | field | value |"),
    "guide beside app.yaml with a bad selector": (_guide(GUIDE.replace("'#ok'", "'#ok['")), "tour.yaml:5",
                                                  "invalid CSS selector"),
    "guide beside app.yaml on an unknown page": (_guide(GUIDE.replace("page: /x", "page: nowhere")), "tour.yaml:4",
                                                 "unknown page 'nowhere'"),
    "guide beside app.yaml with a bad selector (run)": (_guide(GUIDE.replace("'#ok'", "'#ok['"), "run"),
                                                        "tour.yaml:5", "invalid CSS selector"),
    "guide beside app.yaml that is not YAML": (_guide(GUIDE + "   title: x\n"), "tour.yaml:6", "invalid YAML"),
    "upload out of the features by ..": (_upload("../" * 20 + "etc/passwd"), "f.feature:4",
                                         "is outside the folders files may be uploaded from"),
    "upload of an absolute path": (_upload("{secret}"), "f.feature:4", "is outside the folders files may be uploaded"),
    "upload of /etc/hostname": (_upload("/etc/hostname"), "f.feature:4", "'/etc/hostname' is outside the folders"),
    "upload through a symbolic link out": (_upload("link.txt"), "f.feature:4", "symbolic links followed"),
    "files_dir: out of the app's folder": (_app("files_dir: ../..\n"), "app.yaml:6", "inside the app's folder"),
    "run --history a file": (_with_file(_run_with(), "--history", "{file}"), "a-file.txt", "must be a folder"),
    "run --history under a file": (_with_file(_run_with(), "--history", "{file}/h"), "a-file.txt is a file",
                                   "cannot be made here"),
    "run --allure-history missing": (_with_file(_run_with(), "--allure-history", "{missing}"), "no-such-report",
                                     "--allure-history: no such folder"),
    "run --allure-history a file": (_with_file(_run_with(), "--allure-history", "{file}"), "a-file.txt",
                                    "previous Allure report's folder"),
    "demo --history a file": (_with_file(_demo, "--history", "{file}"), "a-file.txt", "must be a folder"),
    "demo --allure-history missing": (_with_file(_demo, "--allure-history", "{missing}"), "no-such-report",
                                      "no such folder"),
    "report --history a file": (_with_file(_report, "--history", "{file}"), "a-file.txt", "must be a folder"),
    "report --allure-history missing": (_with_file(_report, "--allure-history", "{missing}"), "no-such-report",
                                        "no such folder"),
    "run --allure-history without --allure-dir": (_with_file(_run_with(), "--allure-history", "{folder}"),
                                                  "--allure-history", "it needs --allure-dir"),
    "history list --history a file": (_with_file(_command("history", "list"), "--history", "{file}"), "a-file.txt",
                                      "must be a folder"),
    "history add --history a file": (_with_file(_command("history", "add", "{folder}/saved-run"), "--history",
                                                "{file}"), "a-file.txt", "must be a folder"),
    "compare --history a file": (_with_file(_command("compare", "last", "last"), "--history", "{file}"), "a-file.txt",
                                 "must be a folder"),
    "an output the OS will not write": (_unwritable_findings, "saved-run", "Is a directory"),
    "--step-timeout 0": (_run_with("--step-timeout", "0"), "--step-timeout", "greater than 0"),
    "--step-timeout -5": (_run_with("--step-timeout", "-5"), "--step-timeout", "greater than 0"),
    "--step-timeout nan": (_run_with("--step-timeout", "nan"), "--step-timeout", "finite number"),
    "--step-timeout inf": (_run_with("--step-timeout", "inf"), "--step-timeout", "finite number"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_clear_message_and_exit_2(case: str, tmp_path: Path) -> None:
    make, where, message = CASES[case]
    done = cli(*make(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    text = " ".join(done.stderr.split())
    assert text.startswith("error: ") and where in text and message in text, text
    assert not (tmp_path / "run").exists()  # a run's folder: nothing was started


def test_a_history_store_from_the_environment_that_is_a_file_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    command = _with_file(_run_with())(tmp_path)
    done = cli(*command, env={"HARNESS_HISTORY": str(tmp_path / "a-file.txt")})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "$HARNESS_HISTORY) must be a folder" in " ".join(done.stderr.split()) and "Traceback" not in done.stderr
    assert not (tmp_path / "run").exists()


def test_a_feature_saved_with_a_byte_order_mark_is_read_like_any_other(tmp_path: Path) -> None:
    _app()(tmp_path)
    (tmp_path / "f.feature").write_bytes(b"\xef\xbb\xbf" + FEATURE.encode())
    done = cli("check", tmp_path / "f.feature", "--app", tmp_path / "app.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.e2e  # an HTTP server for the app; the run itself never starts
@pytest.mark.parametrize(("spec", "message"), [
    ("last:0", "the count must be a whole number of at least 1"),
    ("{tmp}/no-such-run", "no-such-run"),
])
def test_a_bad_baseline_stops_the_run_before_it_starts(tmp_path: Path, spec: str, message: str) -> None:
    fixture = Path(__file__).parent / "fixtures" / "compare"
    with serve_folder(fixture / "site") as url:
        done = cli("run", fixture / "checkout.feature", "--app", fixture / "app.yaml", "--base-url", url, "--out",
                   tmp_path / "run", "--history", tmp_path / "history", "--baseline", spec.format(tmp=tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and message in " ".join(done.stderr.split())
    assert not (tmp_path / "run" / "steps.jsonl").exists()  # nothing was run
