"""``guides.jsonl`` (appended live, locked) and ``guides.json`` (written atomically, read tolerantly).

A ``guides.json`` that cannot be read gives an error message instead of results, and a guide
that does not validate is skipped with a warning: the reports show either as a banner and
never fail because of this file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.contracts.guides import GUIDES_JSON, GUIDES_JSONL, GuideResult, GuidesFile, GuideStepCheck
from harness.redaction import Secrets
from harness.runfolder.files import append_line, json_line, write_atomic

MAX_GUIDES_BYTES = 64 * 1024 * 1024
"""A bigger file is not read (it would make a report nobody can open)."""
MAX_ERRORS = 3
"""Validation errors quoted per skipped guide."""


# --- guides.jsonl ------------------------------------------------------------------------
def clear_guide_steps(folder: Path) -> None:
    """Start ``guides.jsonl`` afresh (a check's output folder may hold an older one)."""
    (folder / GUIDES_JSONL).write_text("", encoding="utf-8")


def append_guide_step(folder: Path, step: GuideStepCheck, secrets: Secrets | None = None, *,
                      sync: bool = True) -> None:
    """Append one step result to ``guides.jsonl`` (locked: journeys run in parallel workers), secrets redacted.

    ``sync`` false: not fsynced now (a guide checked inside a journey: ``runfolder.io.sync_steps`` fsyncs
    it as the scenario ends).
    """
    data = step.model_dump(mode="json")
    append_line(folder / GUIDES_JSONL, json_line(secrets.redact(data) if secrets else data), sync=sync)


def read_guide_steps(folder: Path) -> list[GuideStepCheck]:
    """The step results appended so far (a line that does not validate, such as a torn last one, is skipped)."""
    path = folder / GUIDES_JSONL
    found = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                found.append(GuideStepCheck.model_validate_json(line))
            except ValueError:
                continue
    return found


# --- guides.json -------------------------------------------------------------------------
def write_guides(folder: Path, guides: GuidesFile, secrets: Secrets | None = None) -> Path:
    """Write ``guides.json`` atomically (a reader never sees half a file), secrets redacted."""
    data = guides.model_dump(mode="json")
    text = json.dumps(secrets.redact(data) if secrets else data, indent=1, ensure_ascii=False) + "\n"
    return write_atomic(folder / GUIDES_JSON, text)


@dataclass
class GuidesRead:
    """``guides.json`` read back: its header and valid guides, and what could not be read."""

    file: GuidesFile = field(default_factory=GuidesFile)
    error: str | None = None
    """Why nothing could be read (the file is not JSON, not an object...)."""
    warnings: list[str] = field(default_factory=list)


def _errors(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()[:MAX_ERRORS]]
    more = exc.error_count() - MAX_ERRORS
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse_guides(raw: Any) -> GuidesRead:
    """Validate the parsed JSON of ``guides.json``: its header, then guide by guide."""
    if not isinstance(raw, dict):
        return GuidesRead(error=f"{GUIDES_JSON} is not a JSON object.")
    guides = raw.get("guides")
    if not isinstance(guides, list):
        return GuidesRead(error=f"{GUIDES_JSON} has no list of guides.")
    out = GuidesRead()
    try:
        out.file = GuidesFile.model_validate({k: v for k, v in raw.items() if k != "guides"})
    except ValidationError as exc:
        out.warnings.append(f"{GUIDES_JSON}: its header fields are not as documented ({_errors(exc)}); "
                            "they are not shown.")
    for n, item in enumerate(guides, start=1):
        try:
            out.file.guides.append(GuideResult.model_validate(item))
        except ValidationError as exc:
            name = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{n}"
            out.warnings.append(f"Guide {name} in {GUIDES_JSON} was skipped: {_errors(exc)}.")
    return out


def read_guides(folder: Path) -> GuidesRead | None:
    """Read ``folder / guides.json``; None when the folder has none."""
    path = Path(folder) / GUIDES_JSON
    if not path.is_file():
        return None
    try:
        if path.stat().st_size > MAX_GUIDES_BYTES:
            return GuidesRead(error=f"{GUIDES_JSON} is larger than {MAX_GUIDES_BYTES // 2**20} MB; not shown.")
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return GuidesRead(error=f"{GUIDES_JSON} could not be read ({type(exc).__name__}).")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return GuidesRead(error=f"{GUIDES_JSON} is not valid JSON ({exc}).")
    return parse_guides(raw)
