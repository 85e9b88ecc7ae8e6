"""Rows and records: the column lists, the mapping of rows to the core's ``Session`` and
``Participant``, and the cursor helpers every part of a transaction uses.

Owns: how a row becomes a record. Must not: write.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from conversations.model import Participant, Revision, Rooms, RoundChoice, Session, Step
from conversations.phases import Phase
from conversations.vote_count import Rule

SESSION_COLUMNS = (
    "id, group_chat_id, deck_id, locale, phase, join_code, created_by, created_at, "
    "sort_on_join, profile_questions, table_size, late_joins, rooms, dilemma_index, "
    "vote_rule, max_rounds, paused_at, time_zone, waking_from, waking_until, reminders, "
    "previous_id, own_dilemmas"
)
PARTICIPANT_COLUMNS = (
    "session_id, user_id, chat_id, name, locale, step, order_seed, joined_at, lens_index, "
    "paused, age_band, organisation, selection, moving, unreachable, table_number, "
    "story_card, revision, round_choice, muted, on_board"
)


EARLIER_SESSIONS = (
    "WITH RECURSIVE earlier (id, depth) AS ("
    " SELECT id, 1 FROM sessions WHERE id = ?"
    " UNION ALL"
    " SELECT s.previous_id, e.depth + 1 FROM sessions s JOIN earlier e ON s.id = e.id"
    " WHERE s.previous_id IS NOT NULL AND e.depth < 1000)"
)
"""A session and the ones before it in its series (``depth`` 1 is the session itself)."""


def session_from_row(row: Any) -> Session:
    return Session(
        id=row[0],
        group_chat_id=row[1],
        deck_id=row[2],
        locale=row[3],
        phase=Phase(row[4]),
        join_code=row[5],
        created_by=row[6],
        created_at=row[7],
        sort_on_join=bool(row[8]),
        profile_questions=bool(row[9]),
        table_size=row[10],
        late_joins=bool(row[11]),
        rooms=Rooms(row[12]) if row[12] is not None else None,
        dilemma_index=row[13],
        vote_rule=Rule(row[14]),
        max_rounds=row[15],
        paused_at=row[16],
        time_zone=row[17],
        waking_from=row[18],
        waking_until=row[19],
        reminders=bool(row[20]),
        previous_id=row[21],
        own_dilemmas=tuple(json.loads(row[22])),
    )


def participant_from_row(row: Any) -> Participant:
    return Participant(
        session_id=row[0],
        user_id=row[1],
        chat_id=row[2],
        name=row[3],
        locale=row[4],
        step=Step(row[5]),
        order_seed=row[6],
        joined_at=row[7],
        lens_index=row[8],
        paused=bool(row[9]),
        age_band=row[10],
        organisation=row[11],
        selection=tuple(row[12].split(",")) if row[12] else (),
        moving=row[13],
        unreachable=bool(row[14]),
        table_number=row[15],
        story_card=row[16],
        revision=Revision(row[17]) if row[17] is not None else None,
        round_choice=RoundChoice(row[18]) if row[18] is not None else None,
        muted=bool(row[19]),
        on_board=bool(row[20]),
    )


class Base:
    """A transaction's cursor helpers, shared by every part of :class:`Transaction`."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def _one(self, sql: str, params: Iterable[Any] = ()) -> Any:
        return self._db.execute(sql, tuple(params)).fetchone()

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        return self._db.execute(sql, tuple(params)).fetchall()

    def schema_version(self) -> int:
        row = self._one("SELECT max(version) FROM schema_migrations")
        return int(row[0]) if row and row[0] else 0
