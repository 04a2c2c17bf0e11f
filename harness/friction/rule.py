"""What a friction rule declares: its metadata and its check, in the manner of a Lighthouse audit.

Each rule is one module of :mod:`harness.friction.rules` with one :class:`Rule`; the check is a
pure function of one scenario's runs (:class:`~harness.friction.groups.ScenarioRuns`) and the
settings in force for it (:class:`~harness.spec.friction.ScenarioSettings`). The contract is in
docs/friction.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.contracts.evidence import Evidence
from harness.contracts.records import Finding


@dataclass(frozen=True)
class Rule:
    """One friction rule.

    Attributes:
        id: Its id (``dead-click``): ``Finding.rule``, and the name ``disable:`` takes in ``app.yaml``.
        title: Its name in words (``Finding.title``).
        description: What it judges (its module's docstring).
        severity: How it grades its findings, in words (the severity column of docs/friction.md).
        scaled: Its points are scaled by the share of repeats the finding occurred in (event rules);
            else a finding gets its severity's points.
        thresholds: The threshold pairs it reads from the settings.
        needs: The step record fields it judges (``signals.page_load``); none for scenario figures.
        evidence: The model of its findings' evidence.
        check: Its findings on one scenario: ``check(runs, settings)``, and with ``uses_baseline``
            ``check(runs, settings, baseline_figures, baseline_run)``.
        uses_baseline: It compares the scenario with the baseline run's figures.
    """

    id: str
    title: str
    description: str
    severity: str
    scaled: bool
    evidence: type[Evidence]
    check: Callable[..., list[Finding]]
    thresholds: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    uses_baseline: bool = False

    def __post_init__(self) -> None:
        if self.evidence.rule != self.id:
            raise ValueError(f"rule {self.id}: its evidence model {self.evidence.__name__} is {self.evidence.rule}'s")
