"""The facilitator's export of a session: one ZIP with a spreadsheet, CSVs and JSON.

Owns: the ZIP's layout (``session-<id>.xlsx`` for people; one CSV per table,
``session.json`` and its ``session.schema.json`` for tools; docs/export.md describes
them) and ``Exporter.with_files``, which turns the core's ``ExportFile`` into the
``SendFile`` the outbox keeps, inside the unit of work that decided it, so the file
holds the rows of that moment and only the built file (pseudonymised unless asked) is
stored. Must not: run SQL (the store gives the rows), decide who may export, or send
anything.
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from typing import Any

from bot.export.formats import csv_text, session_json
from bot.export.tables import Words, export_of
from bot.export.workbook import workbook_bytes
from bot.render import Renderer
from bot.store import Transaction
from conversations.deck import Deck
from conversations.effects import Effect, ExportFile, SendFile
from conversations.model import Session

SCHEMA_FILE = "session.schema.json"
SCHEMA = resources.files(__package__).joinpath(SCHEMA_FILE).read_bytes()
"""The JSON Schema of ``session.json`` (this package's file), shipped in every export
beside it."""


def build_export(
    session: Session,
    deck: Deck,
    rows: Mapping[str, list[tuple[Any, ...]]],
    renderer: Renderer,
    *,
    names: bool,
    exported_at: float,
    simulated: frozenset[int] = frozenset(),
    include_simulated: bool = False,
) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of the export of ``rows`` (``Transaction.export_rows``), in
    the session's language. ``simulated``: the user ids of simulated participants, left
    out unless ``include_simulated``."""
    words = Words(renderer, session.locale, deck)
    export = export_of(
        session,
        deck,
        rows,
        words,
        names=names,
        simulated=simulated,
        include_simulated=include_simulated,
        exported_at=exported_at,
    )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        # an .xlsx is a ZIP itself: stored as it is, not compressed twice
        archive.writestr(
            f"session-{session.id}.xlsx", workbook_bytes(export, words), zipfile.ZIP_STORED
        )
        for table in export.tables:
            archive.writestr(f"{table.name}.csv", csv_text(table))
        archive.writestr("session.json", session_json(export))
        archive.writestr(SCHEMA_FILE, SCHEMA)
    return f"session-{session.id}-export.zip", data.getvalue()


class Exporter:
    """Builds exports with the bot's decks and words."""

    def __init__(self, decks: Callable[[str], Deck], renderer: Renderer) -> None:
        self.decks = decks
        self.renderer = renderer

    def with_files(self, tx: Transaction, effects: Iterable[Effect], now: float) -> list[Effect]:
        """``effects`` with each ``ExportFile`` built into the ``SendFile`` it asks for."""
        return [self._built(tx, e, now) if isinstance(e, ExportFile) else e for e in effects]

    def _built(self, tx: Transaction, effect: ExportFile, now: float) -> Effect:
        session = tx.session(effect.session_id)
        if session is None:  # pragma: no cover - the core exports a session it just loaded
            raise LookupError(f"session {effect.session_id} is gone")
        stand_ins = tx.simulated_people(session.id)
        name, data = build_export(
            session,
            self.decks(session.deck_id),
            tx.export_rows(session.id),
            self.renderer,
            names=effect.names,
            exported_at=now,
            simulated=stand_ins,
            include_simulated=effect.simulated,
        )
        return SendFile(
            effect.chat_id,
            effect.locale,
            name,
            base64.b64encode(data).decode(),
            "export_caption_names" if effect.names else "export_caption",
            {"simulated": len(stand_ins), "included": int(effect.simulated)},
        )
