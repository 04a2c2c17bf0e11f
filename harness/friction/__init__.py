"""harness/friction."""
