"""What a participant's screen offers, and what they may do now: one answer for every shell.

Owns: ``taps``, every button of the screen an effect shows in a person's private chat,
each as the participant event a tap on it stands for (the chat's screens make one button
of each, in this order; the simulated people choose among them); ``asks``, which text a
screen asks to be typed (an organisation, a story, a note); and ``options``, what a
person may do now: the taps of the screen their step shows (``joining.show_step``) that
the core would act on, leaving out the ones it answers with a polite refusal (undoing
before the first card, choosing a fifth card of four, confirming an incomplete top), the
moves of the sort board (opening it; once there, putting any card of the lens on another
pile), and whether typing is asked for. A test that walks whole sessions acts on
``options``. Must not: decide anything (``machine`` and the rules do), word anything, or
do I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conversations import effects as fx
from conversations import events as ev
from conversations.deck import LEVELS
from conversations.joining import show_step
from conversations.model import LOCALES, ParticipantView, Step
from conversations.phases import Phase
from conversations.sorting import BOARD_STEPS, current_card, top_candidates

Taps = tuple[ev.Tap, ...]


@dataclass(frozen=True, slots=True)
class Options:
    taps: tuple[ev.Action, ...]
    typing: bool = False
    """Their step asks for typed text."""


def taps(effect: fx.Effect, at: float = 0.0) -> Taps:
    """Every button of a private screen showing ``effect`` (none for a message without
    buttons), as the events their taps stand for; ``at`` is the time stamped on them."""
    build = _TAPS.get(type(effect))
    return build(effect, effect.chat_id, at) if build is not None else ()


def asks(effect: fx.Effect) -> str | None:
    """The text a screen showing ``effect`` asks for: ``organisation``, ``story`` or
    ``note``; None when it asks for none."""
    return _ASKS.get(type(effect))


def options(view: ParticipantView, at: float) -> Options:
    """What the person may do now (nothing while a session is closed or paused)."""
    session = view.session
    if session.paused_at is not None or session.phase is Phase.CLOSED:
        return Options(())
    screens = show_step(view, fresh=False)
    offered = (*(tap for e in screens for tap in taps(e, at)), *_board(view, at))
    acted_on = tuple(tap for tap in offered if _acted_on(view, tap))
    return Options(acted_on, typing=any(asks(e) is not None for e in screens))


def _board(view: ParticipantView, at: float) -> tuple[ev.Action, ...]:
    """Opening the board, or, on it, putting a card of the lens on a pile it is not on,
    or choosing the top."""
    p = view.participant
    s, u, lens = p.session_id, p.user_id, p.lens_index
    if p.step not in BOARD_STEPS:
        return ()
    if not p.on_board:
        return (ev.BoardOpened(at, s, u),)
    if p.step is Step.TOP:
        candidates, _ = top_candidates(view)
        toggles = (ev.TopCardToggled(at, s, u, card) for card in candidates)
        return (*toggles, ev.TopConfirmed(at, s, u))
    ratings = view.ratings.get(view.deck.lenses[lens].id, {})
    return tuple(
        ev.CardPlaced(at, s, u, lens, card, level)
        for card in view.deck.card_ids
        for level in LEVELS
        if ratings.get(card) != level
    )


def _acted_on(view: ParticipantView, tap: ev.Action) -> bool:
    """Whether the core acts on ``tap`` from the screen of ``view`` rather than answer it
    with a refusal (the screen shows such buttons so that the answer can explain)."""
    p = view.participant
    if isinstance(tap, ev.RatingUndone):
        current = current_card(view)
        return current is not None and current[0] > 0
    limit = view.deck.top_size
    if isinstance(tap, ev.TopCardToggled | ev.VoteToggled):
        return tap.card_id in p.selection or len(p.selection) < limit
    if isinstance(tap, ev.TopConfirmed):
        return len(p.selection) == limit
    return True


def _consent(e: fx.AskConsent, u: int, at: float) -> Taps:
    s = e.session_id
    answers = (ev.ConsentAnswered(at, s, u, True), ev.ConsentAnswered(at, s, u, False))
    languages = tuple(ev.LanguageChosen(at, s, u, loc) for loc in LOCALES if loc != e.locale)
    return (*answers, *languages)


def _age_band(e: fx.AskAgeBand, u: int, at: float) -> Taps:
    return tuple(ev.AgeBandAnswered(at, e.session_id, u, b) for b in (*e.bands, None))


def _organisation(e: fx.AskOrganisation, u: int, at: float) -> Taps:
    return (ev.OrganisationAnswered(at, e.session_id, u, None),)


def _card(e: fx.ShowCard, u: int, at: float) -> Taps:
    s, lens, card = e.session_id, e.lens_index, e.card_id
    rated = tuple(ev.CardRated(at, s, u, lens, card, level) for level in reversed(LEVELS))
    return (*rated, ev.RatingUndone(at, s, u, lens, card), ev.SortPaused(at, s, u))


def _paused(e: fx.ShowPaused, u: int, at: float) -> Taps:
    return (ev.ContinueRequested(at, e.session_id, u),)


def _piles(e: fx.ShowPiles, u: int, at: float) -> Taps:
    s, lens = e.session_id, e.lens_index
    if e.moving is not None:
        moved = (ev.PileCardMoved(at, s, u, lens, e.moving, n) for n in reversed(LEVELS))
        return (*moved, ev.PileCardPicked(at, s, u, lens, None))
    cards = (card for pile in reversed(e.piles) for card in pile)
    picked = (ev.PileCardPicked(at, s, u, lens, card) for card in cards)
    return (*picked, ev.PilesConfirmed(at, s, u, lens))


def _top_picker(e: fx.ShowTopPicker, u: int, at: float) -> Taps:
    toggles = (ev.TopCardToggled(at, e.session_id, u, card) for card in e.candidates)
    return (*toggles, ev.TopConfirmed(at, e.session_id, u))


def _story_card(e: fx.AskStoryCard, u: int, at: float) -> Taps:
    cards = (ev.StoryCardChosen(at, e.session_id, u, card) for card in e.top)
    return (*cards, ev.StoryCardChosen(at, e.session_id, u, None))


def _story_text(e: fx.AskStoryText, u: int, at: float) -> Taps:
    return (ev.StoryCardChosen(at, e.session_id, u, None),)  # back to the cards


def _revision(e: fx.AskRevision, u: int, at: float) -> Taps:
    s = e.session_id
    return (ev.RevisionAnswered(at, s, u, True), ev.RevisionAnswered(at, s, u, False))


def _vote(e: fx.AskVote, u: int, at: float) -> Taps:
    toggles = (ev.VoteToggled(at, e.session_id, u, card) for card, _ in e.candidates)
    return (*toggles, ev.VoteConfirmed(at, e.session_id, u))


def _next_round(e: fx.AskNextRound, u: int, at: float) -> Taps:
    s = e.session_id
    return (ev.RoundDecided(at, s, u, True), ev.RoundDecided(at, s, u, False))


def _note(e: fx.AskNote, u: int, at: float) -> Taps:
    return (ev.NoteSkipped(at, e.session_id, u),)


def _on_board(e: fx.ShowOnBoard, u: int, at: float) -> Taps:
    return (ev.ContinueRequested(at, e.session_id, u),)  # go on in the chat


def _remind(e: fx.Remind, u: int, at: float) -> Taps:
    return (ev.ContinueRequested(at, e.session_id, u), ev.RemindersMuted(at, e.session_id, u))


def _muted(e: fx.ShowMuted, u: int, at: float) -> Taps:
    return (ev.RemindersResumed(at, e.session_id, u),)


_TAPS: Mapping[type[fx.Effect], Callable[[Any, int, float], Taps]] = {
    fx.AskConsent: _consent,
    fx.AskAgeBand: _age_band,
    fx.AskOrganisation: _organisation,
    fx.ShowOnBoard: _on_board,
    fx.ShowCard: _card,
    fx.ShowPaused: _paused,
    fx.ShowPiles: _piles,
    fx.ShowTopPicker: _top_picker,
    fx.AskStoryCard: _story_card,
    fx.AskStoryText: _story_text,
    fx.AskRevision: _revision,
    fx.AskVote: _vote,
    fx.AskNextRound: _next_round,
    fx.AskNote: _note,
    fx.Remind: _remind,
    fx.ShowMuted: _muted,
}
_ASKS: Mapping[type[fx.Effect], str] = {
    fx.AskOrganisation: "organisation",
    fx.AskStoryText: "story",
    fx.AskNote: "note",
}
