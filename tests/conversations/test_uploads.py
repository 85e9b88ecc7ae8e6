"""An uploaded deck: what its sender is told, and which ids they may take."""

from __future__ import annotations

from dataclasses import replace

from conversations import events as ev
from conversations.decision import SaveDeck
from conversations.deck import Deck
from conversations.effects import Say
from conversations.machine import handle
from conversations.uploads import DeckView

LIBRARY = DeckView(frozenset({"goed-werk"}), {"team": 7})


def upload(deck: Deck | None, user_id: int = 7, **facts: object) -> ev.DeckUploaded:
    found = ev.DeckUploaded(1.0, user_id, user_id, "en", True, "team.toml", deck=deck)
    return replace(found, **facts)


def said(event: ev.DeckUploaded) -> str:
    (effect,) = handle(LIBRARY, event).effects
    assert isinstance(effect, Say) and effect.chat_id == event.chat_id
    return effect.template


def test_the_owner_replaces_their_deck_and_nobody_takes_a_builtin_or_anothers(
    deck: Deck,
) -> None:
    mine = replace(deck, id="team")
    decision = handle(LIBRARY, upload(mine, content="..."))
    assert [type(c) for c in decision.changes] == [SaveDeck]
    assert said(upload(mine, user_id=8)) == "deck_id_taken"
    assert said(upload(deck, user_id=7)) == "deck_id_taken", "goed-werk is built in"
    assert handle(LIBRARY, upload(replace(deck, id="fresh"), user_id=8)).changes != ()


def test_refusals_and_problems_change_nothing(deck: Deck) -> None:
    assert said(upload(deck, may_upload=False)) == "deck_upload_refused"
    assert said(upload(None, too_big=True)) == "deck_upload_too_big"
    assert said(upload(None, fetched=False)) == "deck_upload_failed"
    problems = upload(None, problems=("line 1: bad",), problem_count=3)
    assert handle(LIBRARY, problems).changes == ()
    (effect,) = handle(LIBRARY, problems).effects
    assert isinstance(effect, Say) and effect.params["more"] == 2
