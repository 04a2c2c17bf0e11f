"""Every file the report stage writes into a run folder, written in one call.

Each output is written on its own: one that fails is named on stderr and the others are
still written, since every one of them serves a different reader (the HTML report for app
owners, JUnit and Allure for QA's CI, the data files for analysts).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.contracts.records import STEPS_JSONL, STEPS_PARQUET
from harness.errors import describe, note
from harness.redaction import Secrets

Writer = Callable[[Path], Path | None]
ALLURE_RESULTS = "allure-results"
"""The output that finishes a run's Allure results (in the folder the run wrote them to)."""
OUTPUT_NAMES = ("report.html", "junit.xml", "summary.md", "steps.parquet", "steps.csv", "findings.csv", "guides.csv",
                ALLURE_RESULTS)
"""The names of :func:`writers`' outputs, in their order, known without loading the writers (jinja2, pandas)."""


@dataclass
class Outputs:
    """What one call wrote, and what failed."""

    written: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    """Output name -> the error, in words."""


def writers(secrets: Secrets | None = None) -> list[tuple[str, Writer]]:
    """The report stage's outputs, in the order they are written (the HTML report first).

    Each name is the file it writes in the run folder; docs/outputs.md describes them. The
    exception, ``allure-results``, writes only for a run made with ``--allure-dir``, into that
    folder (docs/allure.md). Every output but that one is made from the run folder's files, whose
    secrets are redacted as they are written; the Allure results, which allure-pytest-bdd wrote as
    they were, are scrubbed of ``secrets`` (default: computed again from the run's profile and features).
    """
    from harness.report.allure.results import write_allure_results
    from harness.report.html.build import build_report
    from harness.report.junit.write import build_junit
    from harness.report.markdown.summary import write_run_summary
    from harness.report.tabular.csv_export import write_findings_csv, write_guides_csv, write_steps_csv

    found: list[Writer] = [build_report, build_junit, write_run_summary, write_steps_parquet, write_steps_csv,
                           write_findings_csv, write_guides_csv,
                           # only for a run with Allure results (--allure-dir)
                           functools.partial(write_allure_results, secrets=secrets)]
    return list(zip(OUTPUT_NAMES, found, strict=True))


def write_steps_parquet(run_dir: Path) -> Path | None:
    """Write ``steps.parquet`` from ``steps.jsonl`` unless it is already newer (the run's end wrote it).

    None without ``steps.jsonl``: a parquet-only folder keeps its file.
    """
    jsonl, parquet = Path(run_dir) / STEPS_JSONL, Path(run_dir) / STEPS_PARQUET
    if not jsonl.is_file():
        return None
    if parquet.is_file() and parquet.stat().st_mtime_ns > jsonl.stat().st_mtime_ns:
        return parquet
    from harness.runfolder.parquet import write_parquet  # pandas and pyarrow: only when it is written

    return write_parquet(run_dir)


def write_outputs(run_dir: Path, *, strict: bool = False, quiet: bool = False,
                  secrets: Secrets | None = None) -> Outputs:
    """Write every output of the report stage for a run folder.

    Args:
        run_dir: The run folder.
        strict: Raise the first error instead of naming it on stderr and going on.
        quiet: Do not name the failures on stderr (the caller reports them).
        secrets: The run's secrets, when the caller has them (see :func:`writers`).

    Returns:
        The files written and the outputs that failed (an OS error in words: ``No space left on device``).
    """
    result = Outputs()
    for name, write in writers(secrets):
        try:
            path = write(Path(run_dir))
        except Exception as exc:
            if strict:
                raise
            result.failed[name] = describe(exc)
            if not quiet:
                note(f"harness: {name} could not be written: {describe(exc)}")
            continue
        if path is not None:
            result.written.append(path)
    return result
