"""Pacing a session over an hour or over days: stages, ``/next``, deadlines, pause.

Owns: moving a session on from its stage (see ``stages``) — by ``/next`` after a
confirmation, or at the stage's deadline — with those who are ready while telling the
others what happens now, the deadlines themselves, and pausing.

Theory of operation: moving on from a stage does what the facilitator's own command for
the next step would do (start the sort, seat the tables, ask for revisions, open the
votes, close the votes, post the summary and close the session). A deadline says "by
then this stage is over": when it is due and the session is still at an earlier stage,
the session moves on one stage per firing and the deadline stays due, so the shell fires
it again until the session is past its stage; only then is it marked fired, in the same
decision as the last move. A paused session neither moves on nor fires deadlines;
``/resume`` moves every pending deadline by the length of the pause.

Must not: read a clock (time arrives with events) or decide the steps themselves.
"""

from __future__ import annotations

from dataclasses import replace

from conversations import facilitation, plenary, tables, voting
from conversations.apply import apply_to_session
from conversations.decision import (
    Change,
    Decision,
    DeleteDeadline,
    SaveDeadline,
    SaveSession,
    Toast,
)
from conversations.effects import AskNext, Effect, MovedOn, Say, ShowDeadlines
from conversations.events import (
    DeadlineReached,
    DeadlineSet,
    DilemmaRequested,
    FacilitatorEvent,
    NextConfirmed,
    NextRequested,
    PauseRequested,
    ResumeRequested,
    RevisionRequested,
    SeatingConfirmed,
    SessionEndRequested,
    SortStartRequested,
    SummaryRequested,
    TablesRequested,
    VoteRequested,
)
from conversations.model import Deadline, Session, SessionView, Straggler
from conversations.phases import Phase, Stage
from conversations.stages import (
    DEADLINE_STAGES,
    ORDER,
    PENDING,
    current_stage,
    next_stage,
    parse_duration,
)

NOBODY = 0
"""The user id in the commands a deadline gives on the scheduler's behalf."""

MAX_NAMES = 30
"""Names ``/next`` lists of those not done; more are counted."""


def stragglers(view: SessionView, stage: Stage) -> tuple[Straggler, ...]:
    return tuple(
        s
        for s in view.stragglers
        if s.participant.step in PENDING[stage] and not s.participant.unreachable
    )


def _say(session: Session, template: str, **params: str | int | None) -> Decision:
    return Decision(effects=(Say(session.group_chat_id, session.locale, template, params),))


def _stage(view: SessionView) -> Stage:
    assert view.session is not None
    return current_stage(view.session, view.tables)


def _talks(view: SessionView, by_deadline: bool) -> bool:
    """Whether moving on from revising goes to a dilemma: when the deck has dilemmas and,
    for a deadline, the facilitator gave the dilemma a deadline of its own (a session
    paced by deadlines alone would otherwise wait there for nobody)."""
    if view.deck is None or not view.deck.dilemmas:
        return False
    return not by_deadline or any(d.stage == Stage.DILEMMA for d in view.deadlines)


# --- /next ---------------------------------------------------------------------------------


def ask_next(view: SessionView, event: NextRequested) -> Decision:
    """Who is not done with the current stage, and a button to move on anyway."""
    session, _ = view.require()
    if session.paused_at is not None:
        return _say(session, "paused_first")
    stage = _stage(view)
    if stage is Stage.SORT and session.phase is not Phase.SEATING and not view.finished:
        return _say(session, "nobody_finished")
    waiting = stragglers(view, stage)
    welcoming = [s for s in waiting if s.participant.step in PENDING[Stage.JOIN]]
    sorting = [s for s in waiting if s.participant.step not in PENDING[Stage.JOIN]]
    return Decision(
        effects=(
            AskNext(
                session.group_chat_id,
                session.locale,
                session.id,
                stage.value,
                next_stage(stage, _talks(view, by_deadline=False)).value,
                tuple(s.participant.name for s in sorting[:MAX_NAMES]),
                len(sorting),
                welcoming=tuple(s.participant.name for s in welcoming[:MAX_NAMES]),
                welcoming_count=len(welcoming),
            ),
        )
    )


def confirm_next(view: SessionView, event: NextConfirmed) -> Decision:
    session = view.session
    if session is None:
        return Decision(toast=Toast("already_moved_on"))
    if session.paused_at is not None:
        return Decision(toast=Toast("session_paused"))
    stage = _stage(view)
    if event.session_id != session.id or event.stage != stage.value:
        return Decision(toast=Toast("already_moved_on"))
    moved = _move_on(
        view, stage, event, event.seed, event.topics_available, talk=_talks(view, False)
    )
    if not moved.changes:
        return moved
    return replace(
        _with_told(view, stage, moved, by_deadline=False, at=event.at),
        toast=Toast("moved_on"),
    )


# --- moving on ---------------------------------------------------------------------------


def _who(event: FacilitatorEvent | DeadlineReached) -> int:
    return event.user_id if isinstance(event, FacilitatorEvent) else NOBODY


def _move_on(
    view: SessionView,
    stage: Stage,
    event: FacilitatorEvent | DeadlineReached,
    seed: int,
    topics: bool,
    *,
    talk: bool,
) -> Decision:
    """What moving on from ``stage`` does (what the facilitator's command for the next
    step does; from revising, the dilemma if ``talk``, else the votes); no changes when
    there is nothing to move to."""
    at, group, user = event.at, event.group_chat_id, _who(event)
    if stage is Stage.JOIN:
        return facilitation.start_sort(view, SortStartRequested(at, group, user, True))
    if stage is Stage.SORT:
        return _seat(view, event, seed, topics)
    if stage is Stage.STORIES:
        return tables.revise_all(view, RevisionRequested(at, group, user, True))
    if stage is Stage.REVISION and talk:
        return voting.post_dilemma(
            view, DilemmaRequested(at, group, user, True, None), only_new=True
        )
    if stage in (Stage.REVISION, Stage.DILEMMA):
        return voting.open_votes(view, VoteRequested(at, group, user, True))
    if stage is Stage.VOTE:
        return voting.close_votes(view)
    if stage is Stage.PLENARY:
        summary = plenary.post_summary(view, SummaryRequested(at, group, user, True))
        ended = facilitation.end_session(view, SessionEndRequested(at, group, user, True))
        return Decision(changes=ended.changes, effects=summary.effects + ended.effects)
    return Decision()


def _seat(
    view: SessionView, event: FacilitatorEvent | DeadlineReached, seed: int, topics: bool
) -> Decision:
    """The end of the sort: the proposed seating, or a new one, becomes final."""
    assert view.session is not None
    at, group, user = event.at, event.group_chat_id, _who(event)
    confirm = SeatingConfirmed(at, group, user, True, topics)
    if view.session.phase is Phase.SEATING:
        return tables.seat(view, confirm)
    proposed = tables.propose(view, TablesRequested(at, group, user, True, seed))
    if not proposed.changes:
        return proposed
    seated = tables.seat(apply_to_session(view, proposed.changes), confirm)
    return Decision(changes=proposed.changes + seated.changes, effects=seated.effects)


def _with_told(
    view: SessionView, stage: Stage, moved: Decision, *, by_deadline: bool, at: float
) -> Decision:
    """The move, the word to those who were not done, the answer in the group, and the
    stage's deadline marked as passed."""
    session = view.session
    assert session is not None
    waiting = stragglers(view, stage)
    told: list[Effect] = [
        Say(
            s.participant.chat_id,
            s.participant.locale,
            f"moved_on_{stage.value}",
            {"late_joins": int(session.late_joins)},
        )
        for s in waiting
    ]
    answer = MovedOn(
        session.group_chat_id,
        session.locale,
        session.id,
        stage.value,
        next_stage(stage, _talks(view, by_deadline)).value,
        len(waiting),
        by_deadline,
        fresh=by_deadline,
    )
    fired = tuple(
        SaveDeadline(replace(d, fired_at=at))
        for d in view.deadlines
        if d.fired_at is None and ORDER.index(d.stage) <= ORDER.index(stage)
    )
    return Decision(
        changes=moved.changes + fired,
        effects=(*told, answer, *moved.effects),
    )


def reach_deadline(view: SessionView, event: DeadlineReached) -> Decision:
    """A due deadline: move on one stage; it is marked fired once its stage is over."""
    session, _ = view.require()
    if session.paused_at is not None:
        return Decision()
    deadline = next(
        (d for d in view.deadlines if d.stage == event.stage and d.fired_at is None), None
    )
    if deadline is None:
        return Decision()
    stage = _stage(view)
    if ORDER.index(stage) > ORDER.index(deadline.stage):
        return Decision(changes=(SaveDeadline(replace(deadline, fired_at=event.at)),))
    talk = _talks(view, by_deadline=True)
    moved = _move_on(view, stage, event, event.seed, event.topics_available, talk=talk)
    if not moved.changes:
        stuck = Say(session.group_chat_id, session.locale, "deadline_stuck", {"stage": stage.value})
        return Decision(
            changes=(SaveDeadline(replace(deadline, fired_at=event.at)),),
            effects=(stuck, *moved.effects),
        )
    return _with_told(view, stage, moved, by_deadline=True, at=event.at)


# --- deadlines ---------------------------------------------------------------------------


def _deadlines(session: Session, deadlines: tuple[Deadline, ...], stage: Stage) -> ShowDeadlines:
    ordered = sorted(deadlines, key=lambda d: ORDER.index(d.stage))
    return ShowDeadlines(
        session.group_chat_id,
        session.locale,
        session.id,
        tuple((d.stage, d.due_at, d.fired_at is not None) for d in ordered),
        session.time_zone,
        stage.value,
    )


def set_deadline(view: SessionView, event: DeadlineSet) -> Decision:
    """``/deadline``: list; ``/deadline <stage> <duration>``: set; ``... off``: remove."""
    session, _ = view.require()
    stage = _stage(view)
    deadlines = {d.stage: d for d in view.deadlines}
    if event.stage is None:
        return Decision(effects=(_deadlines(session, view.deadlines, stage),))
    if event.stage not in {s.value for s in DEADLINE_STAGES} or event.value is None:
        return _say(session, "deadline_usage")
    target = Stage(event.stage)
    if ORDER.index(target) < ORDER.index(stage):
        return _say(session, "deadline_stage_passed", stage=target.value)
    change: Change
    if event.value.lower() in ("off", "uit"):
        deadlines.pop(target, None)
        change = DeleteDeadline(session.id, target)
    else:
        seconds = parse_duration(event.value)
        if seconds is None:
            return _say(session, "deadline_usage")
        deadline = Deadline(session.id, target, event.at + seconds)
        deadlines[target] = deadline
        change = SaveDeadline(deadline)
    shown = _deadlines(session, tuple(deadlines.values()), stage)
    return Decision(changes=(change,), effects=(shown,))


# --- pause -------------------------------------------------------------------------------


def pause(view: SessionView, event: PauseRequested) -> Decision:
    session, _ = view.require()
    if session.paused_at is not None:
        return _say(session, "already_paused")
    paused = replace(session, paused_at=event.at)
    return Decision(
        changes=(SaveSession(paused),),
        effects=(Say(session.group_chat_id, session.locale, "session_paused"),),
    )


def resume(view: SessionView, event: ResumeRequested) -> Decision:
    session, _ = view.require()
    if session.paused_at is None:
        return _say(session, "not_paused")
    pause_length = max(0.0, event.at - session.paused_at)
    moved = tuple(
        SaveDeadline(replace(d, due_at=d.due_at + pause_length))
        for d in view.deadlines
        if d.fired_at is None
    )
    resumed = replace(session, paused_at=None)
    return Decision(
        changes=(SaveSession(resumed), *moved),
        effects=(
            Say(
                session.group_chat_id,
                session.locale,
                "session_resumed",
                {"deadlines": len(moved), "minutes": round(pause_length / 60)},
            ),
        ),
    )
