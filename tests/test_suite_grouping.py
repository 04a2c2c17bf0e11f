"""The suite relies on ``--dist loadgroup``: tests of one ``xdist_group`` share a worker (and its
module fixtures: one demo server, one Django baseline). pytest 9.2 silently broke that grouping
(pytest-dev/pytest-xdist#1386); this proves the installed pair still groups."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GROUPED = '''
import os
import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("i", range(6))
def test_worker(i):
    print("WORKER", os.environ["PYTEST_XDIST_WORKER"])
'''


def test_xdist_groups_share_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-s",
                           "-p", "no:cacheprovider", "-p", "no:randomly", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    passed = [line for line in proc.stdout.splitlines() if " PASSED " in line]
    assert len(passed) == 6
    assert all(line.rstrip().endswith("@together") for line in passed), passed
    assert len({line.split("]")[0] for line in passed}) == 1, passed  # one [gwN] prefix
