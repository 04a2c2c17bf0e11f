"""The friction rules, one module each (its :class:`~harness.friction.rule.Rule` is ``RULE``), and their registry.

The registry is this explicit list: a new rule is a new module, its import here and its line in
:data:`RULES`; :func:`harness.friction.judge.judge` runs them in this order.
"""

from __future__ import annotations

from harness.friction.rule import Rule
from harness.friction.rules import (
    a11y_violation,
    blocking_scripts,
    console_error,
    covered_target,
    dead_click,
    failed_request,
    layout_shift,
    long_wait,
    longer_journey,
    over_budget,
    refused_input,
    slow_interaction,
    slow_page_load,
)

RULES: tuple[Rule, ...] = (
    over_budget.RULE,
    slow_page_load.RULE,
    slow_interaction.RULE,
    long_wait.RULE,
    layout_shift.RULE,
    blocking_scripts.RULE,
    failed_request.RULE,
    console_error.RULE,
    refused_input.RULE,
    dead_click.RULE,
    covered_target.RULE,
    a11y_violation.RULE,
    longer_journey.RULE,
)
"""Every rule, in the order their findings come on a scenario (before ranking)."""

BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
"""Rule id -> its rule."""
