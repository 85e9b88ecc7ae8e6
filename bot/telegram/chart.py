"""The plenary chart: how many tables chose each value, as a PNG.

Owns: drawing with matplotlib (headless Agg backend). Must not: know sessions or
Telegram; a chart that cannot be drawn is ``None`` and the text stands on its own.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

log = logging.getLogger(__name__)

MAX_BARS = 12


def support_chart(bars: Sequence[tuple[str, int]], title: str, axis_label: str) -> bytes | None:
    """A horizontal bar chart of (label, count), largest on top, as PNG bytes."""
    if not bars:
        return None
    shown = list(bars[:MAX_BARS])[::-1]
    try:
        from matplotlib.figure import Figure  # ~45 MB: loaded on the first chart only
        from matplotlib.ticker import MaxNLocator

        figure = Figure(figsize=(7, 0.45 * len(shown) + 1.4), dpi=110)
        axes = figure.add_subplot()
        labels = [label for label, _ in shown]
        values = [value for _, value in shown]
        axes.barh(labels, values, color="#2f6f8f")
        axes.set_title(title, fontsize=12)
        axes.set_xlabel(axis_label)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    except Exception:  # a chart is a bonus: the summary text stands on its own
        log.exception("could not draw the summary chart")
        return None
