"""The settings of a run: every option and its default, defined once.

The CLI fills a :class:`RunSettings` from its options, writes it into the run folder
(``settings.json``) and hands that file to the pytest subprocess (``--harness-settings``);
the pytest plugin used directly (``pytest --harness-app demo``) builds the same model from
its ``--harness-*`` options. Secrets never go in: passwords come from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SETTINGS_FILE = "settings.json"
SCHEMA_VERSION = 1

TraceMode = Literal["off", "on", "retain-on-failure"]
TRACE_MODES: tuple[TraceMode, ...] = ("off", "on", "retain-on-failure")
TraceDetail = Literal["light", "full"]
TRACE_DETAILS: tuple[TraceDetail, ...] = ("light", "full")
ReplayOrder = Literal["interleave", "grouped"]
ORDERS: tuple[ReplayOrder, ...] = ("interleave", "grouped")


@dataclass(frozen=True, slots=True)
class ShardSpec:
    """``I/N``: the I-th (from 1) of N shares."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> ShardSpec:
    """``"2/3"`` as a :class:`ShardSpec`.

    Raises:
        ValueError: For anything but ``I/N`` with 1 <= I <= N.
    """
    index, sep, count = text.partition("/")
    if not (sep and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise ValueError(f"bad shard {text!r}: give I/N with 1 <= I <= N, such as 2/3")
    return ShardSpec(int(index), int(count))


class Viewport(BaseModel):
    """The browser window's size, for journeys and guide checks alike."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    width: int = Field(1280, gt=0)
    height: int = Field(800, gt=0)


class RunSettings(BaseModel):
    """What a run was asked to do.

    Attributes:
        app: The app profile: a name under ``journeys/`` or a path to ``app.yaml``.
        paths: Feature files or folders (custom step modules are found beside them).
        root: The project folder holding ``journeys/``.
        base_url: The app under test (``None``: the profile's ``base_url``).
        out: The run folder (``None``: ``reports/<run-id>`` under ``root``).
        run_id: The run's id (``None``: the time and the app).
        app_version: A version label of the app under test.
        env: The environment the app runs in (staging, prod...).
        labels: Labels to pick the run by later.
        history: The history store (a folder, or ``off``; ``None``: ``history/`` beside the run).
        repeat: How many times each scenario is replayed.
        retries: How many times a failed replay is tried again (passing then counts as flaky).
        repairs: Fingerprint the UI-map targets passing steps use, and repair the targets failed steps could not
            use (``docs/repair.md``); off: neither (and no ``--heal``).
        heal: A step failing on a UI-map target (missing, ambiguous, hidden, text changed) is retried once with
            its repaired selector; passing so, it is ``healed`` and its scenario flaky-healed (``docs/repair.md``).
        workers: Parallel browsers (pytest-xdist).
        order: ``interleave`` (every scenario's first replay, then every second...) or ``grouped``.
        tags: A tag expression selecting scenarios.
        trace: When the Playwright trace is kept.
        trace_detail: What it holds: ``light`` (actions, their timings and logs, console, network) or ``full``
            (also DOM snapshots and screenshots, which make each action about 10 ms slower, and the step times
            include it: ``docs/timing.md``).
        browser_path: An explicit Chromium (with ``connect``: its path on the server's machine).
        grid: A Selenium Grid 4 (its router's URL) every browser is taken from (``docs/scale.md``).
        connect: A Playwright browser server (``playwright run-server``) every browser is taken from: its ws URL.
        shard: ``I/N``: run the I-th of N shares of the scenario runs, balanced by the history's durations.
        headed: Show the browser window.
        step_timeout_ms: How long a step waits for a target or a page (finite: Playwright would wait forever).
        quiet_ms: How long a page must stay quiet (nothing in flight, no DOM change, no animation) for a wait
            for what is not there to end before the step timeout (``docs/timing.md``); 0: never early.
        viewport: The browser window's size.
        guides: The guides folder checked inside journeys (``None``: ``guides/`` beside app.yaml).
        probes: Collect the in-page signals (vitals, long tasks, DOM changes, overlays, validation).
        a11y: Scan each new page state with axe-core (needs ``probes``).
        report: Write the outputs (report.html, junit.xml...) at the end of the run.
        allure_dir: Where allure-pytest-bdd writes live Allure results (``None``: no Allure).
        allure_history: A previous Allure report whose ``history/`` is carried over.
    """

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    app: str
    paths: list[str] = Field(default_factory=list)
    root: Path = Field(default_factory=Path.cwd)
    base_url: str | None = None
    out: Path | None = None
    run_id: str | None = None
    app_version: str | None = None
    env: str | None = None
    labels: list[str] = Field(default_factory=list)
    history: str | None = None
    repeat: int = Field(1, ge=1)
    retries: int = Field(0, ge=0, le=5)
    repairs: bool = True
    heal: bool = False
    workers: int = Field(1, ge=1)
    order: ReplayOrder = "interleave"
    tags: str | None = None
    trace: TraceMode = "retain-on-failure"
    trace_detail: TraceDetail = "light"
    browser_path: str | None = None
    grid: str | None = None
    connect: str | None = None
    shard: str | None = Field(None, pattern=r"^[1-9][0-9]*/[1-9][0-9]*$")
    headed: bool = False
    step_timeout_ms: float = Field(10_000, gt=0, allow_inf_nan=False)
    quiet_ms: float = Field(500, ge=0, allow_inf_nan=False)
    viewport: Viewport = Field(default_factory=Viewport)
    guides: Path | None = None
    probes: bool = True
    a11y: bool = True
    report: bool = True
    allure_dir: Path | None = None
    allure_history: Path | None = None


    @model_validator(mode="after")
    def _one_source_of_browsers(self) -> RunSettings:
        if self.grid and self.connect:
            raise ValueError("give --grid or --connect, not both")
        if self.shard:
            parse_shard(self.shard)
        return self


DEFAULTS = RunSettings(app="-")
"""Every default, for the CLI's options and the plugin's."""
