"""No secret in any form: one ``harness run`` plants passwords every way a run meets them, then every byte is searched.

The passwords: the profile's user's, from the environment, typed by the login step; one typed as written
in a plain step; two per Examples row (a password, and a PIN in a target marked ``secret: true``), one
row failing on purpose (a failure message, a screenshot, pytest's failure report). The sign-in form is
sent by GET, so each also lands in a URL, percent-encoded. The run has traces on, Allure results and a
history; its folder, the history, the Allure folder (every file, every file inside every zip, every
name) and the command's output must hold none of them in any form, and the run must still have done
its job.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from harness.outcomes import scenarios
from tests.support import ROOT
from tests.support.cli import Done, env_with_secrets, harness
from tests.support.run_folders import records
from tests.support.servers import serve_folder

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("secrets")]

FIXTURE = ROOT / "tests" / "fixtures" / "secrets"
ENV_PASSWORD = "Env Pw/2!é~*agent"
PASSWORDS = ["p@ss w0rd!", "Tbl~1*'(é) &<x/Row", "Pin-4711~a b", "Tbl~2*'(é) &<x/Row", "Pin-4712~c d", ENV_PASSWORD]
"""The features' in the order they are typed, then the environment's: their labels are [redacted-1] to -6."""


def _browser_form(value: str) -> str:
    """``value`` as a browser submits a form field (WHATWG: ``*-._`` kept, ``~`` encoded, ``+`` for a space)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "*-._") else "+" if c == " " else
                   "".join(f"%{b:02X}" for b in c.encode()) for c in value)


def needles(value: str) -> set[str]:
    """Every form to search for, worked out here independently of ``harness.redaction``."""
    escaped = value.encode("unicode_escape").decode("ascii")  # how pytest writes it into a test id
    found = set()
    for text in (value, escaped):
        found |= {text, quote(text, safe=""), quote(text), quote_plus(text), _browser_form(text),
                  html.escape(text), html.escape(text, quote=False), json.dumps(text)[1:-1],
                  json.dumps(text, ensure_ascii=False)[1:-1], re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")}
    return {n.lower() for n in found}


@dataclass(frozen=True)
class SecretRun:
    done: Done
    run_dir: Path
    history: Path
    allure: Path


@pytest.fixture(scope="module")
def secret_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretRun]:
    base = tmp_path_factory.mktemp("secrets")
    run_dir, history, allure = base / "run", base / "history", base / "allure"
    with serve_folder(FIXTURE / "site") as url:  # (no axe-core scans: they would only make the run longer)
        done = harness("run", FIXTURE, "--app", FIXTURE / "app.yaml", "--base-url", url, "--out", run_dir,
                       "--trace", "on", "--trace-detail", "full", "--allure-dir", allure, "--history", history,
                       "--step-timeout", "2000",
                       "--no-a11y", env={**env_with_secrets(), "VAULT_AGENT_PASSWORD": ENV_PASSWORD})
    yield SecretRun(done, run_dir, history, allure)


def _contents(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every name under ``root`` (files and folders) and every file's bytes, zips opened (and zips in zips)."""
    for path in sorted(root.rglob("*")):
        yield str(path.relative_to(root)), b""
        if path.is_file():
            yield from _unpacked(str(path.relative_to(root)), path.read_bytes())


def _unpacked(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    yield name, data
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield f"{name}!{member}", b""
                yield from _unpacked(f"{name}!{member}", archive.read(member))


def test_no_secret_in_any_form_anywhere(secret_run: SecretRun) -> None:
    searched = {n: value for value in PASSWORDS for n in needles(value)}
    assert len(searched) > 40  # the forms differ (the search is worth something)
    places = [("stdout", secret_run.done.stdout.encode()), ("stderr", secret_run.done.stderr.encode())]
    for root in (secret_run.run_dir, secret_run.history, secret_run.allure):
        places += [(f"{root.name}/{name}", data) for name, data in _contents(root)]
    assert len(places) > 50
    found = []
    for where, data in places:
        text = (where + "\n" + data.decode("utf-8", "replace")).lower()
        found += [f"{where}: {searched[n]!r} as {n!r}" for n in searched if n in text]
    assert not found, f"{len(found)} found:\n" + "\n".join(found[:30])


def test_the_run_still_did_its_job(secret_run: SecretRun) -> None:
    done, run_dir = secret_run.done, secret_run.run_dir
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr  # one Examples row fails on purpose
    steps = records(run_dir)
    outcomes = {(s.key.scenario, s.key.example): s.status for s in scenarios(steps)}
    assert sorted(outcomes.values()) == ["failed", "passed", "passed", "passed"]  # the two rows stay two scenarios
    assert {scenario for scenario, _ in outcomes} >= {"Passwords from an Examples table ([redacted-2])",
                                                      "Passwords from an Examples table ([redacted-4])"}
    login = next(r for r in steps if r.text == 'I log in as "agent"')
    assert login.status == "passed" and login.url is not None
    assert login.url.endswith("/welcome.html?username=agent&password=[redacted-6]&pin=")  # encoded, then redacted
    typed = next(r for r in steps if r.text.startswith('I fill "login.password" with'))
    assert typed.text == 'I fill "login.password" with "[redacted-1]"'
    failed = next(r for r in steps if r.status == "failed")
    assert failed.example == {"password": "[redacted-4]", "pin": "[redacted-5]", "greeting": "No such greeting"}
    assert failed.artifacts.screenshot and (run_dir / failed.artifacts.screenshot).is_file()
    assert "redacted-5" in failed.artifacts.screenshot  # its folder is named after the redacted test id
    for name in ("report.html", "junit.xml", "summary.md", "steps.csv", "steps.parquet", "pytest.log"):
        assert (run_dir / name).is_file(), name
    assert "[redacted-4]" in (run_dir / "junit.xml").read_text()
    assert "[redacted-4]" in (run_dir / "pytest.log").read_text()  # pytest's failure report, redacted
    assert (secret_run.history / "index.parquet").is_file()
    assert len(list(secret_run.allure.glob("*-result.json"))) == 4
    # the trace stopped while each secret was on the page, and recorded again once none was
    signed_in = next(run_dir.glob("artifacts/vault-test_the_profiles_user_signs_in-*"))
    assert sorted(p.name for p in signed_in.iterdir()) == ["trace-part-1.zip", "trace.zip"]
    with zipfile.ZipFile(signed_in / "trace.zip") as archive:  # from the return to the sign-in page on
        trace = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8", "replace")
    assert "Sign in to the vault" in trace and "Welcome to the vault" not in trace
    assert len(list(run_dir.glob("artifacts/*/trace.zip"))) == 4
