"""Effects: what the core asks the shell to show, as requests, never as text.

Owns: one frozen dataclass per kind of message. Each names the chat and the language;
the shell picks the template and buttons that belong to the effect's class. Effects
whose ``SLOT`` is set share one message per participant and session, the screen they
work in: the shell edits that message in place instead of sending a new one (one
message per card), unless ``fresh`` asks for a new message at the bottom of the chat
(the old one then loses its buttons).

Must not: hold text a person reads (that lives in ``templates/``) or Telegram ids other
than chat ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

MAIN_SLOT = "main"
"""The slot of a participant's screen: the one message they work in."""


@dataclass(frozen=True, slots=True)
class Effect:
    SLOT: ClassVar[str | None] = None
    chat_id: int
    locale: str


@dataclass(frozen=True, slots=True)
class Say(Effect):
    """A plain message from a template with no buttons."""

    template: str
    params: Mapping[str, str | int | None] = field(default_factory=dict)
    deck_id: str | None = None
    """When set, the template may look up card titles of this deck."""


@dataclass(frozen=True, slots=True)
class Invite(Effect):
    """The invitation in the group, with the deep-link button to join."""

    session_id: int
    join_code: str
    deck_id: str


@dataclass(frozen=True, slots=True)
class ShowSettings(Effect):
    session_id: int
    sort_on_join: bool
    profile_questions: bool
    session_locale: str
    table_size: int = 4
    late_joins: bool = True
    vote_rule: str = "all"
    max_rounds: int = 3
    time_zone: str = "Europe/Amsterdam"
    waking_from: int = 9
    waking_until: int = 21
    reminders: bool = True


@dataclass(frozen=True, slots=True)
class ShowStatus(Effect):
    session_id: int
    deck_id: str
    phase: str
    joined: int
    consented: int
    lenses: tuple[tuple[str, int, int], ...]
    """(lens id, sorting, done) per lens, in sorting order."""
    with_top: int
    unreachable: int
    stage: str = "join"
    paused: bool = False
    next_deadline: tuple[str, float] | None = None
    """(stage, due at) of the first deadline still to come."""
    time_zone: str = "Europe/Amsterdam"
    simulated: int = 0
    """Of those who joined, how many are simulated (a rehearsal)."""


@dataclass(frozen=True, slots=True)
class AskConsent(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    deck_id: str
    lens_count: int
    card_count: int
    profile_questions: bool
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class AskAgeBand(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    bands: tuple[str, ...]
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class AskOrganisation(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class Notice(Effect):
    """A message without buttons that takes the place of the person's current screen
    (e.g. "you are all set, the sort starts soon" after the last profile question)."""

    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    template: str
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class ShowDashboardLink(Effect):
    """In a facilitator's private chat: the button that opens the session's dashboard."""

    session_id: int


@dataclass(frozen=True, slots=True)
class ShowOnBoard(Effect):
    """In place of the sort in the chat while the person sorts on the board (the Mini
    App): where to open it, and how to go on in the chat instead."""

    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class IntroduceLens(Effect):
    session_id: int
    deck_id: str
    lens_index: int
    lens_count: int


@dataclass(frozen=True, slots=True)
class ShowCard(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    deck_id: str
    lens_index: int
    card_id: str
    position: int
    """1-based number of this card in the lens."""
    total: int
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class ShowPaused(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    position: int
    total: int


@dataclass(frozen=True, slots=True)
class ShowPiles(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    deck_id: str
    lens_index: int
    piles: tuple[tuple[str, ...], ...]
    """Card ids per level, index 0 = level 1."""
    moving: str | None = None
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class ShowTopPicker(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    deck_id: str
    candidates: tuple[str, ...]
    """Cards to choose from, highest pile first."""
    selected: tuple[str, ...]
    top_size: int
    fresh: bool = False
    revising: bool = False
    """Choosing again after hearing the table mates' stories."""


@dataclass(frozen=True, slots=True)
class ShowTop(Effect):
    """The confirmed top, and (after two or more lenses) the cards that moved most."""

    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    deck_id: str
    top: tuple[str, ...]
    moves: tuple[tuple[str, int, int], ...]
    """(card id, level in the first lens, level in the last lens), largest change first."""
    lens_ids: tuple[str, str] | None
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class ShowSeating(Effect):
    """The seating in the group: proposed (with how to change it) or final."""

    session_id: int
    tables: tuple[tuple[int, tuple[tuple[str, str | None], ...]], ...]
    """(table number, ((name, organisation), ...)) per table."""
    final: bool
    unseated: int
    """People who have not finished sorting yet."""


@dataclass(frozen=True, slots=True)
class OpenTableRoom(Effect):
    """Create the forum topic of a table in the group (topics mode)."""

    session_id: int
    table_number: int


@dataclass(frozen=True, slots=True)
class TableIntro(Effect):
    """Who sits at your table and where the table talks."""

    session_id: int
    table_number: int
    mates: tuple[str, ...]
    rooms: str


@dataclass(frozen=True, slots=True)
class AskStoryCard(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    deck_id: str
    top: tuple[str, ...]
    told: tuple[str, ...]
    trimmed: bool = False
    """The last story was longer than allowed and was shortened."""
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class AskStoryText(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    deck_id: str
    card_id: str
    max_length: int


@dataclass(frozen=True, slots=True)
class TableEffect(Effect):
    """Something for a table: posted in its topic (``in_room``, ``chat_id`` is the group)
    or sent to one member's private chat (relay mode)."""

    session_id: int
    table_number: int
    in_room: bool


@dataclass(frozen=True, slots=True)
class TableShare(TableEffect):
    """A member's top and the stories they told, shown to their table."""

    deck_id: str
    author: str
    top: tuple[str, ...]
    stories: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Relay(TableEffect):
    """A message a member wrote in private, passed to a table mate (relay mode)."""

    author: str
    text: str


@dataclass(frozen=True, slots=True)
class RelayCopy(TableEffect):
    """A photo, voice message or file of a member, copied to a table mate."""

    author: str
    from_chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class TableNotice(TableEffect):
    """A short message from a template to a table."""

    template: str
    params: Mapping[str, str | int | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AskRevision(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    deck_id: str
    top: tuple[str, ...]
    fresh: bool = True


@dataclass(frozen=True, slots=True)
class ShowRevision(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    deck_id: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShowDilemma(TableEffect):
    deck_id: str
    dilemma_id: str | None
    """One of the deck's dilemmas, or ``None`` for the facilitator's own ``text``."""
    text: str | None
    pair: tuple[str, str] | None
    """The two cards the table's members rated most differently, as a prompt."""


@dataclass(frozen=True, slots=True)
class AskVote(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    deck_id: str
    candidates: tuple[tuple[str, int], ...]
    """(card id, how many members hold it) per candidate."""
    selected: tuple[str, ...]
    limit: int
    round: int
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class VoteResult(TableEffect):
    deck_id: str
    round: int
    agreed: tuple[str, ...]
    kind: str
    support: tuple[tuple[str, int], ...]
    members: int
    final: bool


@dataclass(frozen=True, slots=True)
class AskNextRound(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    round: int
    max_rounds: int
    fresh: bool = True


@dataclass(frozen=True, slots=True)
class AskNote(Effect):
    SLOT: ClassVar[str | None] = MAIN_SLOT
    session_id: int
    fresh: bool = True


@dataclass(frozen=True, slots=True)
class ShowSummary(Effect):
    """The plenary summary in the group, with its pictures (``plenary_figures`` defines
    every figure)."""

    session_id: int
    deck_id: str
    tables: tuple[tuple[int, str | None, tuple[str, ...], str | None], ...]
    """(table number, outcome kind or None if it did not vote, agreed cards, note)."""
    everywhere_in_tops: tuple[str, ...]
    everywhere_agreed: tuple[str, ...]
    most_frequent: tuple[tuple[str, int], ...]
    revised: int
    answered: int
    revised_by_age: tuple[tuple[str, int, int], ...]
    lens_moves: tuple[tuple[str, float, int, int, int], ...]
    """(card, mean absolute change, people who put it higher, lower, people who rated it
    in both lenses)."""
    grid: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]
    """(card, tables that agreed it, tables with it in a member's top)."""
    voted: bool
    """Whether any table voted."""
    shared: tuple[tuple[str, tuple[int, ...]], ...]
    """(card, people per pile of the first lens, lowest first): what the room shares."""
    dividing: tuple[tuple[str, tuple[int, ...]], ...]
    """(card, people per pile of the first lens): what divides the room."""


@dataclass(frozen=True, slots=True)
class SendFile(Effect):
    """A file for someone (the export), with a caption from a template."""

    file_name: str
    data_base64: str
    caption: str
    params: Mapping[str, str | int | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ExportFile(Effect):
    """The session's data as a file for ``chat_id``. Not stored as it is: the shell builds
    the file from the session's rows as it queues this, and queues a ``SendFile``."""

    session_id: int
    names: bool
    """People by name instead of pseudonyms."""
    simulated: bool
    """With the simulated people of a rehearsal."""


@dataclass(frozen=True, slots=True)
class SendReport(Effect):
    """The session's report for ``chat_id``, as a PDF and an editable document. Stored as
    it is: the shell writes the report from the session's rows as it delivers this
    (``conversations.report``)."""

    session_id: int
    names: bool
    """People by name instead of counts only."""
    facilitator: str | None
    """The name of the facilitator who asked, for the report's first lines."""


@dataclass(frozen=True, slots=True)
class ShowDecks(Effect):
    """The decks a facilitator may use: built-in ones and their own uploads."""

    deck_ids: tuple[str, ...]
    default_deck: str


PACE_SLOT = "pace"
"""The slot of ``/next``'s question in the group: the answer replaces it."""


@dataclass(frozen=True, slots=True)
class AskNext(Effect):
    """``/next``'s question: who is not done with ``stage``, and a button to move on."""

    SLOT: ClassVar[str | None] = PACE_SLOT
    session_id: int
    stage: str
    next_stage: str
    waiting: tuple[str, ...]
    """Names of those not done, at most ``pacing.MAX_NAMES`` (those still at the welcome
    apart, in ``welcoming``)."""
    waiting_count: int
    fresh: bool = True
    welcoming: tuple[str, ...] = ()
    """During the sort: names of those who have not finished the welcome yet."""
    welcoming_count: int = 0


@dataclass(frozen=True, slots=True)
class MovedOn(Effect):
    """The session moved on from ``stage`` (``/next`` confirmed, or its deadline)."""

    SLOT: ClassVar[str | None] = PACE_SLOT
    session_id: int
    stage: str
    next_stage: str
    waiting_count: int
    by_deadline: bool
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class ShowDeadlines(Effect):
    session_id: int
    deadlines: tuple[tuple[str, float, bool], ...]
    """(stage, due at, passed) in the order of the stages."""
    time_zone: str
    stage: str
    """The session's current stage."""


@dataclass(frozen=True, slots=True)
class Remind(Effect):
    """A reminder in a participant's private chat, with "continue" and "no more" buttons."""

    session_id: int
    stage: str
    due_at: float | None
    """The current stage's deadline, if it has one."""
    time_zone: str


@dataclass(frozen=True, slots=True)
class ShowMuted(Effect):
    """After "no more reminders": that they are off, with a button to turn them on again."""

    session_id: int


@dataclass(frozen=True, slots=True)
class InviteFollowup(Effect):
    """A private invitation to a follow-up session for someone who took part in the
    session before it, with the same deep-link button to join as the group's invitation."""

    session_id: int
    join_code: str
    deck_id: str
    previous_session_id: int
    number_in_series: int
    """This session's place in the series (2 for the first follow-up)."""
    group_title: str | None = None


@dataclass(frozen=True, slots=True)
class ShowThenAndNow(Effect):
    """A follow-up participant's top next to their top in an earlier session."""

    session_id: int
    deck_id: str
    then_deck_id: str
    """The deck of the earlier session, for the titles of ``then`` and ``went``."""
    then_session_id: int
    then: tuple[str, ...]
    now: tuple[str, ...]
    stayed: tuple[str, ...]
    """In both tops, in the order of ``now``."""
    came: tuple[str, ...]
    """New in ``now``."""
    went: tuple[str, ...]
    """In ``then`` only (titles from ``then_deck_id``)."""


@dataclass(frozen=True, slots=True)
class ShowSeriesComparison(Effect):
    """In a follow-up's plenary: how the group's values changed over the whole series.
    Each card comes with the deck to take its title from (a series may change decks)."""

    session_id: int
    deck_id: str
    sessions: tuple[tuple[int, str, int, int], ...]
    """(session id, deck id, participants, tables that voted), oldest first, this one last."""
    agreed: tuple[tuple[str, str, tuple[int, ...]], ...]
    """(card, deck id, tables that agreed it in each of ``sessions``)."""
    frequent: tuple[tuple[str, str, tuple[int, ...]], ...]
    """(card, deck id, people with it in their top in each of ``sessions``)."""
    agreed_always: tuple[str, ...]
    """Agreed at some table in every session (titles from ``deck_id``)."""
    agreed_new: tuple[str, ...]
    """Agreed at some table now, in no earlier session (titles from ``deck_id``)."""
    agreed_gone: tuple[tuple[str, str], ...]
    """(card, deck id): agreed at some table in an earlier session, at none now."""


EFFECT_TYPES: dict[str, type[Effect]] = {
    cls.__name__: cls
    for cls in (
        Say,
        Invite,
        ShowSettings,
        ShowStatus,
        AskConsent,
        AskAgeBand,
        AskOrganisation,
        Notice,
        ShowOnBoard,
        ShowDashboardLink,
        IntroduceLens,
        ShowCard,
        ShowPaused,
        ShowPiles,
        ShowTopPicker,
        ShowTop,
        ShowDecks,
        ShowSeating,
        OpenTableRoom,
        TableIntro,
        AskStoryCard,
        AskStoryText,
        TableShare,
        Relay,
        RelayCopy,
        TableNotice,
        AskRevision,
        ShowRevision,
        ShowDilemma,
        AskVote,
        VoteResult,
        AskNextRound,
        AskNote,
        ShowSummary,
        SendFile,
        AskNext,
        MovedOn,
        ShowDeadlines,
        Remind,
        ShowMuted,
        InviteFollowup,
        ShowThenAndNow,
        ShowSeriesComparison,
        SendReport,
    )
}
"""Every effect class by name, for the shell's outbox codec (``ExportFile`` becomes a
``SendFile`` before it is stored)."""
