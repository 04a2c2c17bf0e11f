"""An Allure results folder as the report stage writes it: stable file names, so writing again replaces.

allure-commons' ``AllureFileLogger`` names each file with a fresh uuid4, which would add a copy of
every result and attachment each time ``harness report`` runs. Here results are the same
allure-commons model objects, serialised the way the logger does (``attr.asdict`` without empty
fields), under names derived from what they describe.
"""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from attr import asdict

from harness.redaction import Secrets
from harness.runfolder.files import write_atomic

NAMESPACE = uuid.UUID("5b0d7c8e-4a8f-4f0e-9a51-6f1c2b7e9d31")
TEXT_SUFFIXES = (".json", ".txt", ".properties", ".csv", ".xml", ".html", ".log", ".uri")


def millis(iso: str | None) -> int | None:
    """An ISO-8601 time as Allure's epoch milliseconds (``None`` when missing or unreadable)."""
    if not iso:
        return None
    try:
        return int(datetime.fromisoformat(iso).timestamp() * 1000)
    except ValueError:
        return None


def stable_uuid(key: str) -> str:
    """A uuid that is the same for the same key (uuid5)."""
    return str(uuid.uuid5(NAMESPACE, key))


class ResultsFolder:
    """Writes results and attachments into an Allure results folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def attachment_name(self, key: str, ext: str) -> str:
        return f"{stable_uuid(key)}-attachment.{ext}"

    def text(self, body: str, key: str, ext: str = "txt") -> str:
        """Write a text attachment; return its source name."""
        name = self.attachment_name(key, ext)
        write_atomic(self.path / name, body)
        return name

    def copy(self, source: Path, key: str, ext: str) -> str:
        """Copy a file (a screenshot, a trace) in as an attachment; return its source name."""
        name = self.attachment_name(key, ext)
        target = self.path / name
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, target)
        return name

    def write_result(self, result: Any) -> Path:
        """Write an allure-commons ``TestResult`` as ``<uuid>-result.json``."""
        data = asdict(result, filter=lambda _, v: v or v is False)
        return self.write_json(f"{result.uuid}-result.json", data)

    def write_json(self, name: str, data: Any) -> Path:
        return write_atomic(self.path / name, json.dumps(data, ensure_ascii=False))

    def results(self) -> list[tuple[Path, dict[str, Any]]]:
        """Every ``*-result.json`` in the folder, read back (unreadable ones are left out)."""
        found = []
        for path in sorted(self.path.glob("*-result.json")):
            try:
                found.append((path, json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError):
                continue
        return found

    def scrub(self, secrets: Secrets) -> int:
        """Redact every form of every secret in the folder's text files; return how many files changed.

        allure-pytest-bdd writes step names, Examples values, what a step's exception says, captured
        output and logs as they are, and a secret must never reach a report.
        """
        changed = 0
        if not secrets:
            return changed
        for path in self.path.rglob("*"):
            if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            clean = secrets.redact_text(text)
            if clean != text:
                write_atomic(path, clean)
                changed += 1
        return changed
