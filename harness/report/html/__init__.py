"""harness/report/html."""
