"""The decks a session can use: the built-in ones and those facilitators uploaded.

Owns: the in-memory library of parsed decks, filled at start from ``decks/`` and from
the database. Must not: parse files itself (``files`` does) or run SQL.
"""

from __future__ import annotations

from collections.abc import Iterable

from conversations.deck import Deck
from conversations.uploads import DeckView


class UnknownDeck(KeyError):
    """No deck with this id is loaded."""


class DeckLibrary:
    def __init__(self, decks: Iterable[Deck] = ()) -> None:
        self._decks: dict[str, Deck] = {}
        self._owners: dict[str, int] = {}
        for deck in decks:
            self._decks[deck.id] = deck

    def add(self, deck: Deck, owner_id: int | None = None) -> None:
        self._decks[deck.id] = deck
        if owner_id is not None:
            self._owners[deck.id] = owner_id

    def get(self, deck_id: str) -> Deck:
        try:
            return self._decks[deck_id]
        except KeyError:
            raise UnknownDeck(deck_id) from None

    def __contains__(self, deck_id: object) -> bool:
        return deck_id in self._decks

    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._decks))

    def is_builtin(self, deck_id: str) -> bool:
        return deck_id in self._decks and deck_id not in self._owners

    def owner(self, deck_id: str) -> int | None:
        return self._owners.get(deck_id)

    def view(self) -> DeckView:
        """The library as the core decides an upload on it."""
        return DeckView(frozenset(self._decks) - set(self._owners), dict(self._owners))
