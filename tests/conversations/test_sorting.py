"""The card sort through the core's public API: one card at a time, piles, top, lenses."""

from __future__ import annotations

from conftest import Workshop

from conversations import events as ev
from conversations.effects import (
    IntroduceLens,
    Say,
    ShowCard,
    ShowPaused,
    ShowPiles,
    ShowTop,
    ShowTopPicker,
)
from conversations.model import Step
from conversations.sorting import card_order

USER = 42


def ready_to_sort(w: Workshop, user: int = USER) -> ShowCard:
    """A session that sorts on joining, and one person through consent and profile."""
    w.new_session()
    w.send(ev.SettingChanged(w.now(), -100, 1, True, "start", "join"))
    w.join(user)
    w.send(ev.ConsentAnswered(w.now(), 1, user, True))
    w.send(ev.AgeBandAnswered(w.now(), 1, user, None))
    decision = w.send(ev.TextReceived(w.now(), 1, user, "  Gemeente   Utrecht "))
    card = decision.effects[-1]
    assert isinstance(card, ShowCard)
    return card


def rate(w: Workshop, card: ShowCard, level: int, user: int = USER) -> object:
    decision = w.send(ev.CardRated(w.now(), 1, user, card.lens_index, card.card_id, level))
    return decision.effects[-1]


def sort_lens(
    w: Workshop, first: ShowCard, level_of: dict[str, int], user: int = USER
) -> ShowPiles:
    shown: object = first
    while isinstance(shown, ShowCard):
        shown = rate(w, shown, level_of.get(shown.card_id, 3), user)
    assert isinstance(shown, ShowPiles)
    return shown


def test_first_card_follows_the_lens_prompt_in_a_new_message(workshop: Workshop) -> None:
    card = ready_to_sort(workshop)
    intro = workshop.outbox[-2]
    assert isinstance(intro, IntroduceLens) and intro.lens_index == 0
    assert card.position == 1 and card.total == 30 and card.fresh
    assert workshop.participant(USER).organisation == "Gemeente Utrecht"


def test_each_rating_shows_the_next_card_in_place_until_the_piles(workshop: Workshop) -> None:
    card = ready_to_sort(workshop)
    order = card_order(workshop.deck, workshop.participant(USER), 0)
    assert card.card_id == order[0]
    for position in range(1, 30):
        nxt = rate(workshop, card, 5 if position % 2 else 1)
        assert isinstance(nxt, ShowCard)
        assert (nxt.card_id, nxt.position, nxt.fresh) == (order[position], position + 1, False)
        card = nxt
    piles = rate(workshop, card, 4)
    assert isinstance(piles, ShowPiles)
    assert sum(len(p) for p in piles.piles) == 30
    assert workshop.participant(USER).step is Step.REVIEW
    assert len(workshop.ratings[(1, USER)]["professional"]) == 30


def test_order_is_stable_and_differs_per_person_and_lens(workshop: Workshop) -> None:
    ready_to_sort(workshop, 1001)
    ready_to_sort_again = workshop.participant(1001)
    deck = workshop.deck
    assert card_order(deck, ready_to_sort_again, 0) == card_order(deck, ready_to_sort_again, 0)
    assert card_order(deck, ready_to_sort_again, 0) != card_order(deck, ready_to_sort_again, 1)
    workshop.join(1002)
    other = workshop.participant(1002)
    assert card_order(deck, other, 0) != card_order(deck, ready_to_sort_again, 0)
    assert sorted(card_order(deck, other, 0)) == sorted(deck.card_ids)


def test_a_repeated_or_stale_tap_changes_nothing(workshop: Workshop) -> None:
    card = ready_to_sort(workshop)
    rate(workshop, card, 5)
    before = dict(workshop.ratings[(1, USER)]["professional"])
    again = workshop.send(ev.CardRated(workshop.now(), 1, USER, 0, card.card_id, 2))
    assert again.changes == () and again.toast is not None
    assert again.toast.key == "already_rated"
    assert workshop.ratings[(1, USER)]["professional"] == before
    other_lens = workshop.send(ev.CardRated(workshop.now(), 1, USER, 1, card.card_id, 2))
    assert other_lens.changes == () and other_lens.toast and other_lens.toast.key == "stale_button"


def test_undo_takes_back_the_last_rating_and_shows_that_card(workshop: Workshop) -> None:
    first = ready_to_sort(workshop)
    first_undo = workshop.send(ev.RatingUndone(workshop.now(), 1, USER, 0, first.card_id))
    assert (
        first_undo.changes == () and first_undo.toast and first_undo.toast.key == "nothing_to_undo"
    )
    second = rate(workshop, first, 5)
    assert isinstance(second, ShowCard)
    undone = workshop.send(ev.RatingUndone(workshop.now(), 1, USER, 0, second.card_id))
    shown = undone.effects[-1]
    assert isinstance(shown, ShowCard) and shown.card_id == first.card_id and shown.position == 1
    assert workshop.ratings[(1, USER)]["professional"] == {}


def test_pause_and_continue(workshop: Workshop) -> None:
    card = ready_to_sort(workshop)
    paused = workshop.send(ev.SortPaused(workshop.now(), 1, USER))
    assert isinstance(paused.effects[-1], ShowPaused)
    blocked = workshop.send(ev.CardRated(workshop.now(), 1, USER, 0, card.card_id, 5))
    assert blocked.changes == ()
    resumed = workshop.send(ev.ContinueRequested(workshop.now(), 1, USER))
    shown = resumed.effects[-1]
    assert isinstance(shown, ShowCard) and shown.card_id == card.card_id and shown.fresh
    assert not workshop.participant(USER).paused


def test_review_moves_a_card_to_another_pile(workshop: Workshop) -> None:
    piles = sort_lens(workshop, ready_to_sort(workshop), {})
    card_id = piles.piles[2][0]
    picked = workshop.send(ev.PileCardPicked(workshop.now(), 1, USER, 0, card_id))
    assert isinstance(picked.effects[-1], ShowPiles) and picked.effects[-1].moving == card_id
    moved = workshop.send(ev.PileCardMoved(workshop.now(), 1, USER, 0, card_id, 5))
    after = moved.effects[-1]
    assert isinstance(after, ShowPiles) and after.moving is None
    assert after.piles[4] == (card_id,)
    assert workshop.ratings[(1, USER)]["professional"][card_id] == 5
    not_picked = workshop.send(ev.PileCardMoved(workshop.now(), 1, USER, 0, card_id, 1))
    assert not_picked.changes == ()


def test_two_lenses_then_the_top_four_and_the_comparison(workshop: Workshop) -> None:
    deck = workshop.deck
    ids = deck.card_ids
    lens1 = {ids[0]: 5, ids[1]: 5, ids[2]: 4, ids[3]: 4, ids[4]: 4, ids[5]: 1}
    piles = sort_lens(workshop, ready_to_sort(workshop), lens1)
    confirmed = workshop.send(ev.PilesConfirmed(workshop.now(), 1, USER, 0))
    intro, card = confirmed.effects
    assert isinstance(intro, IntroduceLens) and intro.lens_index == 1
    assert isinstance(card, ShowCard) and card.fresh and card.lens_index == 1
    lens2 = {ids[0]: 5, ids[1]: 5, ids[2]: 4, ids[3]: 4, ids[4]: 4, ids[5]: 5}
    piles = sort_lens(workshop, card, lens2)
    assert piles.lens_index == 1
    done = workshop.send(ev.PilesConfirmed(workshop.now(), 1, USER, 1))
    picker = done.effects[-1]
    assert isinstance(picker, ShowTopPicker)
    # three cards in "most important" fit in a top four: they are chosen already,
    # the fourth comes from the next pile down
    assert set(picker.selected) == {ids[0], ids[1], ids[5]}
    assert set(picker.candidates) == {ids[0], ids[1], ids[5], ids[2], ids[3], ids[4]}
    early = workshop.send(ev.TopConfirmed(workshop.now(), 1, USER))
    assert early.changes == () and early.toast and early.toast.key == "top_incomplete"
    workshop.send(ev.TopCardToggled(workshop.now(), 1, USER, ids[3]))
    full = workshop.send(ev.TopCardToggled(workshop.now(), 1, USER, ids[4]))
    assert full.toast and full.toast.key == "top_full"
    not_candidate = workshop.send(ev.TopCardToggled(workshop.now(), 1, USER, ids[9]))
    assert not_candidate.changes == ()
    finished = workshop.send(ev.TopConfirmed(workshop.now(), 1, USER))
    top = finished.effects[0]
    assert isinstance(top, ShowTop)
    assert set(top.top) == {ids[0], ids[1], ids[5], ids[3]}
    assert top.moves[0] == (ids[5], 1, 5)
    assert isinstance(finished.effects[-1], Say) and finished.effects[-1].template == "sort_done"
    assert workshop.tops[(1, USER)] == top.top
    assert workshop.participant(USER).step is Step.DONE


def test_a_crowded_most_important_pile_is_chosen_from(workshop: Workshop) -> None:
    ids = workshop.deck.card_ids
    levels = {card_id: 5 for card_id in ids[:7]}
    sort_lens(workshop, ready_to_sort(workshop), levels)
    workshop.send(ev.PilesConfirmed(workshop.now(), 1, USER, 0))
    card = workshop.outbox[-1]
    sort_lens(workshop, card, levels)
    picker = workshop.send(ev.PilesConfirmed(workshop.now(), 1, USER, 1)).effects[-1]
    assert isinstance(picker, ShowTopPicker)
    assert set(picker.candidates) == set(ids[:7]) and picker.selected == ()
