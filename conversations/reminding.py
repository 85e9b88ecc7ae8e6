"""Reminders for people whose turn it is, over a session that runs for days.

Owns: who is reminded and when. A person is reminded only while it is their turn
(``stages.TURN``: never when done, waiting for others, declined, unreachable, gone or
simulated),
never after they asked for no more reminders, at most once in ``DAY``; the scheduler's
reminders go only within the session's waking hours and only to people who have been
idle for a day, ``/remind`` reaches everyone whose turn it is now. Must not: read a
clock or a time zone (the shell sends the local hour with the event).
"""

from __future__ import annotations

from dataclasses import replace

from conversations.decision import Decision, SaveParticipant, SaveReminded, Toast
from conversations.effects import Effect, Remind, Say, ShowMuted
from conversations.events import RemindersDue, RemindersMuted, RemindersResumed, RemindRequested
from conversations.model import ParticipantView, Session, SessionView
from conversations.rehearsal import is_simulated
from conversations.stages import TURN, stage_of_step

DAY = 86400.0


def is_waking(session: Session, local_hour: int) -> bool:
    """Whether ``local_hour`` falls in the session's waking hours (which may wrap midnight)."""
    start, end = session.waking_from, session.waking_until
    if start <= end:
        return start <= local_hour < end
    return local_hour >= start or local_hour < end


def remind(view: SessionView, event: RemindRequested) -> Decision:
    """``/remind``: everyone whose turn it is, now, and a count in the group."""
    session, _ = view.require()
    if session.paused_at is not None:
        return Decision(effects=(Say(session.group_chat_id, session.locale, "paused_first"),))
    return _reminders(view, session, event.at, manual=True)


def remind_due(view: SessionView, event: RemindersDue) -> Decision:
    """The scheduler's round: in waking hours, whoever has been idle for a day."""
    session, _ = view.require()
    if session.paused_at is not None or not session.reminders:
        return Decision()
    if not is_waking(session, event.local_hour):
        return Decision()
    return _reminders(view, session, event.at, manual=False)


def _reminders(view: SessionView, session: Session, at: float, *, manual: bool) -> Decision:
    due = {d.stage: d.due_at for d in view.deadlines if d.fired_at is None}
    changes: list[SaveReminded] = []
    effects: list[Effect] = []
    muted = recent = 0
    for straggler in view.stragglers:
        p = straggler.participant
        if p.step not in TURN or p.unreachable or is_simulated(p.user_id):
            continue
        if p.muted:
            muted += 1
            continue
        last = straggler.reminded_at
        if last is not None and at - last < DAY:
            recent += 1
            continue
        if not manual and at - straggler.active_at < DAY:
            continue
        stage = stage_of_step(p.step)
        changes.append(SaveReminded(p.session_id, p.user_id, at))
        effects.append(
            Remind(
                p.chat_id,
                p.locale,
                p.session_id,
                stage.value,
                due.get(stage),
                session.time_zone,
            )
        )
    if manual:
        effects.append(
            Say(
                session.group_chat_id,
                session.locale,
                "reminded",
                {"count": len(changes), "recent": recent, "muted": muted},
            )
        )
    return Decision(changes=tuple(changes), effects=tuple(effects))


def mute(view: ParticipantView, event: RemindersMuted) -> Decision:
    p = view.participant
    if p.muted:
        return Decision(toast=Toast("reminders_muted"))
    return Decision(
        changes=(SaveParticipant(replace(p, muted=True)),),
        effects=(ShowMuted(p.chat_id, p.locale, p.session_id),),
        toast=Toast("reminders_muted"),
    )


def resume_reminders(view: ParticipantView, event: RemindersResumed) -> Decision:
    p = view.participant
    if not p.muted:
        return Decision(toast=Toast("reminders_resumed"))
    return Decision(
        changes=(SaveParticipant(replace(p, muted=False)),),
        effects=(Say(p.chat_id, p.locale, "reminders_resumed"),),
        toast=Toast("reminders_resumed"),
    )
