"""The facilitator's dashboard: the whole session at a glance, as the core sees it.

Owns: ``overview``, from a session's view loaded with ``NEEDS``: the counts, every
participant with their step, lens and cards done and whether they lag behind (still their
turn in the current stage, and nothing from them for ``STRAGGLING_AFTER``), the seating
(none yet, proposed, or seated for good, with who sits where), what the facilitator can
do now (propose tables, move people, seat them), and, once tables have voted, the
plenary's summary. Must not: word anything (the shell does), decide anything (moving and
seating are ``/move`` and ``/seat``'s events), or do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from conversations.deck import Deck
from conversations.effects import ShowSummary
from conversations.model import SessionCounts, SessionView, Step
from conversations.needs import Need
from conversations.phases import Phase, Stage
from conversations.plenary import summary_of
from conversations.progress import BEFORE_THE_SORT, SORTING
from conversations.sorting import sorts_on_board
from conversations.stages import PENDING, current_stage

NEEDS = frozenset({Need.COUNTS, Need.TABLES, Need.ROSTER, Need.PEOPLE})
"""What ``overview`` reads."""
STRAGGLING_AFTER = 15 * 60
"""Seconds without an answer after which someone whose turn it is lags behind."""


class Seating(StrEnum):
    NONE = "none"
    PROPOSED = "proposed"
    SEATED = "seated"


@dataclass(frozen=True, slots=True)
class Row:
    user_id: int
    name: str
    organisation: str | None
    step: Step
    lens_index: int
    cards_done: int
    """Cards rated in their current lens while sorting; none before the sort, all after."""
    straggling: bool
    table: int | None
    """Their table in the proposal or, once seated, for good."""
    on_board: bool
    """Sorting on the board now."""


@dataclass(frozen=True, slots=True)
class Overview:
    deck: Deck
    phase: Phase
    stage: Stage
    counts: SessionCounts
    rows: tuple[Row, ...]
    sorting: int
    """How many are sorting a lens or choosing their top now."""
    seating: Seating
    tables: tuple[tuple[int, tuple[int, ...]], ...]
    """(table number, its members' user ids) in the proposal or the seating."""
    can_propose: bool
    can_move: bool
    can_seat: bool
    summary: ShowSummary | None
    """The plenary's summary, once a table has an outcome."""


def _cards_done(deck: Deck, step: Step, rated: int) -> int:
    if step in SORTING:
        return rated
    return 0 if step in BEFORE_THE_SORT else len(deck.cards)


def overview(view: SessionView, now: float) -> Overview:
    session, deck = view.require()
    assert view.counts is not None
    stage = current_stage(session, view.tables)
    turn = PENDING[stage]
    rows = tuple(
        Row(
            p.user_id,
            p.name,
            p.organisation,
            p.step,
            p.lens_index,
            _cards_done(deck, p.step, entry.rated.get(deck.lenses[p.lens_index].id, 0)),
            p.step in turn and now - entry.active_at > STRAGGLING_AFTER,
            p.table_number,
            sorts_on_board(p),
        )
        for entry in view.roster
        for p in (entry.participant,)
    )
    seating = {Phase.SEATING: Seating.PROPOSED, Phase.TABLES: Seating.SEATED}.get(
        session.phase, Seating.NONE
    )
    tables: dict[int, list[int]] = {}
    if seating is not Seating.NONE:
        for row in rows:
            if row.table is not None:
                tables.setdefault(row.table, []).append(row.user_id)
    voted = any(t.table.outcome is not None for t in view.tables)
    return Overview(
        deck,
        session.phase,
        stage,
        view.counts,
        rows,
        sum(1 for row in rows if row.step in SORTING | {Step.TOP}),
        seating,
        tuple((number, tuple(members)) for number, members in sorted(tables.items())),
        can_propose=session.phase in (Phase.JOINING, Phase.SORTING, Phase.SEATING)
        and view.counts.with_top > 0,
        can_move=seating is Seating.PROPOSED,
        can_seat=seating is Seating.PROPOSED,
        summary=summary_of(view) if voted and view.people else None,
    )
