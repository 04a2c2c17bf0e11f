"""The processes a test started, found through ``/proc`` (Linux)."""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from pathlib import Path


def process_groups_under(root: int) -> set[int]:
    """The process groups of ``root`` and of every process under it.

    A harness run starts pytest in a session (and process group) of its own, and pytest starts
    Chromium in that one: killing the command's group alone would leave them running.
    """
    children: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()  # state, ppid, pgrp, ... after "pid (comm)"
            children[int(fields[1])].append(int(stat.parent.name))
    groups: set[int] = set()
    pending = [root]
    while pending:
        pid = pending.pop()
        with contextlib.suppress(ProcessLookupError):
            groups.add(os.getpgid(pid))
        pending.extend(children[pid])
    return groups


def alive_in_groups(groups: set[int]) -> list[str]:
    """The live processes (zombies aside) whose process group is one of ``groups``: ``pid command`` each."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            text = stat.read_text()
            fields = text.rsplit(")", 1)[1].split()  # state, ppid, pgrp, ...
            if fields[0] != "Z" and int(fields[2]) in groups:
                found.append(f"{stat.parent.name} {text[text.index('(') + 1:text.rindex(')')]}")
    return found
