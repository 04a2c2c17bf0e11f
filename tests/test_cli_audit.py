"""``harness audit`` and ``harness report`` recompute friction findings from a saved run folder, without a browser."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import cli
from tests.support.step_records import run_folder, scenario


def test_audit_against_a_baseline_flags_the_longer_journey_and_fails_on_high(tmp_path: Path) -> None:
    base = run_folder(tmp_path / "base", scenario("Submit an expense", 1), run_id="run-0")
    now = run_folder(tmp_path / "now", scenario("Submit an expense", 4))
    done = cli("audit", str(now), "--baseline", str(base), "--json")
    assert done.returncode == 1, done.stderr  # a high finding, default --fail-on high
    data = json.loads(done.stdout)
    assert data["baseline_run"] == "run-0"
    assert [(f["rule"], f["severity"], f["step_index"]) for f in data["findings"]] == [("longer-journey", "high", None)]
    assert json.loads((now / "findings.json").read_text())["findings"][0]["rule"] == "longer-journey"
    assert "longer-journey" in (now / "report.html").read_text()
    assert cli("audit", str(now), "--baseline", str(base), "--fail-on", "never").returncode == 0
    table = cli("audit", str(now), "--baseline", str(base))
    assert "longer-journey" in table.stdout and "Friction score per scenario" in table.stdout


def test_report_recomputes_findings_and_a_plain_run_has_none(tmp_path: Path) -> None:
    now = run_folder(tmp_path / "now", scenario("Submit an expense", 4))
    (now / "findings.json").write_text("{not json")
    done = cli("report", str(now))
    assert done.returncode == 0, done.stderr
    assert json.loads((now / "findings.json").read_text())["findings"] == []  # rewritten from the records
    assert cli("audit", str(now)).returncode == 0


def test_bad_audit_input_is_one_clear_message_and_exit_2(tmp_path: Path) -> None:
    now = run_folder(tmp_path / "now", scenario("Submit an expense", 1))
    not_a_run = cli("audit", str(tmp_path))
    assert not_a_run.returncode == 2 and "not a run folder" in not_a_run.stderr
    assert "Traceback" not in not_a_run.stderr
    policy = cli("audit", str(now), "--fail-on", "sometimes")
    assert policy.returncode == 2 and "--fail-on must be one of high, medium, low, never" in policy.stderr
    profile = tmp_path / "app.yaml"
    profile.write_text("name: nowhere-app\nfriction:\n  thresholds:\n    wait_ms: [3000, 100]\n")
    bad = cli("audit", str(now), "--app", str(profile))
    assert bad.returncode == 2 and f"{profile}:4" in bad.stderr and "Traceback" not in bad.stderr
    baseline = cli("audit", str(now), "--baseline", str(tmp_path / "missing"))
    assert baseline.returncode == 2 and "baseline is not a run folder" in baseline.stderr
