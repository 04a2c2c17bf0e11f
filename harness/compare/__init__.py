"""The compare stage: a candidate run against its baseline and history (``comparison.json``, ``summary.md``).

Contract in docs/regressions.md.
"""
