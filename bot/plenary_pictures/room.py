"""Picture 2: what the whole room shares and what divides it.

Owns: laying out a ``RoomPicture`` as a ``canvas.Sketch``: the piles' colours as a legend,
then each shared or dividing value as one bar split by pile (lowest pile on the left),
with what it says in words beside it. Must not: word anything.
"""

from __future__ import annotations

from bot.plenary_pictures.canvas import (
    HEADING,
    INK,
    MARGIN,
    MUTED,
    PILES,
    SMALL,
    TEXT,
    TITLE,
    WIDTH,
    Sketch,
    line_height,
    measure,
    wrap,
)
from bot.plenary_pictures.specs import PileSection, RoomPicture

INNER = WIDTH - 2 * MARGIN
BAR = 0.3


def _legend(sketch: Sketch, names: tuple[str, ...]) -> None:
    """The piles' colours, lowest first, in two columns."""
    half = INNER / 2
    rows = (len(names) + 1) // 2
    for i, name in enumerate(names):
        x = MARGIN + (i // rows) * half
        y = sketch.y + (i % rows) * (line_height(SMALL) + 0.04)
        sketch.box(x, y + 0.03, 0.2, 0.16, PILES[i % len(PILES)])
        sketch.text(
            x + 0.28,
            y + 0.11,
            wrap(name, half - 0.35, SMALL, 1)[0],
            SMALL,
            color=MUTED,
            middle=True,
        )
    sketch.y += rows * (line_height(SMALL) + 0.04)


def _section(sketch: Sketch, section: PileSection, track: float) -> None:
    sketch.lines(MARGIN, section.heading, INNER, HEADING, bold=True)
    sketch.lines(MARGIN, section.note, INNER, SMALL, color=MUTED)
    sketch.y += 0.1
    for bar in section.bars:
        sketch.lines(MARGIN, bar.label, INNER, TEXT)
        sketch.y += 0.03
        total = sum(bar.piles) or 1
        x = MARGIN
        for i, count in enumerate(bar.piles):
            width = track * count / total
            if width:
                sketch.box(x, sketch.y, width, BAR, PILES[i % len(PILES)])
            x += width
        sketch.text(
            MARGIN + track + 0.12, sketch.y + BAR / 2, bar.text, SMALL, color=INK, middle=True
        )
        sketch.y += BAR + 0.16


def sketch_room(picture: RoomPicture) -> Sketch:
    sketch = Sketch()
    sketch.lines(MARGIN, picture.title, INNER, TITLE, bold=True)
    sketch.y += 0.12
    _legend(sketch, picture.pile_names)
    sketch.y += 0.22
    texts = [bar.text for section in picture.sections for bar in section.bars]
    track = INNER - 0.15 - max((measure(text, SMALL) for text in texts), default=0.0)
    for i, section in enumerate(picture.sections):
        sketch.y += 0.22 if i else 0.0
        _section(sketch, section, track)
    return sketch
