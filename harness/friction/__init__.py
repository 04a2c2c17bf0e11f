"""Friction: step records in, findings and scores out; pure functions (no file I/O, no browser).

The rules are :mod:`harness.friction.rules` (one module each), run by :mod:`harness.friction.judge`.
"""
