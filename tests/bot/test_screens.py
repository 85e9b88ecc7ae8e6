"""Long messages are cut into valid parts between paragraphs; a card's screen, kept
rendered, is the same in every chat it goes to and follows a replaced deck."""

from __future__ import annotations

from dataclasses import replace

from bot.decks.files import load_builtin_decks
from bot.render import Renderer
from bot.telegram.screens import Screens, split_long
from conversations import effects as fx
from conversations.deck import Deck


def test_short_messages_stay_whole() -> None:
    assert split_long("<b>hi</b>\n\nthere", 100) == ["<b>hi</b>\n\nthere"]


def test_long_messages_are_cut_between_paragraphs() -> None:
    paragraphs = [f"<b>Table {n}</b>\n• Ann\n• Bo" for n in range(1, 200)]
    text = "\n\n".join(paragraphs)
    parts = split_long(text, 500)
    assert len(parts) > 1
    assert all(len(part) <= 500 for part in parts)
    assert "\n\n".join(parts) == text, "nothing is lost or reordered"
    assert all(part.count("<b>") == part.count("</b>") for part in parts)


def test_a_paragraph_longer_than_a_message_is_cut_between_lines() -> None:
    text = "\n".join(f"• person {n}" for n in range(300))
    parts = split_long(text, 400)
    assert all(len(part) <= 400 for part in parts)
    assert "\n".join(parts) == text


def card_screens(decks: dict[str, Deck]) -> Screens:
    return Screens(Renderer(), decks.__getitem__, "valuecards_bot")


def test_a_card_shown_to_many_is_the_same_screen_in_each_chat() -> None:
    deck = load_builtin_decks()["goed-werk"]
    screens = card_screens({deck.id: deck})
    card = deck.card_ids[3]
    ann, bob = (fx.ShowCard(chat, "en", 1, deck.id, 0, card, 4, 30) for chat in (41, 42))

    first, second, again = screens.screen(ann), screens.screen(bob), screens.screen(ann)

    assert (first.chat_id, second.chat_id, again.chat_id) == (41, 42, 41)
    assert first == again and replace(second, chat_id=41) == first
    assert "Card 4 of 30" in first.text and first.slot == "main:1"
    next_card = screens.screen(replace(ann, card_id=deck.card_ids[4], position=5))
    assert "Card 5 of 30" in next_card.text and next_card.text != first.text


def test_a_card_screen_follows_a_deck_replaced_under_the_same_id() -> None:
    deck = load_builtin_decks()["goed-werk"]
    library = {deck.id: deck}
    screens = card_screens(library)
    card = deck.card(deck.card_ids[0])
    show = fx.ShowCard(41, "en", 1, deck.id, 0, card.id, 1, 30)
    before = screens.screen(show)
    renamed = replace(card, title={**card.title, "en": "Renamed by an upload"})
    library[deck.id] = replace(
        deck, cards=tuple(renamed if c.id == card.id else c for c in deck.cards)
    )

    after = screens.screen(show)

    assert "Renamed by an upload" in after.text and "Renamed by an upload" not in before.text
