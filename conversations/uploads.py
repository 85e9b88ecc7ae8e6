"""Decks facilitators upload in their private chat: who may, and which ids they may take.

Owns: the answer to an uploaded deck file (refused, too big, not fetched, its problems,
an id that is taken, or the deck kept for its owner) and the rule that a built-in deck's
id, or another person's upload's, cannot be taken. Must not: read or parse files (the
shell does, and reports what it found in ``DeckUploaded``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conversations.decision import Decision, SaveDeck
from conversations.deck import DECK_FILE_BYTES_MAX
from conversations.effects import Say
from conversations.events import DeckUploaded


@dataclass(frozen=True, slots=True)
class DeckView:
    """What an uploaded deck is decided on: the decks there are and who uploaded which."""

    builtin: frozenset[str]
    owners: Mapping[str, int]
    """deck id -> the user id of whoever uploaded it."""


def may_take(view: DeckView, deck_id: str, user_id: int) -> bool:
    """Whether ``user_id`` may keep a deck under ``deck_id``: a new id, or their own."""
    return deck_id not in view.builtin and view.owners.get(deck_id, user_id) == user_id


def upload(view: DeckView, event: DeckUploaded) -> Decision:
    def say(template: str, **params: str | int) -> Decision:
        return Decision(effects=(Say(event.chat_id, event.locale, template, params),))

    if not event.may_upload:
        return say("deck_upload_refused")
    if event.too_big:
        return say("deck_upload_too_big", limit=DECK_FILE_BYTES_MAX // 1024)
    if not event.fetched:
        return say("deck_upload_failed")
    deck = event.deck
    if deck is None:
        return say(
            "deck_problems",
            count=event.problem_count,
            problems="\n".join(event.problems),
            more=event.problem_count - len(event.problems),
        )
    if not may_take(view, deck.id, event.user_id):
        return say("deck_id_taken", deck_id=deck.id)
    added = say(
        "deck_added",
        deck_id=deck.id,
        cards=len(deck.cards),
        title=deck.text(deck.title, event.locale),
    )
    kept = SaveDeck(deck, event.user_id, event.filename, event.content)
    return Decision(changes=(kept,), effects=added.effects)
