"""Run every friction rule not disabled on one scenario."""

from __future__ import annotations

from harness.contracts.records import Finding
from harness.friction.groups import ScenarioFigures, ScenarioRuns
from harness.friction.rules import RULES
from harness.spec.friction import ScenarioSettings


def judge(runs: ScenarioRuns, settings: ScenarioSettings, baseline: ScenarioFigures | None = None,
          baseline_run: str | None = None) -> list[Finding]:
    """The findings of every rule not disabled on one scenario: in rule order (:data:`RULES`), then step order.

    Args:
        runs: The scenario's runs.
        settings: The settings in force for it.
        baseline: The same scenario's figures in the baseline run, for the rules that use one.
        baseline_run: The baseline run's id.
    """
    found: list[Finding] = []
    for rule in RULES:
        if rule.id in settings.disabled:
            continue
        if rule.uses_baseline:
            found += rule.check(runs, settings, baseline, baseline_run)
        else:
            found += rule.check(runs, settings)
    return found
