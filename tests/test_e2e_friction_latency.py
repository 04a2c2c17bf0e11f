"""Latency injected into the demo app shows up as slow page loads and over-budget steps, on the steps that wait."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.contracts.records import FindingsFile
from tests.support import ROOT
from tests.support.cli import harness
from tests.support.servers import demo_server

pytestmark = pytest.mark.e2e
DELAY_MS = 2000
"""Over the TTFB threshold for 'high' (1800 ms), and pushed into every step that loads /expenses/new."""


@pytest.mark.xdist_group("friction-latency")
def test_a_slowed_page_is_a_slow_page_load_on_each_step_that_loads_it(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with demo_server(1, path_latency={"/expenses/new": DELAY_MS}) as server:
        done = harness("run", str(ROOT / "features" / "demo" / "submit_expense.feature"), "--app", "demo",
                       "--base-url", server.url, "--out", str(out), "--no-a11y", "--fail-on-findings", "high")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # the journeys pass; the findings fail it
    assert "friction finding(s) at or above high" in done.stderr
    findings = FindingsFile.model_validate_json((out / "findings.json").read_text())
    slow = {(f.scenario, f.step_text): f for f in findings.findings if f.rule == "slow-page-load"}
    # the form's GET, and the refused POST that answers with the form again
    assert set(slow) == {
        ("Submit an expense with a receipt", 'I click "expenses.new"'),
        ("An expense over 25 without a receipt is refused", 'I open "new expense"'),
        ("An expense over 25 without a receipt is refused", 'I click "expense.submit"'),
        ("Submit an expense with a receipt", 'I click "expense.submit"'),
    }
    for finding in slow.values():
        assert finding.severity == "high"
        assert finding.evidence["ttfb_ms"]["median"] >= DELAY_MS  # type: ignore[index]
    # every other step of these journeys loads at its usual speed: no other timing finding
    assert [f.rule for f in findings.findings if f.rule not in ("slow-page-load", "failed-request",
                                                                "refused-input")] == []
