"""The result of a guide check: ``guides.jsonl`` (one line per checked step) and ``guides.json``.

The collector makes a :class:`GuideStepCheck` per examined step and appends it to
``guides.jsonl``; ``harness.guides.results.summarise`` groups them into a :class:`GuidesFile`,
written as ``guides.json`` and read back by every reader (``harness.runfolder.guides``). The
format is documented in docs/guides.md.

Reading is tolerant: every field but a guide's and a step's ``id`` and a step's ``status`` may
be missing (files written by hand or by older versions), and unknown fields are ignored.
Writing gives every field, but those marked "left out when None" below.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

GUIDES_JSON = "guides.json"
GUIDES_JSONL = "guides.jsonl"
SCHEMA_VERSION = 1

Number = int | float
"""A measure as the page gave it: whole pixels stay ``int`` (written ``12``, not ``12.0``)."""


def _is_none(value: Any) -> bool:
    return value is None


def _optional() -> Any:
    """A field left out of the file when it is None (it only applies to some steps)."""
    return Field(default=None, exclude_if=_is_none)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Box(_Model):
    """An element's box in page coordinates (CSS pixels)."""

    x: Number
    y: Number
    width: Number
    height: Number


class CoveredBy(_Model):
    """The element sitting on top of a covered anchor, at its centre."""

    tag: str | None = None
    id: str | None = None
    classes: list[str] = Field(default_factory=list)
    text: str | None = None
    box: Box | None = None


class DiffEntry(_Model):
    """One fingerprint field that changed since the baseline."""

    field: str
    old: Any = None
    new: Any = None


class Evidence(_Model):
    """What the check saw for a step."""

    box: Box | None = None
    """The first match's box."""
    boxes: list[Box] = Field(default_factory=list)
    """The first five matches' boxes."""
    covered_by: CoveredBy | None = None
    expected_text: str | None = None
    actual_text: str | None = None
    actual_name: str | None = None
    """The element's accessible name."""
    similarity: float | None = None
    """0..1 against the baseline fingerprint, when both exist."""
    diff: list[DiffEntry] = Field(default_factory=list)
    fingerprint: dict[str, Any] | None = None
    """The element now (docs/guides.md, "Fingerprint")."""
    baseline_fingerprint: dict[str, Any] | None = None
    screenshot: str | None = None
    """Relative to the folder holding the file."""
    baseline_screenshot: str | None = None
    repair_ms: float | None = _optional()
    """Time spent looking for a repair (left out when None)."""
    note: str | None = _optional()
    """Why no repair was looked for (left out when None)."""
    screenshot_error: str | None = _optional()
    """Why the evidence screenshot failed (left out when None)."""


class Alternative(_Model):
    """A lower-ranked repair."""

    target: str
    score: float | None = None


class Suggestion(_Model):
    """A repaired selector, verified to match exactly one element of the checked page."""

    target: str
    css: str | None = None
    """A plain-CSS equivalent, when one exists."""
    score: float | None = None
    reasons: list[str] = Field(default_factory=list)
    box: Box | None = None
    text: str | None = None
    """What the element shows now (the new expected text of a ``text_changed`` step)."""
    alternatives: list[Alternative] = Field(default_factory=list)
    index: int | None = Field(default=None, exclude=True)
    """The element's place in the checked page's candidates, to outline it; never written."""


class JourneyStep(_Model):
    """A journey step: the one a guide step lives ``after``."""

    feature: str | None = None
    scenario: str | None = None
    step: str | None = None


class JourneyVisit(JourneyStep):
    """The journey step during which a guide step was checked."""

    repeat: int | None = None


class GuideStepResult(_Model):
    """One checked guide step, as ``guides.json`` lists it under its guide."""

    id: str
    index: int | None = None
    """The step's place in its guide, from 0."""
    title: str | None = None
    body: str | None = None
    line: int | None = None
    page: str | None = None
    after: JourneyStep | None = None
    url: str | None = None
    target: str | None = None
    """The selector as written (None: a floating step)."""
    selector_format: str | None = None
    status: str
    """The vocabulary of ``harness.guides.status.STATUSES``."""
    message: str | None = None
    """Why, in one sentence."""
    match_count: int | None = None
    warning: str | None = _optional()
    """Something to look at in a step that may well be ok (left out when None): a ``css`` guide's
    target that matches several elements, of which its tour library attaches to the first."""
    evidence: Evidence = Field(default_factory=Evidence)
    suggestion: Suggestion | None = None
    journey: JourneyVisit | None = _optional()
    """Set when the step was checked inside a journey run (left out when None)."""


class GuideStepCheck(GuideStepResult):
    """One line of ``guides.jsonl``: a step result and its guide's id; the step's id is written ``step``."""

    guide: str

    @model_validator(mode="before")
    @classmethod
    def _step_is_the_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "step" in data and "id" not in data:
            return {("id" if key == "step" else key): value for key, value in data.items()}
        return data

    @model_serializer(mode="wrap")
    def _as_line(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        return {"guide": data.pop("guide"), "step": data.pop("id"), **data}

    def result(self) -> GuideStepResult:
        """The step result without its guide's id (the same values, not copies)."""
        return GuideStepResult.model_construct(**{name: getattr(self, name) for name in GuideStepResult.model_fields})


class GuideResult(_Model):
    """One checked guide: its steps in guide order."""

    id: str
    title: str | None = None
    file: str | None = None
    status: str | None = None
    """``intact``, ``warning`` or ``broken`` (``harness.guides.results.guide_status``)."""
    steps: list[GuideStepResult] = Field(default_factory=list)


class Policy(_Model):
    """The failure policy the check applied."""

    fail_on: list[str] | None = None
    """The statuses that fail a guide (None: not stated; readers assume the default)."""


class GuidesFile(_Model):
    """``guides.json``: the check as a whole and every checked guide."""

    schema_version: int | None = SCHEMA_VERSION
    app: str | None = None
    app_version: str | None = None
    base_url: str | None = None
    checked_at: str | None = None
    duration_ms: float | None = None
    baselines: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Each guide's baseline header (``app``, ``app_version``, ``base_url``, ``recorded_at``)."""
    policy: Policy = Field(default_factory=Policy)
    status: str | None = None
    """``passed``, or ``failed`` when a guide is broken."""
    totals: dict[str, int] = Field(default_factory=dict)
    """``guides``, ``steps``, steps by status and ``guides_<status>`` (zero counts left out)."""
    guides: list[GuideResult] = Field(default_factory=list)
