"""The Allure command-line tool (Java), installed from npm (``allure-commandline@2``) for the Allure tests.

It is installed once into ``~/.cache/adoption-harness/npm`` (``$HARNESS_NPM_CACHE`` moves it), under a
file lock: two workers may need it at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from filelock import FileLock

NPM_CACHE = Path(os.environ.get("HARNESS_NPM_CACHE", Path.home() / ".cache" / "adoption-harness" / "npm"))


def install_allure(npm: str) -> Path:
    """The ``allure`` command, installed with ``npm`` on first use."""
    tool = NPM_CACHE / "node_modules" / ".bin" / "allure"
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    with FileLock(NPM_CACHE / "install.lock"):
        if not tool.exists():
            done = subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix",
                                   str(NPM_CACHE), "allure-commandline@2"], capture_output=True, text=True,
                                  timeout=600, check=False)
            assert done.returncode == 0 and tool.exists(), done.stdout + done.stderr
    return tool


def npm_and_java() -> tuple[str | None, bool]:
    """The ``npm`` command (None when missing) and whether Java is installed."""
    return shutil.which("npm"), shutil.which("java") is not None


def generate(tool: Path, results: Path, report: Path) -> None:
    """``allure generate RESULTS -o REPORT --clean``; fail with its output when it does not."""
    done = subprocess.run([str(tool), "generate", str(results), "-o", str(report), "--clean"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0 and (report / "index.html").is_file(), done.stdout + done.stderr
