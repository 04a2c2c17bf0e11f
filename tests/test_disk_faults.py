"""A run folder on a full disk: real faults (a small tmpfs filled up)."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from harness.contracts.records import STEPS_JSONL
from harness.runfolder.files import append_line
from tests.support.mounts import fill, small_disk


def test_a_line_the_full_disk_cannot_hold_is_not_appended_at_all(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        path = disk / STEPS_JSONL
        append_line(path, '{"first": 1}\n')
        fill(disk)  # the file keeps the free end of its block: 4 KB less a line
        line = json.dumps({"text": "x" * 3000}) + "\n"
        append_line(path, line)  # fits in what its block has left
        before = path.read_bytes()
        with pytest.raises(OSError) as caught:
            append_line(path, line)  # does not: the first part would fit, the rest would not
        assert caught.value.errno == errno.ENOSPC
        assert path.read_bytes() == before  # cut back: no half line
        assert [json.loads(line) for line in before.decode().splitlines()] == [{"first": 1}, {"text": "x" * 3000}]
