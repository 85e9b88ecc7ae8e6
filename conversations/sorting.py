"""The individual card sort: card order, one card at a time, the piles and the top.

Owns: dealing cards in a stable per-person order for each lens, rating, undo, pause,
the review of the five piles, choosing the top (``top_size`` cards) and the lens
comparison; and the same sort on the board (the Mini App), where a person places any
card of the lens on any pile in any order: while they sort there (``sorts_on_board``) the
chat shows one message that says so, and no move on the board costs a chat message.
Must not: know about joining or about the group.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from dataclasses import replace

from conversations.apply import apply
from conversations.decision import (
    STALE,
    Decision,
    DeleteRating,
    SaveParticipant,
    SaveRating,
    SaveTop,
    Toast,
)
from conversations.deck import Deck
from conversations.effects import (
    Effect,
    IntroduceLens,
    Say,
    ShowCard,
    ShowOnBoard,
    ShowPaused,
    ShowPiles,
    ShowTop,
    ShowTopPicker,
)
from conversations.events import (
    BoardOpened,
    CardPlaced,
    CardRated,
    PileCardMoved,
    PileCardPicked,
    PilesConfirmed,
    RatingUndone,
    SortPaused,
    TopCardToggled,
    TopConfirmed,
)
from conversations.model import Participant, ParticipantView, Step
from conversations.picking import toggle

LEVELS = range(1, 6)
MOST_IMPORTANT = 5
MAX_MOVES_SHOWN = 5


def card_order(deck: Deck, participant: Participant, lens_index: int) -> tuple[str, ...]:
    """This person's order of the cards for one lens: shuffled, and the same every time."""
    return _shuffled(deck.card_ids, f"{participant.order_seed}:{deck.lenses[lens_index].id}")


@functools.lru_cache(maxsize=4096)
def _shuffled(card_ids: tuple[str, ...], seed: str) -> tuple[str, ...]:
    ids = list(card_ids)
    random.Random(seed).shuffle(ids)
    return tuple(ids)


def _lens_ratings(view: ParticipantView, lens_index: int) -> Mapping[str, int]:
    return view.ratings.get(view.deck.lenses[lens_index].id, {})


def current_card(view: ParticipantView) -> tuple[int, str] | None:
    """(0-based position in the order, card id) of the card to rate next: the first one
    not rated yet (the board rates in any order), or None when all are rated. Every card
    before it is rated, so undo takes back the one just before it."""
    p = view.participant
    order = card_order(view.deck, p, p.lens_index)
    ratings = _lens_ratings(view, p.lens_index)
    if len(ratings) >= len(order):
        return None
    return next((i, card) for i, card in enumerate(order) if card not in ratings)


BOARD_STEPS = frozenset({Step.SORTING, Step.REVIEW, Step.TOP})
"""The steps a person can take on the board."""


def sorts_on_board(p: Participant) -> bool:
    return p.on_board and p.step in BOARD_STEPS


def piles(view: ParticipantView, lens_index: int) -> tuple[tuple[str, ...], ...]:
    """Card ids per level (index 0 = level 1), each pile in deck order."""
    ratings = _lens_ratings(view, lens_index)
    return tuple(
        tuple(card_id for card_id in view.deck.card_ids if ratings.get(card_id) == level)
        for level in LEVELS
    )


def top_candidates(view: ParticipantView) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(candidates, preselected) for the top of the last lens.

    Candidates come from the "most important" pile down, until there are at least
    ``top_size`` of them. Whole piles that fit in the top are preselected; the pile that
    does not fit is where the person chooses.
    """
    by_level = piles(view, len(view.deck.lenses) - 1)
    size = view.deck.top_size
    candidates: list[str] = []
    preselected: list[str] = []
    for pile in reversed(by_level):
        if len(candidates) >= size:
            break
        if len(candidates) + len(pile) <= size:
            preselected.extend(pile)
        candidates.extend(pile)
    return tuple(candidates), tuple(preselected)


def show_sort_step(view: ParticipantView, *, fresh: bool) -> tuple[Effect, ...]:
    """The message that shows where this person stands in the sort."""
    p, deck = view.participant, view.deck
    if sorts_on_board(p):
        return (ShowOnBoard(p.chat_id, p.locale, p.session_id, fresh=fresh),)
    if p.step is Step.SORTING:
        total = len(deck.cards)
        current = current_card(view)
        if current is None:  # cannot happen: the last rating moves on to the review
            return _review(view, fresh=fresh)
        number = len(_lens_ratings(view, p.lens_index)) + 1
        if p.paused:
            return (ShowPaused(p.chat_id, p.locale, p.session_id, number, total),)
        return (
            ShowCard(
                p.chat_id,
                p.locale,
                p.session_id,
                deck.id,
                p.lens_index,
                current[1],
                number,
                total,
                fresh=fresh,
            ),
        )
    if p.step is Step.REVIEW:
        return _review(view, fresh=fresh)
    if p.step is Step.TOP:
        candidates, _ = top_candidates(view)
        return (
            ShowTopPicker(
                p.chat_id,
                p.locale,
                p.session_id,
                deck.id,
                candidates,
                p.selection,
                deck.top_size,
                fresh=fresh,
            ),
        )
    if p.step is Step.DONE:
        return (show_top(view, fresh=fresh),)
    raise ValueError(f"not a sort step: {p.step}")


def _review(view: ParticipantView, *, fresh: bool) -> tuple[Effect, ...]:
    p = view.participant
    return (
        ShowPiles(
            p.chat_id,
            p.locale,
            p.session_id,
            view.deck.id,
            p.lens_index,
            piles(view, p.lens_index),
            moving=p.moving,
            fresh=fresh,
        ),
    )


def _shown(before: Participant, after: ParticipantView) -> tuple[Effect, ...]:
    """The chat's sort screen after a change: nothing while the person sorts on the board
    and did before (their chat already says so)."""
    if before.on_board and sorts_on_board(after.participant):
        return ()
    return show_sort_step(after, fresh=False)


def begin_lens(view: ParticipantView, lens_index: int) -> tuple[Participant, tuple[Effect, ...]]:
    """Move the person to the first card of a lens: the lens prompt, then a new card message."""
    p = view.participant.moved_to(Step.SORTING, lens_index=lens_index, paused=False)
    if sorts_on_board(p):  # the board shows the next lens itself
        return p, ()
    first = apply(view, (SaveParticipant(p),))
    intro = IntroduceLens(
        p.chat_id, p.locale, p.session_id, view.deck.id, lens_index, len(view.deck.lenses)
    )
    return p, (intro, *show_sort_step(first, fresh=True))


def rate(view: ParticipantView, event: CardRated) -> Decision:
    p, deck = view.participant, view.deck
    if p.lens_index != event.lens_index or p.paused:
        return STALE
    if event.level not in LEVELS:
        return Decision(toast=Toast("invalid_button"))
    current = current_card(view)
    if current is None or current[1] != event.card_id:
        already = event.card_id in _lens_ratings(view, event.lens_index)
        return Decision(toast=Toast("already_rated" if already else "stale_button"))
    position, card_id = current
    lens_id = deck.lenses[p.lens_index].id
    rating = SaveRating(p.session_id, p.user_id, lens_id, card_id, event.level, position, event.at)
    if len(_lens_ratings(view, p.lens_index)) + 1 < len(deck.cards):
        return Decision(changes=(rating,), effects=_shown(p, apply(view, (rating,))))
    changes = (rating, SaveParticipant(p.moved_to(Step.REVIEW, moving=None)))
    return Decision(changes=changes, effects=_shown(p, apply(view, changes)))


def undo(view: ParticipantView, event: RatingUndone) -> Decision:
    p = view.participant
    current = current_card(view)
    if p.paused or p.lens_index != event.lens_index or current is None:
        return STALE
    if current[1] != event.card_id:
        return STALE
    position = current[0]
    if position == 0:
        return Decision(toast=Toast("nothing_to_undo"))
    lens_id = view.deck.lenses[p.lens_index].id
    previous = card_order(view.deck, p, p.lens_index)[position - 1]
    changes = (DeleteRating(p.session_id, p.user_id, lens_id, previous),)
    return Decision(
        changes=changes,
        effects=_shown(p, apply(view, changes)),
        toast=Toast("undone"),
    )


def pause(view: ParticipantView, event: SortPaused) -> Decision:
    p = view.participant
    if p.paused:
        return STALE
    changes = (SaveParticipant(replace(p, paused=True)),)
    return Decision(changes=changes, effects=_shown(p, apply(view, changes)))


def open_board(view: ParticipantView, event: BoardOpened) -> Decision:
    """The person sorts on the board from now on: their chat says so (once)."""
    p = view.participant
    if p.on_board:
        return Decision()
    changes = (SaveParticipant(replace(p, on_board=True, paused=False, moving=None)),)
    return Decision(changes=changes, effects=_shown(p, apply(view, changes)))


def place_card(view: ParticipantView, event: CardPlaced) -> Decision:
    """A card put on a pile on the board; once every card of the lens lies on one, the
    review (confirming the piles) follows. Placing a card where it lies changes nothing."""
    p, deck = view.participant, view.deck
    if p.lens_index != event.lens_index:
        return STALE
    if event.level not in LEVELS or event.card_id not in deck.card_ids:
        return Decision(toast=Toast("invalid_button"))
    ratings = _lens_ratings(view, p.lens_index)
    moved = replace(p, on_board=True, paused=False, moving=None)
    if p.step is Step.SORTING and len(ratings) + (event.card_id not in ratings) == len(deck.cards):
        moved = moved.moved_to(Step.REVIEW)
    changes: list[SaveParticipant | SaveRating] = [SaveParticipant(moved)] if moved != p else []
    if ratings.get(event.card_id) != event.level:
        lens_id = deck.lenses[p.lens_index].id
        position = card_order(deck, p, p.lens_index).index(event.card_id)
        rating = SaveRating(
            p.session_id, p.user_id, lens_id, event.card_id, event.level, position, event.at
        )
        changes.append(rating)
    if not changes:
        return Decision()
    return Decision(changes=tuple(changes), effects=_shown(p, apply(view, changes)))


def pick_pile_card(view: ParticipantView, event: PileCardPicked) -> Decision:
    p = view.participant
    if p.lens_index != event.lens_index:
        return STALE
    if event.card_id is not None and event.card_id not in _lens_ratings(view, p.lens_index):
        return Decision(toast=Toast("invalid_button"))
    if p.moving == event.card_id:
        return Decision()
    changes = (SaveParticipant(replace(p, moving=event.card_id)),)
    return Decision(changes=changes, effects=_shown(p, apply(view, changes)))


def move_pile_card(view: ParticipantView, event: PileCardMoved) -> Decision:
    p, deck = view.participant, view.deck
    if p.lens_index != event.lens_index or p.moving != event.card_id:
        return STALE
    if event.level not in LEVELS:
        return Decision(toast=Toast("invalid_button"))
    lens_id = deck.lenses[p.lens_index].id
    changes: list[SaveParticipant | SaveRating] = [SaveParticipant(replace(p, moving=None))]
    if _lens_ratings(view, p.lens_index).get(event.card_id) != event.level:
        position = card_order(deck, p, p.lens_index).index(event.card_id)
        changes.append(
            SaveRating(
                p.session_id, p.user_id, lens_id, event.card_id, event.level, position, event.at
            )
        )
    return Decision(changes=tuple(changes), effects=_shown(p, apply(view, changes)))


def confirm_piles(view: ParticipantView, event: PilesConfirmed) -> Decision:
    p, deck = view.participant, view.deck
    if p.lens_index != event.lens_index:
        return STALE
    if p.lens_index + 1 < len(deck.lenses):
        moved, effects = begin_lens(view, p.lens_index + 1)
        return Decision(changes=(SaveParticipant(moved),), effects=effects)
    _, preselected = top_candidates(view)  # the last lens's piles, as just confirmed
    changes = (SaveParticipant(p.moved_to(Step.TOP, moving=None, selection=preselected)),)
    return Decision(changes=changes, effects=_shown(p, apply(view, changes)))


def toggle_top_card(view: ParticipantView, event: TopCardToggled) -> Decision:
    p = view.participant
    candidates, _ = top_candidates(view)
    if event.card_id not in candidates:
        return STALE
    selection = toggle(p.selection, event.card_id, view.deck.top_size)
    if isinstance(selection, Decision):
        return selection
    changes = (SaveParticipant(replace(p, selection=selection)),)
    return Decision(changes=changes, effects=_shown(p, apply(view, changes)))


def confirm_top(view: ParticipantView, event: TopConfirmed) -> Decision:
    p, deck = view.participant, view.deck
    if len(p.selection) != deck.top_size:
        return Decision(toast=Toast("top_incomplete", {"size": deck.top_size}), effects=())
    changes = (
        SaveTop(p.session_id, p.user_id, p.selection, event.at),
        SaveParticipant(p.moved_to(Step.DONE)),
    )
    return Decision(
        changes=changes,
        effects=(show_top(apply(view, changes)), Say(p.chat_id, p.locale, "sort_done")),
    )


def show_top(view: ParticipantView, *, fresh: bool = False) -> ShowTop:
    """The chosen top and, with two or more lenses, the cards that moved most between them."""
    p, deck = view.participant, view.deck
    lens_ids: tuple[str, str] | None = None
    moves: tuple[tuple[str, int, int], ...] = ()
    if len(deck.lenses) >= 2:
        first, last = deck.lenses[0].id, deck.lenses[-1].id
        lens_ids = (first, last)
        before, after = view.ratings.get(first, {}), view.ratings.get(last, {})
        changed = [
            (card_id, before[card_id], after[card_id])
            for card_id in deck.card_ids
            if card_id in before and card_id in after and before[card_id] != after[card_id]
        ]
        changed.sort(key=lambda move: -abs(move[2] - move[1]))
        moves = tuple(changed[:MAX_MOVES_SHOWN])
    return ShowTop(p.chat_id, p.locale, p.session_id, deck.id, view.top, moves, lens_ids, fresh)
