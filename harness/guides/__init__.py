"""harness/guides."""
