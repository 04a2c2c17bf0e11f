"""Guide baselines: each step's element as it was when the guide was last known good.

Stored beside the guides (``guides/baseline/<guide-id>.json`` and a cropped screenshot per
step, ``guides/baseline/<guide-id>/<step-id>.png``) so that a baseline change is reviewed in
git like any other change. The format is in docs/guides.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import SpecError
from harness.spec.guides import BASELINE_DIR, Guide

SCHEMA_VERSION = 1


@dataclass(slots=True)
class Baseline:
    """One guide's baseline.

    Attributes:
        guide: The guide id.
        steps: By step id: ``{"target", "fingerprint", "screenshot"}`` (screenshot relative
            to the baseline folder).
        meta: ``app``, ``app_version``, ``base_url``, ``recorded_at``.
    """

    guide: str
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self, step_id: str, target: str | None) -> dict[str, Any] | None:
        """The step's baseline fingerprint, if one was recorded for the same target.

        A target edited since the baseline (a repair applied) keeps its old fingerprint:
        the element it is meant to select has not changed.
        """
        entry = self.steps.get(step_id)
        return entry.get("fingerprint") if entry and target is not None else None

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "guide": self.guide, **self.meta, "steps": self.steps}


def baseline_folder(guides_folder: Path) -> Path:
    """``<guides>/baseline``."""
    return guides_folder / BASELINE_DIR


def baseline_path(guides_folder: Path, guide_id: str) -> Path:
    """The baseline file of a guide."""
    return baseline_folder(guides_folder) / f"{guide_id}.json"


def load_baseline(guides_folder: Path, guide_id: str) -> Baseline | None:
    """Read a guide's baseline; ``None`` when none was recorded.

    Raises:
        SpecError: When the file exists but is not a baseline.
    """
    path = baseline_path(guides_folder, guide_id)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecError(f"unreadable guide baseline: {exc}", path) from None
    if not isinstance(data, dict) or not isinstance(data.get("steps"), dict):
        raise SpecError("not a guide baseline (expected an object with steps)", path, 1)
    meta = {k: v for k, v in data.items() if k not in ("schema_version", "guide", "steps")}
    return Baseline(str(data.get("guide", guide_id)), data["steps"], meta)


def load_baselines(guides_folder: Path, guides: list[Guide]) -> dict[str, Baseline]:
    """The baselines recorded for these guides, by guide id (guides without one are left out)."""
    return {g.id: b for g in guides if (b := load_baseline(guides_folder, g.id)) is not None}


def save_baseline(guides_folder: Path, baseline: Baseline) -> Path:
    """Write a guide's baseline (stable key order, one property per line for readable diffs)."""
    path = baseline_path(guides_folder, baseline.guide)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(baseline.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
