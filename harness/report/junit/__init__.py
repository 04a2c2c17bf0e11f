"""harness/report/junit."""
