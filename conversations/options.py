"""What a participant may do now: the one answer, from where they stand.

Owns: ``options``, every tap the person's current step offers, each one a participant
event the core accepts on this view (none of them is stale), and whether typing is what
their step asks for (an organisation, a story, a note). It is what "the buttons on their
screen" mean, independent of how a screen shows them: a simulated person, a test that
walks whole sessions or a web page can act on it. Taps that every screen offers (the
language, muting reminders) are not listed. Must not: decide anything (``machine`` and
the rules do) or do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations import events as ev
from conversations.deck import LEVELS
from conversations.model import AGE_BANDS, ParticipantView, Step
from conversations.phases import Phase
from conversations.sharing import revision_candidates
from conversations.sorting import current_card, top_candidates
from conversations.voting import vote_candidates


@dataclass(frozen=True, slots=True)
class Options:
    taps: tuple[ev.ParticipantEvent, ...]
    typing: bool = False
    """Their step asks for typed text."""


def options(view: ParticipantView, at: float) -> Options:
    """What the person may do now (nothing while a session is closed or paused)."""
    session, p = view.session, view.participant
    if session.paused_at is not None or session.phase is Phase.CLOSED:
        return Options(())
    s, u = p.session_id, p.user_id
    step = p.step
    if step is Step.CONSENT:
        return Options((ev.ConsentAnswered(at, s, u, True), ev.ConsentAnswered(at, s, u, False)))
    if step is Step.AGE:
        return Options(tuple(ev.AgeBandAnswered(at, s, u, b) for b in (*AGE_BANDS, None)))
    if step is Step.ORGANISATION:
        return Options((ev.OrganisationAnswered(at, s, u, None),), typing=True)
    if step is Step.SORTING:
        return Options(_sorting(view, at))
    if step is Step.REVIEW:
        return Options(_review(view, at))
    if step is Step.TOP:
        candidates, _ = top_candidates(view)
        return Options(_picking(view, candidates, at))
    if step is Step.STORY:
        if p.story_card is not None:
            return Options((), typing=True)
        chosen = tuple(ev.StoryCardChosen(at, s, u, card) for card in view.top)
        return Options((*chosen, ev.StoryCardChosen(at, s, u, None)))
    if step is Step.REVISE:
        return Options((ev.RevisionAnswered(at, s, u, True), ev.RevisionAnswered(at, s, u, False)))
    if step is Step.REVISING:
        return Options(_picking(view, revision_candidates(view), at))
    if step is Step.VOTING and view.table is not None:
        cards = tuple(c.card_id for c in vote_candidates(view.deck, view.table))
        toggles = _toggles(p.selection, cards, view.deck.top_size)
        taps = tuple(ev.VoteToggled(at, s, u, card) for card in toggles)
        return Options((*taps, ev.VoteConfirmed(at, s, u)))
    if step is Step.DECIDING:
        return Options((ev.RoundDecided(at, s, u, True), ev.RoundDecided(at, s, u, False)))
    if step is Step.NOTE:
        return Options((ev.NoteSkipped(at, s, u),), typing=True)
    return Options(())  # waiting for the others or the facilitator, declined, or done


def _sorting(view: ParticipantView, at: float) -> tuple[ev.ParticipantEvent, ...]:
    p = view.participant
    s, u, lens = p.session_id, p.user_id, p.lens_index
    if p.paused:
        return (ev.ContinueRequested(at, s, u),)
    current = current_card(view)
    if current is None:
        return ()
    position, card = current
    rated = tuple(ev.CardRated(at, s, u, lens, card, level) for level in LEVELS)
    undo = (ev.RatingUndone(at, s, u, lens, card),) if position > 0 else ()
    return (*rated, *undo, ev.SortPaused(at, s, u))


def _review(view: ParticipantView, at: float) -> tuple[ev.ParticipantEvent, ...]:
    p = view.participant
    s, u, lens = p.session_id, p.user_id, p.lens_index
    done = ev.PilesConfirmed(at, s, u, lens)
    if p.moving is not None:
        placed = tuple(ev.PileCardMoved(at, s, u, lens, p.moving, level) for level in LEVELS)
        return (*placed, ev.PileCardPicked(at, s, u, lens, None), done)
    rated = view.ratings.get(view.deck.lenses[lens].id, {})
    picked = tuple(ev.PileCardPicked(at, s, u, lens, card) for card in rated)
    return (*picked, done)


def _picking(
    view: ParticipantView, candidates: tuple[str, ...], at: float
) -> tuple[ev.ParticipantEvent, ...]:
    """A picker of ``top_size`` cards: toggles that change the selection, and confirming
    once it is full."""
    p = view.participant
    size = view.deck.top_size
    toggles = tuple(
        ev.TopCardToggled(at, p.session_id, p.user_id, card)
        for card in _toggles(p.selection, candidates, size)
    )
    full = len(p.selection) == size
    return (*toggles, ev.TopConfirmed(at, p.session_id, p.user_id)) if full else toggles


def _toggles(selection: tuple[str, ...], cards: tuple[str, ...], limit: int) -> tuple[str, ...]:
    """The cards whose tap changes ``selection``: any chosen one, and any other while
    there is room."""
    room = len(selection) < limit
    return tuple(card for card in cards if card in selection or room)
