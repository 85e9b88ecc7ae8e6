"""The transactional outbox and the state of delivery.

Owns: the effects waiting to be delivered (written in the same transaction as the changes
that caused them), each effect's progress and retries, the message each chat's slot shows
(and whether it has buttons), and the forum thread of each table. Must not: talk to Telegram.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.codec import encode
from bot.store.rows import Base
from conversations.effects import Effect


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    chat_id: int
    kind: str
    payload: str
    attempts: int
    not_before: float
    steps_done: int = 0
    """Bot API calls of this effect that went out already (a long text is several)."""
    sent_message_id: int | None = None
    """The message one of those calls sent, for the effect's slot once it is delivered."""


@dataclass(frozen=True, slots=True)
class SlotMessage:
    """The message a chat's slot shows."""

    message_id: int
    buttons: bool
    """Whether it was sent or last edited with buttons (to be taken off when it is replaced
    by a new message)."""


class Outbox(Base):
    """The outbox and delivery state."""

    def enqueue(self, effects: Iterable[Effect], at: float) -> int:
        rows = [(at, e.chat_id, type(e).__name__, encode(e)) for e in effects]
        self._db.executemany(
            "INSERT INTO outbox (created_at, chat_id, kind, payload) VALUES (?, ?, ?, ?)", rows
        )
        return len(rows)

    def chats_with_pending_effects(self) -> list[tuple[int, float]]:
        """(chat id, when its oldest undelivered effect may be tried) per chat."""
        rows = self._all(
            "SELECT chat_id, not_before FROM outbox o WHERE delivered_at IS NULL"
            " AND failed IS NULL AND id = (SELECT min(id) FROM outbox i"
            " WHERE i.chat_id = o.chat_id AND delivered_at IS NULL AND failed IS NULL)"
        )
        return [(r[0], r[1]) for r in rows]

    def pending_effects(self, chat_id: int, limit: int) -> list[OutboxRow]:
        """A chat's undelivered effects in the order they were written."""
        rows = self._all(
            "SELECT id, chat_id, kind, payload, attempts, not_before, steps_done, sent_message_id"
            " FROM outbox"
            " WHERE chat_id = ? AND delivered_at IS NULL AND failed IS NULL ORDER BY id LIMIT ?",
            (chat_id, limit),
        )
        return [OutboxRow(*r) for r in rows]

    def mark_delivered(self, effect_id: int, at: float) -> None:
        self._db.execute("UPDATE outbox SET delivered_at = ? WHERE id = ?", (at, effect_id))

    def mark_steps_done(self, effect_id: int, steps: int, message_id: int | None) -> None:
        """The first ``steps`` Bot API calls of an effect went out (one of them sent
        ``message_id``, if not None): they are not to be made again."""
        self._db.execute(
            "UPDATE outbox SET steps_done = ?, sent_message_id = ? WHERE id = ?",
            (steps, message_id, effect_id),
        )

    def mark_failed(self, effect_id: int, reason: str) -> None:
        self._db.execute("UPDATE outbox SET failed = ? WHERE id = ?", (reason, effect_id))

    def postpone(self, effect_id: int, not_before: float) -> None:
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ? WHERE id = ?",
            (not_before, effect_id),
        )

    def prune(self, before: float) -> int:
        """Forget delivered messages and handled update ids older than ``before``: they
        are only needed for a short while, and messages hold personal data."""
        cur = self._db.execute(
            "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?", (before,)
        )
        self._db.execute("DELETE FROM processed_updates WHERE at < ?", (before,))
        return cur.rowcount

    def pending_count(self) -> int:
        row = self._one("SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed IS NULL")
        return int(row[0])

    def slot_message(self, chat_id: int, slot: str) -> int | None:
        row = self._one(
            "SELECT message_id FROM message_slots WHERE chat_id = ? AND slot = ?", (chat_id, slot)
        )
        return int(row[0]) if row else None

    def slot_messages(self, chat_id: int) -> dict[str, SlotMessage]:
        """Every slot of a chat and the message it shows."""
        rows = self._all(
            "SELECT slot, message_id, buttons FROM message_slots WHERE chat_id = ?", (chat_id,)
        )
        return {r[0]: SlotMessage(int(r[1]), bool(r[2])) for r in rows}

    def set_slot_message(
        self, chat_id: int, slot: str, message_id: int, buttons: bool = True
    ) -> None:
        self._db.execute(
            "INSERT INTO message_slots (chat_id, slot, message_id, buttons) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat_id, slot) DO UPDATE SET message_id = excluded.message_id,"
            " buttons = excluded.buttons",
            (chat_id, slot, message_id, int(buttons)),
        )

    def set_table_thread(self, session_id: int, number: int, thread_id: int) -> None:
        self._db.execute(
            "UPDATE tables SET thread_id = ? WHERE session_id = ? AND number = ?",
            (thread_id, session_id, number),
        )

    def table_thread(self, session_id: int, number: int) -> int | None:
        row = self._one(
            "SELECT thread_id FROM tables WHERE session_id = ? AND number = ?",
            (session_id, number),
        )
        return row[0] if row else None
