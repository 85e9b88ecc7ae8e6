"""The facilitator's dashboard as the core sees it: who is where, who lags behind, the
seating, and what the facilitator can do."""

from __future__ import annotations

from dataclasses import replace

from conftest import Workshop
from test_sorting import USER, ready_to_sort

from conversations import events as ev
from conversations.dashboard import STRAGGLING_AFTER, Seating, overview
from conversations.model import RosterEntry, SessionCounts, SessionView, Step
from conversations.phases import Phase, Stage


def view_of(w: Workshop, phase: Phase | None = None, active_at: float = 0.0) -> SessionView:
    session = w.sessions[1]
    if phase is not None:
        session = replace(session, phase=phase)
    roster = tuple(
        RosterEntry(view.participant, {k: len(v) for k, v in view.ratings.items()}, active_at)
        for view in w.people.values()
    )
    counts = SessionCounts(len(roster), len(roster), (), 0, 0)
    return SessionView(session, w.deck, counts, roster=roster)


def test_everyone_with_their_step_lens_and_cards_done(workshop: Workshop) -> None:
    card = ready_to_sort(workshop)
    for _ in range(3):
        workshop.send(ev.CardRated(workshop.now(), 1, USER, 0, card.card_id, 4))
        card = workshop.outbox[-1]
    workshop.join(43)
    seen = overview(view_of(workshop, active_at=workshop.clock), workshop.clock + 1)
    rows = {row.user_id: row for row in seen.rows}
    assert rows[USER].step is Step.SORTING and rows[USER].cards_done == 3
    assert rows[43].step is Step.CONSENT and rows[43].cards_done == 0
    assert seen.stage is Stage.SORT and seen.seating is Seating.NONE
    assert not any(row.straggling for row in seen.rows)
    assert seen.summary is None and not seen.can_seat
    assert seen.sorting == 1, "the one sorting; the one at the welcome is not"
    key = (1, 43)
    person = workshop.people[key]
    workshop.people[key] = replace(person, participant=replace(person.participant, step=Step.DONE))
    done = {row.user_id: row for row in overview(view_of(workshop), 0.0).rows}[43]
    assert done.cards_done == len(workshop.deck.cards), "after the sort: every card"


def test_those_whose_turn_it_is_lag_behind_after_a_quiet_while(workshop: Workshop) -> None:
    ready_to_sort(workshop)
    quiet = overview(view_of(workshop, active_at=0.0), STRAGGLING_AFTER + 1)
    assert [row.straggling for row in quiet.rows] == [True]
    busy = overview(view_of(workshop, active_at=10.0), STRAGGLING_AFTER + 1)
    assert [row.straggling for row in busy.rows] == [False]


def test_a_proposal_shows_its_tables_and_lets_the_facilitator_move_and_seat(
    workshop: Workshop,
) -> None:
    ready_to_sort(workshop)
    workshop.join(43)
    for user, table in ((USER, 1), (43, 2)):
        key = (1, user)
        person = workshop.people[key]
        workshop.people[key] = replace(
            person, participant=replace(person.participant, table_number=table)
        )
    proposed = overview(view_of(workshop, Phase.SEATING), 0.0)
    assert proposed.seating is Seating.PROPOSED
    assert proposed.tables == ((1, (USER,)), (2, (43,)))
    assert proposed.can_move and proposed.can_seat
    seated = overview(view_of(workshop, Phase.TABLES), 0.0)
    assert seated.seating is Seating.SEATED and not seated.can_seat
    assert seated.tables == proposed.tables
