"""The core's one entry point and its table: every event, who may send it, what it needs
loaded, and which rule decides it.

Owns: ``SPECS`` (one ``Spec`` per event type), ``needs`` (what the shell must load for an
event, given what it loaded so far), and ``handle``, which applies the guards once, from
the table, and then calls the event's rule:

- a facilitator's command from someone without the rights is answered "not a
  facilitator" (in the group, or as a toast for a tap), and one that needs a session in a
  group without one is answered "no session";
- the scheduler's events for a session that is gone change nothing;
- a participant's event in a closed session, or in a paused one (unless the spec lets it
  through), gets a toast, and typed text or a command a message too;
- a participant's tap in a step its spec does not list is stale: a toast, no change.

A rule is only ever called past its guards: it may rely on them (``SessionView.require``).
Must not: do I/O.

Adding an event type: the dataclass in ``events``, its rule, one entry here; if it reads a
part of a view no event read before, a ``Need`` for it and one loader in the shell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, TypeVar

from conversations import events as ev
from conversations import (
    facilitation,
    joining,
    pacing,
    plenary,
    rehearsal,
    reminding,
    report,
    series,
    sharing,
    sorting,
    tables,
    uploads,
    voting,
)
from conversations.apply import apply
from conversations.decision import STALE, Decision, Toast, merge
from conversations.effects import Say
from conversations.joining import JoinView
from conversations.model import ParticipantView, PersonView, SessionView, Step, seated_table
from conversations.needs import Need
from conversations.phases import Phase, Stage
from conversations.stages import current_stage
from conversations.uploads import DeckView


class Actor(Enum):
    """Who sends an event, and so which view it is decided on."""

    FACILITATOR = "facilitator"
    """A command or tap in the group (``SessionView``); rights checked by the guard."""
    SCHEDULER = "scheduler"
    """Time passing (``SessionView``): no person."""
    PARTICIPANT = "participant"
    """A person in a session, in their private chat (``ParticipantView``)."""
    SYSTEM = "system"
    """The shell, about a participant (``ParticipantView``): Telegram refused delivery."""
    NEWCOMER = "newcomer"
    """Someone with a join code (``JoinView``)."""
    PERSON = "person"
    """Anyone, about what is stored of them (``PersonView``)."""
    UPLOADER = "uploader"
    """Anyone sending a deck file in private (``DeckView``); rights checked by the rule."""


class SessionOfGroup(Enum):
    """Which of the group's sessions a group event is about."""

    OPEN = "open"
    LATEST = "latest"
    """The most recent one, open or closed."""
    OPEN_OR_LATEST = "open_or_latest"


Needs = Callable[[Any], frozenset[Need]]
"""What an event needs, given the view as loaded so far (its ``loaded`` parts)."""

NOTHING: frozenset[Need] = frozenset()


@dataclass(frozen=True, slots=True)
class Spec:
    actor: Actor
    rule: Callable[[Any, Any], Decision]
    needs: Needs
    session: SessionOfGroup = SessionOfGroup.OPEN
    """For group events: which session is loaded."""
    needs_session: bool = True
    """For group events: the guard answers when the group has no such session."""
    tap: bool = False
    """A facilitator's tap: a refusal is a toast, not a message in the group."""
    typed: bool = False
    """A participant's typed text or command (not a tap): a refusal also says why."""
    steps: frozenset[Step] | None = None
    """A participant's tap: the steps in which it is legal; in any other it is stale (a
    button from an earlier screen) and changes nothing. None: legal in every step."""
    while_paused: bool = False
    """A participant may do it while the session is paused."""
    while_closed: bool = False
    """It is decided in a closed session too."""
    creates_session: bool = False
    """The shell gives the event a fresh session id (``new_session_id``)."""


def _static(*wanted: Need) -> Needs:
    frozen = frozenset(wanted)
    return lambda view: frozen


# --- what group events need ---------------------------------------------------------------


def _seating(view: SessionView, *wanted: Need) -> frozenset[Need]:
    """Seating needs the finishers, and who sat together earlier in the series."""
    return frozenset({Need.FINISHERS, Need.EARLIER_PAIRS, *wanted})


def _summary(view: SessionView) -> frozenset[Need]:
    """The plenary: the tables, what everyone contributes, and the earlier sessions."""
    return frozenset({Need.TABLES, Need.PEOPLE, Need.SERIES})


def _moving_on(view: SessionView) -> frozenset[Need]:
    """``/next``, its confirmation and a deadline: deadlines, who is not done and the
    tables tell the stage; moving on from it needs what that stage's next step needs."""
    first = frozenset({Need.DEADLINES, Need.STRAGGLERS, Need.TABLES, Need.LEVELS})
    if view.session is None or Need.TABLES not in view.loaded:
        return first
    stage = current_stage(view.session, view.tables)
    if stage is Stage.JOIN:
        return first | {Need.WAITING}
    if stage is Stage.SORT:
        return first | _seating(view, Need.COUNTS)
    if stage is Stage.PLENARY:
        return first | _summary(view)
    return first


# --- what participant events need ----------------------------------------------------------


_AT_A_TABLE = frozenset({Need.TABLE})
_LATE = frozenset({Need.LATE_TABLES})


def _seat(view: ParticipantView) -> frozenset[Need]:
    """A seated person's table and stories (the shell gives everyone else no table, see
    ``model.seated_table``); every table for one who may join one late."""
    session, p = view.session, view.participant
    if seated_table(session, p) is not None:
        return _AT_A_TABLE
    late = session.phase is Phase.TABLES and p.step is Step.TOP
    return _LATE if late else NOTHING


def _counting(view: ParticipantView) -> frozenset[Need]:
    """A vote that may be counted: the table with its levels and ballots."""
    return _seat(view) | {Need.LEVELS}


def _top_confirmed(view: ParticipantView) -> frozenset[Need]:
    """A top after sorting: the person's top earlier in the series, to show beside it,
    and, if they may join a table late, who sat together earlier."""
    seat = _seat(view)
    if view.participant.step is not Step.TOP:
        return seat
    earlier = {Need.EARLIER_TOP} | ({Need.EARLIER_PAIRS} if Need.LATE_TABLES in seat else set())
    return seat | earlier


# --- the table -----------------------------------------------------------------------------

F = TypeVar("F", bound=ev.FacilitatorEvent)
S = TypeVar("S", bound=ev.SchedulerEvent)
P = TypeVar("P", bound=ev.ParticipantEvent)


_NONE = _static()


E = TypeVar("E")

Entry = tuple[type[Any], Spec]
"""An event type and its spec. The helpers below take both, so that mypy checks that the
rule decides exactly that type of event on the view its actor has."""


def _facilitator(
    event: type[F],
    rule: Callable[[SessionView, F], Decision],
    needs: Needs = _NONE,
    **options: Any,
) -> Entry:
    return event, Spec(Actor.FACILITATOR, rule, needs, **options)


def _scheduler(event: type[S], rule: Callable[[SessionView, S], Decision], needs: Needs) -> Entry:
    return event, Spec(Actor.SCHEDULER, rule, needs)


def _participant(
    event: type[P],
    rule: Callable[[ParticipantView, P], Decision],
    needs: Needs = _seat,
    **options: Any,
) -> Entry:
    return event, Spec(Actor.PARTICIPANT, rule, needs, **options)


def _private(
    actor: Actor, event: type[E], rule: Callable[[Any, E], Decision], needs: Needs, **options: Any
) -> Entry:
    """Someone in private who is not (or not yet) a participant, or the shell about one."""
    return event, Spec(actor, rule, needs, **options)


def _top_toggled(view: ParticipantView, event: ev.TopCardToggled) -> Decision:
    if view.participant.step is Step.REVISING:
        return sharing.toggle_revision(view, event)
    return sorting.toggle_top_card(view, event)


def _top_confirmed_rule(view: ParticipantView, event: ev.TopConfirmed) -> Decision:
    """A top confirmed: after the sort (then perhaps a late seat), or after revising."""
    p = view.participant
    if p.step is Step.REVISING:
        return sharing.confirm_revision(view, event)
    decision = sorting.confirm_top(view, event)
    if not decision.changes:
        return decision
    done = apply(view, decision.changes)  # their top saved, and done with the sort
    compared = series.then_and_now(done)
    if compared:  # in a series the comparison is the sort's last word, thanks included
        said = tuple(
            e for e in decision.effects if not (isinstance(e, Say) and e.template == "sort_done")
        )
        decision = replace(decision, effects=(*said, *compared))
    return merge(decision, tables.seat_latecomer(done))


def _IN(*steps: Step) -> frozenset[Step]:
    return frozenset(steps)


_TABLE_VIEWS = _static(Need.TABLES)
_PACING = _static(Need.TABLES, Need.DEADLINES)
_REMINDING = _static(Need.DEADLINES, Need.STRAGGLERS)

_ENTRIES: tuple[Entry, ...] = (
    # a facilitator, in the group
    _facilitator(
        ev.SessionRequested, facilitation.request_session, needs_session=False, creates_session=True
    ),
    _facilitator(
        ev.StatusRequested,
        facilitation.report_status,
        _static(Need.COUNTS, Need.TABLES, Need.DEADLINES),
    ),
    _facilitator(
        ev.DashboardRequested,
        facilitation.send_dashboard,
        session=SessionOfGroup.OPEN_OR_LATEST,
    ),
    _facilitator(ev.SettingChanged, facilitation.change_setting),
    _facilitator(ev.SortStartRequested, facilitation.start_sort, _static(Need.WAITING)),
    _facilitator(ev.SessionEndRequested, facilitation.end_session),
    _facilitator(
        ev.SessionDeleteRequested,
        facilitation.delete_session,
        _static(Need.COUNTS),
        session=SessionOfGroup.LATEST,
    ),
    _facilitator(
        ev.TablesRequested, tables.propose, lambda view: _seating(view, Need.COUNTS, Need.TABLES)
    ),
    _facilitator(ev.MoveRequested, tables.move, _seating),
    _facilitator(ev.SeatingConfirmed, tables.seat, _seating),
    _facilitator(ev.RevisionRequested, tables.revise_all, _TABLE_VIEWS),
    _facilitator(ev.DilemmaRequested, voting.post_dilemma, _static(Need.TABLES, Need.LEVELS)),
    _facilitator(ev.VoteRequested, voting.open_votes, _TABLE_VIEWS),
    _facilitator(ev.SummaryRequested, plenary.post_summary, _summary),
    _facilitator(ev.NextRequested, pacing.ask_next, _moving_on),
    _facilitator(ev.NextConfirmed, pacing.confirm_next, _moving_on, tap=True, needs_session=False),
    _facilitator(ev.DeadlineSet, pacing.set_deadline, _PACING),
    _facilitator(ev.PauseRequested, pacing.pause, _PACING),
    _facilitator(ev.ResumeRequested, pacing.resume, _PACING),
    _facilitator(ev.RemindRequested, reminding.remind, _REMINDING),
    _facilitator(ev.ExportRequested, facilitation.request_export, session=SessionOfGroup.LATEST),
    _facilitator(ev.ReportRequested, report.request_report, session=SessionOfGroup.LATEST),
    _facilitator(ev.ReportTapped, report.request_report, session=SessionOfGroup.LATEST, tap=True),
    _facilitator(
        ev.RehearsalRequested,
        rehearsal.rehearse,
        _static(Need.COUNTS),
        session=SessionOfGroup.LATEST,
    ),
    _facilitator(
        ev.FollowupRequested,
        series.request_followup,
        _static(Need.PREVIOUS_PEOPLE, Need.SERIES_LENGTH),
        session=SessionOfGroup.OPEN_OR_LATEST,
        needs_session=False,
        creates_session=True,
    ),
    # time passing
    _scheduler(ev.DeadlineReached, pacing.reach_deadline, _moving_on),
    _scheduler(ev.RemindersDue, reminding.remind_due, _REMINDING),
    # someone in private, about themselves
    _private(Actor.NEWCOMER, ev.JoinRequested, joining.join, _seat),
    _private(Actor.PERSON, ev.ForgetRequested, joining.forget, _NONE),
    _private(Actor.UPLOADER, ev.DeckUploaded, uploads.upload, _NONE),
    # a participant, in their private chat
    _participant(ev.ConsentAnswered, joining.answer_consent, steps=_IN(Step.CONSENT)),
    _participant(ev.AgeBandAnswered, joining.answer_age_band, steps=_IN(Step.AGE)),
    _participant(
        ev.OrganisationAnswered, joining.answer_organisation, steps=_IN(Step.ORGANISATION)
    ),
    _participant(ev.TextReceived, joining.receive_text, typed=True),
    _participant(ev.ContinueRequested, joining.resume, typed=True),
    _participant(ev.LanguageChosen, joining.choose_language, while_paused=True),
    _participant(ev.CardRated, sorting.rate, steps=_IN(Step.SORTING)),
    _participant(ev.RatingUndone, sorting.undo, steps=_IN(Step.SORTING)),
    _participant(ev.SortPaused, sorting.pause, steps=_IN(Step.SORTING)),
    _participant(ev.BoardOpened, sorting.open_board, steps=sorting.BOARD_STEPS),
    _participant(ev.CardPlaced, sorting.place_card, steps=_IN(Step.SORTING, Step.REVIEW)),
    _participant(ev.PileCardPicked, sorting.pick_pile_card, steps=_IN(Step.REVIEW)),
    _participant(ev.PileCardMoved, sorting.move_pile_card, steps=_IN(Step.REVIEW)),
    _participant(ev.PilesConfirmed, sorting.confirm_piles, steps=_IN(Step.REVIEW)),
    _participant(ev.TopCardToggled, _top_toggled, steps=_IN(Step.TOP, Step.REVISING)),
    _participant(
        ev.TopConfirmed, _top_confirmed_rule, _top_confirmed, steps=_IN(Step.TOP, Step.REVISING)
    ),
    _participant(ev.StoryCardChosen, sharing.choose_story_card, steps=_IN(Step.STORY)),
    _participant(ev.RevisionAnswered, sharing.answer_revision, steps=_IN(Step.REVISE)),
    _participant(ev.MediaReceived, sharing.relay_media, typed=True),
    _participant(ev.TableRequested, sharing.show_table, typed=True, while_paused=True),
    _participant(ev.VoteToggled, voting.toggle_vote, steps=_IN(Step.VOTING)),
    _participant(ev.VoteConfirmed, voting.confirm_vote, _counting, steps=_IN(Step.VOTING)),
    _participant(ev.RoundDecided, voting.decide_round, _counting, steps=_IN(Step.DECIDING)),
    _participant(ev.NoteSkipped, voting.skip_note, steps=_IN(Step.NOTE)),
    _participant(ev.RemindersMuted, reminding.mute, while_paused=True),
    _participant(ev.RemindersResumed, reminding.resume_reminders, while_paused=True),
    _private(
        Actor.SYSTEM,
        ev.ParticipantUnreachable,
        joining.mark_unreachable,
        _seat,
        while_paused=True,
        while_closed=True,
    ),
)

SPECS: dict[type[Any], Spec] = dict(_ENTRIES)
"""Every event type's spec."""

View = SessionView | JoinView | ParticipantView | PersonView | DeckView


def spec(event: ev.Event) -> Spec:
    return SPECS[type(event)]


def screen_needs(view: ParticipantView) -> frozenset[Need]:
    """What a participant's screen needs loaded beside their own rows (``options``)."""
    return _seat(view)


def needs(event: ev.Event, view: View) -> frozenset[Need]:
    """What the shell must load for ``event``, given ``view`` as loaded so far: it loads
    what is missing and asks again, until nothing is (at most three rounds)."""
    if isinstance(view, SessionView) and view.session is None:
        return NOTHING
    return spec(event).needs(view)


# --- the guards ----------------------------------------------------------------------------


def _group_locale(view: SessionView, event: ev.FacilitatorEvent) -> str:
    if view.session is not None:
        return view.session.locale
    if isinstance(event, ev.SessionRequested | ev.FollowupRequested):
        return event.default_locale
    return "en"


def _refused_in_group(spec: Spec, view: SessionView, event: ev.FacilitatorEvent) -> Decision | None:
    if not event.is_facilitator:
        if spec.tap:
            return Decision(toast=Toast("not_facilitator", alert=True))
        return Decision(
            effects=(Say(event.group_chat_id, _group_locale(view, event), "not_facilitator"),)
        )
    if spec.needs_session and view.session is None:
        return Decision(
            effects=(Say(event.group_chat_id, _group_locale(view, event), "no_session"),)
        )
    return None


def _refused_in_private(spec: Spec, view: ParticipantView) -> Decision | None:
    p = view.participant
    if view.session.phase is Phase.CLOSED and not spec.while_closed:
        said = (Say(p.chat_id, p.locale, "session_over"),) if spec.typed else ()
        return Decision(toast=Toast("session_closed"), effects=said)
    if view.session.paused_at is not None and not spec.while_paused:
        said = (Say(p.chat_id, p.locale, "session_paused_text"),) if spec.typed else ()
        return Decision(toast=Toast("session_paused"), effects=said)
    if spec.steps is not None and p.step not in spec.steps:
        return STALE
    return None


_VIEWS: dict[Actor, type[Any]] = {
    Actor.FACILITATOR: SessionView,
    Actor.SCHEDULER: SessionView,
    Actor.PARTICIPANT: ParticipantView,
    Actor.SYSTEM: ParticipantView,
    Actor.NEWCOMER: JoinView,
    Actor.PERSON: PersonView,
    Actor.UPLOADER: DeckView,
}


def view_type(event: ev.Event) -> type[Any]:
    """The type of view ``event`` is decided on."""
    return _VIEWS[spec(event).actor]


def handle(view: View, event: ev.Event) -> Decision:
    """Decide ``event`` against ``view`` (of ``view_type(event)``), guards first."""
    entry = spec(event)
    if not isinstance(view, _VIEWS[entry.actor]):
        raise TypeError(f"{type(event).__name__} needs a {_VIEWS[entry.actor].__name__}")
    refused: Decision | None = None
    if isinstance(event, ev.FacilitatorEvent):
        assert isinstance(view, SessionView)
        refused = _refused_in_group(entry, view, event)
    elif entry.actor is Actor.SCHEDULER:
        assert isinstance(view, SessionView)
        refused = Decision() if view.session is None else None
    elif isinstance(view, ParticipantView):
        refused = _refused_in_private(entry, view)
    return refused if refused is not None else entry.rule(view, event)
