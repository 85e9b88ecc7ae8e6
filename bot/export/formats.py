"""The export's files for tools: one CSV per table and ``session.json``.

Owns: how a value is written for a tool (ids and codes, ISO 8601 times with their
offset, yes/no as ``1``/``0`` in a CSV and ``true``/``false`` in JSON, a list joined by
commas in a CSV and as an array in JSON) and the CSV dialect: UTF-8 with a byte-order
mark, ``;`` between fields, CRLF line ends, quotes where needed. Must not: choose what
the tables hold (``tables``) or write words for a person (``workbook`` does).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from bot.export.tables import SCHEMA_VERSION, Coded, Export, Facts, Table, Value

CSV_DELIMITER = ";"
"""What Excel expects in a Dutch (and most European) locale, where ``,`` is the decimal
comma; R's ``read.csv2`` and LibreOffice read it too (docs/export.md says why)."""
BOM = "\ufeff"
"""Tells Excel the file is UTF-8, so names like "Zoë" stay right."""


def _for_csv(value: Value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, Coded):
        return value.code or ""
    if isinstance(value, tuple):
        return ",".join(value)
    return value


def csv_text(table: Table) -> str:
    """The table as CSV text, starting with the byte-order mark."""
    text = io.StringIO()
    text.write(BOM)
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    writer.writerow(table.columns)
    writer.writerows([_for_csv(value) for value in row] for row in table.rows)
    return text.getvalue()


def _for_json(value: Value) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, Coded):
        return value.code
    if isinstance(value, tuple):
        return list(value)
    return value


def _session(facts: Facts) -> dict[str, Any]:
    return {
        "id": facts.session_id,
        "deck": facts.deck_id,
        "deck_title": facts.deck_title,
        "language": facts.language,
        "time_zone": facts.time_zone,
        "phase": facts.phase,
        "created_at": _for_json(facts.created_at),
        "exported_at": _for_json(facts.exported_at),
        "names": facts.names,
        "simulated_participants": facts.simulated_participants,
        "simulated_included": facts.simulated_included,
        "lenses": [
            {"id": lens.id, "title": lens.title, "piles": list(lens.piles)} for lens in facts.lenses
        ],
        "cards": [{"id": card_id, "title": title} for card_id, title in facts.cards],
    }


def session_json(export: Export) -> str:
    """``session.json``: the session's facts and every table's rows, as
    ``session.schema.json`` describes."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "session": _session(export.facts),
        **{
            table.name: [
                {column: _for_json(value) for column, value in zip(table.columns, row, strict=True)}
                for row in table.rows
            ]
            for table in export.tables
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=1)
