"""Pacing through the core's public API: stages, /next, deadlines, pause, reminders."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversations import events as ev
from conversations.decision import (
    DeleteDeadline,
    SaveDeadline,
    SaveParticipant,
    SaveReminded,
    SaveSession,
    SaveTable,
)
from conversations.deck import Deck
from conversations.effects import AskNext, MovedOn, Remind, Say, ShowDeadlines
from conversations.machine import handle
from conversations.model import (
    Deadline,
    Finisher,
    Mate,
    Participant,
    ParticipantView,
    Session,
    SessionView,
    Step,
    Straggler,
    Table,
    TableStage,
    TableView,
)
from conversations.options import taps
from conversations.phases import Phase, Stage
from conversations.reminding import DAY, is_waking
from conversations.stages import current_stage, parse_duration

GROUP = -100
HOUR = 3600.0


def person(uid: int, step: Step = Step.DONE, **kw: object) -> Participant:
    base = Participant(1, uid, uid, f"P{uid}", "en", step, uid, 0.0)
    return replace(base, **kw)  # type: ignore[arg-type]


def session(phase: Phase = Phase.SORTING, **kw: object) -> Session:
    return replace(Session(1, GROUP, "goed-werk", "en", phase, "c", 1, 0.0), **kw)  # type: ignore[arg-type]


def table(number: int, stage: TableStage, *members: Participant) -> TableView:
    return TableView(Table(1, number, stage), tuple(Mate(p, ()) for p in members))


def finishers(deck: Deck, count: int) -> tuple[Finisher, ...]:
    return tuple(
        Finisher(person(uid), (uid % 5 + 1,) * len(deck.cards), deck.card_ids[:4])
        for uid in range(1, count + 1)
    )


def next_confirmed(stage: str, at: float = 10.0, facilitator: bool = True) -> ev.NextConfirmed:
    return ev.NextConfirmed(at, GROUP, 7, facilitator, 1, stage, seed=3, topics_available=False)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("2d", 172800), ("12h", 43200), ("12u", 43200), ("90m", 5400), ("1d12h", 129600)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "2", "d", "2x", "0m", "61d", "-1d", "2 d"])
def test_bad_durations(text: str) -> None:
    assert parse_duration(text) is None


def test_the_stage_follows_the_phase_and_the_least_advanced_table() -> None:
    assert current_stage(session(Phase.JOINING), ()) is Stage.JOIN
    assert current_stage(session(Phase.JOINING, sort_on_join=True), ()) is Stage.SORT
    assert current_stage(session(Phase.SEATING), ()) is Stage.SORT
    tables = (table(1, TableStage.VOTING), table(2, TableStage.SHARING))
    assert current_stage(session(Phase.TABLES), tables) is Stage.STORIES
    assert current_stage(session(Phase.TABLES), tables[:1]) is Stage.VOTE
    settled = (table(1, TableStage.SETTLED), table(2, TableStage.AGREED))
    assert current_stage(session(Phase.TABLES), settled) is Stage.REVISION
    assert current_stage(session(Phase.TABLES), settled[1:]) is Stage.PLENARY
    talking = (table(1, TableStage.DILEMMA), table(2, TableStage.AGREED))
    assert current_stage(session(Phase.TABLES), talking) is Stage.DILEMMA
    assert current_stage(session(Phase.TABLES), (*talking, *settled[:1])) is Stage.REVISION
    assert current_stage(session(Phase.CLOSED), ()) is Stage.OVER


def test_after_revising_the_tables_talk_a_dilemma_through_then_vote(deck: Deck) -> None:
    settled, revising = person(1, Step.SETTLED), person(2, Step.REVISING)
    done = table(1, TableStage.SETTLED, settled)
    late = table(2, TableStage.REVISING, revising)
    view = SessionView(
        session(Phase.TABLES),
        deck,
        tables=(done, late),
        stragglers=(Straggler(revising, 0.0),),
    )
    asked = handle(view, ev.NextRequested(5.0, GROUP, 7, True))
    (ask,) = [e for e in asked.effects if isinstance(e, AskNext)]
    assert (ask.stage, ask.next_stage, ask.waiting) == ("revision", "dilemma", ("P2",))

    moved = handle(view, next_confirmed("revision"))
    stages = {c.table.number: c.table.stage for c in moved.changes if isinstance(c, SaveTable)}
    assert stages == {1: TableStage.DILEMMA, 2: TableStage.DILEMMA}
    dilemmas = [e for e in moved.effects if type(e).__name__ == "ShowDilemma"]
    assert sorted(e.chat_id for e in dilemmas) == [1, 2]
    told = [e for e in moved.effects if isinstance(e, Say) and e.chat_id == 2]
    assert [e.template for e in told] == ["moved_on_revision"], "finish revising until the vote"
    (answer,) = [e for e in moved.effects if isinstance(e, MovedOn)]
    assert answer.next_stage == "dilemma"

    talking = replace(
        view,
        tables=tuple(
            replace(t, table=replace(t.table, stage=TableStage.DILEMMA)) for t in view.tables
        ),
    )
    assert current_stage(talking.session, talking.tables) is Stage.DILEMMA  # type: ignore[arg-type]
    voting = handle(talking, next_confirmed("dilemma"))
    stages = {c.table.number: c.table.stage for c in voting.changes if isinstance(c, SaveTable)}
    assert stages == {1: TableStage.VOTING, 2: TableStage.VOTING}
    told = [e for e in voting.effects if isinstance(e, Say) and e.chat_id == 2]
    assert [e.template for e in told] == ["moved_on_dilemma"], "the top as it is goes to the vote"


def test_a_revision_deadline_goes_to_the_dilemma_only_when_the_dilemma_has_a_deadline(
    deck: Deck,
) -> None:
    settled = table(1, TableStage.SETTLED, person(1, Step.SETTLED))
    revision = Deadline(1, Stage.REVISION, 50.0)
    event = ev.DeadlineReached(60.0, GROUP, "revision", 1, False)
    view = SessionView(session(Phase.TABLES), deck, tables=(settled,), deadlines=(revision,))
    paced = handle(view, event)  # deadlines alone: nobody would end the talk
    assert [c.table.stage for c in paced.changes if isinstance(c, SaveTable)] == [TableStage.VOTING]
    (moved,) = [e for e in paced.effects if isinstance(e, MovedOn)]
    assert moved.next_stage == "vote"
    talk = Deadline(1, Stage.DILEMMA, 90.0)
    planned = handle(replace(view, deadlines=(revision, talk)), event)
    assert [c.table.stage for c in planned.changes if isinstance(c, SaveTable)] == [
        TableStage.DILEMMA
    ]
    (moved,) = [e for e in planned.effects if isinstance(e, MovedOn)]
    assert moved.next_stage == "dilemma"


def test_a_deck_without_dilemmas_goes_from_revising_to_the_vote(deck: Deck) -> None:
    plain = replace(deck, dilemmas=())
    view = SessionView(
        session(Phase.TABLES),
        plain,
        tables=(table(1, TableStage.SETTLED, person(1, Step.SETTLED)),),
    )
    (ask,) = [
        e
        for e in handle(view, ev.NextRequested(5.0, GROUP, 7, True)).effects
        if isinstance(e, AskNext)
    ]
    assert ask.next_stage == "vote"
    moved = handle(view, next_confirmed("revision"))
    assert [c.table.stage for c in moved.changes if isinstance(c, SaveTable)] == [TableStage.VOTING]


def test_next_lists_who_is_not_done_apart_from_who_is_still_at_the_welcome(deck: Deck) -> None:
    late = (Straggler(person(20, Step.SORTING), 0.0), Straggler(person(21, Step.CONSENT), 0.0))
    seated = Straggler(person(22, Step.STORY), 0.0)  # not a straggler of the sort
    view = SessionView(session(), deck, finished=finishers(deck, 8), stragglers=(*late, seated))
    decision = handle(view, ev.NextRequested(5.0, GROUP, 7, True))
    assert decision.changes == ()
    (asked,) = decision.effects
    assert isinstance(asked, AskNext)
    assert (asked.stage, asked.next_stage) == ("sort", "stories")
    assert asked.waiting == ("P20",) and asked.waiting_count == 1, "still sorting"
    assert asked.welcoming == ("P21",) and asked.welcoming_count == 1, "still at the welcome"
    assert handle(view, ev.NextRequested(5.0, GROUP, 9, False)).effects[0].template == (  # type: ignore[attr-defined]
        "not_facilitator"
    )


def test_confirmed_next_seats_the_finishers_and_tells_the_stragglers(deck: Deck) -> None:
    late = Straggler(person(20, Step.SORTING), 0.0)
    deadline = Deadline(1, "sort", 99.0)
    view = SessionView(
        session(),
        deck,
        finished=finishers(deck, 8),
        stragglers=(late,),
        deadlines=(deadline,),
    )
    decision = handle(view, next_confirmed("sort"))
    sessions = [c.session for c in decision.changes if isinstance(c, SaveSession)]
    assert sessions[-1].phase is Phase.TABLES
    tables = {c.table.number for c in decision.changes if isinstance(c, SaveTable)}
    assert tables == {1, 2}
    seated = {
        c.participant.user_id
        for c in decision.changes
        if isinstance(c, SaveParticipant) and c.participant.step is Step.STORY
    }
    assert seated == set(range(1, 9))
    told = [e for e in decision.effects if isinstance(e, Say) and e.chat_id == 20]
    assert [e.template for e in told] == ["moved_on_sort"]
    moved = [e for e in decision.effects if isinstance(e, MovedOn)]
    assert moved and not moved[0].by_deadline and moved[0].waiting_count == 1
    # the sort's deadline will not fire any more
    assert SaveDeadline(replace(deadline, fired_at=10.0)) in decision.changes
    assert decision.toast is not None and decision.toast.key == "moved_on"


def test_a_stale_or_foreign_confirmation_changes_nothing(deck: Deck) -> None:
    view = SessionView(session(), deck, finished=finishers(deck, 8))
    stale = handle(view, next_confirmed("stories"))
    assert stale.changes == () and stale.toast is not None
    assert stale.toast.key == "already_moved_on"
    stranger = handle(view, next_confirmed("sort", facilitator=False))
    assert stranger.changes == () and stranger.toast is not None
    assert stranger.toast.key == "not_facilitator"


def test_next_in_the_vote_closes_rounds_with_the_ballots_in(deck: Deck) -> None:
    voted, silent = person(1, Step.VOTED), person(2, Step.VOTING)
    cards = deck.card_ids[:4]
    members = (Mate(voted, cards, ballot=cards), Mate(silent, cards))
    voting = TableView(Table(1, 1, TableStage.VOTING, round=1), members)
    view = SessionView(
        session(Phase.TABLES),
        deck,
        tables=(voting,),
        stragglers=(Straggler(silent, 0.0),),
    )
    decision = handle(view, next_confirmed("vote"))
    (saved,) = [c.table for c in decision.changes if isinstance(c, SaveTable)]
    assert saved.stage is TableStage.AGREED
    # only the member who voted counts: their four cards are the table's top
    assert set(saved.agreed) == set(cards) and saved.outcome == "full"
    steps = {
        c.participant.user_id: c.participant.step
        for c in decision.changes
        if isinstance(c, SaveParticipant)
    }
    assert steps == {1: Step.FINAL, 2: Step.FINAL}
    assert any(
        isinstance(e, Say) and e.template == "moved_on_vote" and e.chat_id == 2
        for e in decision.effects
    )


def test_the_plenary_posts_the_summary_and_closes(deck: Deck) -> None:
    view = SessionView(
        session(Phase.TABLES), deck, tables=(table(1, TableStage.AGREED, person(1)),)
    )
    decision = handle(view, next_confirmed("plenary"))
    (closed,) = [c.session for c in decision.changes if isinstance(c, SaveSession)]
    assert closed.phase is Phase.CLOSED


def test_a_deadline_moves_on_once_and_is_marked_fired(deck: Deck) -> None:
    deadline = Deadline(1, "stories", 50.0)
    sharing = table(1, TableStage.SHARING, person(1, Step.SHARED), person(2, Step.STORY))
    view = SessionView(
        session(Phase.TABLES),
        deck,
        tables=(sharing,),
        deadlines=(deadline,),
        stragglers=(Straggler(person(2, Step.STORY), 0.0),),
    )
    event = ev.DeadlineReached(60.0, GROUP, "stories", 1, False)
    decision = handle(view, event)
    assert SaveDeadline(replace(deadline, fired_at=60.0)) in decision.changes
    assert any(
        isinstance(c, SaveTable) and c.table.stage is TableStage.REVISING for c in decision.changes
    )
    (moved,) = [e for e in decision.effects if isinstance(e, MovedOn)]
    assert moved.by_deadline and moved.fresh
    # fired already: nothing more
    fired = replace(view, deadlines=(replace(deadline, fired_at=60.0),))
    assert handle(fired, event) == handle(fired, replace(event, at=61.0)) == type(decision)()


def test_a_later_deadline_moves_one_stage_per_firing_and_stays_due(deck: Deck) -> None:
    deadline = Deadline(1, "revision", 50.0)
    sharing = table(1, TableStage.SHARING, person(1, Step.SHARED))
    view = SessionView(session(Phase.TABLES), deck, tables=(sharing,), deadlines=(deadline,))
    decision = handle(view, ev.DeadlineReached(60.0, GROUP, "revision", 1, False))
    assert not any(isinstance(c, SaveDeadline) for c in decision.changes)
    assert any(
        isinstance(c, SaveTable) and c.table.stage is TableStage.REVISING for c in decision.changes
    )


def test_a_deadline_with_nobody_ready_says_so_and_fires(deck: Deck) -> None:
    deadline = Deadline(1, "sort", 50.0)
    view = SessionView(session(), deck, deadlines=(deadline,))
    decision = handle(view, ev.DeadlineReached(60.0, GROUP, "sort", 1, False))
    assert decision.changes == (SaveDeadline(replace(deadline, fired_at=60.0)),)
    assert [e.template for e in decision.effects if isinstance(e, Say)] == [
        "deadline_stuck",
        "nobody_finished",
    ]


def test_deadlines_are_set_listed_and_removed(deck: Deck) -> None:
    view = SessionView(session(), deck)
    decision = handle(view, ev.DeadlineSet(100.0, GROUP, 7, True, "vote", "2d"))
    assert decision.changes == (SaveDeadline(Deadline(1, "vote", 100.0 + 2 * DAY)),)
    (shown,) = decision.effects
    assert isinstance(shown, ShowDeadlines) and shown.deadlines == (
        ("vote", 100.0 + 2 * DAY, False),
    )
    off = handle(view, ev.DeadlineSet(100.0, GROUP, 7, True, "vote", "off"))
    assert off.changes == (DeleteDeadline(1, "vote"),)
    for stage, value in (("later", "2d"), ("vote", "soon"), ("vote", None)):
        bad = handle(view, ev.DeadlineSet(100.0, GROUP, 7, True, stage, value))
        assert bad.changes == () and bad.effects[0].template == "deadline_usage"  # type: ignore[attr-defined]
    passed = handle(
        SessionView(session(Phase.TABLES), deck, tables=(table(1, TableStage.VOTING),)),
        ev.DeadlineSet(100.0, GROUP, 7, True, "sort", "1d"),
    )
    assert passed.changes == () and passed.effects[0].template == "deadline_stage_passed"  # type: ignore[attr-defined]


def test_pause_blocks_answers_and_resume_moves_deadlines(deck: Deck) -> None:
    view = SessionView(
        session(), deck, deadlines=(Deadline(1, "sort", 1000.0), Deadline(1, "join", 5.0, 5.0))
    )
    paused = handle(view, ev.PauseRequested(100.0, GROUP, 7, True))
    (saved,) = paused.changes
    assert isinstance(saved, SaveSession) and saved.session.paused_at == 100.0
    answer = ParticipantView(saved.session, deck, person(3, Step.SORTING))
    blocked = handle(answer, ev.CardRated(101.0, 1, 3, 0, deck.card_ids[0], 4))
    assert blocked.changes == () and blocked.toast is not None
    assert blocked.toast.key == "session_paused"
    again = handle(replace(view, session=saved.session), ev.PauseRequested(150.0, GROUP, 7, True))
    assert again.changes == ()
    resumed = handle(
        replace(view, session=saved.session), ev.ResumeRequested(400.0, GROUP, 7, True)
    )
    assert SaveDeadline(Deadline(1, "sort", 1300.0)) in resumed.changes
    assert not any(
        isinstance(c, SaveDeadline) and c.deadline.stage == "join" for c in resumed.changes
    )
    sessions = [c.session for c in resumed.changes if isinstance(c, SaveSession)]
    assert sessions[0].paused_at is None
    # a paused session neither fires deadlines nor reminds
    on_hold = replace(view, session=saved.session)
    assert handle(on_hold, ev.DeadlineReached(2000.0, GROUP, "sort", 1, False)).changes == ()


# --- reminders ---------------------------------------------------------------------------


def remind_view(deck: Deck, *stragglers: Straggler, **kw: object) -> SessionView:
    return SessionView(session(**kw), deck, stragglers=stragglers)


def test_waking_hours_may_wrap_midnight() -> None:
    day = session(waking_from=9, waking_until=21)
    assert is_waking(day, 9) and is_waking(day, 20)
    assert not is_waking(day, 21) and not is_waking(day, 3)
    night = session(waking_from=22, waking_until=6)
    assert is_waking(night, 23) and is_waking(night, 5) and not is_waking(night, 12)


def test_only_idle_people_whose_turn_it_is_are_reminded(deck: Deck) -> None:
    now = 10 * DAY
    idle = Straggler(person(1, Step.SORTING), active_at=now - DAY - 1)
    busy = Straggler(person(2, Step.SORTING), active_at=now - HOUR)
    muted = Straggler(person(3, Step.STORY, muted=True), active_at=0.0)
    gone = Straggler(person(4, Step.VOTING, unreachable=True), active_at=0.0)
    recent = Straggler(person(5, Step.REVISE), active_at=0.0, reminded_at=now - HOUR)
    waiting = Straggler(person(6, Step.SHARED), active_at=0.0)  # waits for others
    view = remind_view(deck, idle, busy, muted, gone, recent, waiting)
    decision = handle(view, ev.RemindersDue(now, GROUP, 10))
    assert decision.changes == (SaveReminded(1, 1, now),)
    (reminder,) = decision.effects
    assert isinstance(reminder, Remind) and reminder.chat_id == 1 and reminder.stage == "sort"
    # outside waking hours, or with reminders off: nobody
    assert handle(view, ev.RemindersDue(now, GROUP, 22)).effects == ()
    off = remind_view(deck, idle, reminders=False)
    assert handle(off, ev.RemindersDue(now, GROUP, 10)).effects == ()


def test_remind_now_reaches_everyone_not_reminded_today(deck: Deck) -> None:
    now = 10 * DAY
    busy = Straggler(person(2, Step.VOTING), active_at=now - HOUR)
    recent = Straggler(person(5, Step.REVISE), active_at=0.0, reminded_at=now - HOUR)
    muted = Straggler(person(3, Step.STORY, muted=True), active_at=0.0)
    view = replace(
        remind_view(deck, busy, recent, muted), deadlines=(Deadline(1, "vote", now + DAY),)
    )
    decision = handle(view, ev.RemindRequested(now, GROUP, 7, True))
    assert decision.changes == (SaveReminded(1, 2, now),)
    reminder, report = decision.effects
    assert isinstance(reminder, Remind) and reminder.due_at == now + DAY
    assert isinstance(report, Say) and report.params == {"count": 1, "recent": 1, "muted": 1}
    stranger = handle(view, ev.RemindRequested(now, GROUP, 9, False))
    assert stranger.changes == ()


def test_muting_reminders(deck: Deck) -> None:
    view = ParticipantView(session(), deck, person(3, Step.SORTING))
    decision = handle(view, ev.RemindersMuted(1.0, 1, 3))
    (saved,) = decision.changes
    assert isinstance(saved, SaveParticipant) and saved.participant.muted
    (shown,) = decision.effects
    assert taps(shown) == (ev.RemindersResumed(0.0, 1, 3),), "a way back"
    muted = ParticipantView(session(), deck, saved.participant)
    again = handle(muted, ev.RemindersResumed(2.0, 1, 3))
    (saved,) = again.changes
    assert isinstance(saved, SaveParticipant) and not saved.participant.muted
    assert again.toast is not None and again.toast.key == "reminders_resumed"


def test_notes_are_not_nagged_about(deck: Deck) -> None:
    noting = Straggler(person(1, Step.NOTE), active_at=0.0)
    decision = handle(remind_view(deck, noting), ev.RemindersDue(9 * DAY, GROUP, 10))
    assert decision.effects == ()


# --- settings, creation and status ----------------------------------------------------------


def new_session(deck: Deck, *deadlines: tuple[str, str]) -> ev.SessionRequested:
    return ev.SessionRequested(
        100.0, GROUP, 7, True, "goed-werk", "en", 1, "code", "en", (deck.id,), deck.id, deadlines
    )


def test_deadlines_can_be_set_at_creation(deck: Deck) -> None:
    created = handle(SessionView(None), new_session(deck, ("vote", "3d"), ("sort", "1d")))
    deadlines = [c.deadline for c in created.changes if isinstance(c, SaveDeadline)]
    assert deadlines == [Deadline(1, "sort", 100.0 + DAY), Deadline(1, "vote", 100.0 + 3 * DAY)]
    (shown,) = [e for e in created.effects if isinstance(e, ShowDeadlines)]
    assert [stage for stage, _, _ in shown.deadlines] == ["sort", "vote"]
    bad = handle(SessionView(None), new_session(deck, ("sort", "1d"), ("lunch", "1h")))
    assert bad.changes == () and bad.effects[0].template == "deadline_usage"  # type: ignore[attr-defined]


def test_reminder_settings(deck: Deck) -> None:
    view = SessionView(session(), deck)

    def change(name: str, value: str, known: bool = False) -> Session | None:
        decision = handle(view, ev.SettingChanged(1.0, GROUP, 7, True, name, value, known))
        saved = [c.session for c in decision.changes if isinstance(c, SaveSession)]
        return saved[0] if saved else None

    assert change("hours", "22-6") == replace(view.session, waking_from=22, waking_until=6)  # type: ignore[arg-type]
    assert change("hours", "9-9") is None and change("hours", "9-25") is None
    assert change("reminders", "off") == replace(view.session, reminders=False)  # type: ignore[arg-type]
    assert change("timezone", "Europe/London", known=True) == replace(
        view.session,  # type: ignore[arg-type]
        time_zone="Europe/London",
    )
    assert change("timezone", "Mars/Olympus") is None


def test_status_shows_the_stage_the_pause_and_the_next_deadline(deck: Deck) -> None:
    from conversations.effects import ShowStatus
    from conversations.model import SessionCounts

    deadlines = (
        Deadline(1, "vote", 500.0),
        Deadline(1, "sort", 90.0, 95.0),
        Deadline(1, "stories", 300.0),
    )
    view = SessionView(
        session(Phase.TABLES, paused_at=50.0),
        deck,
        SessionCounts(3, 3, (), 3, 0),
        tables=(table(1, TableStage.SHARING),),
        deadlines=deadlines,
    )
    (status,) = handle(view, ev.StatusRequested(1.0, GROUP, 7, True)).effects
    assert isinstance(status, ShowStatus)
    assert (status.stage, status.paused, status.next_deadline) == (
        "stories",
        True,
        ("stories", 300.0),
    )


def test_the_facilitators_own_dilemma_is_kept_for_the_report(deck: Deck) -> None:
    """``/dilemma <text>`` posts the text to every table and the session keeps it, in
    order after the earlier ones, so the report can tell which dilemmas ran."""
    talking = table(1, TableStage.DILEMMA, person(1, Step.SETTLED))
    view = SessionView(
        session(Phase.TABLES, dilemma_index=1, own_dilemmas=("First?",)), deck, tables=(talking,)
    )
    posted = handle(view, ev.DilemmaRequested(5.0, GROUP, 7, True, "  Tell   the minister?  "))
    (saved,) = [c.session for c in posted.changes if isinstance(c, SaveSession)]
    assert saved.own_dilemmas == ("First?", "Tell the minister?")
    assert saved.dilemma_index == 1, "the deck's next dilemma is still the next one"
    shown = [e for e in posted.effects if type(e).__name__ == "ShowDilemma"]
    assert [(e.chat_id, e.text) for e in shown] == [(1, "Tell the minister?")]
