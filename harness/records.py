"""Data contracts shared by the stages: what a run folder holds.

Every file written into a run folder carries ``schema_version``. The models are
plain pydantic models so each stage can read another stage's files back with
validation, and so records serialise to one JSON line each.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

StepStatus = Literal["passed", "failed", "skipped", "not_run"]
RunStatus = Literal["complete", "incomplete", "errored"]

RUN_FILE = "run.json"
STEPS_JSONL = "steps.jsonl"
STEPS_PARQUET = "steps.parquet"
REPORT_HTML = "report.html"
ARTIFACTS_DIR = "artifacts"


class FailedRequest(BaseModel):
    """A request the step caused that failed (network error or HTTP status >= 400)."""

    model_config = ConfigDict(extra="ignore")

    url: str
    method: str = "GET"
    status: int | None = None
    failure: str | None = None


class StepSignals(BaseModel):
    """What a step caused in the page, measured between its start and its end."""

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
    example: dict[str, str] = Field(default_factory=dict)
    """The Examples row of a Scenario Outline, empty for a plain Scenario."""
    tags: list[str] = Field(default_factory=list)
    repeat: int = 0
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
    harness_version: str
    git_commit: str | None = None
    features: list[str] = Field(default_factory=list)
    started_at: str
    ended_at: str | None = None
    options: dict[str, object] = Field(default_factory=dict)
    status: RunStatus = "incomplete"
    exit_code: int | None = None
    error: str | None = None
    """Why the run stopped early, when it did (no browser, say)."""
    totals: dict[str, int] = Field(default_factory=dict)
