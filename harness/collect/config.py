"""The collect stage's settings, shared by the CLI and the pytest plugin."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from harness.contracts.settings import RunSettings
from harness.redaction import Secrets
from harness.spec.profile import AppProfile

ENV_RUN_DIR = "HARNESS_RUN_DIR"
ENV_RUN_ID = "HARNESS_RUN_ID"


def new_run_id(app: str) -> str:
    """Return a unique run id that sorts by start time, such as ``20261126-190501-demo-3f9a``.

    The time (UTC, to the second) comes first so ids sort by start; four random hex digits make
    runs started in the same second (parallel CI jobs, a shared history) distinct.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', app)}-{secrets.token_hex(2)}"


@dataclass(slots=True)
class CollectConfig:
    """A run's settings with what they resolve to: the profile loaded, the URL, folder and id chosen.

    Attributes:
        settings: What the run was asked to do (every default is there).
        profile: The app profile.
        base_url: The app under test.
        run_dir: The run folder.
        run_id: The run's id.
        error: Why the run stopped early, kept here when the run folder cannot keep it (a full disk).
        recording: False once a step record could not be written: no record is written after it
            (a smaller one might fit, and tell a false story: ``not_run`` for a step that ran).
        secrets: The run's secrets (``harness.spec.secrets.run_secrets``), redacted from everything it writes.
    """

    settings: RunSettings
    profile: AppProfile
    base_url: str
    run_dir: Path
    run_id: str
    error: str | None = None
    recording: bool = True
    secrets: Secrets = field(default_factory=Secrets, repr=False)

    @property
    def repeat(self) -> int:
        """How many times each scenario is replayed."""
        return self.settings.repeat

    @property
    def trace(self) -> str:
        """``off``, ``on`` or ``retain-on-failure``."""
        return self.settings.trace

    @property
    def browser_path(self) -> str | None:
        """An explicit Chromium, if any."""
        return self.settings.browser_path

    @property
    def headed(self) -> bool:
        """Show the browser window."""
        return self.settings.headed

    @property
    def step_timeout_ms(self) -> float:
        """How long a step waits for a target or a page."""
        return self.settings.step_timeout_ms

    @property
    def features(self) -> list[str]:
        """The feature paths of the run (custom step modules are found beside them)."""
        return self.settings.paths

    @property
    def guides_dir(self) -> Path | None:
        """The guides checked inside journeys (``None``: ``guides/`` beside app.yaml)."""
        return self.settings.guides

    @property
    def probes(self) -> bool:
        """Collect the in-page signals."""
        return self.settings.probes

    @property
    def a11y(self) -> bool:
        """Scan each new page state with axe-core (only with the probes)."""
        return self.settings.probes and self.settings.a11y

    @property
    def order(self) -> str:
        """The replay order (see ``harness.collect.order``)."""
        return self.settings.order

    @property
    def worker(self) -> str:
        """The pytest-xdist worker id, or ``main``."""
        return os.environ.get("PYTEST_XDIST_WORKER", "main")

    @property
    def browser_token(self) -> str:
        """What marks this worker's Chromium at launch, for its watchdog to find (``collect.watchdog``)."""
        return self.run_id + self.worker
