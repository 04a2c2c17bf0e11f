"""Audit: pure functions of collected data (guide verdicts, similarity, repairs, guides.json)."""
