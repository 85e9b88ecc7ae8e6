"""The core's table: guards applied once, what an event needs, and a rule that reads what
its event did not ask for failing loudly."""

from __future__ import annotations

import pytest

from conversations import events as ev
from conversations.deck import Deck
from conversations.effects import Say
from conversations.machine import handle, needs
from conversations.model import (
    Participant,
    ParticipantView,
    Session,
    SessionView,
    Step,
    Table,
    TableStage,
)
from conversations.needs import Need, NotLoadedError, not_loaded
from conversations.phases import IllegalTransition, Phase

GROUP = -100


def a_session(phase: Phase = Phase.TABLES, paused_at: float | None = None) -> Session:
    return Session(
        id=2,
        group_chat_id=GROUP,
        deck_id="goed-werk",
        locale="en",
        phase=phase,
        join_code="abc",
        created_by=1,
        created_at=0.0,
        paused_at=paused_at,
    )


def test_a_stranger_is_refused_once_for_every_facilitator_command(deck: Deck) -> None:
    view = SessionView(a_session(), deck)
    for event in (
        ev.StatusRequested(1.0, GROUP, 9, False),
        ev.SummaryRequested(1.0, GROUP, 9, False),
        ev.RemindRequested(1.0, GROUP, 9, False),
        ev.SortStartRequested(1.0, GROUP, 9, False),
    ):
        decision = handle(view, event)
        assert decision.changes == ()
        (said,) = decision.effects
        assert isinstance(said, Say) and said.template == "not_facilitator"
    tap = handle(view, ev.NextConfirmed(1.0, GROUP, 9, False, 2, "stories", 1, False))
    assert tap.effects == () and tap.toast is not None and tap.toast.key == "not_facilitator"


def test_a_group_without_a_session_is_told_so_and_the_scheduler_is_not() -> None:
    empty = SessionView(None)
    (said,) = handle(empty, ev.VoteRequested(1.0, GROUP, 1, True)).effects
    assert isinstance(said, Say) and said.template == "no_session"
    assert handle(empty, ev.RemindersDue(1.0, GROUP, 10)).effects == ()
    assert handle(empty, ev.DeadlineReached(1.0, GROUP, "sort", 1, False)).effects == ()


def test_what_moving_on_needs_depends_on_the_stage_the_tables_show(deck: Deck) -> None:
    first = SessionView(a_session(Phase.SORTING), deck)
    event = ev.NextRequested(1.0, GROUP, 1, True)
    asked = needs(event, first)
    assert {Need.TABLES, Need.DEADLINES, Need.STRAGGLERS} <= asked
    loaded = SessionView(a_session(Phase.SORTING), deck, tables=(), loaded=asked)
    assert {Need.COUNTS, Need.FINISHERS} <= needs(event, loaded)


def test_a_rule_reading_what_was_not_loaded_fails_loudly(deck: Deck) -> None:
    """The shell marks every part its event did not ask for; reading one raises."""
    view = SessionView(a_session(), deck, tables=not_loaded("tables"))
    with pytest.raises(NotLoadedError, match="tables"):
        handle(view, ev.VoteRequested(1.0, GROUP, 1, True))


def test_a_participant_in_a_paused_session_gets_a_toast_and_typed_text_a_word(
    deck: Deck,
) -> None:
    person = Participant(2, 7, 7, "Ann", "en", Step.SORTING, 1, 0.0)
    view = ParticipantView(a_session(Phase.SORTING, paused_at=5.0), deck, person)
    tap = handle(view, ev.SortPaused(6.0, 2, 7))
    assert tap.changes == () and tap.effects == () and tap.toast is not None
    typed = handle(view, ev.TextReceived(6.0, 2, 7, "hello"))
    (said,) = typed.effects
    assert isinstance(said, Say) and said.template == "session_paused_text"


def test_a_phase_changes_only_as_the_transition_table_allows() -> None:
    seated = a_session(Phase.TABLES)
    assert seated.moved_to(Phase.CLOSED).phase is Phase.CLOSED
    with pytest.raises(IllegalTransition):
        seated.moved_to(Phase.SORTING)


def test_a_tap_from_an_earlier_screen_is_stale_whatever_its_rule(deck: Deck) -> None:
    """The table says in which steps a tap is legal; the guard answers the rest."""
    reviewing = Participant(2, 7, 7, "Ann", "en", Step.REVIEW, 1, 0.0)
    view = ParticipantView(a_session(Phase.SORTING), deck, reviewing)
    for tap in (
        ev.CardRated(6.0, 2, 7, 0, deck.card_ids[0], 3),
        ev.ConsentAnswered(6.0, 2, 7, True),
        ev.VoteConfirmed(6.0, 2, 7),
    ):
        decision = handle(view, tap)
        assert decision.changes == () and decision.effects == ()
        assert decision.toast is not None and decision.toast.key == "stale_button"


def test_steps_and_table_stages_change_only_as_their_tables_allow() -> None:
    done = Participant(2, 7, 7, "Ann", "en", Step.DONE, 1, 0.0)
    assert done.moved_to(Step.STORY, table_number=1).table_number == 1
    with pytest.raises(IllegalTransition):
        done.moved_to(Step.CONSENT)
    agreed = Table(2, 1, TableStage.AGREED)
    with pytest.raises(IllegalTransition):
        agreed.moved_to(TableStage.VOTING)
