"""The guide-results contract: guides.jsonl and guides.json written, read back and re-read (no browser)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.contracts.guides import (
    GUIDES_JSON,
    GUIDES_JSONL,
    CoveredBy,
    GuidesFile,
    GuideStepCheck,
    JourneyVisit,
)
from harness.guides.results import GuideOutline, fail_on_of, summarise
from harness.guides.status import DEFAULT_FAIL_ON
from harness.runfolder.guides import (
    append_guide_step,
    clear_guide_steps,
    parse_guides,
    read_guide_steps,
    read_guides,
    write_guides,
)

FIXTURES = Path(__file__).parent / "fixtures"
BOX = {"x": 12, "y": 40, "width": 120, "height": 32}


def _step(guide: str, step: str, status: str, **extra: Any) -> GuideStepCheck:
    """A step result as the collector makes it (every field given)."""
    return GuideStepCheck.model_validate({
        "guide": guide, "step": step, "index": 0, "title": "Save", "body": "Keep it.", "line": 7,
        "page": "/expenses", "after": None, "url": "http://app/expenses", "target": f"#{step}",
        "selector_format": "playwright", "status": status, "message": f"#{step} is {status}",
        "match_count": 0 if status == "missing" else 1,
        "evidence": {"box": BOX, "boxes": [BOX], "covered_by": None, "expected_text": "Save", "actual_text": "Save",
                     "actual_name": "Save", "similarity": 0.82, "diff": [{"field": "id", "old": "a", "new": None}],
                     "fingerprint": {"tag": "button", "box": BOX}, "baseline_fingerprint": {"tag": "button"},
                     "screenshot": None, "baseline_screenshot": None},
        "suggestion": None, **extra,
    })


def _checked() -> list[GuideStepCheck]:
    missing = _step("tour", "save", "missing", suggestion={
        "target": "#save-2", "css": "#save-2", "score": 0.71, "reasons": ["same text"], "box": BOX, "text": "Save",
        "alternatives": [{"target": "text=Save", "score": 0.4}], "index": 17})
    missing.evidence.repair_ms = 12.5
    covered = _step("tour", "help", "covered")
    covered.evidence.covered_by = CoveredBy.model_validate(
        {"tag": "div", "id": "cookies", "classes": ["banner"], "text": "We use cookies", "box": BOX})
    covered.journey = JourneyVisit(feature="a.feature", scenario="Pay", step='I click "pay"', repeat=0)
    return [missing, covered, _step("intro", "hello", "ok"), _step("tour", "save", "ok")]


def _summary() -> GuidesFile:
    guides = [GuideOutline("tour", "Tour", "guides/tour.yaml", ("save", "help")),
              GuideOutline("intro", None, "guides/intro.yaml", ("hello",))]
    return summarise(_checked(), guides, fail_on=DEFAULT_FAIL_ON, app="demo", app_version="2.0", base_url="http://app",
                     checked_at="2026-11-27T09:00:00+00:00", duration_ms=812.5,
                     baselines={"tour": {"app": "demo", "recorded_at": "2026-11-01T00:00:00+00:00"}})


# --- guides.jsonl ------------------------------------------------------------------------
def test_jsonl_lines_round_trip_and_keep_their_shape(tmp_path: Path) -> None:
    clear_guide_steps(tmp_path)
    for step in _checked():
        append_guide_step(tmp_path, step)
    lines = [json.loads(line) for line in (tmp_path / GUIDES_JSONL).read_text(encoding="utf-8").splitlines()]
    assert [list(line)[:3] for line in lines] == [["guide", "step", "index"]] * 4
    assert "journey" not in lines[0] and lines[1]["journey"]["repeat"] == 0  # left out when None
    assert lines[0]["evidence"]["repair_ms"] == 12.5 and "note" not in lines[0]["evidence"]
    assert "index" not in lines[0]["suggestion"]  # a candidate's place on the page is never written
    assert lines[0]["evidence"]["box"] == BOX and json.dumps(lines[0]["evidence"]["box"]) == json.dumps(BOX)
    read = read_guide_steps(tmp_path)
    assert [r.model_dump(mode="json") for r in read] == lines
    assert read[0].suggestion is not None and read[0].suggestion.index is None


def test_a_torn_or_invalid_line_is_skipped(tmp_path: Path) -> None:
    append_guide_step(tmp_path, _step("tour", "save", "ok"))
    with (tmp_path / GUIDES_JSONL).open("a", encoding="utf-8") as fh:
        fh.write('{"guide": "tour"}\n{"guide": "tour", "step": "help", "sta')
    assert [(r.guide, r.id) for r in read_guide_steps(tmp_path)] == [("tour", "save")]


def test_an_older_jsonl_line_loads() -> None:
    """A line of the guide step ``the guide "<id>" is intact`` before the contract: journey without scenario."""
    line = {"guide": "g", "step": "s", "status": "ok", "journey": {"feature": "f.feature", "step": "the guide"},
            "suggestion": {"target": "#a", "score": 0.5, "reasons": [], "index": 3, "box": BOX, "text": "A",
                           "alternatives": []}}
    step = GuideStepCheck.model_validate_json(json.dumps(line))
    assert step.journey == JourneyVisit(feature="f.feature", step="the guide")
    assert step.result().model_dump(mode="json")["id"] == "s" and "guide" not in step.result().model_dump()


# --- guides.json -------------------------------------------------------------------------
def test_summary_worst_result_policy_and_totals() -> None:
    data = _summary()
    assert [(g.id, g.status, [s.id for s in g.steps]) for g in data.guides] == [
        ("tour", "broken", ["save", "help"]), ("intro", "intact", ["hello"])]
    assert data.guides[0].steps[0].status == "missing"  # checked twice: the worst result is kept
    assert data.totals == {"guides": 2, "steps": 3, "missing": 1, "covered": 1, "ok": 1,
                           "guides_broken": 1, "guides_intact": 1}
    assert data.status == "failed" and fail_on_of(data) == DEFAULT_FAIL_ON


def test_the_writer_writes_the_models_dump_and_it_reads_back(tmp_path: Path) -> None:
    data = _summary()
    path = write_guides(tmp_path, data)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written == data.model_dump(mode="json")
    assert list(written) == ["schema_version", "app", "app_version", "base_url", "checked_at", "duration_ms",
                             "baselines", "policy", "status", "totals", "guides"]
    assert list(written["guides"][0]["steps"][0])[:2] == ["id", "index"]
    read = read_guides(tmp_path)
    assert read is not None and read.error is None and not read.warnings
    assert read.file.model_dump() == data.model_dump()
    assert not list(tmp_path.glob("*.tmp"))  # written through a temporary file renamed over it


@pytest.mark.parametrize("folder", ["run_guides", "guides_only"])
def test_older_files_load_and_keep_their_values(folder: str) -> None:
    raw = json.loads((FIXTURES / folder / GUIDES_JSON).read_text(encoding="utf-8"))
    read = read_guides(FIXTURES / folder)
    assert read is not None and read.error is None and not read.warnings
    assert len(read.file.guides) == len(raw["guides"])
    dumped = read.file.model_dump(mode="json")
    # what the file lacks comes back as its default; the candidate index (written by old versions) is dropped
    assert dumped.pop("baselines") == {} and "baselines" not in raw
    for guide, old_guide in zip(dumped.pop("guides"), raw.pop("guides"), strict=True):
        for step, old in zip(guide.pop("steps"), old_guide.pop("steps"), strict=True):
            if old.get("suggestion"):
                old["suggestion"].pop("index", None)
                for key in ("box", "text"):
                    old["suggestion"].setdefault(key, None)
            if old.get("journey"):
                for key in ("scenario", "repeat"):
                    old["journey"].setdefault(key, None)
            assert step == old
        assert guide == old_guide
    assert dumped == raw


def test_a_minimal_hand_written_file_loads_with_defaults() -> None:
    read = parse_guides({"guides": [{"id": "bare", "steps": [{"id": "one", "status": "missing"}]}]})
    assert read.error is None and not read.warnings
    step = read.file.guides[0].steps[0]
    assert step.evidence.boxes == [] and step.suggestion is None and step.journey is None
    assert read.file.policy.fail_on is None and fail_on_of(read.file) == DEFAULT_FAIL_ON
    assert fail_on_of(parse_guides({"policy": {"fail_on": []}, "guides": []}).file) == ()
