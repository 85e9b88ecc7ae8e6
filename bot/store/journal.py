"""De-duplication of updates and the event log.

Owns: claiming an update id once (a second delivery of the same update is recognised),
and the log of every event that changed a session. Must not: decide anything.
"""

from __future__ import annotations

from typing import Any

from bot.codec import encode
from bot.store.rows import Base


class Journal(Base):
    """Which updates were handled, and what happened."""

    def claim_update(self, update_id: int, at: float) -> bool:
        """Record a Telegram update as handled; False if it was handled before."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)",
            (update_id, at),
        )
        return cur.rowcount == 1

    def log_event(
        self, kind: str, at: float, session_id: int | None, user_id: int | None, record: Any
    ) -> None:
        self._db.execute(
            "INSERT INTO events (at, kind, session_id, user_id, payload) VALUES (?, ?, ?, ?, ?)",
            (at, kind, session_id, user_id, encode(record)),
        )
