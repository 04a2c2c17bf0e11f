"""Read ``guides.json`` (the result of a guide check, docs/guides.md) back, tolerantly.

Every field but a guide's and a step's ``id`` and a step's ``status`` may be missing; unknown
fields are ignored. A guide that does not validate is skipped with a warning, and a file that
is not a JSON object gives an error message instead of results: the report shows either as
a banner and never fails because of this file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

GUIDES_JSON = "guides.json"
MAX_GUIDES_BYTES = 64 * 1024 * 1024
"""A bigger file is not read (it would make a report nobody can open)."""
MAX_ERRORS = 3
"""Validation errors quoted per skipped guide."""


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DiffEntry(_Loose):
    """One fingerprint field that changed since the baseline."""

    field: str
    old: Any = None
    new: Any = None


class CoveredBy(_Loose):
    """The element sitting on top of a covered anchor."""

    tag: str | None = None
    id: str | None = None
    classes: list[str] = Field(default_factory=list)
    text: str | None = None


class Evidence(_Loose):
    """What the check saw for a step."""

    covered_by: CoveredBy | None = None
    expected_text: str | None = None
    actual_text: str | None = None
    actual_name: str | None = None
    similarity: float | None = None
    diff: list[DiffEntry] = Field(default_factory=list)
    screenshot: str | None = None
    baseline_screenshot: str | None = None
    screenshot_error: str | None = None
    note: str | None = None


class Alternative(_Loose):
    """A lower-ranked repair."""

    target: str
    score: float | None = None


class Suggestion(_Loose):
    """A repaired selector, verified to match exactly one element of the checked page."""

    target: str
    css: str | None = None
    score: float | None = None
    reasons: list[str] = Field(default_factory=list)
    alternatives: list[Alternative] = Field(default_factory=list)


class JourneyStep(_Loose):
    """A journey step: the one a guide step lives ``after``, or the one during which it was checked."""

    feature: str | None = None
    scenario: str | None = None
    step: str | None = None


class StepResult(_Loose):
    """One checked guide step."""

    id: str
    status: str
    index: int | None = None
    title: str | None = None
    body: str | None = None
    line: int | None = None
    page: str | None = None
    after: JourneyStep | None = None
    journey: JourneyStep | None = None
    """Set when the step was checked inside a journey run."""
    url: str | None = None
    target: str | None = None
    selector_format: str | None = None
    message: str | None = None
    match_count: int | None = None
    evidence: Evidence = Field(default_factory=Evidence)
    suggestion: Suggestion | None = None


class GuideResult(_Loose):
    """One checked guide."""

    id: str
    title: str | None = None
    file: str | None = None
    status: str | None = None
    steps: list[StepResult] = Field(default_factory=list)


class CheckMeta(_Loose):
    """The check as a whole (everything in ``guides.json`` but the guides)."""

    schema_version: int | None = None
    app: str | None = None
    app_version: str | None = None
    base_url: str | None = None
    checked_at: str | None = None
    duration_ms: float | None = None
    status: str | None = None
    fail_on: list[str] | None = None


@dataclass
class GuidesFile:
    """``guides.json`` read back: its metadata, its valid guides, and what could not be read."""

    meta: CheckMeta = field(default_factory=CheckMeta)
    guides: list[GuideResult] = field(default_factory=list)
    error: str | None = None
    """Why nothing could be read (the file is not JSON, not an object...)."""
    warnings: list[str] = field(default_factory=list)


def _errors(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()[:MAX_ERRORS]]
    more = exc.error_count() - MAX_ERRORS
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _meta(raw: dict[str, Any]) -> tuple[CheckMeta, str | None]:
    policy = raw.get("policy")
    fields = {k: raw.get(k) for k in CheckMeta.model_fields if k != "fail_on"}
    fields["fail_on"] = policy.get("fail_on") if isinstance(policy, dict) else None
    try:
        return CheckMeta.model_validate(fields), None
    except ValidationError as exc:
        return CheckMeta(), f"its header fields are not as documented ({_errors(exc)})"


def parse_guides(raw: Any) -> GuidesFile:
    """Validate the parsed JSON of ``guides.json``, guide by guide."""
    if not isinstance(raw, dict):
        return GuidesFile(error=f"{GUIDES_JSON} is not a JSON object.")
    guides = raw.get("guides")
    if not isinstance(guides, list):
        return GuidesFile(error=f"{GUIDES_JSON} has no list of guides.")
    meta, problem = _meta(raw)
    out = GuidesFile(meta=meta)
    if problem:
        out.warnings.append(f"{GUIDES_JSON}: {problem}; they are not shown.")
    for n, item in enumerate(guides, start=1):
        try:
            out.guides.append(GuideResult.model_validate(item))
        except ValidationError as exc:
            name = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{n}"
            out.warnings.append(f"Guide {name} in {GUIDES_JSON} was skipped: {_errors(exc)}.")
    return out


def read_guides(folder: Path) -> GuidesFile | None:
    """Read ``folder / guides.json``; None when the folder has none."""
    path = Path(folder) / GUIDES_JSON
    if not path.is_file():
        return None
    try:
        if path.stat().st_size > MAX_GUIDES_BYTES:
            return GuidesFile(error=f"{GUIDES_JSON} is larger than {MAX_GUIDES_BYTES // 2**20} MB; not shown.")
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return GuidesFile(error=f"{GUIDES_JSON} could not be read ({type(exc).__name__}).")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return GuidesFile(error=f"{GUIDES_JSON} is not valid JSON ({exc}).")
    return parse_guides(raw)
