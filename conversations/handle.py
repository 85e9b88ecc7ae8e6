"""The core's one entry point: decide an event against the view the shell loaded for it.

Owns: which rule handles which event, and which kind of view each event needs
(``VIEW_KIND``), so the shell loads exactly that. Must not: do I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from conversations import facilitation, joining, sorting
from conversations.decision import Decision
from conversations.events import (
    AgeBandAnswered,
    CardRated,
    ConsentAnswered,
    ContinueRequested,
    Event,
    FacilitatorEvent,
    ForgetRequested,
    JoinRequested,
    LanguageChosen,
    OrganisationAnswered,
    ParticipantEvent,
    ParticipantUnreachable,
    PileCardMoved,
    PileCardPicked,
    PilesConfirmed,
    RatingUndone,
    SessionDeleteRequested,
    SessionEndRequested,
    SessionRequested,
    SettingChanged,
    SortPaused,
    SortStartRequested,
    StatusRequested,
    TextReceived,
    TopCardToggled,
    TopConfirmed,
)
from conversations.joining import JoinView
from conversations.model import ParticipantView, PersonView, SessionView


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
    TopCardToggled: sorting.toggle_top_card,
    TopConfirmed: sorting.confirm_top,
}


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
        return _PARTICIPANT[type(event)](view, event)
    raise TypeError(f"unknown event {event!r}")
