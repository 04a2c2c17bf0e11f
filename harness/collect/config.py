"""The collect stage's settings, shared by the CLI and the pytest plugin."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from harness.spec.profile import AppProfile

ENV_RUN_DIR = "HARNESS_RUN_DIR"
ENV_RUN_ID = "HARNESS_RUN_ID"


def new_run_id(app: str) -> str:
    """Return a sortable run id such as ``20261126-190501-demo``."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', app)}"


@dataclass(slots=True)
class CollectConfig:
    """Everything a run needs to know besides the features.

    Attributes:
        profile: The app profile.
        base_url: The app under test.
        run_dir: The run folder.
        run_id: The run's id.
        repeat: How many times each scenario is replayed.
        trace: ``off``, ``on`` or ``retain-on-failure``.
        browser_path: An explicit Chromium, if any.
        headed: Show the browser window.
        step_timeout_ms: How long a step waits for a target or a page.
        features: The feature paths of the run (custom step modules are found beside them).
        guides_dir: The app's guides (checked inside journeys); ``guides/`` beside app.yaml by default.
        probes: Collect the in-page signals (vitals, long tasks, DOM changes, overlays, validation).
        a11y: Scan each new page state with axe-core (needs ``probes``).
        order: ``interleave`` (every scenario's first replay, then every second one...) or
            ``grouped`` (each scenario's replays back to back); see ``harness.collect.order``.
    """

    profile: AppProfile
    base_url: str
    run_dir: Path
    run_id: str
    repeat: int = 1
    trace: str = "retain-on-failure"
    browser_path: str | None = None
    headed: bool = False
    step_timeout_ms: float = 10_000
    features: list[str] = field(default_factory=list)
    guides_dir: Path | None = None
    probes: bool = True
    a11y: bool = True
    order: str = "interleave"

    @property
    def worker(self) -> str:
        """The pytest-xdist worker id, or ``main``."""
        return os.environ.get("PYTEST_XDIST_WORKER", "main")
