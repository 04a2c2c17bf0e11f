"""adoption-harness: replay critical user journeys in real Chromium, time them, check in-app guides."""

from __future__ import annotations

__version__ = "0.1.0"
