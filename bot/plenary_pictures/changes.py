"""Picture 3: how people moved, between the two lenses and after the stories.

Owns: laying out a ``ChangePicture`` as a ``canvas.Sketch``: each value that moved between
the lenses as a bar to the left (people who put it lower) and to the right (higher) of a
middle line, then one bar per group of people (everyone first, then each age band)
filled for the share that changed their top after the stories. Must not: word anything.
"""

from __future__ import annotations

from bot.plenary_pictures.canvas import (
    ACCENT,
    HEADING,
    HIGHER,
    LOWER,
    MARGIN,
    MUTED,
    PALE,
    RULE,
    SMALL,
    TEXT,
    TITLE,
    WIDTH,
    Sketch,
    line_height,
    measure,
)
from bot.plenary_pictures.specs import ChangePicture, MoveBar, Moves, Revisions

INNER = WIDTH - 2 * MARGIN
BAR = 0.3


def _heading(sketch: Sketch, heading: str, note: str) -> None:
    sketch.lines(MARGIN, heading, INNER, HEADING, bold=True)
    sketch.lines(MARGIN, note, INNER, SMALL, color=MUTED)
    sketch.y += 0.12


def _moves(sketch: Sketch, moves: Moves) -> None:
    _heading(sketch, moves.heading, moves.note)
    middle = MARGIN + INNER / 2
    sketch.text(
        middle - 0.1, sketch.y, "← " + moves.lower, SMALL, color=LOWER, align="right", bold=True
    )
    sketch.text(middle + 0.1, sketch.y, moves.higher + " →", SMALL, color=HIGHER, bold=True)
    sketch.y += line_height(SMALL) + 0.08
    scale = max((max(m.lower, m.higher) for m in moves.bars), default=0) or 1
    counts = [measure(t, SMALL) for m in moves.bars for t in (m.lower_text, m.higher_text)]
    reach = INNER / 2 - 0.12 - max(counts, default=0.0)  # room for the counts at the ends
    top = sketch.y
    for move in moves.bars:
        _move(sketch, move, middle, reach / scale)
    sketch.box(middle - 0.01, top, 0.02, sketch.y - top - 0.1, RULE)


def _move(sketch: Sketch, move: MoveBar, middle: float, per_person: float) -> None:
    sketch.lines(MARGIN, move.label, INNER, TEXT)
    sketch.y += 0.03
    centre = sketch.y + BAR / 2
    if move.lower:
        width = move.lower * per_person
        sketch.box(middle - width, sketch.y, width, BAR, LOWER)
        sketch.text(
            middle - width - 0.08, centre, move.lower_text, SMALL, align="right", middle=True
        )
    if move.higher:
        width = move.higher * per_person
        sketch.box(middle, sketch.y, width, BAR, HIGHER)
        sketch.text(middle + width + 0.08, centre, move.higher_text, SMALL, middle=True)
    sketch.y += BAR + 0.16


def _revisions(sketch: Sketch, revisions: Revisions) -> None:
    _heading(sketch, revisions.heading, revisions.note)
    track = INNER - 0.15 - max((measure(bar.text, TEXT) for bar in revisions.bars), default=0.0)
    for i, bar in enumerate(revisions.bars):
        sketch.lines(MARGIN, bar.label, INNER, TEXT, bold=i == 0)
        sketch.y += 0.03
        sketch.box(MARGIN, sketch.y, track, BAR, PALE)
        if bar.total and bar.value:
            sketch.box(MARGIN, sketch.y, track * bar.value / bar.total, BAR, ACCENT)
        sketch.text(MARGIN + track + 0.12, sketch.y + BAR / 2, bar.text, TEXT, middle=True)
        sketch.y += BAR + (0.3 if i == 0 else 0.16)


def sketch_changes(picture: ChangePicture) -> Sketch:
    sketch = Sketch()
    sketch.lines(MARGIN, picture.title, INNER, TITLE, bold=True)
    sketch.y += 0.2
    if picture.moves is not None:
        _moves(sketch, picture.moves)
    if picture.revisions is not None:
        sketch.y += 0.3 if picture.moves is not None else 0.0
        _revisions(sketch, picture.revisions)
    return sketch
