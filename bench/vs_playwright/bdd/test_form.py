"""The hand-written pytest-bdd arm of ``bench/vs_playwright.py``: the 40-step journey, with ``conftest.py``'s steps."""

from __future__ import annotations

from pathlib import Path

from pytest_bdd import scenarios

scenarios(str(Path(__file__).resolve().parents[1] / "features" / "form.feature"))
