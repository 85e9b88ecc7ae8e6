"""The facilitator's export of a session: CSV files and one JSON file, in one ZIP.

Owns: the export's file layout and pseudonyms (people appear under a stable id per
session unless the facilitator asks for names), and leaving simulated participants (a
rehearsal) out unless asked: their rows, and the outcomes of tables where only they sat.
``with_files`` turns the core's ``ExportFile`` into the ``SendFile`` the outbox keeps,
inside the unit of work that decided it, so the file holds the rows of that moment and
only the built file (pseudonymised unless asked) is stored. Must not: run SQL (the
store gives the rows), decide who may export, or send anything.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import secrets
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from bot.store import Transaction
from conversations.effects import Effect, ExportFile, SendFile
from conversations.model import Session

HEADERS: dict[str, tuple[str, ...]] = {
    "participants": (
        "person",
        "organisation",
        "age_band",
        "step",
        "table",
        "revision",
        "unreachable",
        "simulated",
    ),
    "ratings": ("person", "lens", "card", "level", "position"),
    "tops_before": ("person", "rank", "card"),
    "tops_after": ("person", "rank", "card"),
    "stories": ("person", "card", "story"),
    "votes": ("person", "table", "round", "card"),
    "outcomes": ("table", "round", "outcome", "agreed", "note"),
}


def pseudonym(salt: str, user_id: int) -> str:
    """An id for a person, the same throughout one export, that cannot be traced back to
    their Telegram id without the export's random salt (which is not kept)."""
    digest = hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()
    return f"P-{digest[:10]}"


def without_simulated(
    rows: dict[str, list[tuple[Any, ...]]], simulated: frozenset[int]
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows without simulated people's, and without the outcomes of tables at which
    only simulated people sat."""
    real_tables = {r[5] for r in rows["participants"] if r[0] not in simulated}
    simulated_only = {r[5] for r in rows["participants"] if r[0] in simulated} - real_tables
    return {
        name: [r for r in data if r[0] not in simulated_only]
        if name == "outcomes"
        else [r for r in data if r[0] not in simulated]
        for name, data in rows.items()
    }


def build_export(
    session: Session,
    rows: dict[str, list[tuple[Any, ...]]],
    with_names: bool,
    simulated: frozenset[int] = frozenset(),
    include_simulated: bool = False,
) -> tuple[str, bytes]:
    """(file name, ZIP bytes) with one CSV per kind of row and ``session.json``.
    ``simulated``: the user ids of simulated participants, left out unless
    ``include_simulated``."""
    if not include_simulated:
        rows = without_simulated(rows, simulated)
    names = {r[0]: r[1] for r in rows["participants"]}
    salt = secrets.token_hex(16)

    def person(user_id: int) -> str:
        return names.get(user_id, str(user_id)) if with_names else pseudonym(salt, user_id)

    tables: dict[str, list[Sequence[Any]]] = {
        "participants": [
            (person(r[0]), *r[2:], int(r[0] in simulated)) for r in rows["participants"]
        ],
        "ratings": [(person(r[0]), *r[1:]) for r in rows["ratings"]],
        "tops_before": [(person(r[0]), *r[1:]) for r in rows["tops_before"]],
        "tops_after": [(person(r[0]), *r[1:]) for r in rows["tops_after"]],
        "stories": [(person(r[0]), *r[1:]) for r in rows["stories"]],
        "votes": [(person(r[0]), *r[1:]) for r in rows["votes"]],
        "outcomes": [tuple(r) for r in rows["outcomes"]],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in tables.items():
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(HEADERS[name])
            writer.writerows(data)
            archive.writestr(f"{name}.csv", text.getvalue())
        document = {
            "session": {
                "id": session.id,
                "deck": session.deck_id,
                "language": session.locale,
                "phase": session.phase.value,
                "created_at": session.created_at,
                "names": with_names,
                "simulated_participants": len(simulated),
                "simulated_included": include_simulated,
            },
            **{
                name: [dict(zip(HEADERS[name], row, strict=True)) for row in data]
                for name, data in tables.items()
            },
        }
        archive.writestr("session.json", json.dumps(document, ensure_ascii=False, indent=1))
    return f"session-{session.id}-export.zip", buffer.getvalue()


def with_files(tx: Transaction, effects: Iterable[Effect]) -> list[Effect]:
    """``effects`` with each ``ExportFile`` built into the ``SendFile`` it asks for."""
    return [_built(tx, e) if isinstance(e, ExportFile) else e for e in effects]


def _built(tx: Transaction, effect: ExportFile) -> Effect:
    session = tx.session(effect.session_id)
    if session is None:  # pragma: no cover - the core exports a session it just loaded
        raise LookupError(f"session {effect.session_id} is gone")
    stand_ins = tx.simulated_people(session.id)
    rows = tx.export_rows(session.id)
    name, data = build_export(session, rows, effect.names, stand_ins, effect.simulated)
    return SendFile(
        effect.chat_id,
        effect.locale,
        name,
        base64.b64encode(data).decode(),
        "export_caption_names" if effect.names else "export_caption",
        {"simulated": len(stand_ins), "included": int(effect.simulated)},
    )
