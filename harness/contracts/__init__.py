"""harness/contracts."""
