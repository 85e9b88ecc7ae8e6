"""What each plenary picture shows, in words and numbers, ready to draw.

Owns: the frozen descriptions the drawing modules draw, one per picture: every label is
final text in the session's language (the drawing adds no word) and every count comes as
a number to draw and as text written for the reader. Must not: know templates, Babel,
matplotlib or the core's effects.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Cell(IntEnum):
    """One value at one table of the grid."""

    ABSENT = 0
    IN_TOP = 1
    """In some member's top, not chosen by the table."""
    AGREED = 2
    """Chosen by the table."""


@dataclass(frozen=True, slots=True)
class Column:
    """One table of the grid."""

    heading: str
    """The table's number as written."""
    outcome: str
    """The table's outcome in a few words ("top 4", "no agreement")."""
    empty: bool
    """The table chose nothing (no agreement, or no vote): its column is greyed, with
    ``outcome`` written down it."""


@dataclass(frozen=True, slots=True)
class Row:
    """One value of the grid."""

    label: str
    cells: tuple[Cell, ...]
    """One per column."""
    count: str
    """How many tables chose it, of how many ("4 of 5 tables")."""


@dataclass(frozen=True, slots=True)
class TableGrid:
    """Picture 1: which values each table chose (tables across, values down)."""

    title: str
    tables_heading: str
    """Above the table numbers ("Table")."""
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    legend: tuple[tuple[Cell, str], ...]
    """The marks used, with what they mean."""
    more: str | None
    """A line under the grid for the values left out, if any."""


@dataclass(frozen=True, slots=True)
class Tally:
    """One value, or one kind of outcome, counted over many tables."""

    label: str
    value: int
    total: int
    text: str
    """``value`` of ``total`` as written ("180 of 250 tables")."""


@dataclass(frozen=True, slots=True)
class TableTally:
    """Picture 1 for more tables than fit across a phone: how many tables reached each
    outcome, and how many chose each value."""

    title: str
    outcomes_heading: str
    outcomes: tuple[Tally, ...]
    values_heading: str
    values: tuple[Tally, ...]
    more: str | None


@dataclass(frozen=True, slots=True)
class PileBar:
    """One value spread over the piles of a lens, lowest pile first."""

    label: str
    piles: tuple[int, ...]
    text: str
    """What the bar says in words ("18 of 20 high")."""


@dataclass(frozen=True, slots=True)
class MoveBar:
    """One value that moved between the lenses: how many put it lower, and higher."""

    label: str
    lower: int
    higher: int
    lower_text: str
    higher_text: str


@dataclass(frozen=True, slots=True)
class PileSection:
    heading: str
    note: str
    bars: tuple[PileBar, ...]


@dataclass(frozen=True, slots=True)
class RoomPicture:
    """Picture 2: what the whole room shares and what divides it."""

    title: str
    sections: tuple[PileSection, ...]
    """Shared values, then dividing values; a section without values is left out."""
    pile_names: tuple[str, ...]
    """The piles' names, lowest first, for the legend."""


@dataclass(frozen=True, slots=True)
class Moves:
    """The values that moved most between the first and the last lens."""

    heading: str
    note: str
    bars: tuple[MoveBar, ...]
    lower: str
    higher: str
    """The two directions, over the middle line."""


@dataclass(frozen=True, slots=True)
class Revisions:
    """Who changed their top after the stories."""

    heading: str
    note: str
    bars: tuple[Tally, ...]
    """Everyone first, then each age band (``value`` revised of ``total`` answered)."""


@dataclass(frozen=True, slots=True)
class ChangePicture:
    """Picture 3: how people moved, between the two lenses and after the stories; either
    part may be missing, not both."""

    title: str
    moves: Moves | None
    revisions: Revisions | None


Picture = TableGrid | TableTally | RoomPicture | ChangePicture
