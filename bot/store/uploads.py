"""Decks uploaded by facilitators, kept as the bytes they sent.

Owns: saving and listing uploaded deck files. Must not: parse them.
"""

from __future__ import annotations

from bot.store.rows import Base


class UploadedDecks(Base):
    """Uploaded deck files."""

    def save_uploaded_deck(
        self, deck_id: str, owner_id: int, filename: str, content: bytes, at: float
    ) -> None:
        self._db.execute(
            "INSERT INTO uploaded_decks (deck_id, owner_id, filename, content, uploaded_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (deck_id) DO UPDATE SET"
            " owner_id = excluded.owner_id, filename = excluded.filename,"
            " content = excluded.content, uploaded_at = excluded.uploaded_at",
            (deck_id, owner_id, filename, content, at),
        )

    def uploaded_decks(self) -> list[tuple[str, int, str, bytes]]:
        rows = self._all(
            "SELECT deck_id, owner_id, filename, content FROM uploaded_decks ORDER BY deck_id"
        )
        return [(r[0], r[1], r[2], bytes(r[3])) for r in rows]
