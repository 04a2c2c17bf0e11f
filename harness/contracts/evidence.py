"""The evidence of a friction finding (``Finding.evidence``): one model per rule.

Each model is the JSON a rule writes in ``findings.json`` (schema 1), key for key: a rule builds
its model, the file holds its dump, and the report reads the fields back. Which model applies
follows from the finding's ``rule`` (:func:`parse_evidence`). Reading is tolerant: evidence that
does not fit its rule's model (a hand-written or older file, an unknown rule) is kept as it was,
as :class:`RawEvidence`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
)

Pair = tuple[float, float]
"""A threshold pair ``[medium, high]``."""


class _Part(BaseModel):
    """A piece of evidence: exactly the keys a rule writes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RepeatFigures(_Part):
    """A figure judged as its median over the repeats in which the step passed."""

    median: float
    thresholds: Pair
    values: dict[str, float]
    """Repeat index (as text) -> that repeat's figure."""


class Growth(_Part):
    """A count of the journey against the baseline (``longer-journey``)."""

    value: int
    baseline: int
    ratio: float | None
    """``value / baseline``; ``None`` when the baseline is 0."""
    thresholds: Pair


class TimeGrowth(_Part):
    """The journey's time against the baseline run's (``longer-journey``)."""

    value: float
    baseline: float


class RequestItem(_Part):
    """A failed request, as often as it failed on the step."""

    method: str
    url: str
    status: int | None
    """HTTP status; ``None``: no answer (see ``failure``)."""
    failure: str | None
    repeats: list[int]


class RefusalItem(_Part):
    """A refusal message the app showed."""

    field: str | None
    message: str
    source: str
    """``native``, ``aria-invalid``, ``alert`` or ``error-text`` (``ValidationMessage.source``)."""


class ClickedItem(_Part):
    """What a click landed on."""

    element: str
    text: str


class OverlayItem(_Part):
    """Something laid over the page at the step's end."""

    element: str
    role: str | None
    text: str
    area_pct: float


class NodeItem(_Part):
    """An element an accessibility rule failed on."""

    target: str
    html: str


class Evidence(BaseModel):
    """Base of the evidence models.

    Keys named in ``omit_none`` are left out of the JSON when ``None`` (a rule writes them only
    when it measured them). ``evidence["key"]`` and ``"key" in evidence`` read the JSON form, as
    ``findings.json`` holds it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True)

    rule: ClassVar[str] = ""
    """The rule whose findings carry this evidence."""
    omit_none: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _leave_out_unmeasured(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        for key in self.omit_none:
            if data.get(key, ...) is None:
                del data[key]
        return data

    def as_json(self) -> dict[str, Any]:
        """The evidence as ``findings.json`` holds it."""
        return self.model_dump(mode="json")

    def __getitem__(self, key: str) -> Any:
        return self.as_json()[key]

    def __contains__(self, key: object) -> bool:
        return key in self.as_json()


class StepFigureEvidence(Evidence):
    """One figure of the step, its median judged against one threshold pair.

    ``measured``'s JSON key is the threshold's name (``interaction_ms``, ``wait_ms``, ``cls``, ``tbt_ms``).
    """

    measured: float
    """The median over the repeats in which the step passed."""
    thresholds: Pair
    values: dict[str, float]
    """Repeat index (as text) -> that repeat's figure."""

    @property
    def metric(self) -> str:
        """The figure's name: its JSON key, and the name of the threshold pair that judges it."""
        return type(self).model_fields["measured"].alias or "measured"


class OverBudgetEvidence(Evidence):
    """``over-budget``: the step's median duration against its budget."""

    rule: ClassVar[str] = "over-budget"

    duration_ms: float
    budget_ms: float
    ratio: float
    """``duration_ms / budget_ms``, the figure the thresholds judge."""
    thresholds: Pair
    values: dict[str, float]
    """Repeat index (as text) -> that repeat's duration."""


class SlowPageLoadEvidence(Evidence):
    """``slow-page-load``: the measured page-load figures of the page the step loaded."""

    rule: ClassVar[str] = "slow-page-load"
    omit_none: ClassVar[frozenset[str]] = frozenset({"lcp_ms", "ttfb_ms", "load_ms"})

    lcp_ms: RepeatFigures | None = None
    ttfb_ms: RepeatFigures | None = None
    load_ms: RepeatFigures | None = None
    url: str
    lcp_element: str | None


class SlowInteractionEvidence(StepFigureEvidence):
    """``slow-interaction``: the longest event-to-next-paint time of the step."""

    rule: ClassVar[str] = "slow-interaction"

    measured: float = Field(alias="interaction_ms")
    interaction_event: str | None


class LongWaitEvidence(StepFigureEvidence):
    """``long-wait``: time waiting for the step's target to become actionable."""

    rule: ClassVar[str] = "long-wait"

    measured: float = Field(alias="wait_ms")
    target: str | None
    selector: str | None


class LayoutShiftEvidence(StepFigureEvidence):
    """``layout-shift``: layout shift during the step."""

    rule: ClassVar[str] = "layout-shift"

    measured: float = Field(alias="cls")
    shift_sources: list[str]


class BlockingScriptsEvidence(StepFigureEvidence):
    """``blocking-scripts``: total blocking time of the step's long tasks."""

    rule: ClassVar[str] = "blocking-scripts"

    measured: float = Field(alias="tbt_ms")
    long_tasks: int
    longest_task_ms: float | None


class FailedRequestEvidence(Evidence):
    """``failed-request``: the step's failed requests (the first few)."""

    rule: ClassVar[str] = "failed-request"

    requests: list[RequestItem]
    count: int
    """How many in all."""


class ConsoleErrorEvidence(Evidence):
    """``console-error``: the step's uncaught page errors and console errors (the first few of each)."""

    rule: ClassVar[str] = "console-error"

    page_errors: list[str]
    console_errors: list[str]
    count: int
    """How many distinct lines in all."""


class RefusedInputEvidence(Evidence):
    """``refused-input``: refusal messages new on the step (the first few)."""

    rule: ClassVar[str] = "refused-input"

    messages: list[RefusalItem]
    count: int
    """How many in all."""


class DeadClickEvidence(Evidence):
    """``dead-click``: the click that changed nothing."""

    rule: ClassVar[str] = "dead-click"

    target: str | None
    selector: str | None
    url: str
    clicked: ClickedItem | None


class CoveredTargetEvidence(Evidence):
    """``covered-target``: the element that took the click, and what was laid over the page."""

    rule: ClassVar[str] = "covered-target"

    intercepting: str | None
    """Parsed from Playwright's error."""
    subtree: str | None
    """The subtree the intercepting element belongs to, when Playwright names one."""
    target: str | None
    selector: str | None
    error: str
    overlays: list[OverlayItem]


class LongerJourneyEvidence(Evidence):
    """``longer-journey``: the counts that grew against the baseline, and the time when a baseline run has one."""

    rule: ClassVar[str] = "longer-journey"
    omit_none: ClassVar[frozenset[str]] = frozenset({"page_loads", "steps", "time_ms"})

    baseline: str | None
    """The baseline run's id, or ``expected`` (the journey's ``expected:``)."""
    page_loads: Growth | None = None
    steps: Growth | None = None
    time_ms: TimeGrowth | None = None


class A11yViolationEvidence(Evidence):
    """``a11y-violation``: one axe-core rule violated on a page state."""

    rule: ClassVar[str] = "a11y-violation"

    axe_rule: str
    impact: str | None
    help: str
    help_url: str
    count: int
    """Elements that fail it (``nodes`` lists the first few)."""
    state: str
    url: str
    engine: str
    nodes: list[NodeItem]


class RawEvidence(Evidence):
    """Evidence that fits no rule's model, kept as it was read (an older or hand-written file, an unknown rule)."""

    model_config = ConfigDict(extra="allow")

    @property
    def data(self) -> dict[str, Any]:
        """The keys and values as read."""
        return dict(self.model_extra or {})


RuleEvidence = (OverBudgetEvidence | SlowPageLoadEvidence | SlowInteractionEvidence | LongWaitEvidence
                | LayoutShiftEvidence | BlockingScriptsEvidence | FailedRequestEvidence | ConsoleErrorEvidence
                | RefusedInputEvidence | DeadClickEvidence | CoveredTargetEvidence | LongerJourneyEvidence
                | A11yViolationEvidence)
FindingEvidence = RuleEvidence | RawEvidence
"""What ``Finding.evidence`` holds: its rule's model, or the evidence as read."""

MODELS: dict[str, type[Evidence]] = {model.rule: model for model in get_args(RuleEvidence)}
"""Rule id -> the model of its evidence."""


def parse_evidence(rule: str, data: Mapping[str, Any]) -> Evidence:
    """Read one finding's evidence: its rule's model when it fits, else :class:`RawEvidence`."""
    model = MODELS.get(rule)
    if model is not None:
        try:
            return model.model_validate(data)
        except ValidationError:
            pass
    return RawEvidence.model_validate(data)
