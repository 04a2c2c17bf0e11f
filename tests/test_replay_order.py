"""Replays run interleaved: every scenario's first replay, then every second one (plain data, no browser)."""

from __future__ import annotations

from harness.collect.order import interleave


def _replay(name: str) -> int | None:
    return int(name.split("[r")[1].rstrip("]")) if "[r" in name else None


def test_replays_go_round_robin_in_the_collected_order_of_their_scenarios() -> None:
    items = [f"{s}[r{r}]" for s in ("approve", "export", "ticket") for r in range(3)]
    assert interleave(items, _replay) == ["approve[r0]", "export[r0]", "ticket[r0]", "approve[r1]", "export[r1]",
                                          "ticket[r1]", "approve[r2]", "export[r2]", "ticket[r2]"]


def test_items_that_are_no_replay_keep_their_places() -> None:
    items = ["setup", "a[r0]", "a[r1]", "plain", "b[r0]", "b[r1]"]
    assert interleave(items, _replay) == ["setup", "a[r0]", "b[r0]", "plain", "a[r1]", "b[r1]"]
    assert interleave([], _replay) == [] and interleave(["x", "y"], _replay) == ["x", "y"]
