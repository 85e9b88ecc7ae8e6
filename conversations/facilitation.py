"""The facilitator's commands in the group: create a session, settings, status, pacing.

Owns: one open session per group, its settings, and what ``/status`` may reveal (counts
only, never anyone's answers). Who may steer a session is checked before any rule here
runs (``machine``'s guard, from the ``is_facilitator`` the shell reports). Must not: look
up rights itself or touch a participant's own progress except to start their sort.
"""

from __future__ import annotations

from dataclasses import replace

from conversations.decision import (
    Decision,
    DeleteSession,
    SaveDeadline,
    SaveParticipant,
    SaveSession,
)
from conversations.effects import (
    Effect,
    ExportFile,
    Invite,
    Say,
    ShowDashboardLink,
    ShowDeadlines,
    ShowSettings,
    ShowStatus,
)
from conversations.events import (
    DashboardRequested,
    ExportRequested,
    FacilitatorEvent,
    SessionDeleteRequested,
    SessionEndRequested,
    SessionRequested,
    SettingChanged,
    SortStartRequested,
    StatusRequested,
)
from conversations.model import LOCALES, Deadline, ParticipantView, Session, SessionView
from conversations.phases import Phase, Stage, can_move
from conversations.sorting import begin_lens
from conversations.stages import DEADLINE_STAGES, ORDER, current_stage, parse_duration
from conversations.vote_count import Rule

SETTING_VALUES: dict[str, dict[str, bool | str | int]] = {
    "language": {locale: locale for locale in LOCALES},
    "start": {"join": True, "command": False},
    "profile": {"on": True, "off": False},
    "tables": {str(size): size for size in range(3, 7)},
    "late": {"join": True, "wait": False},
    "agree": {"all": "all", "allbutone": "all_but_one"},
    "rounds": {str(n): n for n in range(1, 6)},
    "reminders": {"on": True, "off": False, "aan": True, "uit": False},
    "hours": {f"{a}-{b}": f"{a}-{b}" for a in range(24) for b in range(1, 25) if a != b},
}
"""Accepted ``/settings <name> <value>`` pairs and what each value means."""


def _say(
    view: SessionView, event: FacilitatorEvent, template: str, **params: str | int
) -> Decision:
    locale = view.session.locale if view.session else _fallback_locale(event)
    return Decision(effects=(Say(event.group_chat_id, locale, template, dict(params)),))


def _fallback_locale(event: FacilitatorEvent) -> str:
    return event.default_locale if isinstance(event, SessionRequested) else "en"


def request_session(view: SessionView, event: SessionRequested) -> Decision:
    if view.session is not None:
        return _say(view, event, "session_exists")
    deck_id = event.deck_id or event.default_deck
    locale = event.locale or event.default_locale
    if event.deck_id in LOCALES and event.locale is None:  # "/newsession en": a language only
        deck_id, locale = event.default_deck, event.deck_id
    if deck_id not in event.known_decks:
        return _say(
            view, event, "unknown_deck", deck_id=deck_id, decks=", ".join(event.known_decks)
        )
    if locale not in LOCALES:
        return _say(view, event, "unknown_locale", locale=locale, locales=", ".join(LOCALES))
    stages = {s.value for s in DEADLINE_STAGES}
    durations = {stage: parse_duration(value) for stage, value in event.deadlines}
    if any(stage not in stages or seconds is None for stage, seconds in durations.items()):
        return _say(view, event, "deadline_usage")
    session = Session(
        id=event.new_session_id,
        group_chat_id=event.group_chat_id,
        deck_id=deck_id,
        locale=locale,
        phase=Phase.JOINING,
        join_code=event.join_code,
        created_by=event.user_id,
        created_at=event.at,
    )
    deadlines = tuple(
        Deadline(session.id, Stage(stage), event.at + (seconds or 0))
        for stage, seconds in sorted(durations.items(), key=lambda d: ORDER.index(Stage(d[0])))
    )
    effects: list[Effect] = [  # the invitation last, so that its Join button stays in view
        Say(event.group_chat_id, locale, "session_opened", {"session": session.id}),
        Invite(event.group_chat_id, locale, session.id, session.join_code, deck_id),
    ]
    if deadlines:
        shown = tuple((d.stage, d.due_at, False) for d in deadlines)
        first = Stage.SORT if session.sort_on_join else Stage.JOIN
        effects.append(
            ShowDeadlines(
                session.group_chat_id, locale, session.id, shown, session.time_zone, first.value
            )
        )
    return Decision(
        changes=(SaveSession(session), *(SaveDeadline(d) for d in deadlines)),
        effects=tuple(effects),
    )


def settings_shown(session: Session) -> ShowSettings:
    """The settings screen of ``session`` (after ``/newsession``, ``/followup``, ``/settings``)."""
    return ShowSettings(
        session.group_chat_id,
        session.locale,
        session.id,
        session.sort_on_join,
        session.profile_questions,
        session.locale,
        session.table_size,
        session.late_joins,
        session.vote_rule,
        session.max_rounds,
        session.time_zone,
        session.waking_from,
        session.waking_until,
        session.reminders,
    )


def change_setting(view: SessionView, event: SettingChanged) -> Decision:
    session, _ = view.require()
    if event.name is None:
        return Decision(effects=(settings_shown(session),))
    if event.name == "timezone":
        if not event.time_zone_known or not event.value:
            return _say(view, event, "unknown_time_zone", value=event.value or "")
        changed = replace(session, time_zone=event.value)
        return Decision(changes=(SaveSession(changed),), effects=(settings_shown(changed),))
    meaning = SETTING_VALUES.get(event.name, {}).get(event.value or "")
    if meaning is None:
        return _say(view, event, "settings_usage")
    if event.name == "hours":
        start, end = (int(h) for h in str(meaning).split("-"))
        changed = replace(session, waking_from=start, waking_until=end)
    elif event.name == "reminders":
        changed = replace(session, reminders=bool(meaning))
    elif event.name == "language":
        changed = replace(session, locale=str(meaning))
    elif event.name == "start":
        changed = replace(session, sort_on_join=bool(meaning))
    elif event.name == "tables":
        changed = replace(session, table_size=int(meaning))
    elif event.name == "late":
        changed = replace(session, late_joins=bool(meaning))
    elif event.name == "agree":
        changed = replace(session, vote_rule=Rule(str(meaning)))
    elif event.name == "rounds":
        changed = replace(session, max_rounds=int(meaning))
    else:
        changed = replace(session, profile_questions=bool(meaning))
    return Decision(changes=(SaveSession(changed),), effects=(settings_shown(changed),))


def send_dashboard(view: SessionView, event: DashboardRequested) -> Decision:
    """The dashboard's button to the facilitator in private (inline ``web_app`` buttons
    work only there), and a word in the group that it is on its way."""
    session, _ = view.require()
    return Decision(
        effects=(
            ShowDashboardLink(event.user_id, session.locale, session.id),
            Say(session.group_chat_id, session.locale, "dashboard_sent"),
        )
    )


def report_status(view: SessionView, event: StatusRequested) -> Decision:
    session, _ = view.require()
    counts = view.counts
    assert counts is not None, "Need.COUNTS"
    pending = [d for d in view.deadlines if d.fired_at is None]
    return Decision(
        effects=(
            ShowStatus(
                session.group_chat_id,
                session.locale,
                session.id,
                session.deck_id,
                session.phase.value,
                counts.joined,
                counts.consented,
                tuple((lens.lens_id, lens.sorting, lens.done) for lens in counts.lenses),
                counts.with_top,
                counts.unreachable,
                current_stage(session, view.tables).value,
                session.paused_at is not None,
                next(
                    ((d.stage, d.due_at) for d in sorted(pending, key=lambda d: d.due_at)),
                    None,
                ),
                session.time_zone,
                counts.simulated,
            ),
        )
    )


def start_sort(view: SessionView, event: SortStartRequested) -> Decision:
    """Start the sort for everyone who joined and is waiting for it."""
    session, deck = view.require()
    if not can_move(session.phase, Phase.SORTING):
        return _say(view, event, "sort_already_started")
    session = session.moved_to(Phase.SORTING)
    changes: list[SaveSession | SaveParticipant] = [SaveSession(session)]
    count = len(view.waiting)
    effects: list[Effect] = [
        Say(session.group_chat_id, session.locale, "sort_started", {"count": count})
    ]
    for person in view.waiting:
        started, shown = begin_lens(ParticipantView(session, deck, person), 0)
        changes.append(SaveParticipant(started))
        effects.extend(shown)
    return Decision(changes=tuple(changes), effects=tuple(effects))


EXPORT_NAMES = frozenset({"names", "namen"})
EXPORT_SIMULATED = frozenset({"all", "alle"})
"""``/export`` words: people by name; with a rehearsal's simulated people."""


def request_export(view: SessionView, event: ExportRequested) -> Decision:
    """``/export``: the latest session's data to the facilitator's private chat."""
    session, _ = view.require()
    if event.anonymous:
        return _say(view, event, "export_anonymous")
    words = set(event.words)
    export = ExportFile(
        event.user_id,
        event.locale,
        session.id,
        names=bool(words & EXPORT_NAMES),
        simulated=bool(words & EXPORT_SIMULATED),
    )
    return Decision(effects=(export, Say(session.group_chat_id, session.locale, "export_sent")))


def delete_session(view: SessionView, event: SessionDeleteRequested) -> Decision:
    """Delete the group's latest session, once its number confirms the intent."""
    session, _ = view.require()
    joined = view.counts.joined if view.counts else 0
    if event.confirmation != session.id:
        return _say(view, event, "delete_confirm", session=session.id, joined=joined)
    return Decision(
        changes=(DeleteSession(session.id),),
        effects=(
            Say(session.group_chat_id, session.locale, "session_deleted", {"joined": joined}),
        ),
    )


def end_session(view: SessionView, event: SessionEndRequested) -> Decision:
    session, _ = view.require()
    closed = session.moved_to(Phase.CLOSED)
    return Decision(
        changes=(SaveSession(closed),),
        effects=(Say(closed.group_chat_id, closed.locale, "session_closed"),),
    )
