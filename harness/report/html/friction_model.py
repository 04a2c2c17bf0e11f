"""Read ``findings.json`` (written by the audit stage) back for the report, never failing on it.

A missing file means the run was not audited: no friction section. A file that cannot be
read or does not validate gives a message for the report's notices instead of findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from harness.contracts.records import FINDINGS_JSON, SCHEMA_VERSION, FindingsFile

MAX_FINDINGS_BYTES = 64 * 1024 * 1024
"""A bigger file is not read (it would make a report nobody can open)."""
MAX_ERRORS = 3
"""Validation errors quoted in the notice."""


@dataclass
class FindingsRead:
    """``findings.json`` read back: the file, or why it could not be shown, plus remarks."""

    file: FindingsFile | None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def _errors(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()[:MAX_ERRORS]]
    more = exc.error_count() - MAX_ERRORS
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def read_findings(folder: Path, run_id: str | None = None) -> FindingsRead | None:
    """Read ``folder / findings.json``.

    Args:
        folder: The run folder.
        run_id: The run's id, to warn when the findings are another run's.

    Returns:
        None when there is no such file, else the file or the reason it is not shown.
    """
    path = Path(folder) / FINDINGS_JSON
    if not path.is_file():
        return None
    try:
        if path.stat().st_size > MAX_FINDINGS_BYTES:
            return FindingsRead(None, f"{FINDINGS_JSON} is larger than {MAX_FINDINGS_BYTES // 2**20} MB; "
                                      "friction findings are not shown.")
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FindingsRead(None, f"{FINDINGS_JSON} could not be read ({type(exc).__name__}); "
                                  "friction findings are not shown.")
    try:
        found = FindingsFile.model_validate_json(text)
    except ValidationError as exc:
        return FindingsRead(None, f"{FINDINGS_JSON} is unreadable ({_errors(exc)}); friction findings are not shown.")
    out = FindingsRead(found)
    if found.schema_version > SCHEMA_VERSION:
        out.warnings.append(f"{FINDINGS_JSON} has schema version {found.schema_version}; this report knows "
                            f"version {SCHEMA_VERSION} and shows what it recognises.")
    if run_id and found.run_id != run_id:
        out.warnings.append(f"{FINDINGS_JSON} belongs to run {found.run_id}, not to this run ({run_id}).")
    return out
