"""The order replays run in: every scenario's first replay, then every scenario's second...

Repeats exist to measure noise. Run one scenario's ten replays back to back and a burst of
load on the machine (another job, a garbage collection, a backup) lands on all ten of them: the
scenario looks slower as a whole, and no test on its replays can tell that from a regression.
Interleaved, the same burst lands on a replay or two of every scenario, where it is an outlier
that rank statistics shrug off, and a slow drift of the machine hits every scenario alike (the
comparison's run-wide shift). The order is deterministic, so every xdist worker collects the
same list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")



def interleave(items: Sequence[T], replay: Callable[[T], int | None]) -> list[T]:
    """Reorder replays round-robin: all first replays (in their collected order), then all second ones...

    Items that are no replay (``replay`` returns None) keep their places; the replays fill the
    places replays held.

    Args:
        items: Collected items, in pytest's order.
        replay: The replay index of an item, or None for an item that is not a replay.
    """
    places = [i for i, item in enumerate(items) if replay(item) is not None]
    ordered = sorted((items[i] for i in places), key=lambda item: replay(item) or 0)  # stable: collected order kept
    out = list(items)
    for place, item in zip(places, ordered, strict=True):
        out[place] = item
    return out
