"""A shard through the CLI in a real process: one with no scenario run passes and is registered nowhere.

Three shards merged against one unsharded run is ``tests/test_e2e_ci_template.py`` (the GitHub
template's jobs run for real); the split and the merge on plain data are ``tests/test_shard.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT
from tests.support.cli import harness
from tests.support.run_folders import run_info
from tests.support.servers import demo_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("shards")]


@pytest.fixture(scope="module")
def v1() -> Any:
    with demo_server(1) as server:
        yield server


def test_a_shard_of_more_shards_than_runs_is_empty_and_passes(v1: Any, tmp_path: Path) -> None:
    done = harness("run", ROOT / "features" / "demo" / "login.feature", "--app", "demo", "--base-url", v1.url,
                   "--out", tmp_path / "empty", "--shard", "50/50", "--history", tmp_path / "history")
    assert done.returncode == 0, done.stderr
    assert "shard 50/50 holds no scenario run" in done.stderr
    assert run_info(tmp_path / "empty").totals["scenarios"] == 0
    assert not (tmp_path / "history").exists()  # a shard is registered by `harness merge`, not by itself
