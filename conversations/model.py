"""The workshop's records as the core sees them: sessions, participants, views.

Owns: the frozen records the shell loads and saves (``Session``, ``Participant``), the
participant's own progress (``Step``) and the views an event is handled against.
Must not: know how records are stored or shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from conversations.deck import Deck
from conversations.needs import Need
from conversations.phases import IllegalTransition, Phase, Stage, enter
from conversations.plenary_figures import PersonFacts
from conversations.vote_count import OutcomeKind, Rule

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
    STORY = "story"
    """Seated: picks a top card to tell a story about (``story_card`` set while writing)."""
    SHARED = "shared"
    """Told their stories; waits for the table mates."""
    REVISE = "revise"
    """Asked whether the table mates' stories change their top."""
    REVISING = "revising"
    """Choosing a revised top in the picker."""
    SETTLED = "settled"
    """Kept or revised their top after the stories."""
    VOTING = "voting"
    """Approving candidates for the table's common top (``selection``)."""
    VOTED = "voted"
    """Voted this round; waits for the table."""
    DECIDING = "deciding"
    """After a round without full agreement: vote again or settle?"""
    NOTE = "note"
    """The table settled without a full top: may add a one-line note."""
    FINAL = "final"
    """The table's outcome is settled."""
    DECLINED = "declined"
    """Did not give consent: nothing of theirs is kept beyond the join itself."""


STEP_TRANSITIONS: dict[Step, frozenset[Step]] = {
    Step.CONSENT: frozenset({Step.AGE, Step.DECLINED, Step.WAITING, Step.SORTING}),
    Step.AGE: frozenset({Step.ORGANISATION}),
    Step.ORGANISATION: frozenset({Step.WAITING, Step.SORTING}),
    Step.WAITING: frozenset({Step.SORTING}),
    Step.DECLINED: frozenset(),
    Step.SORTING: frozenset({Step.SORTING, Step.REVIEW}),
    Step.REVIEW: frozenset({Step.SORTING, Step.TOP}),
    Step.TOP: frozenset({Step.DONE}),
    Step.DONE: frozenset({Step.STORY}),
    Step.STORY: frozenset({Step.SHARED, Step.REVISE, Step.VOTING}),
    Step.SHARED: frozenset({Step.REVISE, Step.VOTING}),
    Step.REVISE: frozenset({Step.REVISING, Step.SETTLED, Step.VOTING}),
    Step.REVISING: frozenset({Step.SETTLED, Step.VOTING}),
    Step.SETTLED: frozenset({Step.VOTING}),
    Step.VOTING: frozenset({Step.VOTING, Step.VOTED, Step.DECIDING, Step.NOTE, Step.FINAL}),
    Step.VOTED: frozenset({Step.VOTING, Step.DECIDING, Step.NOTE, Step.FINAL}),
    Step.DECIDING: frozenset({Step.VOTING, Step.NOTE, Step.FINAL}),
    Step.NOTE: frozenset({Step.FINAL}),
    Step.FINAL: frozenset(),
}
"""Where a participant may go from each step: the welcome, the sort (lens by lens, then
the top), the table (stories, revising, then the vote; a facilitator's command or a
deadline moves everyone on to the vote), the outcome. Every change of step goes through
``Participant.moved_to``."""


class Rooms(StrEnum):
    """Where a session's tables talk. Stored by value."""

    TOPICS = "topics"
    """A forum topic per table in the group."""
    RELAY = "relay"
    """The bot relays each member's messages to their table mates' private chats."""


class Revision(StrEnum):
    """A member's answer after the stories: their top as it was, or changed. Stored by
    value."""

    KEPT = "kept"
    REVISED = "revised"


class RoundChoice(StrEnum):
    """A member's answer after a voting round without full agreement. Stored by value."""

    AGAIN = "again"
    SETTLE = "settle"


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
    table_size: int = 4
    late_joins: bool = True
    """Late finishers join the smallest table (True) or wait for the facilitator."""
    rooms: Rooms | None = None
    """Where tables talk, chosen when seated."""
    dilemma_index: int = 0
    """The next of the deck's dilemmas ``/dilemma`` posts."""
    own_dilemmas: tuple[str, ...] = ()
    """The facilitator's own dilemmas (``/dilemma <text>``) posted to the tables, in order."""
    vote_rule: Rule = Rule.ALL
    """How many approvals make a card agreed (all but one: for tables of five or more)."""
    max_rounds: int = 3
    paused_at: float | None = None
    """Set while the facilitator paused the session: no answers, deadlines or reminders."""
    time_zone: str = "Europe/Amsterdam"
    """Where the session's waking hours and deadlines are read (an IANA zone name)."""
    waking_from: int = 9
    """Reminders go out from this hour (local time, 0..23) ..."""
    waking_until: int = 21
    """... until this hour (exclusive)."""
    reminders: bool = True
    previous_id: int | None = None
    """The session this one follows up in a series (``/followup``)."""

    def moved_to(self, phase: Phase, **changes: Any) -> Session:
        """This session in ``phase``: the one way a phase changes, through ``TRANSITIONS``."""
        return replace(self, phase=enter(self.phase, phase), **changes)


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
    table_number: int | None = None
    """The table (1-based) in the proposal or, once seated, for good."""
    story_card: str | None = None
    """The top card the person is writing a story about."""
    revision: Revision | None = None
    """Once they answered whether the stories change their top."""
    round_choice: RoundChoice | None = None
    """After a voting round without full agreement."""
    muted: bool = False
    """The person asked for no more reminders in this session."""
    on_board: bool = False
    """The person sorts on the board (the Mini App); their chat says so instead of
    showing cards, until they ask to go on in the chat."""

    def moved_to(self, step: Step, **changes: Any) -> Participant:
        """This person in ``step``: the one way a step changes, through ``STEP_TRANSITIONS``."""
        if step is not self.step and step not in STEP_TRANSITIONS[self.step]:
            raise IllegalTransition(f"a participant cannot move from {self.step} to {step}")
        return replace(self, step=step, **changes)


class TableStage(StrEnum):
    SHARING = "sharing"
    REVISING = "revising"
    SETTLED = "settled"
    DILEMMA = "dilemma"
    """The table has its dilemma and talks it through until its vote opens (members may
    still finish revising)."""
    VOTING = "voting"
    DECIDING = "deciding"
    AGREED = "agreed"
    """The table's outcome is final (a full, partial or no common top)."""


TABLE_TRANSITIONS: dict[TableStage, frozenset[TableStage]] = {
    TableStage.SHARING: frozenset({TableStage.REVISING, TableStage.VOTING}),
    TableStage.REVISING: frozenset({TableStage.SETTLED, TableStage.DILEMMA, TableStage.VOTING}),
    TableStage.SETTLED: frozenset({TableStage.DILEMMA, TableStage.VOTING}),
    TableStage.DILEMMA: frozenset({TableStage.VOTING}),
    TableStage.VOTING: frozenset({TableStage.DECIDING, TableStage.AGREED}),
    TableStage.DECIDING: frozenset({TableStage.VOTING, TableStage.AGREED}),
    TableStage.AGREED: frozenset(),
}
"""Where a table may go from each stage: stories, revising, settled, then rounds of
votes until its outcome is agreed (the facilitator may open the votes at any stage
before). Every change of stage goes through ``Table.moved_to``."""


@dataclass(frozen=True, slots=True)
class Table:
    session_id: int
    number: int
    stage: TableStage = TableStage.SHARING
    round: int = 0
    agreed: tuple[str, ...] = ()
    outcome: OutcomeKind | None = None
    """Set after a round."""
    note: str | None = None

    def moved_to(self, stage: TableStage, **changes: Any) -> Table:
        """This table in ``stage``: the one way it changes, through ``TABLE_TRANSITIONS``."""
        if stage is not self.stage and stage not in TABLE_TRANSITIONS[self.stage]:
            raise IllegalTransition(f"a table cannot move from {self.stage} to {stage}")
        return replace(self, stage=stage, **changes)


@dataclass(frozen=True, slots=True)
class Mate:
    """A table member as their table mates' events need them."""

    participant: Participant
    top: tuple[str, ...]
    """Their current top: revised after the stories, else as chosen after sorting."""
    levels: Mapping[str, int] = field(default_factory=dict)
    """Their levels in the last lens; loaded only for votes and dilemmas."""
    ballot: tuple[str, ...] = ()
    """What they approved in the table's current round."""


@dataclass(frozen=True, slots=True)
class TableView:
    """A seated person's table: its record and every member (the person included)."""

    table: Table
    members: tuple[Mate, ...]

    def others(self, user_id: int) -> tuple[Mate, ...]:
        return tuple(m for m in self.members if m.participant.user_id != user_id)


@dataclass(frozen=True, slots=True)
class Finisher:
    """Someone who finished sorting, as seating needs them."""

    participant: Participant
    profile: tuple[int, ...]
    """Their levels in the last lens, in deck order: their value profile."""
    top: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EarlierTop:
    """A person's top in an earlier session of the series: revised after the stories if
    they answered, else as chosen after sorting."""

    session_id: int
    deck_id: str
    """The deck of that session (it may differ from the follow-up's)."""
    cards: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EarlierSession:
    """An earlier session of a follow-up's series, as much as its plenary summary needs."""

    session: Session
    deck: Deck
    tables: tuple[TableView, ...]
    people: tuple[PersonFacts, ...]


Ratings = Mapping[str, Mapping[str, int]]
"""lens id -> card id -> level (1..5) for one participant."""


def seated_table(session: Session, participant: Participant) -> int | None:
    """The table the person sits at for good: their number once the tables started (a
    number in a proposal is not a seat yet)."""
    return participant.table_number if session.phase is Phase.TABLES else None


@dataclass(frozen=True, slots=True)
class ParticipantView:
    """What a participant's event is decided on: their own rows, never the session's."""

    session: Session
    deck: Deck
    participant: Participant
    ratings: Ratings = field(default_factory=dict)
    top: tuple[str, ...] = ()
    """The top chosen after sorting."""
    table: TableView | None = None
    """``Need.TABLE``: the person's table once they sit at one (with levels and ballots
    on ``Need.LEVELS``)."""
    stories: Mapping[str, str] = field(default_factory=dict)
    """``Need.TABLE``: card id -> the story the person told about it."""
    late_tables: tuple[TableView, ...] = ()
    """``Need.LATE_TABLES``: every table of the session, for a late finisher."""
    earlier_top: EarlierTop | None = None
    """``Need.EARLIER_TOP``: in a follow-up, the person's top in the most recent earlier
    session of the series in which they had one."""
    earlier_pairs: frozenset[frozenset[int]] = frozenset()
    """``Need.EARLIER_PAIRS``: the pairs of user ids who sat at one table in an earlier
    session of the series."""
    loaded: frozenset[Need] = frozenset()
    """What the shell loaded for the event (``machine.needs``); the parts it did not load
    hold ``needs.NotLoaded``."""


@dataclass(frozen=True, slots=True)
class PersonView:
    """What ``/forgetme`` is decided on: how many sessions hold this person's data."""

    user_id: int
    participations: int


@dataclass(frozen=True, slots=True)
class Deadline:
    """By ``due_at`` the session moves on from ``stage``."""

    session_id: int
    stage: Stage
    due_at: float
    fired_at: float | None = None


@dataclass(frozen=True, slots=True)
class Straggler:
    """Someone whose turn it is (see ``pacing.PENDING``), as pacing and reminders need them."""

    participant: Participant
    active_at: float
    """Their last answer, or when the session put them in their step if that is later."""
    reminded_at: float | None = None


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One participant as the facilitator's dashboard shows them."""

    participant: Participant
    rated: Mapping[str, int]
    """Cards rated per lens id."""
    active_at: float
    """Their last answer, or when they came to their step if that is later."""


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
    simulated: int = 0
    """Of those who joined, how many are simulated (a rehearsal)."""


@dataclass(frozen=True, slots=True)
class SessionView:
    """What a facilitator's event in a group is decided on."""

    session: Session | None
    deck: Deck | None = None
    counts: SessionCounts | None = None
    """``Need.COUNTS``."""
    waiting: tuple[Participant, ...] = ()
    """``Need.WAITING``: everyone waiting for the sort to start."""
    finished: tuple[Finisher, ...] = ()
    """``Need.FINISHERS``: everyone who finished sorting and is not seated for good."""
    tables: tuple[TableView, ...] = ()
    """``Need.TABLES``: the session's tables (with levels and ballots on ``Need.LEVELS``)."""
    people: tuple[PersonFacts, ...] = ()
    """``Need.PEOPLE``: what every participant contributes to the summary."""
    deadlines: tuple[Deadline, ...] = ()
    """``Need.DEADLINES``."""
    stragglers: tuple[Straggler, ...] = ()
    """``Need.STRAGGLERS``: everyone whose turn it is."""
    earlier_pairs: frozenset[frozenset[int]] = frozenset()
    """``Need.EARLIER_PAIRS``: the pairs of user ids who sat at one table in an earlier
    session of the series."""
    previous_people: tuple[Participant, ...] = ()
    """``Need.PREVIOUS_PEOPLE``: every participant of the session (for ``/followup``)."""
    series_length: int = 0
    """``Need.SERIES_LENGTH``: how many sessions the series holds so far (the group's
    latest session and the ones it follows up)."""
    series: tuple[EarlierSession, ...] = ()
    """``Need.SERIES``: every earlier session of the series, oldest first (those whose
    deck is still known); empty outside a series."""
    roster: tuple[RosterEntry, ...] = ()
    """``Need.ROSTER``: every participant, with their progress."""
    story_counts: Mapping[int, int] = field(default_factory=dict)
    """``Need.STORY_COUNTS``: table number -> stories told there."""
    loaded: frozenset[Need] = frozenset()
    """What the shell loaded for the event (``machine.needs``); the parts it did not load
    hold ``needs.NotLoaded``."""

    def require(self) -> tuple[Session, Deck]:
        """The session and its deck, for a rule of an event that needs a session: the
        machine's guard answered that event already when the group has none."""
        if self.session is None or self.deck is None:
            raise LookupError("a rule that needs a session was given a view without one")
        return self.session, self.deck
