"""The run-wide files of an Allure results folder: ``categories.json``, ``environment.properties``, history.

Categories sort the non-passed (and slow, flaky or healed) results into five groups. Allure matches a
result's status and its status message (``messageRegex``, a Java regex over the whole message);
the report stage writes the messages so that each group has a marker of its own:

- broken guide: the guide results (``harness/report/allure/guides.py``), whose message starts
  with :data:`GUIDE_MARK`;
- healed journey: a scenario run that passed only because ``--heal`` repaired a step's UI-map
  target (flaky), whose status message starts with :data:`HEAL_MARK`;
- flaky: Allure's flaky flag (``statusDetails.flaky``), set on a scenario whose replays disagree
  or that passed only on a retry;
- app failure: every other failed or broken result;
- slowness: a passed scenario run with an over-budget step or a slowness finding, whose status
  message has a line starting with :data:`SLOW_MARK`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from harness.contracts.records import RunInfo
from harness.runfolder.files import write_atomic

GUIDE_MARK = "Broken guide:"
SLOW_MARK = "Slowness:"
HEAL_MARK = "Healed:"
"""The first words of the status message line that names a scenario run's healed steps (``--heal``)."""
CATEGORIES = "categories.json"
ENVIRONMENT = "environment.properties"


def categories() -> list[dict[str, object]]:
    """Allure's categories for harness results, in order: Allure files a result under the first that matches.

    A journey that failed and was also slow is an app failure; "Slowness" holds the journeys that
    passed, slowly.
    """
    return [
        {"name": "Broken guide", "matchedStatuses": ["failed", "broken"],
         "messageRegex": f"(?s){GUIDE_MARK}.*"},
        {"name": "Healed journey (fix the UI map)", "matchedStatuses": ["passed"], "flaky": True,
         "messageRegex": f"(?s){HEAL_MARK}.*"},
        {"name": "Flaky journey", "matchedStatuses": ["passed", "failed", "broken"], "flaky": True},
        {"name": "App failure", "matchedStatuses": ["failed", "broken"]},
        {"name": "Slowness", "matchedStatuses": ["passed"], "messageRegex": f"(?s)(.*\\n)?{SLOW_MARK}.*"},
    ]


def write_categories(results: Path) -> Path:
    """Write ``categories.json``."""
    path = results / CATEGORIES
    write_atomic(path, json.dumps(categories(), indent=2))
    return path


def public_url(url: str) -> str:
    """A URL without user and password."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _escape(text: str, key: bool = False) -> str:
    """Escape a Java properties key or value (Allure reads the file as ISO-8859-1 with \\u escapes)."""
    out = []
    for char in text:
        if char in "\\=:#!" or (key and char == " "):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char in "\r\t":
            out.append(" ")
        elif ord(char) > 126 or ord(char) < 32:
            out.append("".join(f"\\u{unit:04x}" for unit in _utf16(char)))
        else:
            out.append(char)
    return "".join(out)


def _utf16(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


def environment(info: RunInfo) -> dict[str, str]:
    """What the Allure report's Environment widget shows about the run (nothing secret)."""
    values = {
        "app": info.app_title or info.app,
        "app.version": info.app_version,
        "base.url": public_url(info.base_url),
        "browser": " ".join(v for v in (info.browser_name, info.browser_version) if v) or None,
        "harness.version": info.harness_version,
        "run.id": info.run_id,
        "git.commit": info.git_commit,
        "git.branch": info.git_branch,
        "env": info.env,
    }
    return {k: v for k, v in values.items() if v}


def write_environment(results: Path, values: dict[str, str]) -> Path:
    """Write ``environment.properties``."""
    path = results / ENVIRONMENT
    lines = [f"{_escape(k, key=True)}={_escape(v)}" for k, v in values.items()]
    write_atomic(path, "\n".join(lines) + "\n")
    return path


def carry_history(previous_report: Path, results: Path) -> int:
    """Copy a previous Allure report's ``history/*.json`` into ``results/history/``; return how many files.

    Allure 2 builds its trends (history-trend, duration-trend...) from that folder.
    """
    source = previous_report / "history"
    if not source.is_dir():
        return 0
    target = results / "history"
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    for path in sorted(source.glob("*.json")):
        shutil.copy2(path, target / path.name)
        copied += 1
    return copied
