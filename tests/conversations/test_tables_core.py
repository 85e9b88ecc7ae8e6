"""Tables through the core's public API: seating, stories, relay and revising."""

from __future__ import annotations

from dataclasses import replace

from conversations import events as ev
from conversations.decision import SaveParticipant, SaveStory, SaveTable
from conversations.deck import Deck
from conversations.effects import (
    AskRevision,
    AskStoryCard,
    AskStoryText,
    OpenTableRoom,
    Relay,
    ShowSeating,
    ShowTopPicker,
    TableIntro,
    TableShare,
)
from conversations.machine import handle
from conversations.model import (
    Finisher,
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
from conversations.sharing import MAX_STORY_LENGTH, revision_candidates

GROUP = -100


def person(uid: int, **kw: object) -> Participant:
    base = Participant(1, uid, uid, f"P{uid}", "en", Step.DONE, uid, 0.0)
    return replace(base, **kw)  # type: ignore[arg-type]


def session(phase: Phase = Phase.SORTING, rooms: str | None = None) -> Session:
    where = Rooms(rooms) if rooms is not None else None
    return Session(1, GROUP, "goed-werk", "en", phase, "c", 1, 0.0, rooms=where)


def finishers(deck: Deck, count: int) -> tuple[Finisher, ...]:
    orgs = ("a", "b", "c", "d")
    return tuple(
        Finisher(
            person(uid, organisation=orgs[uid % 4]),
            (uid % 5 + 1,) * len(deck.cards),
            deck.card_ids[uid % 5 : uid % 5 + 4],
        )
        for uid in range(1, count + 1)
    )


def test_thirteen_finishers_get_a_four_three_three_three_proposal(deck: Deck) -> None:
    view = SessionView(session(), deck, finished=finishers(deck, 13))
    decision = handle(view, ev.TablesRequested(0.0, GROUP, 1, True, seed=5))
    (shown,) = decision.effects
    assert isinstance(shown, ShowSeating) and not shown.final
    assert sorted(len(people) for _, people in shown.tables) == [3, 3, 3, 4]
    assert any(
        isinstance(c, SaveParticipant) and c.participant.table_number for c in decision.changes
    )
    refused = handle(view, ev.TablesRequested(0.0, GROUP, 9, False, seed=5))
    assert refused.changes == ()


def test_seating_opens_topics_or_relays(deck: Deck) -> None:
    seated = tuple(
        replace(f, participant=replace(f.participant, table_number=1 + i // 4))
        for i, f in enumerate(finishers(deck, 8))
    )
    view = SessionView(session(Phase.SEATING), deck, finished=seated)
    topics = handle(view, ev.SeatingConfirmed(0.0, GROUP, 1, True, topics_available=True))
    assert [e.table_number for e in topics.effects if isinstance(e, OpenTableRoom)] == [1, 2]
    relay = handle(view, ev.SeatingConfirmed(0.0, GROUP, 1, True, topics_available=False))
    assert not any(isinstance(e, OpenTableRoom) for e in relay.effects)
    intros = [e for e in relay.effects if isinstance(e, TableIntro)]
    assert len(intros) == 8 and all(len(e.mates) == 3 for e in intros)
    assert sum(isinstance(e, AskStoryCard) for e in relay.effects) == 8
    assert {c.table.number for c in relay.changes if isinstance(c, SaveTable)} == {1, 2}


def at_table(
    deck: Deck, rooms: str, steps: dict[int, Step], unreachable: frozenset[int] = frozenset()
) -> tuple[ParticipantView, TableView]:
    s = session(Phase.TABLES, rooms)
    members = tuple(
        Mate(
            person(uid, step=step, table_number=1, unreachable=uid in unreachable),
            deck.card_ids[uid : uid + 4],
        )
        for uid, step in steps.items()
    )
    table = TableView(Table(1, 1, TableStage.SHARING), members)
    me = members[0]
    return ParticipantView(s, deck, me.participant, top=me.top, table=table), table


def test_a_long_story_is_shortened_and_reported(deck: Deck) -> None:
    view, _ = at_table(deck, "relay", {1: Step.STORY, 2: Step.STORY})
    card = view.top[0]
    writing = replace(view, participant=replace(view.participant, story_card=card))
    decision = handle(writing, ev.TextReceived(0.0, 1, 1, "x" * 10_000))
    story = next(c for c in decision.changes if isinstance(c, SaveStory))
    assert len(story.text) == MAX_STORY_LENGTH and story.text.endswith("…")
    ask = decision.effects[-1]
    assert isinstance(ask, AskStoryCard) and ask.trimmed and ask.told == (card,)


def test_choosing_a_card_asks_for_the_story(deck: Deck) -> None:
    view, _ = at_table(deck, "relay", {1: Step.STORY, 2: Step.STORY})
    decision = handle(view, ev.StoryCardChosen(0.0, 1, 1, view.top[1]))
    assert isinstance(decision.effects[-1], AskStoryText)
    foreign = handle(view, ev.StoryCardChosen(0.0, 1, 1, "not-in-my-top"))
    assert foreign.changes == ()


def test_the_last_to_share_moves_the_table_on_and_the_unreachable_do_not_block(deck: Deck) -> None:
    view, _ = at_table(
        deck, "relay", {1: Step.STORY, 2: Step.SHARED, 3: Step.STORY}, unreachable=frozenset({3})
    )
    view = replace(view, stories={view.top[0]: "a story"})
    decision = handle(view, ev.StoryCardChosen(0.0, 1, 1, None))
    shares = [e for e in decision.effects if isinstance(e, TableShare)]
    assert sorted(e.chat_id for e in shares) == [1, 2], "the share reaches the reachable members"
    asked = sorted(e.chat_id for e in decision.effects if isinstance(e, AskRevision))
    assert asked == [1, 2], "the unreachable member is not asked"
    assert any(
        isinstance(c, SaveTable) and c.table.stage is TableStage.REVISING for c in decision.changes
    )


def test_relay_goes_to_table_mates_only(deck: Deck) -> None:
    view, _ = at_table(
        deck,
        "relay",
        {1: Step.SHARED, 2: Step.SHARED, 3: Step.STORY, 4: Step.SHARED},
        unreachable=frozenset({4}),
    )
    decision = handle(view, ev.TextReceived(0.0, 1, 1, "hello <b>"))
    assert sorted(e.chat_id for e in decision.effects if isinstance(e, Relay)) == [2, 3]
    topics, _ = at_table(deck, "topics", {1: Step.SHARED, 2: Step.SHARED})
    in_topic = handle(topics, ev.TextReceived(0.0, 1, 1, "hello"))
    assert not any(isinstance(e, Relay) for e in in_topic.effects)


def test_revising_offers_the_mates_cards_and_records_the_change(deck: Deck) -> None:
    view, table = at_table(deck, "relay", {1: Step.REVISE, 2: Step.REVISE})
    view = replace(view, ratings={deck.lenses[-1].id: {c: 3 for c in deck.card_ids}})
    mates_card = next(c for c in table.members[1].top if c not in view.top)
    assert mates_card in revision_candidates(view)
    start = handle(view, ev.RevisionAnswered(0.0, 1, 1, keep=False))
    picker = start.effects[-1]
    assert isinstance(picker, ShowTopPicker) and picker.revising and picker.selected == view.top
    revising = replace(
        view, participant=replace(view.participant, step=Step.REVISING, selection=view.top)
    )
    dropped = handle(revising, ev.TopCardToggled(0.0, 1, 1, view.top[0]))
    after_drop = next(c for c in dropped.changes if isinstance(c, SaveParticipant)).participant
    revising = replace(revising, participant=after_drop)
    added = handle(revising, ev.TopCardToggled(0.0, 1, 1, mates_card))
    revising = replace(
        revising,
        participant=next(c for c in added.changes if isinstance(c, SaveParticipant)).participant,
    )
    done = handle(revising, ev.TopConfirmed(0.0, 1, 1))
    settled = next(c for c in done.changes if isinstance(c, SaveParticipant)).participant
    assert settled.step is Step.SETTLED and settled.revision == "revised"


def test_a_late_finisher_does_not_move_a_voting_table_back(deck: Deck) -> None:
    view, table = at_table(deck, "relay", {1: Step.STORY, 2: Step.VOTED, 3: Step.VOTED})
    voting = TableView(replace(table.table, stage=TableStage.VOTING, round=1), table.members)
    view = replace(view, table=voting, stories={view.top[0]: "late story"})
    decision = handle(view, ev.StoryCardChosen(0.0, 1, 1, None))
    assert not any(isinstance(c, SaveTable) for c in decision.changes)
    assert [e.chat_id for e in decision.effects if isinstance(e, AskRevision)] == [1]
