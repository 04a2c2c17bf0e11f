"""Charts of the report, drawn by matplotlib as inline SVG (no network, no script).

Each chart carries ``role="img"`` and a text label saying what it shows, and shapes and
labels tell the sides apart, so nothing depends on colour alone.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Sequence
from functools import cache

from markupsafe import Markup, escape

BASE_COLOUR = "#6b7280"
CAND_COLOUR = "#b91c1c"
FASTER_COLOUR = "#047857"
_serial = itertools.count(1)
"""Numbers the charts of a process, so the ids inside each inline SVG are unique in the page."""


@cache
def _pyplot() -> object:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({
        "svg.fonttype": "none",  # text stays text: small, selectable, and read by screen readers
        "svg.hashsalt": "adoption-harness",  # the same data gives the same file
        "font.size": 8,
        "font.family": "sans-serif",
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    import matplotlib.pyplot as plt

    return plt


def _svg(figure: object, label: str) -> Markup:
    plt = _pyplot()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})  # type: ignore[attr-defined]
    plt.close(figure)  # type: ignore[attr-defined]
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r">\s+<", "><", text)
    prefix = f"ch{next(_serial)}-"
    text = re.sub(r'(\bid=")([^"]+)"', rf'\1{prefix}\2"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", text)
    text = re.sub(r'(xlink:href|href)="#([^"]+)"', rf'\1="#{prefix}\2"', text)
    attrs = f'<svg role="img" aria-label="{escape(label)}" class="chart"'
    return Markup(text.replace("<svg", attrs, 1))  # matplotlib's own output; the label is escaped


def _jitter(n: int) -> list[float]:
    """Deterministic vertical offsets so equal values do not hide each other."""
    return [((i * 0.618034) % 1.0 - 0.5) * 0.36 for i in range(n)]


def distribution(baseline: Sequence[float], candidate: Sequence[float], *, unit: str, label: str,
                 low: float | None = None, high: float | None = None, slower: bool | None = None) -> Markup:
    """Baseline and candidate values side by side: every value as a mark, the medians as bars.

    Args:
        baseline: The baseline's values.
        candidate: The candidate's values.
        unit: ``ms`` or another unit word (shown on the axis).
        label: What the chart shows, in words (its accessible name).
        low: Lower end of the change's confidence interval (drawn from the baseline median).
        high: Upper end.
        slower: True when the candidate is worse, False better, None no verdict (its colour).
    """
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(4.2, 1.05), dpi=72)  # type: ignore[attr-defined]
    colour = CAND_COLOUR if slower else (FASTER_COLOUR if slower is False else "#1f2937")
    rows = (("baseline", list(baseline), 1.0, BASE_COLOUR, "o"), ("candidate", list(candidate), 0.0, colour, "D"))
    for _name, values, y, tint, marker in rows:
        if not values:
            continue
        axis.scatter(values, [y + j for j in _jitter(len(values))], s=14, marker=marker, facecolors="none",
                     edgecolors=tint, linewidths=1.0)
        ordered = sorted(values)
        mid = ordered[len(ordered) // 2] if len(ordered) % 2 else (ordered[len(ordered) // 2 - 1]
                                                                    + ordered[len(ordered) // 2]) / 2
        axis.plot([mid, mid], [y - 0.3, y + 0.3], color=tint, linewidth=2.4)
    if low is not None and high is not None and baseline:
        ordered = sorted(baseline)
        base_mid = ordered[len(ordered) // 2]
        axis.plot([base_mid + low, base_mid + high], [0.5, 0.5], color="#111827", linewidth=1.2)
        axis.plot([base_mid + low] * 2, [0.42, 0.58], color="#111827", linewidth=1.2)
        axis.plot([base_mid + high] * 2, [0.42, 0.58], color="#111827", linewidth=1.2)
    axis.set_yticks([0.0, 1.0], ["candidate", "baseline"])
    axis.set_ylim(-0.5, 1.5)
    axis.set_xlabel(unit if unit != "score" else "layout shift score")
    axis.tick_params(axis="both", length=2)
    figure.subplots_adjust(left=0.17, right=0.98, bottom=0.36, top=0.96)
    return _svg(figure, label)


def sparkline(values: Sequence[float | None], *, label: str, rising: bool = False) -> Markup:
    """A run-by-run line, oldest to newest; the newest run is a filled dot, missing runs are gaps."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(1.8, 0.4), dpi=72)  # type: ignore[attr-defined]
    xs = list(range(len(values)))
    ys = [math.nan if v is None else v for v in values]
    axis.plot(xs, ys, color=CAND_COLOUR if rising else "#374151", linewidth=1.2)
    known = [(x, y) for x, y in zip(xs, ys, strict=True) if not math.isnan(y)]
    if known:
        axis.plot([known[-1][0]], [known[-1][1]], marker="o", markersize=3, color="#111827")
    axis.set_axis_off()
    axis.margins(x=0.04, y=0.15)
    figure.subplots_adjust(0, 0, 1, 1)
    return _svg(figure, label)
