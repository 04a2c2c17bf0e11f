"""Folders a command is given, checked before anything runs: the history store, a previous Allure report.

Either would otherwise fail (or be skipped) silently at the end of a run, once the run is paid for.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.errors import HarnessError


def check_history_store(store: Path | None) -> None:
    """The history store must be a folder, or a path where one can be made.

    Raises:
        HarnessError: It is a file, or a file stands where one of its parent folders would be.
    """
    if store is None:
        return
    if store.exists() and not store.is_dir():
        raise HarnessError("the history store (--history, or $HARNESS_HISTORY) must be a folder, and this is a file",
                           store)
    nearest = next(folder for folder in [store, *store.absolute().parents] if folder.exists())
    if not nearest.is_dir():
        raise HarnessError(f"the history store (--history, or $HARNESS_HISTORY) cannot be made here: {nearest} is "
                           "a file", store)


def check_allure_history(report: Path | None) -> None:
    """``--allure-history`` must be a folder: the previous Allure report whose ``history/`` is carried over.

    Raises:
        HarnessError: It does not exist, or it is a file.
    """
    if report is None:
        return
    if not report.exists():
        raise HarnessError("--allure-history: no such folder (a previous Allure report, whose history/ is carried "
                           "over; on a first build there is none: leave the option out)", report)
    if not report.is_dir():
        raise HarnessError("--allure-history must be a previous Allure report's folder, and this is a file", report)


def check_run_folders(history: str | None, allure_history: Path | None, run_dir: Path,
                      allure_dir: Path | None = None) -> None:
    """The folders of a run's options, checked before it starts.

    Args:
        history: The ``--history`` setting (``off``: none; ``None``: ``$HARNESS_HISTORY``, else beside the run).
        allure_history: ``--allure-history``.
        run_dir: The run folder (or a path in the folder the run folder will be made in).
        allure_dir: ``--allure-dir``: the run's Allure results, which ``--allure-history`` goes into.

    Raises:
        HarnessError: See :func:`check_history_store` and :func:`check_allure_history`; or
            ``--allure-history`` without ``--allure-dir`` (it would be ignored).
    """
    from harness.runfolder.io import history_dir

    if history is not None or os.environ.get("HARNESS_HISTORY"):  # the default, beside the run folder, stands
        check_history_store(history_dir(run_dir, history))  # or falls with the run folder (checked as it is made)
    check_allure_history(allure_history)
    if allure_history is not None and allure_dir is None:
        raise HarnessError("--allure-history carries a previous Allure report's history into this run's Allure "
                           "results: it needs --allure-dir (where they are written)")
