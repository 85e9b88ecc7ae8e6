"""At the table (step 4 of the method): stories, the table room, revising one's top.

Owns: asking each member for short stories about their top cards, showing each member's
top and stories to their table, passing messages between table mates (relay mode), and
asking after the stories whether what they heard changes their top (keep, or choose
again) with before and after both recorded. Members who are unreachable never hold up
their table. Must not: seat anyone (``tables`` does) or know about Telegram topics
beyond the ``in_room`` flag of table effects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from conversations.apply import apply
from conversations.decision import (
    STALE,
    Change,
    Decision,
    SaveParticipant,
    SaveRevisedTop,
    SaveStory,
    SaveTable,
    Toast,
)
from conversations.deck import Deck
from conversations.effects import (
    AskRevision,
    AskStoryCard,
    AskStoryText,
    Effect,
    Relay,
    RelayCopy,
    Say,
    ShowRevision,
    ShowTopPicker,
    TableEffect,
    TableIntro,
    TableNotice,
    TableShare,
)
from conversations.events import (
    MediaReceived,
    RevisionAnswered,
    StoryCardChosen,
    TableRequested,
    TextReceived,
    TopCardToggled,
    TopConfirmed,
)
from conversations.model import (
    Mate,
    Participant,
    ParticipantView,
    Revision,
    Rooms,
    Session,
    Step,
    TableStage,
    TableView,
)
from conversations.picking import toggle
from conversations.sorting import piles

MAX_STORY_LENGTH = 1000
"""Characters of one story; longer ones are shortened and the teller is told."""
MAX_RELAY_LENGTH = 3500
"""Characters of a relayed message, so that it fits one message with its header."""

AT_TABLE = frozenset(
    {
        Step.STORY,
        Step.SHARED,
        Step.REVISE,
        Step.REVISING,
        Step.SETTLED,
        Step.VOTING,
        Step.VOTED,
        Step.DECIDING,
        Step.NOTE,
        Step.FINAL,
    }
)
"""Steps of a seated person: typed text goes to the table (relay mode)."""


def _present(mate: Mate) -> bool:
    return not mate.participant.unreachable


def table_effects(
    session: Session,
    table: TableView,
    *,
    exclude: int | None,
    build: Callable[[int, str, bool], TableEffect],
) -> tuple[Effect, ...]:
    """One effect in the table's topic (topics mode), or one per reachable table mate in
    their private chat (relay mode), never to anyone at another table."""
    if session.rooms is Rooms.TOPICS:
        return (build(session.group_chat_id, session.locale, True),)
    return tuple(
        build(m.participant.chat_id, m.participant.locale, False)
        for m in table.members
        if m.participant.user_id != exclude and _present(m)
    )


def table_notice(
    session: Session,
    table: TableView,
    template: str,
    params: Mapping[str, str | int | None] | None = None,
    *,
    exclude: int | None = None,
) -> tuple[Effect, ...]:
    """A short notice from template ``template`` to a table (see ``table_effects``)."""
    number = table.table.number
    return table_effects(
        session,
        table,
        exclude=exclude,
        build=lambda chat, locale, in_room: TableNotice(
            chat, locale, session.id, number, in_room, template, dict(params or {})
        ),
    )


def _table(view: ParticipantView) -> TableView:
    if view.table is None:
        raise ValueError("the participant is not at a table")
    return view.table


def _with_member(table: TableView, participant: Participant) -> TableView:
    members = tuple(
        replace(m, participant=participant) if m.participant.user_id == participant.user_id else m
        for m in table.members
    )
    return TableView(table.table, members)


# --- showing where a member stands ---------------------------------------------------


def show_table_step(view: ParticipantView, *, fresh: bool) -> tuple[Effect, ...]:
    p, deck = view.participant, view.deck
    if p.step is Step.STORY:
        if p.story_card is not None:
            return (
                AskStoryText(
                    p.chat_id, p.locale, p.session_id, deck.id, p.story_card, MAX_STORY_LENGTH
                ),
            )
        return (
            AskStoryCard(
                p.chat_id,
                p.locale,
                p.session_id,
                deck.id,
                view.top,
                tuple(view.stories),
                fresh=fresh,
            ),
        )
    if p.step is Step.SHARED:
        return (Say(p.chat_id, p.locale, "waiting_for_table"),)
    if p.step is Step.REVISE:
        return (AskRevision(p.chat_id, p.locale, p.session_id, deck.id, view.top, fresh=fresh),)
    if p.step is Step.REVISING:
        return (_picker(view, fresh=fresh),)
    return (Say(p.chat_id, p.locale, "table_settled_personal"),)


def show_table(view: ParticipantView, event: TableRequested) -> Decision:
    p = view.participant
    if view.table is None:
        return Decision(effects=(Say(p.chat_id, p.locale, "not_seated_yet"),))
    names = tuple(m.participant.name for m in view.table.others(p.user_id))
    rooms = view.session.rooms or Rooms.RELAY
    return Decision(
        effects=(
            TableIntro(p.chat_id, p.locale, p.session_id, view.table.table.number, names, rooms),
        )
    )


# --- stories ----------------------------------------------------------------------------


def choose_story_card(view: ParticipantView, event: StoryCardChosen) -> Decision:
    p = view.participant
    if view.table is None:
        return STALE
    if event.card_id is None:
        return _finish_sharing(view, event.at)
    if event.card_id not in view.top:
        return Decision(toast=Toast("invalid_button"))
    changes = (SaveParticipant(replace(p, story_card=event.card_id)),)
    return Decision(changes=changes, effects=show_table_step(apply(view, changes), fresh=False))


def receive_story(view: ParticipantView, event: TextReceived) -> Decision:
    p = view.participant
    assert p.story_card is not None
    text = event.text.strip()
    trimmed = len(text) > MAX_STORY_LENGTH
    if trimmed:
        text = text[: MAX_STORY_LENGTH - 1].rstrip() + "…"
    story = SaveStory(p.session_id, p.user_id, p.story_card, text, event.at)
    told = (story, SaveParticipant(replace(p, story_card=None)))
    after = apply(view, told)
    if set(after.stories) >= set(view.top):  # a story for every card: done
        return _finish_sharing(after, event.at, (story,))
    ask = AskStoryCard(
        p.chat_id,
        p.locale,
        p.session_id,
        view.deck.id,
        view.top,
        tuple(after.stories),
        trimmed,
        fresh=True,
    )
    return Decision(changes=told, effects=(ask,))


def _finish_sharing(view: ParticipantView, at: float, earlier: tuple[Change, ...] = ()) -> Decision:
    """Show the member's top and stories to their table; when every reachable member has
    shared, the table moves on to revising."""
    p, session, deck = view.participant, view.session, view.deck
    table = _table(view)
    shared = p.moved_to(Step.SHARED, story_card=None)
    table = _with_member(table, shared)
    stories = tuple((card, view.stories[card]) for card in view.top if card in view.stories)
    parts: list[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = [(view.top, stories[:1])]
    parts.extend(((), (story,)) for story in stories[1:])  # one story a message: each fits
    effects: list[Effect] = []
    for top, told in parts:
        effects.extend(table_effects(session, table, exclude=None, build=_share(view, top, told)))
    changes: list[Change] = [*earlier, SaveParticipant(shared)]
    if all(m.participant.step is not Step.STORY or not _present(m) for m in table.members):
        moving_on = ask_revision(session, deck, table)
        changes.extend(moving_on.changes)
        effects.extend(moving_on.effects)
    else:
        effects.append(Say(p.chat_id, p.locale, "waiting_for_table"))
    return Decision(changes=tuple(changes), effects=tuple(effects))


def _share(
    view: ParticipantView, top: tuple[str, ...], told: tuple[tuple[str, str], ...]
) -> Callable[[int, str, bool], TableEffect]:
    p, number = view.participant, _table(view).table.number

    def build(chat_id: int, locale: str, in_room: bool) -> TableEffect:
        return TableShare(
            chat_id, locale, p.session_id, number, in_room, view.deck.id, p.name, top, told
        )

    return build


# --- the table room (relay mode) ----------------------------------------------------------


def relay_text(view: ParticipantView, event: TextReceived) -> Decision:
    p, session = view.participant, view.session
    table = _table(view)
    if session.rooms is Rooms.TOPICS:
        return Decision(
            effects=(Say(p.chat_id, p.locale, "talk_in_topic", {"table": table.table.number}),)
        )
    text = event.text.strip()
    if len(text) > MAX_RELAY_LENGTH:
        text = text[: MAX_RELAY_LENGTH - 1].rstrip() + "…"
    effects = table_effects(
        session,
        table,
        exclude=p.user_id,
        build=lambda chat, locale, in_room: Relay(
            chat, locale, session.id, table.table.number, in_room, p.name, text
        ),
    )
    if not effects:
        return Decision(effects=(Say(p.chat_id, p.locale, "nobody_to_relay_to"),))
    return Decision(effects=effects)


def relay_media(view: ParticipantView, event: MediaReceived) -> Decision:
    p, session = view.participant, view.session
    if view.table is None or session.rooms is Rooms.TOPICS or p.step not in AT_TABLE:
        return Decision(effects=(Say(p.chat_id, p.locale, "hint_text_only"),))
    table = view.table
    return Decision(
        effects=table_effects(
            session,
            table,
            exclude=p.user_id,
            build=lambda chat, locale, in_room: RelayCopy(
                chat,
                locale,
                session.id,
                table.table.number,
                in_room,
                p.name,
                event.chat_id,
                event.message_id,
            ),
        )
    )


# --- revising -------------------------------------------------------------------------------


def ask_revision(session: Session, deck: Deck, table: TableView) -> Decision:
    """Every member still at the table is asked whether the stories change their top.

    A table that moved on already (a late finisher shared their stories) stays where it
    is: only the members who have not answered yet are asked."""
    changes: list[Change] = []
    effects: list[Effect] = []
    if table.table.stage is TableStage.SHARING:
        changes.append(SaveTable(table.table.moved_to(TableStage.REVISING)))
        effects.extend(table_notice(session, table, "table_revising"))
    for mate in table.members:
        p = mate.participant
        if p.step not in (Step.STORY, Step.SHARED) or not _present(mate):
            continue
        asked = p.moved_to(Step.REVISE, story_card=None)
        changes.append(SaveParticipant(asked))
        effects.append(AskRevision(p.chat_id, p.locale, p.session_id, deck.id, mate.top))
    return Decision(changes=tuple(changes), effects=tuple(effects))


def revision_candidates(view: ParticipantView) -> tuple[str, ...]:
    """What a member may choose from when revising: their own top, the cards their table
    mates hold in their tops, and their own "most important" pile."""
    own_most = piles(view, len(view.deck.lenses) - 1)[-1]
    mates = [card for m in _table(view).others(view.participant.user_id) for card in m.top]
    ordered: dict[str, None] = dict.fromkeys((*view.top, *mates, *own_most))
    return tuple(ordered)


def _picker(view: ParticipantView, *, fresh: bool) -> ShowTopPicker:
    p = view.participant
    return ShowTopPicker(
        p.chat_id,
        p.locale,
        p.session_id,
        view.deck.id,
        revision_candidates(view),
        p.selection,
        view.deck.top_size,
        fresh=fresh,
        revising=True,
    )


def answer_revision(view: ParticipantView, event: RevisionAnswered) -> Decision:
    p = view.participant
    if event.keep:
        return _settle(view, view.top, Revision.KEPT, event.at)
    changes = (SaveParticipant(p.moved_to(Step.REVISING, selection=view.top)),)
    return Decision(changes=changes, effects=(_picker(apply(view, changes), fresh=False),))


def toggle_revision(view: ParticipantView, event: TopCardToggled) -> Decision:
    p = view.participant
    if event.card_id not in revision_candidates(view):
        return STALE
    selection = toggle(p.selection, event.card_id, view.deck.top_size)
    if isinstance(selection, Decision):
        return selection
    changes = (SaveParticipant(replace(p, selection=selection)),)
    return Decision(changes=changes, effects=(_picker(apply(view, changes), fresh=False),))


def confirm_revision(view: ParticipantView, event: TopConfirmed) -> Decision:
    p = view.participant
    if len(p.selection) != view.deck.top_size:
        return Decision(toast=Toast("top_incomplete", {"size": view.deck.top_size}))
    kind = Revision.KEPT if set(p.selection) == set(view.top) else Revision.REVISED
    return _settle(view, p.selection, kind, event.at)


def _settle(view: ParticipantView, cards: tuple[str, ...], kind: Revision, at: float) -> Decision:
    p, session = view.participant, view.session
    table = _table(view)
    settled = p.moved_to(Step.SETTLED, revision=kind, selection=())
    table = _with_member(table, settled)
    changes: list[Change] = [
        SaveRevisedTop(p.session_id, p.user_id, cards, at),
        SaveParticipant(settled),
    ]
    effects: list[Effect] = [
        ShowRevision(p.chat_id, p.locale, p.session_id, view.deck.id, view.top, cards)
    ]
    everyone = all(m.participant.step is Step.SETTLED or not _present(m) for m in table.members)
    if table.table.stage is TableStage.REVISING and everyone:
        changes.append(SaveTable(table.table.moved_to(TableStage.SETTLED)))
        effects.extend(table_notice(session, table, "table_settled"))
    return Decision(changes=tuple(changes), effects=tuple(effects))


def table_moves_on(view: ParticipantView) -> Decision | None:
    """After a member left or became unreachable: the table moves on if it only waited
    for them."""
    if view.table is None:
        return None
    table = _with_member(view.table, view.participant)
    waiting_for = [m for m in table.members if _present(m)]
    stage = table.table.stage
    if stage is TableStage.SHARING and all(
        m.participant.step is not Step.STORY for m in waiting_for
    ):
        return ask_revision(view.session, view.deck, table)
    if stage is TableStage.REVISING and all(
        m.participant.step is Step.SETTLED for m in waiting_for
    ):
        return Decision(changes=(SaveTable(table.table.moved_to(TableStage.SETTLED)),))
    return None
