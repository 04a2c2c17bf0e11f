"""The friction rule registry: one module per documented rule, each with complete metadata (no browser)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from harness.contracts.evidence import MODELS
from harness.contracts.records import StepRecord
from harness.friction.rule import Rule
from harness.friction.rules import BY_ID, RULES
from harness.spec.friction import DEFAULT_THRESHOLDS
from harness.spec.friction import RULES as RULE_IDS

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "friction.md").read_text(encoding="utf-8")
RULES_DIR = ROOT / "harness" / "friction" / "rules"
ROW = re.compile(r"^\| `(?P<id>[a-z0-9-]+)` \| (?P<fires>.+?) \| (?P<severity>.+?) \| (?P<thresholds>.+?) \|$")


def documented() -> dict[str, dict[str, str]]:
    """The rules table of docs/friction.md: rule id -> its cells."""
    table = DOC.split("## Rules", 1)[1].split("\n## ", 1)[0]
    rows = [m.groupdict() for m in map(ROW.match, table.splitlines()) if m]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "a rule documented twice"
    return {r["id"]: r for r in rows}


def module_name(rule_id: str) -> str:
    return rule_id.replace("-", "_")


def test_every_documented_rule_has_exactly_one_module() -> None:
    docs = documented()
    modules = sorted(p.stem for p in RULES_DIR.glob("*.py") if p.stem != "__init__")
    assert modules == sorted(module_name(r) for r in docs)
    for rule_id in docs:
        module = importlib.import_module(f"harness.friction.rules.{module_name(rule_id)}")
        assert module.RULE.id == rule_id and BY_ID[rule_id] is module.RULE


def test_the_registry_lists_each_rule_once_and_matches_the_settings() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)) == len(BY_ID)
    assert set(ids) == set(documented()) == set(RULE_IDS)
    assert [r.id for r in RULES if r.uses_baseline] == ["longer-journey"] == [r.id for r in RULES][-1:]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_metadata_is_complete_and_documented(rule: Rule) -> None:
    row = documented()[rule.id]
    assert rule.title and rule.title[0].isupper()
    assert rule.description.startswith(f"``{rule.id}``: ") and len(rule.description) > 40
    assert callable(rule.check) and rule.check.__doc__
    assert rule.severity == row["severity"]
    named = set(re.findall(r"`([a-z_]+)`", row["thresholds"]))
    assert set(rule.thresholds) == named and named <= set(DEFAULT_THRESHOLDS)
    assert MODELS[rule.id] is rule.evidence and rule.evidence.rule == rule.id
    assert rule.needs or rule.id == "longer-journey"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_needs_name_step_record_fields(rule: Rule) -> None:
    for path in rule.needs:
        model: type[BaseModel] = StepRecord
        for part in path.split("."):
            assert part in model.model_fields, f"{rule.id} needs {path}: no field {part}"
            annotation = model.model_fields[part].annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                model = annotation


def test_every_threshold_is_read_by_a_rule() -> None:
    assert {name for rule in RULES for name in rule.thresholds} == set(DEFAULT_THRESHOLDS)


def test_scaled_points_are_the_documented_event_rules() -> None:
    sentence = re.search(r"Event rules \(([^)]*)\)\s+scale them", DOC)
    assert sentence is not None
    assert {r.id for r in RULES if r.scaled} == set(re.findall(r"`([a-z0-9-]+)`", sentence.group(1)))


def test_a_rule_with_another_rules_evidence_is_refused() -> None:
    rule = BY_ID["dead-click"]
    with pytest.raises(ValueError, match="over-budget"):
        Rule(id=rule.id, title=rule.title, description=rule.description, severity=rule.severity, scaled=True,
             evidence=MODELS["over-budget"], check=rule.check)
