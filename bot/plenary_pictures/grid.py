"""Picture 1: which values each table chose, or, for many tables, how many chose each.

Owns: laying out a ``TableGrid`` (values down, tables across; a filled dot where the table
chose the value, a ring where it was only in a member's top; a table that chose nothing
greyed under its outcome) and a ``TableTally`` (bars of tables per outcome and per value)
as a ``canvas.Sketch``. Must not: word anything.
"""

from __future__ import annotations

from bot.plenary_pictures.canvas import (
    ACCENT,
    HEADING,
    INK,
    MARGIN,
    MUTED,
    PALE,
    SMALL,
    TEXT,
    TITLE,
    WIDTH,
    Sketch,
    line_height,
    measure,
    wrap,
)
from bot.plenary_pictures.specs import Cell, TableGrid, TableTally, Tally

LABEL_WIDTH = 2.8
"""Inches for a value's name (two lines) and its count, left of the grid."""
ROW_GAP = 0.14
OUTCOME_LENGTH = 1.5
"""Inches of a table's outcome on one line, upright above its number; a longer one takes
two lines side by side."""


def _mark(sketch: Sketch, x: float, y: float, radius: float, cell: Cell) -> None:
    if cell is not Cell.ABSENT:
        sketch.dot(x, y, radius, ACCENT, filled=cell is Cell.AGREED)


def sketch_grid(grid: TableGrid) -> Sketch:
    sketch = Sketch()
    inner = WIDTH - 2 * MARGIN
    sketch.lines(MARGIN, grid.title, inner, TITLE, bold=True)
    sketch.y += 0.12
    for cell, meaning in grid.legend:
        middle = sketch.y + line_height(SMALL) / 2
        _mark(sketch, MARGIN + 0.09, middle, 0.075, cell)
        sketch.text(MARGIN + 0.26, middle, meaning, SMALL, color=MUTED, middle=True)
        sketch.y += line_height(SMALL) + 0.04
    sketch.y += 0.2

    left = MARGIN + LABEL_WIDTH + 0.1
    width = (WIDTH - MARGIN - left) / max(1, len(grid.columns))
    radius = min(0.12, width * 0.36)

    def centre(i: int) -> float:
        return left + width * (i + 0.5)

    # The heading: "Table" over the numbers, each table's outcome upright above its number.
    sketch.text(
        (left + WIDTH - MARGIN) / 2,
        sketch.y,
        grid.tables_heading,
        SMALL,
        color=MUTED,
        align="center",
    )
    sketch.y += line_height(SMALL) + 0.06
    header = sketch.y
    outcomes = [wrap(c.outcome, OUTCOME_LENGTH, SMALL) for c in grid.columns]
    longest = max((measure(line, SMALL) for lines in outcomes for line in lines), default=0.0)
    bottom = header + 0.08 + longest
    for i, (column, lines) in enumerate(zip(grid.columns, outcomes, strict=True)):
        sketch.text(
            centre(i),
            bottom,
            "\n".join(lines),
            SMALL,
            color=MUTED if not column.empty else INK,
            rotation=90,
            middle=True,
        )
    sketch.y = bottom + 0.1
    for i, column in enumerate(grid.columns):
        sketch.text(centre(i), sketch.y, column.heading, HEADING, bold=True, align="center")
    sketch.y += line_height(HEADING) + 0.04

    for row in grid.rows:  # the name and the count both wrap within the label's width
        label, count = wrap(row.label, LABEL_WIDTH, TEXT), wrap(row.count, LABEL_WIDTH, SMALL)
        height = len(label) * line_height(TEXT) + len(count) * line_height(SMALL) + ROW_GAP
        sketch.rule(MARGIN, WIDTH - MARGIN, sketch.y)
        text_y = sketch.y + ROW_GAP / 2
        for line in label:
            sketch.text(MARGIN, text_y, line, TEXT)
            text_y += line_height(TEXT)
        for line in count:
            sketch.text(MARGIN, text_y, line, SMALL, color=MUTED)
            text_y += line_height(SMALL)
        for i, cell in enumerate(row.cells):
            _mark(sketch, centre(i), sketch.y + height / 2, radius, cell)
        sketch.y += height
    for i, column in enumerate(grid.columns):  # a table that chose nothing, greyed
        if column.empty:
            sketch.box(
                centre(i) - width * 0.45, header, width * 0.9, sketch.y - header, PALE, behind=True
            )
    sketch.rule(MARGIN, WIDTH - MARGIN, sketch.y)
    if grid.more:
        sketch.y += 0.12
        sketch.lines(MARGIN, grid.more, inner, SMALL, color=MUTED)
    return sketch


def _tallies(sketch: Sketch, heading: str, tallies: tuple[Tally, ...]) -> None:
    inner = WIDTH - 2 * MARGIN
    sketch.lines(MARGIN, heading, inner, HEADING, bold=True)
    sketch.y += 0.08
    track = inner - 0.15 - max((measure(t.text, SMALL) for t in tallies), default=0.0)
    for tally in tallies:
        sketch.lines(MARGIN, tally.label, inner, TEXT)
        middle = sketch.y + 0.12
        sketch.box(MARGIN, sketch.y, track, 0.24, PALE)
        share = tally.value / tally.total if tally.total else 0.0
        sketch.box(MARGIN, sketch.y, track * share, 0.24, ACCENT)
        sketch.text(MARGIN + track + 0.12, middle, tally.text, SMALL, color=MUTED, middle=True)
        sketch.y += 0.24 + 0.16


def sketch_tally(tally: TableTally) -> Sketch:
    sketch = Sketch()
    sketch.lines(MARGIN, tally.title, WIDTH - 2 * MARGIN, TITLE, bold=True)
    sketch.y += 0.2
    _tallies(sketch, tally.outcomes_heading, tally.outcomes)
    sketch.y += 0.2
    _tallies(sketch, tally.values_heading, tally.values)
    if tally.more:
        sketch.y += 0.05
        sketch.lines(MARGIN, tally.more, WIDTH - 2 * MARGIN, SMALL, color=MUTED)
    return sketch
