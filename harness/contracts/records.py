"""Data contracts shared by the stages: what a run folder holds.

Every file written into a run folder carries ``schema_version``. The models are
plain pydantic models so each stage can read another stage's files back with
validation, and so records serialise to one JSON line each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.contracts.evidence import FindingEvidence, RawEvidence, parse_evidence
from harness.contracts.targets import TargetRepair

SCHEMA_VERSION = 1

StepStatus = Literal["passed", "healed", "failed", "skipped", "not_run"]
"""``healed``: it failed on a UI-map target, and passed once retried with the repaired selector (``--heal``)."""
DONE_STEPS = frozenset({"passed", "healed"})
"""Step statuses that let a scenario go on: the step did its job."""
RunStatus = Literal["complete", "incomplete", "errored"]

RUN_FILE = "run.json"
STEPS_JSONL = "steps.jsonl"
STEPS_PARQUET = "steps.parquet"
REPORT_HTML = "report.html"
ARTIFACTS_DIR = "artifacts"
FINDINGS_JSON = "findings.json"
HISTORY_ENTRY = "history"
"""The name ``RunInfo.unwritten`` gives the run's entry in its history store."""


class FailedRequest(BaseModel):
    """A request the step caused that failed (network error or HTTP status >= 400)."""

    model_config = ConfigDict(extra="ignore")

    url: str
    method: str = "GET"
    status: int | None = None
    failure: str | None = None


class SlowRequest(BaseModel):
    """The slowest request a step caused (by Playwright's request timing)."""

    model_config = ConfigDict(extra="ignore")

    url: str
    method: str = "GET"
    status: int | None = None
    duration_ms: float


class PageLoad(BaseModel):
    """A document the step loaded (the last one when it loaded several): Navigation Timing and LCP.

    Times are milliseconds from the navigation's start; ``None`` when the browser had not
    reached that point when the step ended.
    """

    model_config = ConfigDict(extra="ignore")

    url: str
    ttfb_ms: float | None = None
    dom_content_loaded_ms: float | None = None
    load_ms: float | None = None
    lcp_ms: float | None = None
    """Largest Contentful Paint of that document, as far as it was known at the step's end."""
    lcp_element: str | None = None
    transfer_bytes: int | None = None


class Dialog(BaseModel):
    """A JavaScript dialog (alert, confirm, prompt, beforeunload) the step raised; it is dismissed."""

    type: str
    message: str = ""


class Overlay(BaseModel):
    """Something laid over the page at the step's end: a dialog, a modal, a fixed banner."""

    model_config = ConfigDict(extra="ignore")

    element: str
    """A short description: ``div#cookie-banner.banner``."""
    role: str | None = None
    text: str = ""
    area_pct: float = 0.0
    """Share of the viewport it covers, 0..100."""


class ValidationMessage(BaseModel):
    """A message the app showed to refuse an input, visible at the step's end (or raised during it)."""

    model_config = ConfigDict(extra="ignore")

    message: str
    field: str | None = None
    """The field it is about (label, name or id), when known."""
    source: Literal["native", "aria-invalid", "alert", "error-text"] = "error-text"
    """``native``: the browser's constraint validation blocked a submit (``invalid`` event);
    ``aria-invalid``: a field marked invalid; ``alert``: a ``role=alert`` region;
    ``error-text``: visible text in an element whose class or id says error/invalid."""


class ClickedElement(BaseModel):
    """What the step's last click landed on (the nearest interactive ancestor of the event target)."""

    model_config = ConfigDict(extra="ignore")

    element: str
    text: str = ""
    editable: bool = False
    """A text field, select or contenteditable: clicking it only focuses it."""


class A11yNode(BaseModel):
    """One element an accessibility rule failed on."""

    model_config = ConfigDict(extra="ignore")

    target: str
    html: str = ""


class A11yViolation(BaseModel):
    """One axe-core rule violated on a page state."""

    model_config = ConfigDict(extra="ignore")

    id: str
    impact: str | None = None
    """axe-core's impact: ``minor``, ``moderate``, ``serious`` or ``critical``."""
    help: str = ""
    help_url: str = ""
    nodes: list[A11yNode] = Field(default_factory=list)
    """The first few elements (``count`` says how many in all)."""
    count: int = 0


class A11yScan(BaseModel):
    """axe-core run on a page state the journey reached for the first time (in this worker)."""

    model_config = ConfigDict(extra="ignore")

    state: str
    """What makes the state distinct: URL path and query, title, open dialogs, headings."""
    url: str
    engine: str = ""
    """``axe-core <version>``."""
    duration_ms: float | None = None
    violations: list[A11yViolation] = Field(default_factory=list)
    error: str | None = None


class StepSignals(BaseModel):
    """What a step caused in the page, measured between its start and its end.

    The first group comes from Playwright events and is always there. The rest comes from
    the in-page probes (``probed`` is true) and stays at its empty value when probes are off
    or a probe failed (its error is in ``probe_errors``).
    """

    model_config = ConfigDict(extra="allow")

    navigations: int = 0
    requests: int = 0
    failed_requests: list[FailedRequest] = Field(default_factory=list)
    console_errors: list[str] = Field(default_factory=list)
    page_errors: list[str] = Field(default_factory=list)
    wait_ms: float | None = None
    """Time spent waiting for the step's target to become actionable."""
    action_ms: float | None = None
    """Time spent in the action itself, once the target was actionable."""
    action: str | None = None
    """The step's (last) action: ``open``, ``click``, ``fill``, ``press``, ``select``, ``check``..."""
    slowest_request: SlowRequest | None = None
    bytes: int = 0
    """Bytes received for the requests that finished during the step (body sizes as announced)."""
    dialogs: list[Dialog] = Field(default_factory=list)

    probed: bool = False
    """The in-page probes ran for this step."""
    page_load: PageLoad | None = None
    cls: float = 0.0
    """Layout shift accumulated during the step (shifts not caused by the user's input)."""
    shift_sources: list[str] = Field(default_factory=list)
    interaction_ms: float | None = None
    """The longest Event Timing duration during the step (input delay + processing + next paint);
    ``None`` when no event took 16 ms or more (the browser reports none shorter)."""
    interaction_event: str | None = None
    long_tasks: int = 0
    tbt_ms: float = 0.0
    """Total blocking time: the part over 50 ms of every long task during the step."""
    longest_task_ms: float | None = None
    dom_mutations: int = 0
    url_changed: bool = False
    input_events: int = 0
    """``input`` and ``change`` events fired during the step."""
    clicked: ClickedElement | None = None
    overlays: list[Overlay] = Field(default_factory=list)
    """Overlays visible at the step's end."""
    validation: list[ValidationMessage] = Field(default_factory=list)
    """Refusal messages visible at the step's end, and native ones raised during it."""
    a11y: A11yScan | None = None
    probe_errors: list[str] = Field(default_factory=list)
    probe_ms: float | None = None
    """Time the harness spent reading the probes after the step (axe-core included); it is not
    part of ``duration_ms``."""

    def click_changed_nothing(self) -> bool:
        """A probed click, not on a text field, after which nothing changed: no DOM change, navigation,
        request, URL change, input event, dialog or native validation bubble."""
        return (self.probed and self.action == "click" and not (self.clicked and self.clicked.editable)
                and not (self.dom_mutations or self.navigations or self.requests or self.url_changed
                         or self.input_events or self.dialogs)
                and not any(v.source == "native" for v in self.validation))

    def add_late(self, late: StepSignals) -> None:
        """Add the Playwright events that arrived after the step's clock stopped (while it was probed)."""
        self.navigations += late.navigations
        self.requests += late.requests
        self.failed_requests += late.failed_requests
        self.console_errors += late.console_errors
        self.page_errors += late.page_errors
        self.bytes += late.bytes
        self.dialogs += late.dialogs
        if late.slowest_request and (self.slowest_request is None
                                     or late.slowest_request.duration_ms > self.slowest_request.duration_ms):
            self.slowest_request = late.slowest_request


class StepArtifacts(BaseModel):
    """Files kept for a step, as paths relative to the run folder."""

    model_config = ConfigDict(extra="allow")

    screenshot: str | None = None
    trace: str | None = None


class StepRecord(BaseModel):
    """One executed (or not executed) Gherkin step: one line of ``steps.jsonl``."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    run_id: str
    app: str
    journey: str
    """The feature's name."""
    feature_file: str
    scenario: str
    scenario_line: int | None = None
    scenario_steps: int | None = None
    """How many steps the scenario has (Background included): a replay with fewer records was cut
    short. ``None`` in records written before it was recorded."""
    example: dict[str, str] = Field(default_factory=dict)
    """The Examples row of a Scenario Outline, empty for a plain Scenario."""
    tags: list[str] = Field(default_factory=list)
    repeat: int = 0
    attempt: int = 0
    """0 for the first try; a scenario retried after a failure (``--retries``) records its steps again
    with attempt 1, 2... Every output reads the last attempt of each replay, and calls a replay that
    passed only on a retry flaky (``harness/outcomes.py``)."""
    worker: str = "main"
    test_id: str = ""
    """The pytest node id of the scenario run that produced the step."""
    step_index: int
    keyword: str
    text: str
    line: int | None = None
    status: StepStatus
    started_at: str | None = None
    """ISO-8601 UTC time just before the step's action."""
    duration_ms: float | None = None
    """From just before the step's action to its end: what a user waits."""
    budget_ms: float | None = None
    over_budget: bool = False
    url: str | None = None
    """The page URL when the step ended."""
    target: str | None = None
    """The target as written in the step (a UI-map name, a selector or a text)."""
    selector: str | None = None
    """The selector the target resolved to."""
    fallback_used: bool = False
    error: str | None = None
    error_kind: str | None = None
    signals: StepSignals = Field(default_factory=StepSignals)
    artifacts: StepArtifacts = Field(default_factory=StepArtifacts)
    fingerprints: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """A passed step's UI-map targets (name -> its element's fingerprint as it was found, before the
    action; docs/guides.md): the baselines of later repairs (``harness.contracts.targets``)."""
    repair: TargetRepair | None = None
    """A failed or healed step's UI-map target: its repaired selector, or why none."""


class RunInfo(BaseModel):
    """The run as a whole: ``run.json``."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    run_id: str
    app: str
    app_title: str | None = None
    app_version: str | None = None
    base_url: str
    browser_name: str | None = None
    browser_version: str | None = None
    browser_path: str | None = None
    browser_source: str | None = None
    """Where the browsers came from: ``explicit``, ``playwright``, ``system`` (this machine), ``grid`` (a
    Selenium Grid 4) or ``server`` (a Playwright browser server)."""
    browser_endpoint: str | None = None
    """The grid's or server's URL, without its credentials (``None``: this machine's browsers)."""
    harness_version: str
    git_commit: str | None = None
    git_branch: str | None = None
    env: str | None = None
    """The environment the app ran in (``staging``, ``prod``...), as the run was told."""
    labels: list[str] = Field(default_factory=list)
    """Free labels to pick this run again as a baseline (``--label nightly``)."""
    features: list[str] = Field(default_factory=list)
    started_at: str
    ended_at: str | None = None
    options: dict[str, object] = Field(default_factory=dict)
    status: RunStatus = "incomplete"
    exit_code: int | None = None
    error: str | None = None
    """Why the run stopped early, when it did (no browser, say)."""
    totals: dict[str, int] = Field(default_factory=dict)
    """Scenarios by outcome, replays by status, steps by status (``harness.outcomes.totals``)."""
    unwritten: dict[str, str] = Field(default_factory=dict)
    """What the end of the run could not write (a full disk, a read-only folder), by output name
    (``steps.parquet``, ``report.html``, ``history``...), with the error in words; ``harness report``
    writes them again and empties this."""


Severity = Literal["high", "medium", "low"]


class Finding(BaseModel):
    """One friction finding: a rule that fired on a step (or a whole scenario) of a journey.

    A finding on a scenario run with repeats is reported once per step, with the repeats it
    occurred in; timing rules judge the median over repeats.
    """

    model_config = ConfigDict(extra="allow")

    id: str
    """Stable across re-audits of the same run: rule, feature, scenario, example and step."""
    rule: str
    severity: Severity
    title: str
    """The rule's name in words (``Dead click``)."""
    message: str
    """What happened on this step, with the figures (``clicking "Export" changed nothing...``)."""
    journey: str
    feature_file: str
    scenario: str
    scenario_line: int | None = None
    example: dict[str, str] = Field(default_factory=dict)
    step_index: int | None = None
    """``None`` for a finding about the scenario as a whole."""
    step_text: str | None = None
    step_line: int | None = None
    repeats: list[int] = Field(default_factory=list)
    """The repeat indexes it occurred in."""
    runs: int = 1
    """How many repeats of the scenario were judged."""
    points: float = 0.0
    """Its share of the scenario's friction score."""
    impact_ms: float | None = None
    """Time it cost the user, when the rule can tell."""
    evidence: FindingEvidence = Field(default_factory=RawEvidence)
    """The figures and texts behind the message (thresholds, requests, console lines...): the model of
    its rule (:mod:`harness.contracts.evidence`), or the evidence as read when it does not fit it."""
    screenshot: str | None = None
    """A screenshot of the step, relative to the run folder, when one was taken."""

    @model_validator(mode="before")
    @classmethod
    def _typed_evidence(cls, data: Any) -> Any:
        """Read evidence given as a mapping (a file, a dict) with its rule's model."""
        if isinstance(data, Mapping) and isinstance(data.get("evidence"), Mapping):
            data = {**data, "evidence": parse_evidence(str(data.get("rule")), data["evidence"])}
        return data


class ScorePart(BaseModel):
    """One line of a friction score: which finding added how many points."""

    finding: str
    rule: str
    severity: Severity
    step_index: int | None = None
    points: float


class JourneyFriction(BaseModel):
    """The friction summary of one scenario (one Examples row), over its repeats."""

    model_config = ConfigDict(extra="allow")

    journey: str
    feature_file: str
    scenario: str
    scenario_line: int | None = None
    example: dict[str, str] = Field(default_factory=dict)
    runs: int = 1
    status: str
    """The scenario's outcome: ``passed``, ``flaky``, ``failed``, ``skipped`` or ``incomplete``
    (``harness/outcomes.py``)."""
    time_ms: float | None = None
    """Median time to complete (the sum of its step durations)."""
    steps: int = 0
    page_loads: int = 0
    wait_ms: float = 0.0
    errors: int = 0
    """Console errors, uncaught page errors and failed requests (median over repeats)."""
    refused_inputs: int = 0
    findings: dict[str, int] = Field(default_factory=dict)
    """Count by severity."""
    score: float = 0.0
    """The sum of ``breakdown``'s points: nothing else goes into it."""
    breakdown: list[ScorePart] = Field(default_factory=list)


class FindingsFile(BaseModel):
    """``findings.json``: the friction findings and summaries of one run (written by ``harness/audit``)."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    run_id: str
    app: str
    generated_at: str
    baseline_run: str | None = None
    thresholds: dict[str, object] = Field(default_factory=dict)
    """The thresholds in force (defaults merged with the app's), for the record."""
    findings: list[Finding] = Field(default_factory=list)
    """Ranked by impact: severity, then points, then time lost."""
    journeys: list[JourneyFriction] = Field(default_factory=list)
