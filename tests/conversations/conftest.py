"""A small in-memory workshop that keeps the core's decisions, for driving the core
through its public API (``handle``) the way the store would, without any I/O: each
person's rows through the core's own ``apply``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from bot.decks.files import load_builtin_decks
from conversations import events as ev
from conversations.apply import apply
from conversations.decision import Decision, SaveParticipant, SaveSession
from conversations.deck import Deck
from conversations.joining import JoinView
from conversations.machine import handle, view_type
from conversations.model import Participant, ParticipantView, Session, SessionView, Step
from conversations.phases import Phase

GROUP = -100
FACILITATOR = 1


@dataclass
class Workshop:
    deck: Deck
    sessions: dict[int, Session] = field(default_factory=dict)
    people: dict[tuple[int, int], ParticipantView] = field(default_factory=dict)
    """Each participant's own rows, kept up to date with the core's ``apply``."""
    clock: float = 1_000.0
    outbox: list[Any] = field(default_factory=list)

    @property
    def participants(self) -> dict[tuple[int, int], Participant]:
        return {key: view.participant for key, view in self.people.items()}

    @property
    def ratings(self) -> dict[tuple[int, int], Mapping[str, Mapping[str, int]]]:
        return {key: view.ratings for key, view in self.people.items()}

    @property
    def tops(self) -> dict[tuple[int, int], tuple[str, ...]]:
        return {key: view.top for key, view in self.people.items()}

    def now(self) -> float:
        self.clock += 1
        return self.clock

    def view(self, event: ev.Event) -> Any:
        kind = view_type(event)
        if kind is SessionView:
            assert isinstance(event, ev.FacilitatorEvent)
            session = next(
                (
                    s
                    for s in self.sessions.values()
                    if s.group_chat_id == event.group_chat_id and s.phase is not Phase.CLOSED
                ),
                None,
            )
            waiting = tuple(
                p
                for p in self.participants.values()
                if session and p.session_id == session.id and p.step is Step.WAITING
            )
            return SessionView(session, self.deck if session else None, None, waiting)
        if kind is JoinView:
            assert isinstance(event, ev.JoinRequested)
            session = next(
                (s for s in self.sessions.values() if s.join_code == event.join_code), None
            )
            existing = self.participant_view(session.id, event.user_id) if session else None
            return JoinView(session, self.deck if session else None, existing)
        assert isinstance(event, ev.ParticipantEvent)
        return self.participant_view(event.session_id, event.user_id)

    def participant_view(self, session_id: int, user_id: int) -> ParticipantView | None:
        view = self.people.get((session_id, user_id))
        return replace(view, session=self.sessions[session_id]) if view else None

    def send(self, event: ev.Event) -> Decision:
        decision = handle(self.view(event), event)
        for change in decision.changes:
            if isinstance(change, SaveSession):
                self.sessions[change.session.id] = change.session
            elif isinstance(change, SaveParticipant):
                p = change.participant
                key = (p.session_id, p.user_id)
                if key not in self.people:  # joined: a view of their own rows from now on
                    self.people[key] = ParticipantView(self.sessions[p.session_id], self.deck, p)
        self.people = {key: apply(view, decision.changes) for key, view in self.people.items()}
        self.outbox.extend(decision.effects)
        return decision

    # --- conveniences -------------------------------------------------------------------

    def new_session(self, *, facilitator: bool = True, **kw: Any) -> Decision:
        return self.send(
            ev.SessionRequested(
                self.now(),
                GROUP,
                FACILITATOR,
                facilitator,
                kw.get("deck_id"),
                kw.get("locale"),
                new_session_id=len(self.sessions) + 1,
                join_code=kw.get("join_code", f"code{len(self.sessions) + 1}"),
                default_locale="nl",
                known_decks=(self.deck.id,),
                default_deck=self.deck.id,
            )
        )

    def join(self, user_id: int, code: str = "code1", seed: int | None = None) -> Decision:
        return self.send(
            ev.JoinRequested(
                self.now(),
                user_id,
                user_id,
                f"User {user_id}",
                "en",
                code,
                seed if seed is not None else user_id * 7919,
            )
        )

    def participant(self, user_id: int, session_id: int = 1) -> Participant:
        return self.participants[(session_id, user_id)]


@pytest.fixture
def deck() -> Deck:
    return load_builtin_decks()["goed-werk"]


@pytest.fixture
def workshop(deck: Deck) -> Workshop:
    return Workshop(deck)
