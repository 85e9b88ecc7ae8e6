"""Events: past-tense facts the shell reports to the core.

Owns: one frozen dataclass per kind of fact. Every event carries ``at`` (seconds since
the epoch, from the shell's clock). Facts about rights (``is_facilitator``) and fresh
randomness (``join_code``, ``order_seed``, ``session_id``) are gathered by the shell and
arrive here as plain values. Must not: hold Telegram objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conversations.deck import Deck
from conversations.phases import Stage

# --- facilitator, in the group -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FacilitatorEvent:
    at: float
    group_chat_id: int
    user_id: int
    is_facilitator: bool


@dataclass(frozen=True, slots=True)
class SchedulerEvent:
    """Time passing, for the group's open session: no person sent it."""

    at: float
    group_chat_id: int


@dataclass(frozen=True, slots=True)
class SessionRequested(FacilitatorEvent):
    deck_id: str | None
    locale: str | None
    new_session_id: int
    join_code: str
    default_locale: str
    known_decks: tuple[str, ...]
    default_deck: str
    deadlines: tuple[tuple[str, str], ...] = ()
    """``(stage, duration)`` pairs given at creation (``/newsession ... sort=2d``)."""


@dataclass(frozen=True, slots=True)
class StatusRequested(FacilitatorEvent):
    pass


@dataclass(frozen=True, slots=True)
class DashboardRequested(FacilitatorEvent):
    """``/dashboard``: the facilitator's live dashboard, sent to them in private."""


@dataclass(frozen=True, slots=True)
class SettingChanged(FacilitatorEvent):
    name: str | None
    """``language``, ``start``, ``profile``...; ``None`` asks for the current settings."""
    value: str | None
    time_zone_known: bool = False
    """For ``timezone``: the shell found ``value`` (its canonical name) in the zone database."""


@dataclass(frozen=True, slots=True)
class SortStartRequested(FacilitatorEvent):
    pass


@dataclass(frozen=True, slots=True)
class SessionEndRequested(FacilitatorEvent):
    pass


@dataclass(frozen=True, slots=True)
class SessionDeleteRequested(FacilitatorEvent):
    """``/deletesession [number]``: the group's latest session, confirmed by its number."""

    confirmation: int | None


@dataclass(frozen=True, slots=True)
class TablesRequested(FacilitatorEvent):
    """``/tables`` or ``/reseat``: propose a seating (or seat latecomers once seated)."""

    seed: int


@dataclass(frozen=True, slots=True)
class MoveRequested(FacilitatorEvent):
    """``/move <person> <table>`` in a proposed seating."""

    person: str
    table_number: int | None
    person_id: int | None = None
    """The person by user id (the dashboard) instead of by ``person``'s name."""
    quiet: bool = False
    """Post no new proposal to the group (the dashboard, where people are dragged about)."""


@dataclass(frozen=True, slots=True)
class SeatingConfirmed(FacilitatorEvent):
    """``/seat``: the proposal becomes final and the tables start."""

    topics_available: bool
    """The group is a forum and the bot may manage its topics."""


@dataclass(frozen=True, slots=True)
class RevisionRequested(FacilitatorEvent):
    """``/revise``: every table moves on from stories to revising."""


@dataclass(frozen=True, slots=True)
class DilemmaRequested(FacilitatorEvent):
    """``/dilemma [text]``: the deck's next dilemma, or the facilitator's own, to every table."""

    text: str | None


@dataclass(frozen=True, slots=True)
class VoteRequested(FacilitatorEvent):
    """``/vote``: every table votes on its common top."""


@dataclass(frozen=True, slots=True)
class SummaryRequested(FacilitatorEvent):
    """``/summary``: the plenary summary in the group."""


@dataclass(frozen=True, slots=True)
class NextRequested(FacilitatorEvent):
    """``/next``: show who is not done with the current stage and ask to move on."""


@dataclass(frozen=True, slots=True)
class NextConfirmed(FacilitatorEvent):
    """The facilitator confirmed moving on from ``stage`` (a tap on ``/next``'s button)."""

    session_id: int
    stage: str
    seed: int
    topics_available: bool


@dataclass(frozen=True, slots=True)
class DeadlineSet(FacilitatorEvent):
    """``/deadline [stage] [duration|off]``; without a stage it lists the deadlines."""

    stage: str | None
    value: str | None


@dataclass(frozen=True, slots=True)
class DeadlineReached(SchedulerEvent):
    """The deadline of ``stage`` is due."""

    stage: Stage
    seed: int
    topics_available: bool


@dataclass(frozen=True, slots=True)
class PauseRequested(FacilitatorEvent):
    """``/pause``: no answers, deadlines or reminders until ``/resume``."""


@dataclass(frozen=True, slots=True)
class ResumeRequested(FacilitatorEvent):
    """``/resume``: the session goes on; deadlines move by the length of the pause."""


@dataclass(frozen=True, slots=True)
class RemindRequested(FacilitatorEvent):
    """``/remind``: remind who has not finished, now, whatever the hour."""


@dataclass(frozen=True, slots=True)
class RemindersDue(SchedulerEvent):
    """The scheduler's round: remind who has not finished, if it is a waking hour.

    ``local_hour`` is the hour of the day in the session's time zone, from the shell."""

    local_hour: int


@dataclass(frozen=True, slots=True)
class ExportRequested(FacilitatorEvent):
    """``/export [names] [all]``: the group's latest session's data, in private."""

    words: tuple[str, ...]
    """What followed the command, in lower case."""
    locale: str
    """The facilitator's own language, for the file's caption."""
    anonymous: bool
    """Sent as the group (an anonymous admin): there is no private chat to send it to."""


@dataclass(frozen=True, slots=True)
class ReportRequested(FacilitatorEvent):
    """``/report [names]``, in the group or privately: the group's latest session's report,
    to the facilitator's private chat."""

    words: tuple[str, ...]
    """What followed the command, in lower case."""
    anonymous: bool
    """Sent as the group (an anonymous admin): there is no private chat to send it to."""
    in_private: bool
    """Asked in the facilitator's private chat (the report is the only answer)."""
    facilitator_name: str | None
    """The asker's name as Telegram gives it, for the report's first lines."""


@dataclass(frozen=True, slots=True)
class ReportTapped(ReportRequested):
    """The report button under the plenary's summary in the group (a tap: a refusal is a
    toast)."""

    session_id: int
    """The session whose summary holds the button: a button of an earlier one is stale."""


@dataclass(frozen=True, slots=True)
class RehearsalRequested(FacilitatorEvent):
    """``/rehearse N``: N simulated participants join the group's session."""

    count: int | None
    """``None`` when what followed the command was not a whole number."""
    names: Mapping[str, tuple[str, ...]]
    """Names for simulated people, already marked as simulated, per language."""
    seed: int
    """Where their card orders and profiles draw their randomness."""


@dataclass(frozen=True, slots=True)
class FollowupRequested(FacilitatorEvent):
    """``/followup [deck] [language]``: the next session of the group's series, after the
    group's latest session (same deck and language unless given)."""

    deck_id: str | None
    locale: str | None
    new_session_id: int
    join_code: str
    default_locale: str
    known_decks: tuple[str, ...]
    group_title: str | None = None
    """The group's name in Telegram, to name the series in private invitations."""


# --- participant, in the private chat --------------------------------------------------


@dataclass(frozen=True, slots=True)
class JoinRequested:
    at: float
    user_id: int
    chat_id: int
    name: str
    language_code: str | None
    join_code: str
    order_seed: int


@dataclass(frozen=True, slots=True)
class ForgetRequested:
    """``/forgetme``: the person wants every answer and detail of theirs deleted."""

    at: float
    user_id: int
    chat_id: int
    locale: str


@dataclass(frozen=True, slots=True)
class DeckUploaded:
    """A deck file sent in private, as the shell found it. The shell reads the file only
    for someone who ``may_upload`` and only when it is not ``too_big``."""

    at: float
    user_id: int
    chat_id: int
    locale: str
    may_upload: bool
    """A facilitator, or an admin of a group that held a session (the shell asks Telegram)."""
    filename: str
    too_big: bool = False
    fetched: bool = True
    """False when the file could not be downloaded."""
    content: str = ""
    """The file's text, kept to load the deck again at every start."""
    deck: Deck | None = None
    """The deck read from the file; None when it was not read or has ``problems``."""
    problems: tuple[str, ...] = ()
    """What is wrong with the file, in the sender's language (``locale``): the first ones,
    ``problem_count`` in all."""
    problem_count: int = 0


@dataclass(frozen=True, slots=True)
class ParticipantEvent:
    at: float
    session_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class ConsentAnswered(ParticipantEvent):
    agreed: bool


@dataclass(frozen=True, slots=True)
class AgeBandAnswered(ParticipantEvent):
    band: str | None
    """``None`` when skipped."""


@dataclass(frozen=True, slots=True)
class OrganisationAnswered(ParticipantEvent):
    organisation: str | None


@dataclass(frozen=True, slots=True)
class CardRated(ParticipantEvent):
    lens_index: int
    card_id: str
    level: int


@dataclass(frozen=True, slots=True)
class RatingUndone(ParticipantEvent):
    lens_index: int
    card_id: str
    """The card on screen when Undo was tapped (guards against stale taps)."""


@dataclass(frozen=True, slots=True)
class SortPaused(ParticipantEvent):
    pass


@dataclass(frozen=True, slots=True)
class ContinueRequested(ParticipantEvent):
    pass


@dataclass(frozen=True, slots=True)
class BoardOpened(ParticipantEvent):
    """The person opened the sort board (the Mini App): from now on they sort there, and
    their chat says so instead of showing cards."""


@dataclass(frozen=True, slots=True)
class CardPlaced(ParticipantEvent):
    """On the board: a card of the current lens put on a pile, in any order (placing a
    placed card again moves it)."""

    lens_index: int
    card_id: str
    level: int


@dataclass(frozen=True, slots=True)
class PileCardPicked(ParticipantEvent):
    lens_index: int
    card_id: str | None
    """``None`` puts the card back without moving it."""


@dataclass(frozen=True, slots=True)
class PileCardMoved(ParticipantEvent):
    lens_index: int
    card_id: str
    level: int


@dataclass(frozen=True, slots=True)
class PilesConfirmed(ParticipantEvent):
    lens_index: int


@dataclass(frozen=True, slots=True)
class TopCardToggled(ParticipantEvent):
    card_id: str


@dataclass(frozen=True, slots=True)
class TopConfirmed(ParticipantEvent):
    pass


@dataclass(frozen=True, slots=True)
class LanguageChosen(ParticipantEvent):
    locale: str


@dataclass(frozen=True, slots=True)
class TextReceived(ParticipantEvent):
    text: str


@dataclass(frozen=True, slots=True)
class StoryCardChosen(ParticipantEvent):
    card_id: str | None
    """``None``: done telling stories."""


@dataclass(frozen=True, slots=True)
class RevisionAnswered(ParticipantEvent):
    keep: bool


@dataclass(frozen=True, slots=True)
class MediaReceived(ParticipantEvent):
    """A photo, voice message or other non-text message sent in the private chat."""

    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class VoteToggled(ParticipantEvent):
    card_id: str


@dataclass(frozen=True, slots=True)
class VoteConfirmed(ParticipantEvent):
    pass


@dataclass(frozen=True, slots=True)
class RoundDecided(ParticipantEvent):
    again: bool
    """Vote again (True) or settle with this round's outcome (False)."""


@dataclass(frozen=True, slots=True)
class NoteSkipped(ParticipantEvent):
    pass


@dataclass(frozen=True, slots=True)
class TableRequested(ParticipantEvent):
    """``/table``: who sits at my table?"""


@dataclass(frozen=True, slots=True)
class RemindersMuted(ParticipantEvent):
    """The person tapped "no more reminders" on a reminder."""


@dataclass(frozen=True, slots=True)
class RemindersResumed(ParticipantEvent):
    """The person tapped "remind me again" after muting reminders."""


@dataclass(frozen=True, slots=True)
class ParticipantUnreachable(ParticipantEvent):
    """Telegram refused to deliver to this participant (blocked the bot, 403)."""


Tap = (
    ConsentAnswered
    | AgeBandAnswered
    | OrganisationAnswered
    | CardRated
    | RatingUndone
    | SortPaused
    | ContinueRequested
    | PileCardPicked
    | PileCardMoved
    | PilesConfirmed
    | TopCardToggled
    | TopConfirmed
    | LanguageChosen
    | StoryCardChosen
    | RevisionAnswered
    | VoteToggled
    | VoteConfirmed
    | RoundDecided
    | NoteSkipped
    | RemindersMuted
    | RemindersResumed
)
"""What a participant's button stands for (``options.taps``)."""

Action = Tap | BoardOpened | CardPlaced
"""What a participant may do by tapping, in the chat or on the board (``options``)."""

Event = (
    SessionRequested
    | StatusRequested
    | DashboardRequested
    | SettingChanged
    | SortStartRequested
    | SessionEndRequested
    | SessionDeleteRequested
    | TablesRequested
    | MoveRequested
    | SeatingConfirmed
    | RevisionRequested
    | DilemmaRequested
    | VoteRequested
    | SummaryRequested
    | NextRequested
    | NextConfirmed
    | DeadlineSet
    | DeadlineReached
    | PauseRequested
    | ResumeRequested
    | RemindersDue
    | RemindRequested
    | ExportRequested
    | ReportRequested
    | ReportTapped
    | RehearsalRequested
    | FollowupRequested
    | JoinRequested
    | ForgetRequested
    | DeckUploaded
    | Action
    | TextReceived
    | MediaReceived
    | TableRequested
    | ParticipantUnreachable
)
