"""``python -m harness.cli``: the ``harness`` command."""

from __future__ import annotations

from harness.cli.main import main

main()
