"""Typed evidence of friction findings: read from files old and new, written back unchanged, shown by the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.contracts.evidence import (
    MODELS,
    A11yViolationEvidence,
    Growth,
    LongerJourneyEvidence,
    OverBudgetEvidence,
    RawEvidence,
    RepeatFigures,
    SlowInteractionEvidence,
    SlowPageLoadEvidence,
    StepFigureEvidence,
)
from harness.contracts.records import Finding, FindingsFile, StepRecord
from harness.friction.finding import make_finding
from harness.friction.groups import group_records
from harness.friction.rules import BY_ID
from harness.report.html.friction_cells import Block
from harness.report.html.friction_evidence import evidence_blocks
from harness.report.html.friction_untyped import untyped_blocks

SCHEMA1 = Path(__file__).parent / "fixtures" / "findings_schema1.json"
"""``findings.json`` as the harness wrote it before evidence was typed: one finding of every rule."""


def finding(rule: str, evidence: dict[str, Any]) -> Finding:
    return Finding.model_validate({"id": "f1", "rule": rule, "severity": "medium", "title": "T", "message": "m",
                                   "journey": "J", "feature_file": "f.feature", "scenario": "S",
                                   "evidence": evidence})


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def test_a_schema1_file_reads_into_the_rule_models_and_writes_back_unchanged() -> None:
    text = SCHEMA1.read_text(encoding="utf-8")
    ff = FindingsFile.model_validate_json(text)
    assert {f.rule for f in ff.findings} == set(MODELS)
    for f in ff.findings:
        assert type(f.evidence) is MODELS[f.rule], f.rule
    assert canonical(json.loads(ff.model_dump_json())) == canonical(json.loads(text))
    assert FindingsFile.model_validate_json(ff.model_dump_json()) == ff


def test_fields_read_as_typed_values() -> None:
    ff = FindingsFile.model_validate_json(SCHEMA1.read_text(encoding="utf-8"))
    by_rule = {f.rule: f.evidence for f in reversed(ff.findings)}
    budget = by_rule["over-budget"]
    assert isinstance(budget, OverBudgetEvidence)
    assert (budget.ratio, budget.thresholds, budget.values) == (2.31, (1.0, 2.0), {"0": 2310.0, "1": 2310.0})
    interaction = by_rule["slow-interaction"]
    assert isinstance(interaction, SlowInteractionEvidence) and isinstance(interaction, StepFigureEvidence)
    assert (interaction.metric, interaction.measured) == ("interaction_ms", 340.0)
    assert interaction.interaction_event == "click"
    journey = by_rule["longer-journey"]
    assert isinstance(journey, LongerJourneyEvidence) and journey.page_loads == Growth(
        value=6, baseline=3, ratio=2.0, thresholds=(1.5, 2.0))
    a11y = by_rule["a11y-violation"]
    assert isinstance(a11y, A11yViolationEvidence) and a11y.nodes[0].target == ".muted"
    # the JSON form, key by key, as findings.json holds it
    assert interaction["interaction_ms"] == 340.0 and interaction["thresholds"] == [200.0, 500.0]
    assert "interaction_ms" in interaction and "measured" not in interaction


@pytest.mark.parametrize(("rule", "evidence"), [
    ("over-budget", {"budget_ms": 1000, "median_ms": 1500}),
    ("a11y-violation", {"violations": [{"id": "label", "nodes": [{"target": "#a"}], "count": 3}]}),
    ("slow-page-load", {"lcp_ms": {"median": 2500}, "url": "http://a/"}),
    ("slow-lcp", {"lcp_ms": 4100, "lcp_threshold_ms": 2500}),
    ("dead-click", {}),
])
def test_evidence_that_fits_no_model_is_kept_as_read(rule: str, evidence: dict[str, Any]) -> None:
    found = finding(rule, evidence)
    assert isinstance(found.evidence, RawEvidence) and found.evidence.data == evidence
    assert canonical(json.loads(found.model_dump_json())["evidence"]) == canonical(evidence)  # ints stay ints
    assert Finding.model_validate_json(found.model_dump_json()) == found


def test_unmeasured_figures_are_left_out_and_measured_nulls_kept() -> None:
    lcp = RepeatFigures(median=4100.0, thresholds=(2500.0, 4000.0), values={"0": 4100.0})
    page = SlowPageLoadEvidence(lcp_ms=lcp, url="http://a/", lcp_element=None)
    assert list(page.as_json()) == ["lcp_ms", "url", "lcp_element"]
    journey = LongerJourneyEvidence(baseline="expected", steps=Growth(value=9, baseline=4, ratio=2.25,
                                                                       thresholds=(1.5, 2.0)))
    assert journey.as_json() == {"baseline": "expected", "steps": {"value": 9, "baseline": 4, "ratio": 2.25,
                                                                  "thresholds": [1.5, 2.0]}}
    assert type(finding("longer-journey", journey.as_json()).evidence) is LongerJourneyEvidence


def test_a_rule_writes_only_its_own_model() -> None:
    runs = group_records([StepRecord(run_id="r", app="a", journey="J", feature_file="f.feature", scenario="S",
                                     step_index=0, keyword="When", text="x", status="passed")])[0]
    journey = LongerJourneyEvidence(baseline="expected")
    with pytest.raises(TypeError, match="DeadClickEvidence"):
        make_finding(BY_ID["dead-click"], "high", "m", runs, journey)
    assert make_finding(BY_ID["longer-journey"], "low", "m", runs, journey).evidence is journey


def shown(blocks: list[Block]) -> list[Block]:
    """The blocks with only URLs linked (the keys-and-shapes reader links any value that looks like one)."""
    for block in blocks:
        for row in block.rows:
            if row[0].text == "State":
                row[1].href = None
    return blocks


def test_the_report_shows_the_types_as_it_showed_the_keys() -> None:
    raw = json.loads(SCHEMA1.read_text(encoding="utf-8"))
    for data, f in zip(raw["findings"], FindingsFile.model_validate(raw).findings, strict=True):
        typed = evidence_blocks(f.evidence, f.rule)
        assert typed and typed == evidence_blocks(data["evidence"], f.rule), f.rule
        assert typed == shown(untyped_blocks(data["evidence"], f.rule)), f.rule
    a11y = next(f for f in FindingsFile.model_validate(raw).findings if f.rule == "a11y-violation")
    other = {row[0].text: row[1] for row in evidence_blocks(a11y.evidence)[-1].rows}
    assert other["URL"].href == "https://shop.example.test/settings"
    assert other["State"].href is None  # a page state is not a link, even when it starts with a URL
