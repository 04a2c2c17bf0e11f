"""``settings.json``: the run's settings, written by the CLI and read by the pytest subprocess."""

from __future__ import annotations

from pathlib import Path

from harness.contracts.settings import RunSettings
from harness.runfolder.files import write_atomic


def write_settings(path: Path, settings: RunSettings) -> Path:
    """Write ``settings`` as JSON to ``path`` (paths resolved, so a subprocess in another folder reads the same)."""
    data = settings.model_copy(update={
        "root": settings.root.resolve(),
        "out": settings.out.resolve() if settings.out else None,
        "guides": settings.guides.resolve() if settings.guides else None,
        "allure_dir": settings.allure_dir.resolve() if settings.allure_dir else None,
        "allure_history": settings.allure_history.resolve() if settings.allure_history else None,
    })
    return write_atomic(path, data.model_dump_json(indent=1) + "\n")


def read_settings(path: Path) -> RunSettings:
    """Read a settings file written by :func:`write_settings`."""
    return RunSettings.model_validate_json(path.read_text(encoding="utf-8"))
