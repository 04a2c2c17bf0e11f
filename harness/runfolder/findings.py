"""``findings.json``: written atomically, read tolerantly."""

from __future__ import annotations

import logging
from pathlib import Path

from harness.contracts.records import FINDINGS_JSON, FindingsFile
from harness.runfolder.files import write_atomic

log = logging.getLogger(__name__)


def write_findings(run_dir: Path, findings_file: FindingsFile) -> Path:
    """Write ``findings.json`` atomically (a reader never sees half a file)."""
    return write_atomic(run_dir / FINDINGS_JSON, findings_file.model_dump_json(indent=1) + "\n")


def read_findings(run_dir: Path) -> FindingsFile | None:
    """Read ``findings.json``; ``None`` when the run has none (or it is unreadable: logged)."""
    path = run_dir / FINDINGS_JSON
    if not path.is_file():
        return None
    try:
        return FindingsFile.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        log.warning("friction audit: %s is unreadable: %s", path, exc)
        return None
