"""The workshop's records as the core sees them: sessions, participants, views.

Owns: the frozen records the shell loads and saves (``Session``, ``Participant``), the
participant's own progress (``Step``) and the views an event is handled against.
Must not: know how records are stored or shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from conversations.deck import Deck
from conversations.phases import Phase

LOCALES: tuple[str, ...] = ("nl", "en")

AGE_BANDS: tuple[str, ...] = ("under-30", "30-44", "45-59", "60-plus")
"""Answers to the optional age question; stored by value."""

MAX_ORGANISATION_LENGTH = 80


class Step(StrEnum):
    """Where one participant stands in their private chat. Stored by value."""

    CONSENT = "consent"
    AGE = "age"
    ORGANISATION = "organisation"
    WAITING = "waiting"
    """Ready, waiting for the facilitator to start the sort."""
    SORTING = "sorting"
    REVIEW = "review"
    """Looking over the five piles of the current lens before confirming."""
    TOP = "top"
    DONE = "done"
    """Sorted every lens and chose a top; waits for the next part of the session."""
    DECLINED = "declined"
    """Did not give consent: nothing of theirs is kept beyond the join itself."""


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    group_chat_id: int
    deck_id: str
    locale: str
    phase: Phase
    join_code: str
    created_by: int
    created_at: float
    sort_on_join: bool = False
    profile_questions: bool = True


@dataclass(frozen=True, slots=True)
class Participant:
    session_id: int
    user_id: int
    chat_id: int
    name: str
    locale: str
    step: Step
    order_seed: int
    joined_at: float
    lens_index: int = 0
    paused: bool = False
    age_band: str | None = None
    organisation: str | None = None
    selection: tuple[str, ...] = ()
    """Cards picked so far in the top picker, in the order they were picked."""
    moving: str | None = None
    """The card being moved to another pile in the review, if any."""
    unreachable: bool = False


Ratings = Mapping[str, Mapping[str, int]]
"""lens id -> card id -> level (1..5) for one participant."""


@dataclass(frozen=True, slots=True)
class ParticipantView:
    """What a participant's event is decided on: their own rows, never the session's."""

    session: Session
    deck: Deck
    participant: Participant
    ratings: Ratings = field(default_factory=dict)
    top: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonView:
    """What ``/forgetme`` is decided on: how many sessions hold this person's data."""

    user_id: int
    participations: int


@dataclass(frozen=True, slots=True)
class LensProgress:
    lens_id: str
    sorting: int
    """Started this lens, not yet confirmed its piles."""
    done: int


@dataclass(frozen=True, slots=True)
class SessionCounts:
    joined: int
    consented: int
    lenses: tuple[LensProgress, ...]
    with_top: int
    unreachable: int


@dataclass(frozen=True, slots=True)
class SessionView:
    """What a facilitator's event in a group is decided on."""

    session: Session | None
    deck: Deck | None = None
    counts: SessionCounts | None = None
    """Loaded for ``/status`` only."""
    waiting: tuple[Participant, ...] = ()
    """Loaded for ``/startsort`` only: everyone waiting for the sort to start."""
