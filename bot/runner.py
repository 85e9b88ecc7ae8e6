"""The unit of work: one event in, one transaction, effects into the outbox.

Owns: loading the view an event needs (as the core's ``view_kind`` names it), calling
the core, saving its changes and effects and logging the event in the same
``BEGIN IMMEDIATE`` transaction, and recording handled Telegram update ids so that an
update delivered twice changes nothing the second time. Must not: talk to Telegram.

The unit of work (``Runner._decide``) is synchronous: the store runs it whole on its
connection's thread (``Store.run``), one trip there and back per event.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from bot.decks import DeckLibrary
from bot.export import build_export
from bot.store import Store, Transaction
from conversations.decision import Decision, DeleteSession, ForgetPerson, SaveSession, Toast
from conversations.effects import MAIN_SLOT, Effect, SendFile
from conversations.events import (
    DeadlineReached,
    DeadlineSet,
    DilemmaRequested,
    Event,
    FacilitatorEvent,
    FollowupRequested,
    JoinRequested,
    MoveRequested,
    NextConfirmed,
    NextRequested,
    ParticipantEvent,
    ParticipantUnreachable,
    PauseRequested,
    RehearsalRequested,
    RemindersDue,
    ResumeRequested,
    RevisionRequested,
    RoundDecided,
    SeatingConfirmed,
    SessionDeleteRequested,
    SessionRequested,
    SortStartRequested,
    StatusRequested,
    SummaryRequested,
    TablesRequested,
    TopConfirmed,
    VoteConfirmed,
    VoteRequested,
)
from conversations.handle import View, ViewKind, handle, view_kind
from conversations.joining import JoinView
from conversations.model import (
    EarlierSession,
    ParticipantView,
    PersonView,
    Session,
    SessionView,
    Step,
    TableView,
)
from conversations.phases import Phase
from conversations.stages import PENDING, Stage, current_stage

log = logging.getLogger(__name__)

DUPLICATE = Decision()
"""An update handled before: its tap was taken then, so it is answered silently."""
NOT_A_PARTICIPANT = Decision(toast=Toast("not_participant"))


def _session_id(view: View, decision: Decision) -> int | None:
    """The session an event belongs to, for the event log."""
    created = [c.session.id for c in decision.changes if isinstance(c, SaveSession)]
    if created:
        return created[0]
    if isinstance(view, ParticipantView):
        return view.session.id
    if isinstance(view, PersonView):
        return None
    return view.session.id if view.session is not None else None


_PACING = (
    NextRequested
    | NextConfirmed
    | DeadlineReached
    | DeadlineSet
    | PauseRequested
    | ResumeRequested
    | RemindersDue
)
_NOT_DONE = frozenset().union(*PENDING.values())
"""Steps in which the session waits for the person in some stage."""


class Runner:
    def __init__(
        self,
        store: Store,
        decks: DeckLibrary,
        on_enqueued: Callable[..., None] = lambda chat_ids=None: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.decks = decks
        self.on_enqueued = on_enqueued
        self.clock = clock

    async def submit(self, event: Event, update_id: int | None = None) -> Decision:
        """Handle ``event`` in one transaction; the decision (for its toast)."""
        decision = await self.store.run(lambda tx: self._decide(tx, event, update_id))
        if any(isinstance(change, ForgetPerson | DeleteSession) for change in decision.changes):
            await self.store.erase_traces()
        if decision.effects:
            self.on_enqueued(dict.fromkeys(effect.chat_id for effect in decision.effects))
        return decision

    def _decide(self, tx: Transaction, event: Event, update_id: int | None) -> Decision:
        """The unit of work, run whole on the store's thread (``Store.run``): claim the
        update, load the view, let the core decide, save its changes and effects, log."""
        if update_id is not None and not tx.claim_update(update_id, self.clock()):
            log.info("update %d was handled before; ignored", update_id)
            return DUPLICATE
        if isinstance(event, SessionRequested | FollowupRequested):
            event = replace(event, new_session_id=tx.next_session_id())
        view = self._load(tx, event)
        if view is None:
            return NOT_A_PARTICIPANT
        decision = handle(view, event)
        tx.apply(decision.changes, event.at)
        tx.enqueue(decision.effects, self.clock())
        if decision.changes and not isinstance(view, PersonView):
            tx.log_event(
                type(event).__name__,
                event.at,
                _session_id(view, decision),
                event.user_id,
                event,
            )
        return decision

    def _load(self, tx: Transaction, event: Event) -> View | None:
        kind = view_kind(event)
        if kind is ViewKind.SESSION:
            assert isinstance(event, FacilitatorEvent)
            if isinstance(event, SessionDeleteRequested | RehearsalRequested):
                session = tx.latest_session_of_group(event.group_chat_id)
            else:
                session = tx.open_session_of_group(event.group_chat_id)
            if session is None and isinstance(event, FollowupRequested):
                session = tx.latest_session_of_group(event.group_chat_id)
            if session is None:
                return SessionView(None)
            deck = self.decks.get(session.deck_id)
            counts = (
                tx.session_counts(session, deck)
                if isinstance(event, StatusRequested | SessionDeleteRequested | RehearsalRequested)
                else None
            )
            waiting = (
                tx.waiting_participants(session.id) if isinstance(event, SortStartRequested) else ()
            )
            if isinstance(event, _PACING):
                return self._pacing_view(tx, event, session)
            seating = isinstance(event, TablesRequested | MoveRequested | SeatingConfirmed)
            finished = tx.finishers(session, deck) if seating else ()
            if isinstance(event, TablesRequested) and counts is None:
                counts = tx.session_counts(session, deck)
            at_tables = TablesRequested | RevisionRequested | VoteRequested | SummaryRequested
            tables: tuple[TableView, ...] = ()
            if isinstance(event, DilemmaRequested):
                tables = tx.table_views(session.id, deck)  # with levels, for the prompt
            elif isinstance(event, at_tables):
                tables = tx.table_views(session.id)
            people = tx.people_facts(session) if isinstance(event, SummaryRequested) else ()
            if isinstance(event, StatusRequested):
                tables = tx.table_views(session.id)
                deadlines = tx.deadlines(session.id)
                return SessionView(session, deck, counts, tables=tables, deadlines=deadlines)
            view = SessionView(session, deck, counts, waiting, finished, tables, people)
            summary = isinstance(event, SummaryRequested)
            return self._series(tx, event, view, seating=seating, summary=summary)
        if kind is ViewKind.JOIN:
            assert isinstance(event, JoinRequested)
            session = tx.session_by_code(event.join_code)
            if session is None:
                return JoinView(None, None, None)
            deck = self.decks.get(session.deck_id)
            existing = self._participant_view(tx, session.id, event.user_id)
            return JoinView(session, deck, existing)
        if kind is ViewKind.PERSON:
            return PersonView(event.user_id, tx.participation_count(event.user_id))
        assert isinstance(event, ParticipantEvent)
        counting = isinstance(event, VoteConfirmed | RoundDecided)
        participant_view = self._participant_view(tx, event.session_id, event.user_id, counting)
        if (
            isinstance(event, TopConfirmed)
            and participant_view is not None
            and participant_view.session.previous_id is not None
            and participant_view.participant.step is Step.TOP
        ):  # a follow-up: their top then, to show beside the new one
            earlier_top = tx.earlier_top(participant_view.session, event.user_id)
            if earlier_top is not None and earlier_top.deck_id in self.decks:
                participant_view = replace(participant_view, earlier_top=earlier_top)
            if participant_view.late_tables:  # seated late: away from earlier table mates
                pairs = tx.earlier_table_pairs(participant_view.session)
                participant_view = replace(participant_view, earlier_pairs=pairs)
        return participant_view

    def _series(
        self,
        tx: Transaction,
        event: FacilitatorEvent,
        view: SessionView,
        *,
        seating: bool,
        summary: bool,
    ) -> SessionView:
        """What a group event needs of the session's series: earlier table mates for
        seating, the latest session's people for ``/followup``, the session before for a
        follow-up's summary."""
        session = view.session
        if session is None:
            return view
        if isinstance(event, FollowupRequested):
            return replace(
                view,
                previous_people=tx.participants(session.id),
                series_length=tx.series_length(session.id),
            )
        if session.previous_id is None:
            return view
        if seating:
            return replace(view, earlier_pairs=tx.earlier_table_pairs(session))
        if summary:
            previous = tx.session(session.previous_id)
            if previous is None or previous.deck_id not in self.decks:
                return view
            earlier = EarlierSession(
                previous,
                self.decks.get(previous.deck_id),
                tx.table_views(previous.id),
                tx.people_facts(previous),
            )
            return replace(view, earlier=earlier)
        return view

    def _pacing_view(
        self, tx: Transaction, event: FacilitatorEvent, session: Session
    ) -> SessionView:
        """Pacing and reminders: deadlines and who is not done; moving on also needs what
        the next step needs (the finishers to seat, the tables with their votes, the
        summary's figures)."""
        deck = self.decks.get(session.deck_id)
        deadlines = tx.deadlines(session.id)
        stragglers = tx.stragglers(session.id, _NOT_DONE)
        if isinstance(event, RemindersDue):
            return SessionView(session, deck, deadlines=deadlines, stragglers=stragglers)
        moving = isinstance(event, NextRequested | NextConfirmed | DeadlineReached)
        tables = tx.table_views(session.id, deck if moving else None)
        if not moving:
            return SessionView(session, deck, tables=tables, deadlines=deadlines)
        stage = current_stage(session, tables)
        seating = stage is Stage.SORT
        view = SessionView(
            session,
            deck,
            counts=tx.session_counts(session, deck) if seating else None,
            waiting=tx.waiting_participants(session.id) if stage is Stage.JOIN else (),
            finished=tx.finishers(session, deck) if seating else (),
            tables=tables,
            people=tx.people_facts(session) if stage is Stage.PLENARY else (),
            deadlines=deadlines,
            stragglers=stragglers,
        )
        summary = stage is Stage.PLENARY
        return self._series(tx, event, view, seating=seating, summary=summary)

    def _participant_view(
        self, tx: Transaction, session_id: int, user_id: int, counting: bool = False
    ) -> ParticipantView | None:
        """The person's own rows, their table (with levels and ballots when a vote may be
        counted), and every table only when they may join one late."""
        session = tx.session(session_id)
        if session is None:
            return None
        participant = tx.participant(session_id, user_id)
        if participant is None:
            return None
        at_table = session.phase is Phase.TABLES and participant.table_number is not None
        deck = self.decks.get(session.deck_id)
        table = (
            tx.table_view(session_id, participant.table_number, deck if counting else None)
            if at_table and participant.table_number is not None
            else None
        )
        late = (
            session.phase is Phase.TABLES
            and participant.table_number is None
            and participant.step is Step.TOP
        )
        return ParticipantView(
            session,
            deck,
            participant,
            tx.ratings(session_id, user_id),
            tx.top(session_id, user_id),
            table,
            tx.stories(session_id, user_id) if at_table else {},
            tx.table_views(session_id) if late else (),
        )

    async def say(self, *effects: Effect) -> None:
        """Queue answers that change no state (help, the deck list, upload results)."""
        at = self.clock()
        await self.store.run(lambda tx: tx.enqueue(effects, at))
        self.on_enqueued()

    async def current_session_of(self, user_id: int) -> int | None:
        """The open session a person most recently joined, for commands in private."""
        participant = await self.store.read(lambda tx: tx.current_participation(user_id))
        return participant.session_id if participant else None

    async def session_groups(self, limit: int = 20) -> list[int]:
        """The groups that held the most recent sessions."""
        return await self.store.read(lambda tx: tx.session_groups(limit))

    async def export(
        self, group_chat_id: int, user_id: int, locale: str, names: bool, simulated: bool = False
    ) -> bool:
        """Send the group's latest session's data to ``user_id`` in private; False when the
        group has no session. Simulated participants (a rehearsal) are left out unless
        ``simulated``."""

        def enqueue_export(tx: Transaction) -> bool:
            session = tx.latest_session_of_group(group_chat_id)
            if session is None:
                return False
            stand_ins = tx.simulated_people(session.id)
            rows = tx.export_rows(session.id)
            name, data = build_export(session, rows, names, stand_ins, simulated)
            caption = "export_caption_names" if names else "export_caption"
            params = {"simulated": len(stand_ins), "included": int(simulated)}
            payload = base64.b64encode(data).decode()
            effect = SendFile(user_id, locale, name, payload, caption, params)
            tx.enqueue([effect], self.clock())
            return True

        if not await self.store.run(enqueue_export):
            return False
        self.on_enqueued()
        return True

    async def current_screen(self, chat_id: int, session_id: int) -> int | None:
        """The message id of a person's current screen (the "main" slot) in a session."""
        return await self.store.read(
            lambda tx: tx.slot_message(chat_id, f"{MAIN_SLOT}:{session_id}")
        )

    async def report_unreachable(self, chat_id: int) -> None:
        """Telegram refused to deliver to a private chat: record it for the person."""
        session_id = await self.current_session_of(chat_id)
        if session_id is not None:
            await self.submit(ParticipantUnreachable(self.clock(), session_id, chat_id))
