"""The report as a document, before it becomes a PDF or a .docx.

Owns: the few kinds of block a report is made of (headings, paragraphs of runs in bold or
italic, bullet lists, simple tables, rows of pictures), the placeholder a facilitator fills
in (a run marked ``blank``: highlighted in both files), and the document's own words (its
title, language and page footer). Both writers read this model and nothing else, so the
two files tell the same report. Must not: word anything (the templates do), read markup
(``markup``) or know a file format (``pdf_file``, ``docx_file``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class Run:
    """Text in one style. A line break inside a paragraph is a ``"\\n"`` in ``text``."""

    text: str
    bold: bool = False
    italic: bool = False
    blank: bool = False
    """A placeholder the facilitator fills in (the location, what comes next)."""


Inline = tuple[Run, ...]


def plain(runs: Inline) -> str:
    """The text of ``runs`` without styles."""
    return "".join(run.text for run in runs)


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    """1: the report's title, 2: a section, 3: a part of a section."""
    runs: Inline


@dataclass(frozen=True, slots=True)
class Paragraph:
    runs: Inline

    @property
    def blank(self) -> bool:
        """The whole paragraph is for the facilitator to write."""
        return all(run.blank for run in self.runs if run.text.strip())


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Cell:
    runs: Inline
    number: bool = False
    """A number: aligned to the right."""


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    header: bool = False
    """A header row: set apart, and repeated on every page the table runs over."""


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[Row, ...]

    @property
    def columns(self) -> int:
        return max((len(row.cells) for row in self.rows), default=0)

    def weights(self) -> tuple[float, ...]:
        """How wide each column is, relative to the others: as wide as its longest line
        asks, between a short word and a long phrase (a text column wraps beyond)."""
        widest = [4] * self.columns
        for row in self.rows:
            for i, cell in enumerate(row.cells):
                longest = max((len(line) for line in plain(cell.runs).split("\n")), default=0)
                widest[i] = max(widest[i], min(longest, 40))
        return tuple(float(width) for width in widest)


@dataclass(frozen=True, slots=True)
class Picture:
    """A PNG (a plenary picture), shown as large as the page allows."""

    png: bytes

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels, from the PNG's header."""
        if self.png[:8] != PNG_SIGNATURE or self.png[12:16] != b"IHDR":
            raise ValueError("not a PNG")
        width, height = struct.unpack(">II", self.png[16:24])
        return int(width), int(height)


PICTURES_PER_ROW = 2
"""The plenary's pictures are drawn for a phone, taller than wide: two fill a row."""


@dataclass(frozen=True, slots=True)
class Pictures:
    """Pictures in rows of :data:`PICTURES_PER_ROW`, all at one width, together as wide
    as the text (a picture alone in its row is centred)."""

    pictures: tuple[Picture, ...]

    def rows(self) -> list[tuple[Picture, ...]]:
        return [
            self.pictures[i : i + PICTURES_PER_ROW]
            for i in range(0, len(self.pictures), PICTURES_PER_ROW)
        ]


Block = Heading | Paragraph | Bullets | Table | Pictures


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    """The file's title (its properties), in the session's language."""
    language: str
    """A language tag such as ``nl-NL``: spelling checks and screen readers use it."""
    author: str | None
    footer: str
    """The footer's words with ``{page}`` where the page number goes."""
    blocks: tuple[Block, ...]
