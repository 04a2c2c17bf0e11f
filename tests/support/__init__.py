"""What the tests share: helpers, servers, run folders and session-wide builds (never a test module).

Test modules import from here and get their fixtures from ``tests/conftest.py``; no test module
imports another.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The project folder."""
#: Passwords the demo app and the harness read from the environment in the e2e runs;
#: none of them may appear anywhere in a run folder.
SECRETS = {"DEMO_EMPLOYEE_PASSWORD": "e2e-Employee-Secret-7Qx", "DEMO_MANAGER_PASSWORD": "e2e-Manager-Secret-3Kv"}
