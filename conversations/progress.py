"""How far a session has come, from plain counts: what ``/status`` and seating see.

Owns: which steps count as having consented, sorting a lens, done with it, and having
chosen a top (``session_counts``), and who is a finisher to seat with what value profile
(``finishers``). The store only counts and lists rows. Must not: do I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conversations.deck import Deck
from conversations.model import (
    Finisher,
    LensProgress,
    Participant,
    Session,
    SessionCounts,
    Step,
    seated_table,
)

BEFORE_THE_SORT = frozenset(
    {Step.CONSENT, Step.DECLINED, Step.AGE, Step.ORGANISATION, Step.WAITING}
)
SORTING = frozenset({Step.SORTING, Step.REVIEW})
NOT_CONSENTED = frozenset({Step.CONSENT, Step.DECLINED})

UNRATED_LEVEL = 3
"""A card someone left unrated in the profile lens counts as the middle pile."""


@dataclass(frozen=True, slots=True)
class Tally:
    """The counts the store gives for one session."""

    by_step: Mapping[Step, int]
    """Participants in each step."""
    sorting_by_lens: Mapping[int, int]
    """Participants sorting or reviewing each lens (by index)."""
    unreachable: int
    simulated: int


def session_counts(deck: Deck, tally: Tally) -> SessionCounts:
    by_step = tally.by_step
    with_top = sum(
        n for step, n in by_step.items() if step not in BEFORE_THE_SORT | SORTING | {Step.TOP}
    )
    finished_all = with_top + by_step.get(Step.TOP, 0)
    lenses = tuple(
        LensProgress(
            lens.id,
            tally.sorting_by_lens.get(index, 0),
            finished_all + sum(n for later, n in tally.sorting_by_lens.items() if later > index),
        )
        for index, lens in enumerate(deck.lenses)
    )
    joined = sum(by_step.values())
    return SessionCounts(
        joined=joined,
        consented=joined - sum(by_step.get(step, 0) for step in NOT_CONSENTED),
        lenses=lenses,
        with_top=with_top,
        unreachable=tally.unreachable,
        simulated=tally.simulated,
    )


def profile_lens(deck: Deck) -> str:
    """The lens whose levels make a person's value profile: the last one."""
    return deck.lenses[-1].id


Done = tuple[Participant, Mapping[str, int], tuple[str, ...]]
"""Someone done with the sort: their row, their levels in the profile lens, their top."""


def finishers(session: Session, deck: Deck, done: tuple[Done, ...]) -> tuple[Finisher, ...]:
    """Everyone done with the sort who is not seated for good, with their value profile
    (levels of the profile lens in deck order, unrated cards in the middle) and top."""
    return tuple(
        Finisher(p, tuple(levels.get(card, UNRATED_LEVEL) for card in deck.card_ids), top)
        for p, levels, top in done
        if seated_table(session, p) is None
    )
