"""Session phases and the one table of legal transitions between them; the stages a
facilitator paces a session through.

Owns: the ``Phase`` enum and ``TRANSITIONS``, through which every change of phase goes
(``Session.moved_to``). Must not: know about participants'
individual progress (see ``model.Step``) or about Telegram.
"""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """Where a whole session stands. Stored by value, so values never change."""

    JOINING = "joining"
    """People join; they sort as they join only if the session says so."""
    SORTING = "sorting"
    """The facilitator started the sort: everyone who joined sorts (joining stays open)."""
    SEATING = "seating"
    """A seating is proposed to the facilitator; it is not final yet."""
    TABLES = "tables"
    """People sit at tables: stories, then revising one's top (joining stays open)."""
    CLOSED = "closed"
    """Finished or ended by the facilitator: no more joining or answers."""


class Stage(StrEnum):
    """What the session as a whole is doing, as the facilitator paces it. Stored by value
    (deadlines), so values never change."""

    JOIN = "join"
    """People join; the sort has not started (it starts on the facilitator's word)."""
    SORT = "sort"
    STORIES = "stories"
    REVISION = "revision"
    """Tables revise their tops (or have, and wait for their dilemma or the votes)."""
    DILEMMA = "dilemma"
    """Tables talk a dilemma through until the votes open (skipped for a deck without
    dilemmas)."""
    VOTE = "vote"
    PLENARY = "plenary"
    """Every table is done: the summary, then the end."""
    OVER = "over"


TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.JOINING: frozenset({Phase.SORTING, Phase.SEATING, Phase.CLOSED}),
    Phase.SORTING: frozenset({Phase.SEATING, Phase.CLOSED}),
    Phase.SEATING: frozenset({Phase.SEATING, Phase.TABLES, Phase.CLOSED}),
    Phase.TABLES: frozenset({Phase.CLOSED}),
    Phase.CLOSED: frozenset(),
}


def can_move(current: Phase, target: Phase) -> bool:
    """True when ``target`` is a legal next phase of ``current``."""
    return target in TRANSITIONS[current]


class IllegalTransition(ValueError):
    """A rule tried a phase change the table does not allow: a bug in the core."""


def enter(current: Phase, target: Phase) -> Phase:
    """``target``, once the table says ``current`` may move there."""
    if not can_move(current, target):
        raise IllegalTransition(f"a session cannot move from {current} to {target}")
    return target


def accepts_joining(phase: Phase) -> bool:
    return phase is not Phase.CLOSED


def sorting_open(phase: Phase, sort_on_join: bool) -> bool:
    """Whether a participant who is ready may sort now."""
    return phase in (Phase.SORTING, Phase.SEATING, Phase.TABLES) or (
        phase is Phase.JOINING and sort_on_join
    )
