"""harness/report/tabular."""
