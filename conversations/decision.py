"""The result of handling one event: changes to save, effects to deliver, a short answer.

Owns: ``Decision`` and the change records. A change names exactly the rows it
touches, so saving costs the same however large the session is. Must not: know SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from conversations.deck import Deck
from conversations.effects import Effect
from conversations.model import Deadline, Participant, Session, Table
from conversations.phases import Stage


@dataclass(frozen=True, slots=True)
class SaveSession:
    session: Session


@dataclass(frozen=True, slots=True)
class SaveParticipant:
    participant: Participant


@dataclass(frozen=True, slots=True)
class SaveRating:
    session_id: int
    user_id: int
    lens_id: str
    card_id: str
    level: int
    position: int
    """0-based place of the card in this person's order for the lens."""
    at: float


@dataclass(frozen=True, slots=True)
class DeleteRating:
    session_id: int
    user_id: int
    lens_id: str
    card_id: str


@dataclass(frozen=True, slots=True)
class SaveTop:
    session_id: int
    user_id: int
    cards: tuple[str, ...]
    at: float


@dataclass(frozen=True, slots=True)
class SaveTable:
    table: Table


@dataclass(frozen=True, slots=True)
class SaveStory:
    session_id: int
    user_id: int
    card_id: str
    text: str
    at: float


@dataclass(frozen=True, slots=True)
class SaveRevisedTop:
    """The top after hearing the table mates (the same cards when kept)."""

    session_id: int
    user_id: int
    cards: tuple[str, ...]
    at: float


@dataclass(frozen=True, slots=True)
class SaveVote:
    session_id: int
    user_id: int
    round: int
    cards: tuple[str, ...]
    at: float


@dataclass(frozen=True, slots=True)
class ForgetPerson:
    """Delete everything stored about this person, in every session."""

    user_id: int


@dataclass(frozen=True, slots=True)
class DeleteSession:
    """Delete a session with everything its participants answered."""

    session_id: int


@dataclass(frozen=True, slots=True)
class SaveDeadline:
    deadline: Deadline


@dataclass(frozen=True, slots=True)
class DeleteDeadline:
    session_id: int
    stage: Stage


@dataclass(frozen=True, slots=True)
class SaveReminded:
    """The person was reminded at ``at``."""

    session_id: int
    user_id: int
    at: float


@dataclass(frozen=True, slots=True)
class MarkSimulated:
    """A participant who is simulated (a rehearsal), with the seed of their profile."""

    session_id: int
    user_id: int
    profile_seed: int


@dataclass(frozen=True, slots=True)
class SaveDeck:
    """An uploaded deck, kept (with its file) for its owner; it replaces their earlier
    upload of the same id."""

    deck: Deck
    owner_id: int
    filename: str
    content: str


Change = (
    SaveSession
    | SaveParticipant
    | SaveRating
    | DeleteRating
    | SaveTop
    | SaveTable
    | SaveStory
    | SaveRevisedTop
    | SaveVote
    | ForgetPerson
    | DeleteSession
    | SaveDeadline
    | DeleteDeadline
    | SaveReminded
    | MarkSimulated
    | SaveDeck
)


@dataclass(frozen=True, slots=True)
class Toast:
    """A short answer to a button tap (shown briefly at the top of the chat)."""

    key: str
    params: Mapping[str, str | int] = field(default_factory=dict)
    alert: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    changes: tuple[Change, ...] = ()
    effects: tuple[Effect, ...] = ()
    toast: Toast | None = None


def merge(first: Decision, then: Decision | None) -> Decision:
    """Two decisions taken one after the other, as one (the later toast wins)."""
    if then is None:
        return first
    return Decision(
        changes=first.changes + then.changes,
        effects=first.effects + then.effects,
        toast=then.toast or first.toast,
    )


STALE = Decision(toast=Toast("stale_button"))
"""The answer to a tap on a button that no longer fits where the person stands."""
