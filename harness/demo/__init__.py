"""Spendly, the demo vendor app (versions 1 and 2), and the ground truth of what changed between them."""

from __future__ import annotations

from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from harness.demo.app import VERSIONS, create_app
from harness.demo.server import DemoServer, serve

__all__ = ["VERSIONS", "DemoServer", "create_app", "load_changes", "serve"]


def load_changes() -> dict[str, Any]:
    """Return ``changes.yaml``: the v2 changes and the expected outcome of each demo scenario on v2."""
    text = resources.files(__package__).joinpath("changes.yaml").read_text(encoding="utf-8")
    data = YAML(typ="safe").load(text)
    if not isinstance(data, dict):
        raise ValueError("harness/demo/changes.yaml must be a mapping")
    return data
