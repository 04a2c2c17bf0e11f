"""What a guide check's folder (guides.json, no run.json) gets from the report stage, and the words used
for a step without a suggested selector (no browser)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.contracts.guides import GuideStepCheck
from harness.guides.results import GuideOutline, no_suggestion_reason, summarise
from harness.guides.status import DEFAULT_FAIL_ON
from harness.report.allure.results import write_allure_results
from harness.report.outputs import ALLURE_RESULTS, write_outputs
from harness.runfolder.guides import write_guides


def _step(step: str, status: str, **extra: Any) -> GuideStepCheck:
    return GuideStepCheck.model_validate({"guide": "tour", "step": step, "index": 0, "target": f"#{step}",
                                          "status": status, "message": f"#{step} is {status}", **extra})


def _check_folder(folder: Path) -> Path:
    steps = [_step("save", "missing", suggestion={"target": "#save-2", "score": 0.7, "reasons": ["same text"]}),
             _step("help", "ok", warning="#help matches 2 elements; Shepherd/querySelector attaches to the first")]
    data = summarise(steps, [GuideOutline("tour", "Tour", "guides/tour.yaml", ("save", "help"))],
                     fail_on=DEFAULT_FAIL_ON, app="demo", app_version="2.0", base_url="http://u:pw@app/",
                     checked_at="2026-11-27T09:00:00+00:00", duration_ms=10.0)
    folder.mkdir()
    write_guides(folder, data)
    return folder


def test_a_guide_check_without_allure_dir_writes_no_allure_and_says_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _check_folder(tmp_path / "check")
    done = write_outputs(folder)
    assert ALLURE_RESULTS not in done.failed, done.failed
    assert "could not be written" not in capsys.readouterr().err
    assert write_allure_results(folder) is None


def test_a_guide_check_with_allure_dir_writes_one_result_per_guide(tmp_path: Path) -> None:
    folder = _check_folder(tmp_path / "check")
    results = write_allure_results(folder, tmp_path / "allure")
    assert results == (tmp_path / "allure").resolve()
    written = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    assert [r["name"] for r in written] == ["Guide: Tour"] and written[0]["status"] == "failed"
    assert "#save-2" in written[0]["statusDetails"]["message"]
    environment = (results / "environment.properties").read_text()
    assert "app=demo" in environment and "pw" not in environment
    assert (results / "categories.json").is_file()


@pytest.mark.parametrize(("extra", "reason"), [
    ({"evidence": {"repair_ms": 12.0}}, "none scored high enough"),
    ({"evidence": {"note": "no baseline for this step: record one"}}, "none looked for: no baseline for this step"),
    ({"status": "covered"}, "none looked for: the selector is not at fault (covered)"),
    ({"suggestion": {"target": "#x"}}, None),
    ({"status": "ok"}, None),
])
def test_no_suggestion_reason_says_high_enough_only_after_a_repair_was_tried(extra: dict[str, Any],
                                                                            reason: str | None) -> None:
    step = _step("save", **{"status": "missing", **extra})
    got = no_suggestion_reason(step.result())
    assert got == reason or (reason is not None and got is not None and got.startswith(reason))
