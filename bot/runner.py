"""The unit of work: one event in, one transaction, effects into the outbox.

Owns: loading the view an event needs, calling the core, saving its changes and effects
and logging the event in the same transaction, and recording handled
Telegram update ids so that an update delivered twice changes nothing the second time.
Must not: talk to Telegram, or know any event: what to load is the core's answer
(``machine.needs``), each ``Need`` has one loader here, and every part of a view that
was not asked for holds ``NotLoaded``, so a rule that reads it fails loudly.

The unit of work (``Runner._decide``) is synchronous: the store runs it whole on its
connection's thread (``Store.run``), in a savepoint of a ``BEGIN IMMEDIATE`` transaction
that it shares with the other units of work ready at the same moment (group commit);
``submit`` returns once that transaction is committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import fields, replace
from types import MappingProxyType
from typing import Any, TypeVar

from bot.decks.library import DeckLibrary
from bot.export import Exporter
from bot.render import Renderer
from bot.store import Store, Transaction
from conversations import machine, progress
from conversations.decision import (
    Decision,
    DeleteSession,
    ForgetPerson,
    SaveDeck,
    SaveSession,
    Toast,
)
from conversations.effects import MAIN_SLOT, Effect
from conversations.events import Event, FacilitatorEvent, ParticipantUnreachable, SchedulerEvent
from conversations.joining import JoinView
from conversations.machine import Actor, SessionOfGroup, View
from conversations.model import (
    EarlierSession,
    ParticipantView,
    PersonView,
    Session,
    SessionView,
    seated_table,
)
from conversations.needs import Need, not_loaded
from conversations.options import Options, options
from conversations.stages import STRAGGLING

log = logging.getLogger(__name__)

DUPLICATE = Decision()
"""An update handled before: its tap was taken then, so it is answered silently."""
NOT_A_PARTICIPANT = Decision(toast=Toast("not_participant"))

MAX_ROUNDS = 3
"""Rounds of asking the core what is still needed (pacing needs the tables to know the
stage, then what moving on from it needs)."""


def _unloaded(view_type: type[Any], *loaded: str) -> dict[str, Any]:
    """Every optional part of a view, marked as not loaded."""
    return {
        f.name: not_loaded(f.name)
        for f in fields(view_type)
        if f.name not in loaded and f.name != "loaded"
    }


_SESSION_PARTS = _unloaded(SessionView, "session", "deck")
_PARTICIPANT_PARTS = _unloaded(ParticipantView, "session", "deck", "participant", "ratings", "top")
_UNSEATED_PARTS = {**_PARTICIPANT_PARTS, "table": None, "stories": MappingProxyType({})}
"""Someone who sits at no table for good (``model.seated_table``) has no table and no
stories: nothing to load."""


def _session_id(view: View, decision: Decision) -> int | None:
    """The session an event belongs to, for the event log."""
    created = [c.session.id for c in decision.changes if isinstance(c, SaveSession)]
    if created:
        return created[0]
    if isinstance(view, ParticipantView):
        return view.session.id
    if isinstance(view, SessionView | JoinView) and view.session is not None:
        return view.session.id
    return None


def _sessions_changed(changes: tuple[Any, ...]) -> set[int]:
    """The sessions ``changes`` touch: each change names its session, or holds a record
    (a session, a participant, a table) that does."""
    touched: set[int] = set()
    for change in changes:
        session_id = getattr(change, "session_id", None)
        if session_id is None:
            record = getattr(change, fields(change)[0].name, None) if fields(change) else None
            session_id = getattr(record, "session_id", None)
            if session_id is None and isinstance(record, Session):
                session_id = record.id
        if isinstance(session_id, int):
            touched.add(session_id)
    return touched


V = TypeVar("V", SessionView, ParticipantView)

Loader = Callable[["Runner", Transaction, Any, frozenset[Need]], dict[str, Any]]


class Runner:
    def __init__(
        self,
        store: Store,
        decks: DeckLibrary,
        on_enqueued: Callable[..., None] = lambda chat_ids=None: None,
        clock: Callable[[], float] = time.time,
        renderer: Renderer | None = None,
    ) -> None:
        self.store = store
        self.decks = decks
        self.exporter = Exporter(decks.get, renderer or Renderer())
        """Builds an export's file in the unit of work that asked for it, in the words
        ``renderer`` has (the bot's own; a fresh one by default)."""
        self.on_enqueued = on_enqueued
        self.on_changed: Callable[[int], None] = lambda session_id: None
        """Called after a commit that changed a session (the dashboard's live updates)."""
        self.clock = clock

    async def submit(self, event: Event, update_id: int | None = None) -> Decision:
        """Handle ``event`` in one transaction; the decision (for its toast)."""
        decision = await self.store.run(lambda tx: self._decide(tx, event, update_id))
        if any(isinstance(change, ForgetPerson | DeleteSession) for change in decision.changes):
            await self.store.erase_traces()
        for change in decision.changes:
            if isinstance(change, SaveDeck):  # committed: sessions may use it from now on
                self.decks.add(change.deck, change.owner_id)
        if decision.effects:
            self.on_enqueued(dict.fromkeys(effect.chat_id for effect in decision.effects))
        for session_id in _sessions_changed(decision.changes):
            self.on_changed(session_id)
        return decision

    def _decide(self, tx: Transaction, event: Event, update_id: int | None) -> Decision:
        """The unit of work, run whole on the store's thread (``Store.run``): claim the
        update, load the view, let the core decide, save its changes and effects, log."""
        if update_id is not None and not tx.claim_update(update_id, self.clock()):
            log.info("update %d was handled before; ignored", update_id)
            return DUPLICATE
        if machine.spec(event).creates_session:
            # every event whose spec creates a session has a ``new_session_id``
            event = replace(event, new_session_id=tx.next_session_id())  # type: ignore[arg-type]
        view = self._load(tx, event)
        if view is None:
            return NOT_A_PARTICIPANT
        decision = machine.handle(view, event)
        tx.apply(decision.changes, event.at)
        now = self.clock()
        tx.enqueue(self.exporter.with_files(tx, decision.effects, now), now)
        if decision.changes and not isinstance(view, PersonView):
            user_id = getattr(event, "user_id", None)  # the scheduler's events have no person
            tx.log_event(
                type(event).__name__, event.at, _session_id(view, decision), user_id, event
            )
        return decision

    def _load(self, tx: Transaction, event: Event) -> View | None:
        """The view of ``event``'s actor, completed with what the core says it needs;
        None for a participant's event from someone not in the session."""
        spec = machine.spec(event)
        if spec.actor in (Actor.FACILITATOR, Actor.SCHEDULER):
            assert isinstance(event, FacilitatorEvent | SchedulerEvent)
            session = self._group_session(tx, event.group_chat_id, spec.session)
            if session is None:
                return SessionView(None)
            deck = self.decks.get(session.deck_id)
            view = SessionView(session, deck, **_SESSION_PARTS)
            return self._complete(tx, lambda v: machine.needs(event, v), view)
        if spec.actor is Actor.NEWCOMER:
            session = tx.session_by_code(event.join_code)  # type: ignore[union-attr]
            if session is None:
                return JoinView(None, None, None)
            existing = self._participant(tx, event, session.id, event.user_id)  # type: ignore[union-attr]
            return JoinView(session, self.decks.get(session.deck_id), existing)
        if spec.actor is Actor.UPLOADER:
            return self.decks.view()
        if spec.actor is Actor.PERSON:
            return PersonView(event.user_id, tx.participation_count(event.user_id))  # type: ignore[union-attr]
        return self._participant(tx, event, event.session_id, event.user_id)  # type: ignore[union-attr]

    @staticmethod
    def _group_session(tx: Transaction, group_chat_id: int, which: SessionOfGroup) -> Any:
        if which is SessionOfGroup.LATEST:
            return tx.latest_session_of_group(group_chat_id)
        session = tx.open_session_of_group(group_chat_id)
        if session is None and which is SessionOfGroup.OPEN_OR_LATEST:
            return tx.latest_session_of_group(group_chat_id)
        return session

    def _participant(
        self, tx: Transaction, event: Event | None, session_id: int, user_id: int
    ) -> ParticipantView | None:
        """The person's own rows in the session, completed with what ``event`` needs (or,
        without one, with what their screen needs: ``machine.screen_needs``)."""
        session = tx.session(session_id)
        participant = tx.participant(session_id, user_id) if session is not None else None
        if session is None or participant is None:
            return None
        seated = seated_table(session, participant) is not None
        view = ParticipantView(
            session,
            self.decks.get(session.deck_id),
            participant,
            tx.ratings(session_id, user_id),
            tx.top(session_id, user_id),
            **(_PARTICIPANT_PARTS if seated else _UNSEATED_PARTS),
        )
        if event is None:
            return self._complete(tx, machine.screen_needs, view)
        return self._complete(tx, lambda v: machine.needs(event, v), view)

    def _complete(self, tx: Transaction, needs: Callable[[V], frozenset[Need]], view: V) -> V:
        """Load what the core still needs until it needs nothing more."""
        for _ in range(MAX_ROUNDS):
            missing = needs(view) - view.loaded
            if not missing:
                return view
            parts: dict[str, Any] = {}
            for need in missing:
                parts.update(_LOADERS[need](self, tx, view, missing))
            view = replace(view, loaded=view.loaded | missing, **parts)
        raise RuntimeError(f"the needs of a {type(view).__name__} did not settle")

    # --- one loader per Need: the parts of the view it fills ---

    def _counts(self, tx: Transaction, view: SessionView, _: frozenset[Need]) -> dict[str, Any]:
        session, deck = view.require()
        return {"counts": progress.session_counts(deck, tx.tally(session.id))}

    def _waiting(self, tx: Transaction, view: SessionView, _: frozenset[Need]) -> dict[str, Any]:
        return {"waiting": tx.waiting_participants(view.require()[0].id)}

    def _finishers(self, tx: Transaction, view: SessionView, _: frozenset[Need]) -> dict[str, Any]:
        session, deck = view.require()
        done = tx.done_with_sorting(session.id, progress.profile_lens(deck))
        return {"finished": progress.finishers(session, deck, done)}

    def _tables(
        self, tx: Transaction, view: SessionView, wanted: frozenset[Need]
    ) -> dict[str, Any]:
        session, deck = view.require()
        with_levels = deck if Need.LEVELS in wanted else None
        return {"tables": tx.table_views(session.id, with_levels)}

    def _people(self, tx: Transaction, view: SessionView, _: frozenset[Need]) -> dict[str, Any]:
        return {"people": tx.people_facts(view.require()[0])}

    def _story_counts(
        self, tx: Transaction, view: SessionView, _: frozenset[Need]
    ) -> dict[str, Any]:
        return {"story_counts": tx.story_counts(view.require()[0].id)}

    def _roster(self, tx: Transaction, view: SessionView, _: frozenset[Need]) -> dict[str, Any]:
        return {"roster": tx.roster(view.require()[0].id)}

    def _deadlines(self, tx: Transaction, view: SessionView, _: frozenset[Need]) -> dict[str, Any]:
        return {"deadlines": tx.deadlines(view.require()[0].id)}

    def _stragglers(self, tx: Transaction, view: SessionView, _: frozenset[Need]) -> dict[str, Any]:
        return {"stragglers": tx.stragglers(view.require()[0].id, STRAGGLING)}

    def _previous_people(
        self, tx: Transaction, view: SessionView, _: frozenset[Need]
    ) -> dict[str, Any]:
        return {"previous_people": tx.participants(view.require()[0].id)}

    def _series_length(
        self, tx: Transaction, view: SessionView, _: frozenset[Need]
    ) -> dict[str, Any]:
        return {"series_length": tx.series_length(view.require()[0].id)}

    def _series(self, tx: Transaction, view: SessionView, _: frozenset[Need]) -> dict[str, Any]:
        session, _deck = view.require()
        series = tuple(
            EarlierSession(
                earlier,
                self.decks.get(earlier.deck_id),
                tx.table_views(earlier.id),
                tx.people_facts(earlier),
            )
            for earlier in tx.earlier_sessions(session)
            if earlier.deck_id in self.decks
        )
        return {"series": series}

    def _earlier_pairs(self, tx: Transaction, view: Any, _: frozenset[Need]) -> dict[str, Any]:
        return {"earlier_pairs": tx.earlier_table_pairs(view.session)}

    def _table(
        self, tx: Transaction, view: ParticipantView, wanted: frozenset[Need]
    ) -> dict[str, Any]:
        p = view.participant
        number = seated_table(view.session, p)
        if number is None:
            return {"table": None, "stories": {}}
        with_levels = view.deck if Need.LEVELS in wanted else None
        return {
            "table": tx.table_view(p.session_id, number, with_levels),
            "stories": tx.stories(p.session_id, p.user_id),
        }

    def _late_tables(
        self, tx: Transaction, view: ParticipantView, _: frozenset[Need]
    ) -> dict[str, Any]:
        return {"late_tables": tx.table_views(view.session.id)}

    def _earlier_top(
        self, tx: Transaction, view: ParticipantView, _: frozenset[Need]
    ) -> dict[str, Any]:
        top = tx.earlier_top(view.session, view.participant.user_id)
        return {"earlier_top": top if top is not None and top.deck_id in self.decks else None}

    async def say(self, *effects: Effect) -> None:
        """Queue answers that change no state (help, the deck list, upload results)."""
        at = self.clock()
        await self.store.run(lambda tx: tx.enqueue(effects, at))
        self.on_enqueued()

    async def current_session_of(self, user_id: int) -> int | None:
        """The open session a person most recently joined, for commands in private."""
        participant = await self.store.read(lambda tx: tx.current_participation(user_id))
        return participant.session_id if participant else None

    async def latest_group_started_by(self, user_id: int) -> int | None:
        """The group of the latest session a person started, for ``/report`` in private."""
        return await self.store.read(lambda tx: tx.latest_group_started_by(user_id))

    async def session_groups(self, limit: int = 20) -> list[int]:
        """The groups that held the most recent sessions."""
        return await self.store.read(lambda tx: tx.session_groups(limit))

    async def options(self, session_id: int, user_id: int) -> Options | None:
        """What a participant may do now (``conversations.options``); None for someone
        not in the session."""
        at = self.clock()
        view = await self.participant_view(session_id, user_id)
        return options(view, at) if view is not None else None

    async def session_view(self, session_id: int, needs: frozenset[Need]) -> SessionView | None:
        """A session as a facilitator's event sees it, loaded with ``needs``; None if there
        is no such session."""

        def read(tx: Transaction) -> SessionView | None:
            session = tx.session(session_id)
            if session is None or session.deck_id not in self.decks:
                return None
            view = SessionView(session, self.decks.get(session.deck_id), **_SESSION_PARTS)
            return self._complete(tx, lambda _: needs, view)

        return await self.store.read(read)

    async def participant_view(self, session_id: int, user_id: int) -> ParticipantView | None:
        """Where a participant stands, with what their screen needs; None for someone not
        in the session."""
        return await self.store.read(lambda tx: self._participant(tx, None, session_id, user_id))

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


_LOADERS: dict[Need, Loader] = {
    Need.COUNTS: Runner._counts,
    Need.WAITING: Runner._waiting,
    Need.FINISHERS: Runner._finishers,
    Need.TABLES: Runner._tables,
    Need.PEOPLE: Runner._people,
    Need.DEADLINES: Runner._deadlines,
    Need.STRAGGLERS: Runner._stragglers,
    Need.PREVIOUS_PEOPLE: Runner._previous_people,
    Need.SERIES_LENGTH: Runner._series_length,
    Need.SERIES: Runner._series,
    Need.EARLIER_PAIRS: Runner._earlier_pairs,
    Need.TABLE: Runner._table,
    Need.LATE_TABLES: Runner._late_tables,
    Need.EARLIER_TOP: Runner._earlier_top,
    Need.LEVELS: lambda runner, tx, view, wanted: {},
    Need.ROSTER: Runner._roster,
    Need.STORY_COUNTS: Runner._story_counts,
}
"""Each ``Need`` to the parts of the view it loads (``LEVELS`` only changes how the
tables are loaded)."""
