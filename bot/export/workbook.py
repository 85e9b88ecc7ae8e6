"""The export's spreadsheet for people: one ``.xlsx`` workbook, written with openpyxl.

Owns: the workbook's layout: a first sheet with the facts about the session, then one
sheet per table with its headers in the session's language in a bold, frozen first row
with filters, column widths that fit, and every value as a person reads it: titles and
pile labels, codes in words, yes/no as the spreadsheet's own TRUE/FALSE (which
Excel shows in its own language), times as real date-times in the session's time
zone. Whatever people typed stays text, never a formula. Written in openpyxl's
write-only mode, row by row. Must not: choose what the tables hold (``tables``) or hold
a word itself (``templates/*/export_labels.toml``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.export.tables import Coded, Export, Facts, Table, Value, Words

TIME_FORMAT = "yyyy-mm-dd hh:mm"
"""How a time reads: the same in every language, day and month never confused."""
TIME_WIDTH = 16
WIDTH_MIN, WIDTH_MAX = 6, 60
"""Column widths in characters: wide enough for the longest value, up to a limit (a
long story wraps in its cell instead)."""
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _wall(at: datetime) -> datetime:
    """Excel has no time zones: a time is written as the clock in its zone shows it."""
    return at.replace(tzinfo=None)


def _readable(value: Value) -> str | int | bool | datetime | None:
    """A value as the sheet shows it."""
    if isinstance(value, Coded):
        return value.words
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, datetime):
        return _wall(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _width(value: str | int | bool | datetime | None) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return TIME_WIDTH
    if isinstance(value, str):
        return max(map(len, value.splitlines()), default=0)
    return len(str(value))


def _fit(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[tuple[int, bool]]:
    """(width, wrap) of each column: wide enough for its longest line, up to the limit;
    wrapped when a value is longer or has more than one line."""
    widths = [len(word) for word in header]
    lines = [False] * len(header)
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _width(value))
            lines[index] = lines[index] or (isinstance(value, str) and "\n" in value)
    return [
        (min(max(width + 2, WIDTH_MIN), WIDTH_MAX), width + 2 > WIDTH_MAX or multiline)
        for width, multiline in zip(widths, lines, strict=True)
    ]


class _Cells:
    """What to append for each value of one column: the value itself, or, where it needs
    a format, the column's one formatted cell with the value put in (openpyxl writes a
    row as it is appended, so one cell serves every row)."""

    def __init__(self, sheet: WriteOnlyWorksheet, wrap: bool) -> None:
        self.time = WriteOnlyCell(sheet)
        self.time.number_format = TIME_FORMAT
        self.text = WriteOnlyCell(sheet)
        self.wrap = wrap
        if wrap:
            self.text.alignment = WRAP

    def __call__(self, value: str | int | bool | datetime | None) -> Any:
        if isinstance(value, datetime):
            self.time.value = value
            return self.time
        if isinstance(value, str) and (self.wrap or value.startswith("=") or value in ERROR_CODES):
            self.text.value = value
            self.text.data_type = TYPE_STRING  # text someone typed, never a formula
            return self.text
        return value


def _bold(sheet: WriteOnlyWorksheet, word: str) -> Any:
    cell = WriteOnlyCell(sheet, word)
    cell.font = BOLD
    return cell


def _sized(book: Workbook, title: str, fits: Sequence[tuple[int, bool]]) -> WriteOnlyWorksheet:
    # A write-only sheet has the column widths and filter of any sheet (set up by its
    # ``_setup``, written by its writer); the type stubs miss them.
    sheet: WriteOnlyWorksheet = book.create_sheet(title)
    for index, (width, _) in enumerate(fits, 1):
        column = sheet.column_dimensions[get_column_letter(index)]  # type: ignore[attr-defined]
        column.width = width
    return sheet


def _table_sheet(book: Workbook, table: Table, words: Words) -> None:
    header = [words.label(f"export_column_{column}") for column in table.columns]
    rows = [[_readable(value) for value in row] for row in table.rows]
    fits = _fit(header, rows)
    sheet = _sized(book, words.label(f"export_sheet_{table.name}"), fits)
    sheet.freeze_panes = "A2"
    used = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    sheet.auto_filter.ref = used  # type: ignore[attr-defined]
    sheet.append([_bold(sheet, word) for word in header])
    cells = [_Cells(sheet, wrap) for _, wrap in fits]
    for row in rows:
        sheet.append([cell(value) for cell, value in zip(cells, row, strict=True)])


def _session_sheet(book: Workbook, facts: Facts, words: Words) -> None:
    people = "export_people_names" if facts.names else "export_people_pseudonyms"
    lines: list[tuple[str, str | int | bool | datetime]] = [
        ("export_session_id", facts.session_id),
        ("export_session_deck", facts.deck_title),
        ("export_session_language", facts.language_name),
        ("export_session_time_zone", facts.time_zone),
        ("export_session_created_at", _wall(facts.created_at)),
        ("export_session_exported_at", _wall(facts.exported_at)),
        ("export_session_people", words.label(people)),
        ("export_session_simulated", facts.simulated_participants),
        ("export_session_simulated_included", facts.simulated_included),
    ]
    labelled = [(words.label(key), value) for key, value in lines]
    sheet = _sized(book, words.label("export_sheet_session"), _fit(("", ""), labelled))
    cells = _Cells(sheet, wrap=False)
    for label, value in labelled:
        sheet.append([_bold(sheet, label), cells(value)])


def workbook_bytes(export: Export, words: Words) -> bytes:
    """The ``.xlsx`` file: the session sheet, then one sheet per table."""
    book = Workbook(write_only=True)
    _session_sheet(book, export.facts, words)
    for table in export.tables:
        _table_sheet(book, table, words)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()
