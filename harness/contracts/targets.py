"""Journeys heal like guides: the UI-map targets a run resolved, and the repairs its failed steps need.

- While a step passes, each UI-map target it resolved leaves its element's fingerprint on the step
  record (``StepRecord.fingerprints``, the same fingerprint a guide baseline holds, docs/guides.md).
- At the end of the run, ``targets.json`` keeps the newest passing fingerprint of each target
  (:class:`TargetsFile`); the history keeps it with the run, so the last run where a target worked
  is its baseline without any extra command.
- At a worker's first failure, the newest fingerprint of each target over the app's history is its
  baseline (``runfolder.history.target_baselines``).
- A step that fails on a UI-map target (or is healed) carries a :class:`TargetRepair`: the ranked
  candidates from the page as it was at the failure, or why there are none.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.contracts.guides import Suggestion

TARGETS_JSON = "targets.json"
FIXES_PATCH = "ui-map-fixes.patch"
FALLBACK_USED = "fallback_used"
"""The cause of a passed step's repair: its target's selector matched nothing, and a fallback found the element."""
SCHEMA_VERSION = 1


class TargetPrint(BaseModel):
    """The newest fingerprint of one UI-map target, and where it comes from."""

    model_config = ConfigDict(extra="allow")

    target: str
    selector: str | None = None
    """The selector that resolved it (the UI map's own, or a fallback)."""
    fingerprint: dict[str, Any]
    run_id: str | None = None
    recorded_at: str | None = None
    """When the step that resolved it started (ISO-8601 UTC)."""
    feature_file: str | None = None
    scenario: str | None = None
    step: str | None = None
    url: str | None = None


class TargetsFile(BaseModel):
    """``targets.json`` (a run's passing fingerprints), and the baselines gathered from a history's."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    app: str | None = None
    targets: dict[str, TargetPrint] = Field(default_factory=dict)


class TargetRepair(BaseModel):
    """What a failed or healed step's UI-map target needs: a repaired selector with its evidence, or why none.

    Attributes:
        target: The UI-map name (``None``: the step failed on no target, e.g. on what the page shows).
        selector: Its selector in the UI map when the step ran (the first one tried).
        cause: Why the step could not use it: ``missing``, ``ambiguous``, ``hidden``, ``text_changed``
            (repairable by a selector), or ``covered``, ``disabled``, ``offscreen``, ``assertion``...
            (not a selector's fault).
        repairable: Whether a new selector can repair a step failing for ``cause``.
        suggestion: The best element of the page at the failure, as a verified unique selector, with its
            score, reasons and lower-ranked alternatives (``None``: nothing scored well enough, or the
            cause is not the selector's).
        note: Why there is no suggestion, or what changed.
        baseline_run: The run whose passing step recorded the baseline fingerprint.
        baseline_at: When that step ran.
        diff: What changed from the baseline element to the suggested one (``[{field, old, new}]``).
        repair_ms: Time spent looking for the repair (the harness's, never the step's).
        healed: ``--heal`` retried the step with the suggestion, and it passed.
    """

    model_config = ConfigDict(extra="allow")

    target: str | None = None
    selector: str | None = None
    cause: str
    repairable: bool = False
    suggestion: Suggestion | None = None
    note: str = ""
    baseline_run: str | None = None
    baseline_at: str | None = None
    diff: list[dict[str, Any]] = Field(default_factory=list)
    repair_ms: float | None = None
    healed: bool = False
