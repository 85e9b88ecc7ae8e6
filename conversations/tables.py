"""Seating people at virtual tables (step 3 of the method), as the facilitator steers it.

Owns: proposing a seating of everyone who finished sorting (``/tables``, ``/reseat``),
changing it (``/move``), making it final (``/seat``) and opening the table rooms,
seating people who finish late, and moving every table on to revising (``/revise``).
Must not: decide how a seating is made (``table_plan`` does) or handle a member's own
steps at the table (``sharing`` does).
"""

from __future__ import annotations

from dataclasses import replace

from conversations.decision import Change, Decision, SaveParticipant, SaveSession, SaveTable
from conversations.deck import Deck
from conversations.effects import (
    AskStoryCard,
    Effect,
    OpenTableRoom,
    Say,
    ShowSeating,
    TableIntro,
)
from conversations.events import (
    MoveRequested,
    RevisionRequested,
    SeatingConfirmed,
    TablesRequested,
)
from conversations.model import (
    Mate,
    Participant,
    ParticipantView,
    Rooms,
    Session,
    SessionView,
    Step,
    Table,
    TableStage,
    TableView,
)
from conversations.phases import Phase
from conversations.sharing import ask_revision, table_notice
from conversations.table_plan import Seatable, place_latecomer, plan_tables


def _say(session: Session, template: str, **params: str | int | None) -> Decision:
    return Decision(effects=(Say(session.group_chat_id, session.locale, template, params),))


def _seatable(participant: Participant, profile: tuple[int, ...] = ()) -> Seatable:
    return Seatable(participant.user_id, participant.organisation, participant.age_band, profile)


def _join_smallest(
    tables: list[TableView], mate: Mate, avoid_pairs: frozenset[frozenset[int]] = frozenset()
) -> tuple[list[TableView], int]:
    """Seat ``mate`` at the smallest table (where they add most diversity among equals,
    away from earlier table mates of the series when ``avoid_pairs`` names them)."""
    people = {m.participant.user_id: _seatable(m.participant) for t in tables for m in t.members}
    index = place_latecomer(
        [tuple(m.participant.user_id for m in t.members) for t in tables],
        _seatable(mate.participant),
        people,
        avoid_pairs=avoid_pairs,
    )
    seated = Mate(
        mate.participant.moved_to(Step.STORY, table_number=tables[index].table.number),
        mate.top,
    )
    tables = list(tables)
    tables[index] = TableView(tables[index].table, (*tables[index].members, seated))
    return tables, index


def _show(
    session: Session, people: dict[int, Participant], unseated: int, final: bool
) -> ShowSeating:
    numbers = sorted({p.table_number for p in people.values() if p.table_number is not None})
    tables = tuple(
        (
            number,
            tuple(
                (p.name, p.organisation)
                for p in sorted(people.values(), key=lambda p: (p.name, p.user_id))
                if p.table_number == number
            ),
        )
        for number in numbers
    )
    return ShowSeating(session.group_chat_id, session.locale, session.id, tables, final, unseated)


def propose(view: SessionView, event: TablesRequested) -> Decision:
    """A seating of everyone who finished sorting; once seated, latecomers join tables."""
    session, _ = view.require()
    if session.phase is Phase.TABLES:
        return _seat_latecomers(view)
    if not view.finished:
        return _say(session, "nobody_finished")
    plan = plan_tables(
        [_seatable(f.participant, f.profile) for f in view.finished],
        session.table_size,
        seed=event.seed,
        avoid_pairs=view.earlier_pairs,  # in a follow-up: not again with earlier table mates
    )
    number_of = {uid: n for n, table in enumerate(plan, start=1) for uid in table}
    people = {
        f.participant.user_id: replace(f.participant, table_number=number_of[f.participant.user_id])
        for f in view.finished
    }
    proposing = session.moved_to(Phase.SEATING)
    changes: list[Change] = [SaveParticipant(p) for p in people.values()]
    if session.phase is not Phase.SEATING:
        changes.append(SaveSession(proposing))
    unseated = (view.counts.consented - len(people)) if view.counts else 0
    return Decision(
        changes=tuple(changes),
        effects=(_show(proposing, people, max(0, unseated), final=False),),
    )


def move(view: SessionView, event: MoveRequested) -> Decision:
    session, _ = view.require()
    if session.phase is not Phase.SEATING:
        return _say(session, "move_needs_proposal")
    people = {
        f.participant.user_id: f.participant
        for f in view.finished
        if f.participant.table_number is not None
    }
    wanted = event.person.strip().lstrip("@").casefold()
    if event.person_id is not None:
        wanted = str(event.person_id)
        matches = [people[event.person_id]] if event.person_id in people else []
    else:
        matches = [p for p in people.values() if p.name.casefold() == wanted] or [
            p for p in people.values() if p.name.casefold().startswith(wanted)
        ]
    if not wanted or event.table_number is None:
        return _say(session, "move_usage")
    if len(matches) != 1:
        template = "move_unknown_person" if not matches else "move_ambiguous"
        return _say(session, template, person=event.person)
    numbers = {p.table_number for p in people.values()}
    if event.table_number < 1 or event.table_number > len(numbers) + 1:
        return _say(session, "move_unknown_table", table=event.table_number, tables=len(numbers))
    moved = replace(matches[0], table_number=event.table_number)
    people[moved.user_id] = moved
    # A table left empty by the move closes the gap, so tables stay numbered 1..n.
    renumber = {
        old: new
        for new, old in enumerate(
            sorted({p.table_number for p in people.values() if p.table_number}), start=1
        )
    }
    people = {
        uid: replace(p, table_number=renumber[p.table_number or 0]) for uid, p in people.items()
    }
    changed = tuple(SaveParticipant(p) for p in people.values())
    if event.quiet:  # the dashboard shows the proposal itself; /seat posts the final one
        return Decision(changes=changed)
    return Decision(changes=changed, effects=(_show(session, people, 0, final=False),))


def seat(view: SessionView, event: SeatingConfirmed) -> Decision:
    """Make the proposal final: tables open, each member is introduced and asked for a story."""
    session, deck = view.require()
    if session.phase is Phase.TABLES:
        return _say(session, "already_seated")
    if session.phase is not Phase.SEATING:
        return _say(session, "seat_needs_proposal")
    rooms = Rooms.TOPICS if event.topics_available else Rooms.RELAY
    seated_session = session.moved_to(Phase.TABLES, rooms=rooms)
    tops = {f.participant.user_id: f.top for f in view.finished}
    members = [f.participant for f in view.finished if f.participant.table_number is not None]
    numbers = sorted({p.table_number for p in members if p.table_number is not None})
    changes: list[Change] = [SaveSession(seated_session)]
    effects: list[Effect] = [_show(seated_session, {p.user_id: p for p in members}, 0, final=True)]
    for number in numbers:
        table = Table(session.id, number)
        changes.append(SaveTable(table))
        if rooms is Rooms.TOPICS:
            effects.append(OpenTableRoom(session.group_chat_id, session.locale, session.id, number))
        at_table = [p for p in members if p.table_number == number]
        mates = tuple(Mate(p.moved_to(Step.STORY), tops.get(p.user_id, ())) for p in at_table)
        table_view = TableView(table, mates)
        for mate in mates:
            changes.append(SaveParticipant(mate.participant))
            effects.extend(_welcome_to_table(seated_session, deck, mate, table_view))
    return Decision(changes=tuple(changes), effects=tuple(effects))


def _welcome_to_table(
    session: Session, deck: Deck, mate: Mate, table: TableView
) -> tuple[Effect, ...]:
    p = mate.participant
    names = tuple(m.participant.name for m in table.others(p.user_id))
    return (
        TableIntro(
            p.chat_id, p.locale, session.id, table.table.number, names, session.rooms or Rooms.RELAY
        ),
        AskStoryCard(p.chat_id, p.locale, session.id, deck.id, mate.top, (), fresh=True),
    )


def seat_latecomer(view: ParticipantView) -> Decision | None:
    """A person who finished sorting after the tables started joins the smallest table,
    if the session says so; ``None`` when they wait for the facilitator instead."""
    session, p = view.session, view.participant
    if session.phase is not Phase.TABLES or not session.late_joins or not view.late_tables:
        return None
    tables, index = _join_smallest(list(view.late_tables), Mate(p, view.top), view.earlier_pairs)
    table = tables[index]
    joining = table.members[-1]
    effects: list[Effect] = list(_welcome_to_table(session, view.deck, joining, table))
    effects.extend(_announce_newcomer(session, table, joining.participant))
    return Decision(changes=(SaveParticipant(joining.participant),), effects=tuple(effects))


def _announce_newcomer(session: Session, table: TableView, newcomer: Participant) -> list[Effect]:
    notice = table_notice(
        session, table, "member_joined", {"name": newcomer.name}, exclude=newcomer.user_id
    )
    return list(notice)


def _seat_latecomers(view: SessionView) -> Decision:
    """``/tables`` once seated: everyone who finished but has no table joins one."""
    session, deck = view.session, view.deck
    assert session is not None and deck is not None
    waiting = [f for f in view.finished if f.participant.table_number is None]
    if not waiting:
        return _say(session, "nobody_waiting_for_table")
    tables = list(view.tables)
    changes: list[Change] = []
    effects: list[Effect] = []
    for finisher in waiting:
        tables, index = _join_smallest(
            tables, Mate(finisher.participant, finisher.top), view.earlier_pairs
        )
        joining = tables[index].members[-1]
        changes.append(SaveParticipant(joining.participant))
        effects.extend(_welcome_to_table(session, deck, joining, tables[index]))
        effects.extend(_announce_newcomer(session, tables[index], joining.participant))
    count = len(waiting)
    effects.append(
        Say(session.group_chat_id, session.locale, "latecomers_seated", {"count": count})
    )
    return Decision(changes=tuple(changes), effects=tuple(effects))


def revise_all(view: SessionView, event: RevisionRequested) -> Decision:
    """Every table moves on to revising, whether or not all its stories are in."""
    session, deck = view.require()
    if session.phase is not Phase.TABLES:
        return _say(session, "seat_needs_proposal")
    changes: list[Change] = []
    effects: list[Effect] = []
    for table in view.tables:
        if table.table.stage is not TableStage.SHARING:
            continue
        decision = ask_revision(session, deck, table)
        changes.extend(decision.changes)
        effects.extend(decision.effects)
    effects.append(Say(session.group_chat_id, session.locale, "revision_started"))
    return Decision(changes=tuple(changes), effects=tuple(effects))
