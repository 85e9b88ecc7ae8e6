"""A phone-sized page for a plenary picture, laid out in inches from the top left.

Owns: matplotlib (headless Agg, object API, no pyplot) for the plenary pictures: the
page's width and resolution (portrait, 1080 pixels across: sharp on a phone, small to
send), the type sizes that stay readable there, the colours, wrapping a label to the room
it has, and writing the page as PNG bytes. A picture is sketched top down first (each
mark recorded with its place) and drawn once its height is known. Must not: know what a
picture means or word anything.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any

WIDTH = 6.0
"""Inches across; with ``DPI``, 1080 pixels."""
DPI = 180
MARGIN = 0.35
TITLE = 19.0
"""Type sizes in points: on a phone the picture shrinks to about a third, so 12 points
here read as a phone's small print and 14 as its body text."""
HEADING = 16.0
TEXT = 14.0
SMALL = 12.0
INK = "#1f2933"
MUTED = "#5b6675"
ACCENT = "#1b6b93"
PALE = "#eceff3"
RULE = "#d5dae1"
PILES = ("#b45309", "#f0a868", "#d5dae1", "#84b6d8", "#1b6b93")
"""From the lowest pile to the highest: orange to blue, told apart without colour vision
too (by lightness)."""
LOWER, HIGHER = "#d9782d", "#1b6b93"


def line_height(size: float) -> float:
    """Inches from one line of ``size`` points to the next."""
    return size / 72 * 1.3


@functools.cache
def _shaper() -> Any:
    from matplotlib.textpath import TextToPath

    return TextToPath()


def measure(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` at ``size`` points, in inches, as the default font sets it."""
    from matplotlib.font_manager import FontProperties

    font = FontProperties(size=size, weight="bold" if bold else "normal")
    width, _, _ = _shaper().get_text_width_height_descent(text, font, ismath=False)
    return float(width) / 72


def _fit(text: str, width: float, size: float, bold: bool) -> str:
    """``text``, cut with an ellipsis until it fits ``width``."""
    if measure(text, size, bold) <= width:
        return text
    while text and measure(text + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, width: float, size: float, lines: int = 2, bold: bool = False) -> list[str]:
    """``text`` in at most ``lines`` lines that fit ``width`` inches at ``size`` points,
    broken between words (a word too long for a line is cut), the last line cut with an
    ellipsis if the rest still does not fit."""
    wrapped: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate, size, bold) > width:
            wrapped.append(current)
            current = word
        else:
            current = candidate
    wrapped.append(current)
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], " ".join(wrapped[lines - 1 :])]
    return [_fit(line, width, size, bold) for line in wrapped]


Mark = Callable[[Any], None]


class Sketch:
    """The marks of a picture, placed top down; ``y`` is where the next one goes."""

    def __init__(self) -> None:
        self.y = MARGIN
        self._marks: list[Mark] = []

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = TEXT,
        *,
        bold: bool = False,
        color: str = INK,
        align: str = "left",
        middle: bool = False,
        rotation: float = 0.0,
    ) -> None:
        """``text`` at (``x``, ``y``): its top (or its middle) at ``y``, aligned on ``x``."""
        self._marks.append(
            lambda axes: axes.text(
                x,
                y,
                text,
                fontsize=size,
                fontweight="bold" if bold else "normal",
                color=color,
                ha=align,
                va="center" if middle else "top",
                rotation=rotation,
                rotation_mode="anchor" if rotation else "default",
                parse_math=False,  # a "$" in a card's title is a dollar sign
            )
        )

    def lines(self, x: float, text: str, width: float, size: float, **style: Any) -> None:
        """``text`` wrapped to ``width`` inches from ``x``, at ``y``; moves ``y`` below it."""
        for line in wrap(text, width, size, lines=4, bold=bool(style.get("bold"))):
            self.text(x, self.y, line, size, **style)
            self.y += line_height(size)

    def box(
        self, x: float, y: float, width: float, height: float, color: str, *, behind: bool = False
    ) -> None:
        """A filled rectangle; ``behind`` everything else, whenever it is placed."""
        from matplotlib.patches import Rectangle

        self._marks.append(
            lambda axes: axes.add_patch(
                Rectangle(
                    (x, y),
                    width,
                    height,
                    facecolor=color,
                    edgecolor="none",
                    zorder=0 if behind else 1,
                )
            )
        )

    def dot(self, x: float, y: float, radius: float, color: str, *, filled: bool) -> None:
        from matplotlib.patches import Circle

        self._marks.append(
            lambda axes: axes.add_patch(
                Circle(
                    (x, y),
                    radius,
                    facecolor=color if filled else "white",
                    edgecolor=color,
                    linewidth=2.0,
                )
            )
        )

    def rule(self, x0: float, x1: float, y: float, color: str = RULE) -> None:
        self._marks.append(lambda axes: axes.plot([x0, x1], [y, y], color=color, linewidth=1.0))

    def figure(self) -> Any:
        """The picture as a matplotlib ``Figure``, ``MARGIN`` below its last mark."""
        from matplotlib.figure import Figure  # ~45 MB: loaded with the first picture

        height = self.y + MARGIN
        figure = Figure(figsize=(WIDTH, height), dpi=DPI, facecolor="white")
        axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
        axes.set_xlim(0, WIDTH)
        axes.set_ylim(height, 0)
        axes.set_axis_off()
        for mark in self._marks:
            mark(axes)
        return figure

    def png(self) -> bytes:
        """The picture as PNG bytes."""
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png", dpi=DPI, facecolor="white")
        return buffer.getvalue()
