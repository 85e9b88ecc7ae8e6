"""The core's one entry point: decide an event against the view the shell loaded for it.

Owns: which rule handles which event, and which kind of view each event needs
(``VIEW_KIND``), so the shell loads exactly that. Must not: do I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import Enum
from typing import Any

from conversations import (
    facilitation,
    joining,
    pacing,
    plenary,
    rehearsal,
    reminding,
    series,
    sharing,
    sorting,
    tables,
    voting,
)
from conversations.decision import Decision, Toast, merge
from conversations.effects import Effect, Say
from conversations.events import (
    AgeBandAnswered,
    CardRated,
    ConsentAnswered,
    ContinueRequested,
    DeadlineReached,
    DeadlineSet,
    DilemmaRequested,
    Event,
    FacilitatorEvent,
    FollowupRequested,
    ForgetRequested,
    JoinRequested,
    LanguageChosen,
    MediaReceived,
    MoveRequested,
    NextConfirmed,
    NextRequested,
    NoteSkipped,
    OrganisationAnswered,
    ParticipantEvent,
    ParticipantUnreachable,
    PauseRequested,
    PileCardMoved,
    PileCardPicked,
    PilesConfirmed,
    RatingUndone,
    RehearsalRequested,
    RemindersDue,
    RemindersMuted,
    ResumeRequested,
    RevisionAnswered,
    RevisionRequested,
    RoundDecided,
    SeatingConfirmed,
    SessionDeleteRequested,
    SessionEndRequested,
    SessionRequested,
    SettingChanged,
    SortPaused,
    SortStartRequested,
    StatusRequested,
    StoryCardChosen,
    SummaryRequested,
    TableRequested,
    TablesRequested,
    TextReceived,
    TopCardToggled,
    TopConfirmed,
    VoteConfirmed,
    VoteRequested,
    VoteToggled,
)
from conversations.joining import JoinView
from conversations.model import ParticipantView, PersonView, SessionView, Step
from conversations.phases import Phase


class ViewKind(Enum):
    SESSION = "session"
    """A ``SessionView`` of the group's open session."""
    JOIN = "join"
    """A ``JoinView`` for the join code."""
    PARTICIPANT = "participant"
    """A ``ParticipantView`` of the person in the session, with their ratings and top."""
    PERSON = "person"
    """A ``PersonView``: what is stored about the person across sessions."""


View = SessionView | JoinView | ParticipantView | PersonView

_FACILITATOR: dict[type[Any], Callable[[SessionView, Any], Decision]] = {
    SessionRequested: facilitation.request_session,
    StatusRequested: facilitation.report_status,
    SettingChanged: facilitation.change_setting,
    SortStartRequested: facilitation.start_sort,
    SessionEndRequested: facilitation.end_session,
    SessionDeleteRequested: facilitation.delete_session,
    TablesRequested: tables.propose,
    MoveRequested: tables.move,
    SeatingConfirmed: tables.seat,
    RevisionRequested: tables.revise_all,
    DilemmaRequested: voting.post_dilemma,
    VoteRequested: voting.open_votes,
    SummaryRequested: plenary.post_summary,
    NextRequested: pacing.ask_next,
    NextConfirmed: pacing.confirm_next,
    DeadlineSet: pacing.set_deadline,
    DeadlineReached: pacing.reach_deadline,
    PauseRequested: pacing.pause,
    ResumeRequested: pacing.resume,
    RemindersDue: reminding.remind,
    RehearsalRequested: rehearsal.rehearse,
    FollowupRequested: series.request_followup,
}

_PARTICIPANT: dict[type[Any], Callable[[ParticipantView, Any], Decision]] = {
    ConsentAnswered: joining.answer_consent,
    AgeBandAnswered: joining.answer_age_band,
    OrganisationAnswered: joining.answer_organisation,
    TextReceived: joining.receive_text,
    ContinueRequested: joining.resume,
    LanguageChosen: joining.choose_language,
    ParticipantUnreachable: joining.mark_unreachable,
    CardRated: sorting.rate,
    RatingUndone: sorting.undo,
    SortPaused: sorting.pause,
    PileCardPicked: sorting.pick_pile_card,
    PileCardMoved: sorting.move_pile_card,
    PilesConfirmed: sorting.confirm_piles,
    TopCardToggled: lambda view, event: (
        sharing.toggle_revision(view, event)
        if view.participant.step is Step.REVISING
        else sorting.toggle_top_card(view, event)
    ),
    TopConfirmed: lambda view, event: _top_confirmed(view, event),
    StoryCardChosen: sharing.choose_story_card,
    RevisionAnswered: sharing.answer_revision,
    MediaReceived: sharing.relay_media,
    TableRequested: sharing.show_table,
    VoteToggled: voting.toggle_vote,
    VoteConfirmed: voting.confirm_vote,
    RoundDecided: voting.decide_round,
    NoteSkipped: voting.skip_note,
    RemindersMuted: reminding.mute,
}


def _top_confirmed(view: ParticipantView, event: TopConfirmed) -> Decision:
    """A top confirmed: after the sort (then perhaps a late seat), or after revising."""
    p = view.participant
    if p.step is Step.REVISING:
        return sharing.confirm_revision(view, event)
    decision = sorting.confirm_top(view, event)
    if not decision.changes:
        return decision
    done = replace(view, participant=replace(p, step=Step.DONE), top=p.selection)
    decision = merge(decision, Decision(effects=series.then_and_now(done)))
    return merge(decision, tables.seat_latecomer(done))


def _closed_reply(view: ParticipantView, event: ParticipantEvent) -> tuple[Effect, ...]:
    """Typed text and commands in a closed session get a message; taps only the toast."""
    if isinstance(event, TextReceived | ContinueRequested | MediaReceived | TableRequested):
        p = view.participant
        return (Say(p.chat_id, p.locale, "session_over"),)
    return ()


_WHILE_PAUSED = ParticipantUnreachable | RemindersMuted | LanguageChosen | TableRequested
"""What a person may still do while the facilitator paused the session."""


def _paused_reply(view: ParticipantView, event: ParticipantEvent) -> tuple[Effect, ...]:
    if isinstance(event, TextReceived | ContinueRequested | MediaReceived):
        p = view.participant
        return (Say(p.chat_id, p.locale, "session_paused_text"),)
    return ()


def view_kind(event: Event) -> ViewKind:
    """The kind of view the shell must load to handle ``event``."""
    if isinstance(event, FacilitatorEvent):
        return ViewKind.SESSION
    if isinstance(event, JoinRequested):
        return ViewKind.JOIN
    if isinstance(event, ForgetRequested):
        return ViewKind.PERSON
    return ViewKind.PARTICIPANT


def handle(view: View, event: Event) -> Decision:
    """Decide ``event``. ``view`` must be of the kind ``view_kind(event)`` names."""
    if isinstance(event, FacilitatorEvent):
        if not isinstance(view, SessionView):
            raise TypeError(f"{type(event).__name__} needs a SessionView")
        return _FACILITATOR[type(event)](view, event)
    if isinstance(event, JoinRequested):
        if not isinstance(view, JoinView):
            raise TypeError("JoinRequested needs a JoinView")
        return joining.join(view, event)
    if isinstance(event, ForgetRequested):
        if not isinstance(view, PersonView):
            raise TypeError("ForgetRequested needs a PersonView")
        return joining.forget(view, event)
    if isinstance(event, ParticipantEvent):
        if not isinstance(view, ParticipantView):
            raise TypeError(f"{type(event).__name__} needs a ParticipantView")
        if view.session.phase is Phase.CLOSED and not isinstance(event, ParticipantUnreachable):
            return Decision(toast=Toast("session_closed"), effects=_closed_reply(view, event))
        if view.session.paused_at is not None and not isinstance(event, _WHILE_PAUSED):
            return Decision(toast=Toast("session_paused"), effects=_paused_reply(view, event))
        return _PARTICIPANT[type(event)](view, event)
    raise TypeError(f"unknown event {event!r}")
