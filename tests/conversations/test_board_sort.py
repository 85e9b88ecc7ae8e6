"""The sort on the board (the Mini App) through the core's public API: cards placed in
any order, the chat saying so once instead of showing cards, and back to the chat."""

from __future__ import annotations

from conftest import Workshop
from test_sorting import USER, ready_to_sort

from conversations import events as ev
from conversations.effects import ShowCard, ShowOnBoard, ShowPiles, ShowTop, ShowTopPicker
from conversations.model import Step
from conversations.options import options


def test_opening_the_board_replaces_the_chat_card_once(workshop: Workshop) -> None:
    ready_to_sort(workshop)
    opened = workshop.send(ev.BoardOpened(workshop.now(), 1, USER))
    (notice,) = opened.effects
    assert isinstance(notice, ShowOnBoard) and notice.chat_id == USER
    assert workshop.participant(USER).on_board
    again = workshop.send(ev.BoardOpened(workshop.now(), 1, USER))
    assert not again.changes and not again.effects


def test_cards_placed_in_any_order_cost_no_chat_message(workshop: Workshop) -> None:
    ready_to_sort(workshop)
    workshop.send(ev.BoardOpened(workshop.now(), 1, USER))
    cards = list(reversed(workshop.deck.card_ids))
    for n, card in enumerate(cards):
        placed = workshop.send(ev.CardPlaced(workshop.now(), 1, USER, 0, card, 1 + n % 5))
        assert placed.changes and not placed.effects, card
    lens = workshop.deck.lenses[0].id
    assert workshop.ratings[(1, USER)][lens] == {c: 1 + n % 5 for n, c in enumerate(cards)}
    assert workshop.participant(USER).step is Step.REVIEW
    moved = workshop.send(ev.CardPlaced(workshop.now(), 1, USER, 0, cards[0], 5))
    assert not moved.effects and workshop.ratings[(1, USER)][lens][cards[0]] == 5
    same = workshop.send(ev.CardPlaced(workshop.now(), 1, USER, 0, cards[0], 5))
    assert not same.changes and not same.effects
    next_lens = workshop.send(ev.PilesConfirmed(workshop.now(), 1, USER, 0))
    assert not next_lens.effects, "the board shows the next lens itself"
    assert workshop.participant(USER).lens_index == 1


def test_going_back_to_the_chat_shows_the_first_card_not_placed(workshop: Workshop) -> None:
    ready_to_sort(workshop)
    workshop.send(ev.BoardOpened(workshop.now(), 1, USER))
    for card in workshop.deck.card_ids[:5]:
        workshop.send(ev.CardPlaced(workshop.now(), 1, USER, 0, card, 4))
    back = workshop.send(ev.ContinueRequested(workshop.now(), 1, USER))
    (card,) = back.effects
    assert isinstance(card, ShowCard) and card.fresh
    assert card.position == 6, "five placed: this is the sixth card"
    assert card.card_id not in workshop.deck.card_ids[:5]
    assert not workshop.participant(USER).on_board
    rated = workshop.send(ev.CardRated(workshop.now(), 1, USER, 0, card.card_id, 2))
    assert isinstance(rated.effects[-1], ShowCard | ShowPiles)


def test_the_top_and_its_end_are_shown_in_the_chat_again(workshop: Workshop) -> None:
    ready_to_sort(workshop)
    workshop.send(ev.BoardOpened(workshop.now(), 1, USER))
    for lens in range(len(workshop.deck.lenses)):
        for n, card in enumerate(workshop.deck.card_ids):
            workshop.send(ev.CardPlaced(workshop.now(), 1, USER, lens, card, 5 if n < 4 else 2))
        workshop.send(ev.PilesConfirmed(workshop.now(), 1, USER, lens))
    p = workshop.participant(USER)
    assert p.step is Step.TOP and len(p.selection) == 4, "the seed's pile rule preselects"
    view = workshop.participant_view(1, USER)
    assert view is not None
    assert options(view, 1.0).taps[-1] == ev.TopConfirmed(1.0, 1, USER)
    done = workshop.send(ev.TopConfirmed(workshop.now(), 1, USER))
    assert isinstance(done.effects[0], ShowTop), "the chat follows: the sort's result"
    assert not isinstance(done.effects[0], ShowTopPicker)


def test_a_placement_on_another_lens_or_of_no_card_changes_nothing(workshop: Workshop) -> None:
    ready_to_sort(workshop)
    card = workshop.deck.card_ids[0]
    stale = workshop.send(ev.CardPlaced(workshop.now(), 1, USER, 1, card, 3))
    assert stale.toast is not None and stale.toast.key == "stale_button" and not stale.changes
    for forged in (
        ev.CardPlaced(0, 1, USER, 0, "no-such-card", 3),
        ev.CardPlaced(0, 1, USER, 0, card, 6),
    ):
        refused = workshop.send(forged)
        assert refused.toast is not None and refused.toast.key == "invalid_button"
        assert not refused.changes


def test_the_board_is_not_for_someone_still_answering_the_welcome(workshop: Workshop) -> None:
    workshop.new_session()
    workshop.join(USER)
    refused = workshop.send(ev.BoardOpened(workshop.now(), 1, USER))
    assert refused.toast is not None and refused.toast.key == "stale_button"
    assert not workshop.participant(USER).on_board
