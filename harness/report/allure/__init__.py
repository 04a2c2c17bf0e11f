"""harness/report/allure."""
