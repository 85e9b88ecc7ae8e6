"""Dilemmas and the table's common top (step 5 of the method).

Owns: posting dilemmas to every table (the deck's next one, or the facilitator's own,
with the pair of cards the table's members rated most differently as a prompt); voting
rounds at each table (candidates are the members' current tops; each member approves
up to ``top_size``); after each round the table sees its outcome and votes again or
settles (a majority decides; at most ``max_rounds`` rounds); a one-line note when a
table settles without a full top. "No agreement" is an outcome, not a failure.
Must not: count votes itself (``vote_count`` does) or seat anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from conversations.decision import (
    STALE,
    Change,
    Decision,
    SaveParticipant,
    SaveSession,
    SaveTable,
    SaveVote,
)
from conversations.deck import Deck
from conversations.effects import (
    AskNextRound,
    AskNote,
    AskVote,
    Effect,
    Notice,
    Say,
    ShowDilemma,
    TableEffect,
    VoteResult,
)
from conversations.events import (
    DilemmaRequested,
    NoteSkipped,
    RoundDecided,
    TextReceived,
    VoteConfirmed,
    VoteRequested,
    VoteToggled,
)
from conversations.model import (
    Mate,
    Participant,
    ParticipantView,
    RoundChoice,
    Session,
    SessionView,
    Step,
    TableStage,
    TableView,
)
from conversations.phases import Phase
from conversations.picking import toggle
from conversations.sharing import table_effects, table_notice
from conversations.vote_count import (
    Candidate,
    Outcome,
    OutcomeKind,
    candidates,
    most_divergent_pair,
    tally,
)

MAX_NOTE_LENGTH = 200
MAX_DILEMMA_LENGTH = 1500
VOTABLE = frozenset(
    {TableStage.SHARING, TableStage.REVISING, TableStage.SETTLED, TableStage.DILEMMA}
)
TALKING = frozenset({TableStage.REVISING, TableStage.SETTLED})
"""Tables that a dilemma moves on to talking (``TableStage.DILEMMA``)."""


def _present(mate: Mate) -> bool:
    return not mate.participant.unreachable


def _say(session: Session, template: str, **params: str | int | None) -> Decision:
    return Decision(effects=(Say(session.group_chat_id, session.locale, template, params),))


def vote_candidates(deck: Deck, table: TableView) -> tuple[Candidate, ...]:
    """What a table votes on: the cards in its present members' tops, with their holders."""
    tops = {m.participant.user_id: m.top for m in table.members if _present(m)}
    return candidates(tops, deck.card_ids)


def _ask_vote(deck: Deck, table: TableView, p: Participant, fresh: bool) -> AskVote:
    options = tuple((c.card_id, c.holders) for c in vote_candidates(deck, table))
    return AskVote(
        p.chat_id,
        p.locale,
        p.session_id,
        deck.id,
        options,
        p.selection,
        deck.top_size,
        table.table.round,
        fresh=fresh,
    )


# --- the facilitator ------------------------------------------------------------------


def post_dilemma(view: SessionView, event: DilemmaRequested, *, only_new: bool = False) -> Decision:
    """The deck's next dilemma (or the facilitator's own text) to every table, or, with
    ``only_new``, to the tables that have not talked one through yet; tables done with
    the stories or revising move on to talking it through."""
    session, deck = view.require()
    if session.phase is not Phase.TABLES or not view.tables:
        return _say(session, "needs_tables")
    tables = [t for t in view.tables if not only_new or t.table.stage in TALKING]
    text = " ".join((event.text or "").split())[:MAX_DILEMMA_LENGTH] or None
    dilemma_id = None
    changes: list[Change] = []
    if text is None:
        if not deck.dilemmas:
            return _say(session, "no_dilemmas")
        dilemma_id = deck.dilemmas[session.dilemma_index % len(deck.dilemmas)].id
        changes.append(SaveSession(replace(session, dilemma_index=session.dilemma_index + 1)))
    else:
        changes.append(SaveSession(replace(session, own_dilemmas=(*session.own_dilemmas, text))))
    effects: list[Effect] = []
    for table in tables:
        if table.table.stage in TALKING:
            changes.append(SaveTable(table.table.moved_to(TableStage.DILEMMA)))
        levels = {m.participant.user_id: m.levels for m in table.members if _present(m)}
        pair = most_divergent_pair(levels, deck.card_ids)
        build = _dilemma(session, deck, table.table.number, dilemma_id, text, pair)
        effects.extend(table_effects(session, table, exclude=None, build=build))
    effects.append(Say(session.group_chat_id, session.locale, "dilemma_posted"))
    return Decision(changes=tuple(changes), effects=tuple(effects))


def _dilemma(
    session: Session,
    deck: Deck,
    number: int,
    dilemma_id: str | None,
    text: str | None,
    pair: tuple[str, str] | None,
) -> Callable[[int, str, bool], TableEffect]:
    def build(chat_id: int, locale: str, in_room: bool) -> TableEffect:
        return ShowDilemma(
            chat_id, locale, session.id, number, in_room, deck.id, dilemma_id, text, pair
        )

    return build


def open_votes(view: SessionView, event: VoteRequested) -> Decision:
    """Every table that is not voting or done starts its first round."""
    session, deck = view.require()
    if session.phase is not Phase.TABLES:
        return _say(session, "needs_tables")
    tables = [t for t in view.tables if t.table.stage in VOTABLE]
    if not tables:
        return _say(session, "nothing_to_vote")
    changes: list[Change] = []
    effects: list[Effect] = []
    for table in tables:
        decision = _start_round(session, deck, table, 1, fresh_ballots=True)
        changes.extend(decision.changes)
        effects.extend(decision.effects)
    effects.append(
        Say(session.group_chat_id, session.locale, "votes_opened", {"tables": len(tables)})
    )
    return Decision(changes=tuple(changes), effects=tuple(effects))


def _start_round(
    session: Session, deck: Deck, table: TableView, number: int, fresh_ballots: bool
) -> Decision:
    voting_table = table.table.moved_to(TableStage.VOTING, round=number)
    members = []
    changes: list[Change] = [SaveTable(voting_table)]
    effects: list[Effect] = []
    for mate in table.members:
        p = mate.participant
        if not _present(mate):
            members.append(mate)
            continue
        selection = () if fresh_ballots else mate.ballot
        voter = p.moved_to(Step.VOTING, selection=selection, round_choice=None, story_card=None)
        members.append(replace(mate, participant=voter))
        changes.append(SaveParticipant(voter))
    started = TableView(voting_table, tuple(members))
    # the notice first: in relay mode it lands in the private chat, above the ballot
    effects.extend(table_notice(session, started, "vote_started", {"round": number}))
    for mate in started.members:
        if _present(mate):
            effects.append(_ask_vote(deck, started, mate.participant, fresh=True))
    return Decision(changes=tuple(changes), effects=tuple(effects))


# --- a member's vote ----------------------------------------------------------------------


def toggle_vote(view: ParticipantView, event: VoteToggled) -> Decision:
    p, table = view.participant, view.table
    if table is None:
        return STALE
    if event.card_id not in {c.card_id for c in vote_candidates(view.deck, table)}:
        return STALE
    selection = toggle(p.selection, event.card_id, view.deck.top_size)
    if isinstance(selection, Decision):
        return selection
    voter = replace(p, selection=selection)
    return Decision(
        changes=(SaveParticipant(voter),),
        effects=(_ask_vote(view.deck, table, voter, fresh=False),),
    )


def _with(table: TableView, mate: Mate) -> TableView:
    members = tuple(
        mate if m.participant.user_id == mate.participant.user_id else m for m in table.members
    )
    return TableView(table.table, members)


def confirm_vote(view: ParticipantView, event: VoteConfirmed) -> Decision:
    p, table = view.participant, view.table
    if table is None:
        return STALE
    voted = p.moved_to(Step.VOTED, selection=())
    mate = next(m for m in table.members if m.participant.user_id == p.user_id)
    table = _with(table, replace(mate, participant=voted, ballot=p.selection))
    changes: list[Change] = [
        SaveVote(p.session_id, p.user_id, table.table.round, p.selection, event.at),
        SaveParticipant(voted),
    ]
    if any(m.participant.step is Step.VOTING for m in table.members if _present(m)):
        return Decision(
            changes=tuple(changes),
            effects=(Notice(p.chat_id, p.locale, p.session_id, "vote_waiting"),),
        )
    closed = _close_round(view.session, view.deck, table)
    return Decision(changes=(*changes, *closed.changes), effects=closed.effects)


def _voters(table: TableView, only_voted: bool = False) -> list[Mate]:
    """Who counts in a round: the reachable members (who voted, when a round is closed
    before everyone did)."""
    return [
        m
        for m in table.members
        if _present(m) and (not only_voted or m.participant.step is not Step.VOTING)
    ]


def _outcome(session: Session, deck: Deck, table: TableView, only_voted: bool = False) -> Outcome:
    voters = _voters(table, only_voted)
    return tally(
        {m.participant.user_id: m.ballot for m in voters},
        max(1, len(voters)),
        vote_candidates(deck, table),
        {m.participant.user_id: m.levels for m in voters},
        deck.card_ids,
        deck.top_size,
        session.vote_rule,
    )


def _close_round(
    session: Session, deck: Deck, table: TableView, *, early: bool = False
) -> Decision:
    """Every reachable member voted (or the round is closed ``early``, counting those
    who did, for good): count, show the table, and go on or settle."""
    outcome = _outcome(session, deck, table, only_voted=early)
    final = early or outcome.kind is OutcomeKind.FULL or table.table.round >= session.max_rounds
    counted = table.table.moved_to(
        TableStage.AGREED if final else TableStage.DECIDING,
        agreed=outcome.agreed,
        outcome=outcome.kind,
    )
    counted_table = TableView(counted, table.members)
    voters = len(_voters(table, only_voted=early))
    effects: list[Effect] = list(
        table_effects(
            session,
            counted_table,
            exclude=None,
            build=lambda chat, locale, in_room: VoteResult(
                chat,
                locale,
                session.id,
                counted.number,
                in_room,
                deck.id,
                counted.round,
                outcome.agreed,
                outcome.kind.value,
                tuple((card, n) for card, n in outcome.support.items() if n),
                voters,
                final,
            ),
        )
    )
    changes: list[Change] = [SaveTable(counted)]
    if final:
        settled = _settle_members(counted_table, outcome.kind)
        return Decision(changes=(*changes, *settled.changes), effects=(*effects, *settled.effects))
    for mate in table.members:
        p = mate.participant
        if not _present(mate):
            continue
        deciding = p.moved_to(Step.DECIDING, round_choice=None)
        changes.append(SaveParticipant(deciding))
        effects.append(
            AskNextRound(p.chat_id, p.locale, p.session_id, counted.round, session.max_rounds)
        )
    return Decision(changes=tuple(changes), effects=tuple(effects))


def _settle_members(table: TableView, kind: OutcomeKind) -> Decision:
    """The outcome is final: without a full top, members may add a one-line note."""
    changes: list[Change] = []
    effects: list[Effect] = []
    for mate in table.members:
        p = mate.participant
        if not _present(mate):
            continue
        if kind is OutcomeKind.FULL:
            final = p.moved_to(Step.FINAL, round_choice=None)
            effects.append(Notice(p.chat_id, p.locale, p.session_id, "table_agreed"))
        else:
            final = p.moved_to(Step.NOTE, round_choice=None)
            effects.append(AskNote(p.chat_id, p.locale, p.session_id))
        changes.append(SaveParticipant(final))
    return Decision(changes=tuple(changes), effects=tuple(effects))


def decide_round(view: ParticipantView, event: RoundDecided) -> Decision:
    """A majority of the reachable members decides: another round, or settle."""
    p, table, session = view.participant, view.table, view.session
    if table is None:
        return STALE
    chosen = replace(p, round_choice=RoundChoice.AGAIN if event.again else RoundChoice.SETTLE)
    mate = next(m for m in table.members if m.participant.user_id == p.user_id)
    table = _with(table, replace(mate, participant=chosen))
    present = [m for m in table.members if _present(m)]
    again = sum(1 for m in present if m.participant.round_choice is RoundChoice.AGAIN)
    settle = sum(1 for m in present if m.participant.round_choice is RoundChoice.SETTLE)
    majority = len(present) // 2 + 1
    changes: list[Change] = [SaveParticipant(chosen)]
    if again >= majority:
        restarted = _start_round(
            session, view.deck, table, table.table.round + 1, fresh_ballots=False
        )
        return Decision(changes=(*changes, *restarted.changes), effects=restarted.effects)
    if settle >= majority or again + settle == len(present):
        settled = _settle_table(session, table)
        return Decision(changes=(*changes, *settled.changes), effects=settled.effects)
    return Decision(
        changes=tuple(changes),
        effects=(Notice(p.chat_id, p.locale, p.session_id, "choice_waiting"),),
    )


def _settle_table(session: Session, table: TableView) -> Decision:
    """The table keeps the outcome of its last round."""
    agreed = table.table.moved_to(TableStage.AGREED)
    settled = _settle_members(TableView(agreed, table.members), agreed.outcome or OutcomeKind.NONE)
    notice = table_notice(session, table, "table_settles")
    return Decision(
        changes=(SaveTable(agreed), *settled.changes), effects=(*notice, *settled.effects)
    )


def close_votes(view: SessionView) -> Decision:
    """The votes are over (``/next`` or a deadline): a table in a round counts the ballots
    it has, for good; a table deciding whether to vote again keeps its last outcome."""
    session, deck = view.session, view.deck
    assert session is not None and deck is not None
    changes: list[Change] = []
    effects: list[Effect] = []
    for table in view.tables:
        if table.table.stage is TableStage.VOTING:
            closed = _close_round(session, deck, table, early=True)
        elif table.table.stage is TableStage.DECIDING:
            closed = _settle_table(session, table)
        else:
            continue
        changes.extend(closed.changes)
        effects.extend(closed.effects)
    effects.append(Say(session.group_chat_id, session.locale, "votes_closed"))
    return Decision(changes=tuple(changes), effects=tuple(effects))


def receive_note(view: ParticipantView, event: TextReceived) -> Decision:
    p, table = view.participant, view.table
    assert table is not None
    note = " ".join(event.text.split())[:MAX_NOTE_LENGTH]
    # Notes are kept without names: they go to the plenary and outlive /forgetme.
    notes = f"{table.table.note} / {note}" if table.table.note else note
    final = p.moved_to(Step.FINAL)
    return Decision(
        changes=(SaveTable(replace(table.table, note=notes[:1000])), SaveParticipant(final)),
        effects=(Notice(p.chat_id, p.locale, p.session_id, "note_saved", fresh=True),),
    )


def skip_note(view: ParticipantView, event: NoteSkipped) -> Decision:
    p = view.participant
    final = p.moved_to(Step.FINAL)
    return Decision(
        changes=(SaveParticipant(final),),
        effects=(Notice(p.chat_id, p.locale, p.session_id, "table_done"),),
    )


def show_vote_step(view: ParticipantView, *, fresh: bool) -> tuple[Effect, ...]:
    p, table = view.participant, view.table
    if p.step is Step.VOTING and table is not None:
        return (_ask_vote(view.deck, table, p, fresh),)
    if p.step is Step.VOTED:
        return (Notice(p.chat_id, p.locale, p.session_id, "vote_waiting"),)
    if p.step is Step.DECIDING and table is not None:
        return (
            AskNextRound(
                p.chat_id, p.locale, p.session_id, table.table.round, view.session.max_rounds, fresh
            ),
        )
    if p.step is Step.NOTE:
        return (AskNote(p.chat_id, p.locale, p.session_id, fresh),)
    return (Notice(p.chat_id, p.locale, p.session_id, "table_done"),)
