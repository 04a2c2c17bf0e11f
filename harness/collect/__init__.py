"""Collect: run journeys in Chromium through pytest-bdd and record every step."""
