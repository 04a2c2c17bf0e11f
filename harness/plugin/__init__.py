"""The pytest plugin (entry point ``harness.plugin.hooks``).

Thin hooks, layered fixtures, one step recorder and one artifacts recorder.
"""
