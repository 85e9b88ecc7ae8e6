"""Writing the core's changes.

Owns: applying each ``Change`` of a decision to its rows, forgetting a person and deleting
a session (with ``secure_delete``). Must not: decide anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from bot.store.rows import PARTICIPANT_COLUMNS, SESSION_COLUMNS
from bot.store.uploads import UploadedDecks
from conversations.decision import (
    Change,
    DeleteDeadline,
    DeleteRating,
    DeleteSession,
    ForgetPerson,
    MarkSimulated,
    SaveDeadline,
    SaveDeck,
    SaveParticipant,
    SaveRating,
    SaveReminded,
    SaveRevisedTop,
    SaveSession,
    SaveStory,
    SaveTable,
    SaveTop,
    SaveVote,
)
from conversations.model import Participant, Session


class Writes(UploadedDecks):
    """Applies a decision's changes."""

    def apply(self, changes: Iterable[Change], at: float | None = None) -> None:
        """Save ``changes``, made by an event at ``at`` (when a person's step changes, the
        time is kept: reminders wait a day from then)."""
        for change in changes:
            if isinstance(change, SaveRating):
                self._db.execute(
                    "INSERT INTO ratings (session_id, user_id, lens_id, card_id, level, position,"
                    " rated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (session_id, user_id, lens_id, card_id)"
                    " DO UPDATE SET level = excluded.level, rated_at = excluded.rated_at",
                    (
                        change.session_id,
                        change.user_id,
                        change.lens_id,
                        change.card_id,
                        change.level,
                        change.position,
                        change.at,
                    ),
                )
            elif isinstance(change, DeleteRating):
                self._db.execute(
                    "DELETE FROM ratings WHERE session_id = ? AND user_id = ? AND lens_id = ?"
                    " AND card_id = ?",
                    (change.session_id, change.user_id, change.lens_id, change.card_id),
                )
            elif isinstance(change, SaveParticipant):
                self._save_participant(change.participant, at)
            elif isinstance(change, SaveSession):
                self._save_session(change.session)
            elif isinstance(change, SaveTable):
                t = change.table
                self._db.execute(
                    "INSERT INTO tables (session_id, number, stage, round, agreed, outcome, note)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, number) DO UPDATE"
                    " SET stage = excluded.stage, round = excluded.round,"
                    " agreed = excluded.agreed, outcome = excluded.outcome, note = excluded.note",
                    (
                        t.session_id,
                        t.number,
                        t.stage.value,
                        t.round,
                        ",".join(t.agreed),
                        t.outcome,
                        t.note,
                    ),
                )
            elif isinstance(change, SaveVote):
                self._db.execute(
                    "INSERT OR REPLACE INTO ballots (session_id, user_id, round, voted_at)"
                    " VALUES (?, ?, ?, ?)",
                    (change.session_id, change.user_id, change.round, change.at),
                )
                self._db.execute(
                    "DELETE FROM votes WHERE session_id = ? AND user_id = ? AND round = ?",
                    (change.session_id, change.user_id, change.round),
                )
                self._db.executemany(
                    "INSERT INTO votes (session_id, user_id, round, card_id, voted_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [
                        (change.session_id, change.user_id, change.round, c, change.at)
                        for c in change.cards
                    ],
                )
            elif isinstance(change, SaveStory):
                self._db.execute(
                    "INSERT INTO stories (session_id, user_id, card_id, text, told_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, user_id, card_id)"
                    " DO UPDATE SET text = excluded.text, told_at = excluded.told_at",
                    (change.session_id, change.user_id, change.card_id, change.text, change.at),
                )
            elif isinstance(change, SaveRevisedTop):
                self._save_top(
                    "revised_tops", change.session_id, change.user_id, change.cards, change.at
                )
            elif isinstance(change, DeleteSession):
                self._delete_session(change.session_id)
            elif isinstance(change, ForgetPerson):
                self._forget(change.user_id)
            elif isinstance(change, SaveTop):
                self._save_top("tops", change.session_id, change.user_id, change.cards, change.at)
            elif isinstance(change, SaveDeadline):
                d = change.deadline
                self._db.execute(
                    "INSERT INTO deadlines (session_id, stage, due_at, fired_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (session_id, stage)"
                    " DO UPDATE SET due_at = excluded.due_at, fired_at = excluded.fired_at",
                    (d.session_id, d.stage.value, d.due_at, d.fired_at),
                )
            elif isinstance(change, DeleteDeadline):
                self._db.execute(
                    "DELETE FROM deadlines WHERE session_id = ? AND stage = ?",
                    (change.session_id, change.stage.value),
                )
            elif isinstance(change, SaveReminded):
                self._db.execute(
                    "UPDATE participants SET reminded_at = ? WHERE session_id = ? AND user_id = ?",
                    (change.at, change.session_id, change.user_id),
                )
            elif isinstance(change, MarkSimulated):
                self._db.execute(
                    "INSERT OR IGNORE INTO simulated_participants"
                    " (session_id, user_id, profile_seed) VALUES (?, ?, ?)",
                    (change.session_id, change.user_id, change.profile_seed),
                )
            elif isinstance(change, SaveDeck):
                content = change.content.encode()
                self.save_uploaded_deck(
                    change.deck.id, change.owner_id, change.filename, content, at or 0.0
                )
            else:  # pragma: no cover - the Change union is closed
                raise TypeError(f"unknown change {change!r}")

    def _save_top(
        self, table: str, session_id: int, user_id: int, cards: tuple[str, ...], at: float
    ) -> None:
        self._db.execute(
            f"DELETE FROM {table} WHERE session_id = ? AND user_id = ?",
            (session_id, user_id),
        )
        self._db.executemany(
            f"INSERT INTO {table} (session_id, user_id, rank, card_id, chosen_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(session_id, user_id, rank, card, at) for rank, card in enumerate(cards, start=1)],
        )

    def _forget(self, user_id: int) -> None:
        """Delete a person's rows: participations (their ratings and tops go with them by
        cascade), their events, their private chat's outbox and screen.

        ``secure_delete`` makes SQLite overwrite the deleted bytes with zeros (many builds
        have it on by default, not all); ``Store.erase_traces`` then clears the WAL."""
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute("DELETE FROM participants WHERE user_id = ?", (user_id,))
        self._db.execute("DELETE FROM events WHERE user_id = ?", (user_id,))
        # Delivered messages to others may quote them (relayed texts, stories): all go.
        self._db.execute("DELETE FROM outbox WHERE delivered_at IS NOT NULL")
        self._db.execute("DELETE FROM message_slots WHERE chat_id = ?", (user_id,))

    def _delete_session(self, session_id: int) -> None:
        """Delete a session; its participants, ratings and tops go with it by cascade (their
        bytes overwritten, see ``_forget``)."""
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        self._db.execute("DELETE FROM events WHERE session_id = ?", (session_id,))
        self._db.execute("DELETE FROM message_slots WHERE slot LIKE ?", (f"%:{session_id}",))

    def participation_count(self, user_id: int) -> int:
        row = self._one("SELECT count(*) FROM participants WHERE user_id = ?", (user_id,))
        return int(row[0])

    def _save_session(self, s: Session) -> None:
        self._db.execute(
            f"INSERT INTO sessions ({SESSION_COLUMNS})"
            f" VALUES ({', '.join('?' * 23)})"
            " ON CONFLICT (id) DO UPDATE SET deck_id = excluded.deck_id,"
            " locale = excluded.locale, phase = excluded.phase,"
            " sort_on_join = excluded.sort_on_join,"
            " profile_questions = excluded.profile_questions,"
            " table_size = excluded.table_size, late_joins = excluded.late_joins,"
            " rooms = excluded.rooms, dilemma_index = excluded.dilemma_index,"
            " vote_rule = excluded.vote_rule, max_rounds = excluded.max_rounds,"
            " paused_at = excluded.paused_at, time_zone = excluded.time_zone,"
            " waking_from = excluded.waking_from, waking_until = excluded.waking_until,"
            " reminders = excluded.reminders, own_dilemmas = excluded.own_dilemmas",
            (
                s.id,
                s.group_chat_id,
                s.deck_id,
                s.locale,
                s.phase.value,
                s.join_code,
                s.created_by,
                s.created_at,
                int(s.sort_on_join),
                int(s.profile_questions),
                s.table_size,
                int(s.late_joins),
                s.rooms,
                s.dilemma_index,
                s.vote_rule,
                s.max_rounds,
                s.paused_at,
                s.time_zone,
                s.waking_from,
                s.waking_until,
                int(s.reminders),
                s.previous_id,
                json.dumps(s.own_dilemmas, ensure_ascii=False),
            ),
        )

    def _save_participant(self, p: Participant, at: float | None) -> None:
        self._db.execute(
            f"INSERT INTO participants ({PARTICIPANT_COLUMNS}, step_since)"
            f" VALUES ({', '.join('?' * 22)})"
            " ON CONFLICT (session_id, user_id) DO UPDATE SET chat_id = excluded.chat_id,"
            " name = excluded.name, locale = excluded.locale, step = excluded.step,"
            " lens_index = excluded.lens_index, paused = excluded.paused,"
            " age_band = excluded.age_band, organisation = excluded.organisation,"
            " selection = excluded.selection, moving = excluded.moving,"
            " unreachable = excluded.unreachable, table_number = excluded.table_number,"
            " story_card = excluded.story_card, revision = excluded.revision,"
            " round_choice = excluded.round_choice, muted = excluded.muted,"
            " on_board = excluded.on_board,"
            " step_since = CASE WHEN participants.step = excluded.step"
            " THEN participants.step_since ELSE excluded.step_since END",
            (
                p.session_id,
                p.user_id,
                p.chat_id,
                p.name,
                p.locale,
                p.step.value,
                p.order_seed,
                p.joined_at,
                p.lens_index,
                int(p.paused),
                p.age_band,
                p.organisation,
                ",".join(p.selection),
                p.moving,
                int(p.unreachable),
                p.table_number,
                p.story_card,
                p.revision,
                p.round_choice,
                int(p.muted),
                int(p.on_board),
                at,
            ),
        )
