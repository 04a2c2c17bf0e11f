"""harness/report/markdown."""
