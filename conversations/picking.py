"""Choosing up to a number of cards with toggle buttons (the top, a revision, a vote).

Owns: the one rule of a toggle picker: tapping a chosen card un-chooses it, tapping
another adds it while there is room. Must not: know which cards may be chosen.
"""

from __future__ import annotations

from conversations.decision import Decision, Toast


def toggle(selection: tuple[str, ...], card_id: str, limit: int) -> tuple[str, ...] | Decision:
    """The selection after tapping ``card_id``, or the answer when it is already full."""
    if card_id in selection:
        return tuple(c for c in selection if c != card_id)
    if len(selection) >= limit:
        return Decision(toast=Toast("top_full", {"size": limit}))
    return (*selection, card_id)
