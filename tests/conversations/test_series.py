"""Series of sessions through the core's public API: ``/followup`` refusals and creation,
seating away from earlier table mates, the then-and-now top and the plenary comparison."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.decks.files import load_builtin_decks
from conversations import events as ev
from conversations.decision import Decision, SaveParticipant, SaveSession, SaveTop
from conversations.deck import Deck
from conversations.effects import (
    Invite,
    InviteFollowup,
    Say,
    ShowSeriesComparison,
    ShowSummary,
    ShowThenAndNow,
    ShowTop,
)
from conversations.machine import handle
from conversations.model import (
    EarlierSession,
    EarlierTop,
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
from conversations.plenary_figures import PersonFacts
from conversations.table_plan import Seatable, seating_score
from conversations.vote_count import OutcomeKind, Rule

GROUP = -100


def closed_session(**kw: object) -> Session:
    base = Session(
        3,
        GROUP,
        "goed-werk",
        "en",
        Phase.CLOSED,
        "old-code",
        1,
        100.0,
        sort_on_join=True,
        profile_questions=False,
        table_size=3,
        late_joins=False,
        rooms=Rooms.RELAY,
        dilemma_index=4,
        own_dilemmas=("Our own dilemma?",),
        vote_rule=Rule.ALL_BUT_ONE,
        max_rounds=2,
        time_zone="America/New_York",
        waking_from=7,
        waking_until=22,
        reminders=False,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def person(uid: int, session_id: int = 3, **kw: object) -> Participant:
    base = Participant(session_id, uid, uid * 10, f"P{uid}", "en", Step.FINAL, uid, 0.0)
    return replace(base, **kw)  # type: ignore[arg-type]


def followup(
    *, facilitator: bool = True, deck_id: str | None = None, locale: str | None = None
) -> ev.FollowupRequested:
    return ev.FollowupRequested(
        500.0,
        GROUP,
        7,
        facilitator,
        deck_id,
        locale,
        new_session_id=4,
        join_code="new-code",
        default_locale="nl",
        known_decks=("goed-werk", "team-values"),
        group_title="Plenary",
    )


def templates(decision: Decision) -> list[str]:
    return [e.template for e in decision.effects if isinstance(e, Say)]


# --- /followup ----------------------------------------------------------------------------


def test_only_facilitators_start_a_followup() -> None:
    decision = handle(SessionView(closed_session()), followup(facilitator=False))
    assert decision.changes == () and templates(decision) == ["not_facilitator"]


def test_a_group_without_a_session_is_pointed_to_newsession() -> None:
    decision = handle(SessionView(None), followup())
    assert decision.changes == () and templates(decision) == ["followup_without_session"]
    assert decision.effects[0].locale == "nl"


@pytest.mark.parametrize("phase", [p for p in Phase if p is not Phase.CLOSED])
def test_an_open_latest_session_must_be_ended_first(phase: Phase) -> None:
    decision = handle(SessionView(closed_session(phase=phase)), followup())
    assert decision.changes == ()
    (say,) = decision.effects
    assert isinstance(say, Say) and say.template == "followup_needs_end"
    assert say.params == {"session": 3}


def test_unknown_deck_or_language_is_refused() -> None:
    view = SessionView(closed_session())
    assert templates(handle(view, followup(deck_id="tarot"))) == ["unknown_deck"]
    assert templates(handle(view, followup(deck_id="goed-werk", locale="fr"))) == ["unknown_locale"]


def test_a_followup_copies_the_settings_and_links_the_previous_session(deck: Deck) -> None:
    previous = closed_session()
    decision = handle(SessionView(previous, deck, series_length=2), followup())
    (save,) = decision.changes
    assert isinstance(save, SaveSession)
    new = save.session
    assert new == replace(
        previous,
        id=4,
        phase=Phase.JOINING,
        join_code="new-code",
        created_by=7,
        created_at=500.0,
        rooms=None,
        dilemma_index=0,
        own_dilemmas=(),
        previous_id=3,
    )
    posted, invite = decision.effects[:2]
    assert isinstance(invite, Invite) and invite.join_code == "new-code"
    assert invite.chat_id == GROUP and invite.deck_id == "goed-werk" and invite.locale == "en"
    assert isinstance(posted, Say) and posted.template == "followup_posted"
    assert posted.params == {"session": 3, "count": 0, "number": 3}
    (saved,) = [c.session for c in decision.changes if isinstance(c, SaveSession)]
    assert saved.table_size == 3, "the settings carry over"


def test_deck_and_language_can_change_for_the_followup() -> None:
    view = SessionView(closed_session())
    (save,) = handle(view, followup(deck_id="team-values", locale="nl")).changes
    assert isinstance(save, SaveSession)
    assert (save.session.deck_id, save.session.locale) == ("team-values", "nl")
    (save,) = handle(view, followup(deck_id="nl")).changes  # a language only
    assert isinstance(save, SaveSession)
    assert (save.session.deck_id, save.session.locale) == ("goed-werk", "nl")


def test_only_consenting_reachable_participants_are_invited_privately() -> None:
    people = (
        person(1),
        person(2, step=Step.DONE, locale="nl"),
        person(3, step=Step.CONSENT),
        person(4, step=Step.DECLINED),
        person(5, unreachable=True),
        person(6, step=Step.SORTING),
    )
    decision = handle(
        SessionView(closed_session(), previous_people=people, series_length=1), followup()
    )
    invitations = [e for e in decision.effects if isinstance(e, InviteFollowup)]
    assert [(e.chat_id, e.locale) for e in invitations] == [(10, "en"), (20, "nl"), (60, "en")]
    for e in invitations:
        assert e.join_code == "new-code" and e.session_id == 4
        assert e.previous_session_id == 3 and e.number_in_series == 2
        assert e.group_title == "Plenary"
    posted = next(e for e in decision.effects if isinstance(e, Say))
    assert posted.params["count"] == 3


# --- seating ------------------------------------------------------------------------------


def test_seating_in_a_followup_avoids_earlier_table_mates(deck: Deck) -> None:
    earlier = ((1, 2, 3), (4, 5, 6), (7, 8, 9))
    pairs = frozenset(frozenset((a, b)) for t in earlier for a in t for b in t if a < b)
    session = closed_session(id=4, phase=Phase.SORTING, previous_id=3, table_size=3)
    finished = tuple(
        Finisher(
            person(uid, 4, step=Step.DONE),
            (uid % 5 + 1,) * len(deck.cards),
            deck.card_ids[:4],
        )
        for uid in range(1, 10)
    )
    people = {
        f.participant.user_id: Seatable(f.participant.user_id, None, None, ()) for f in finished
    }
    for seed in range(25):
        view = SessionView(session, deck, finished=finished, earlier_pairs=pairs)
        decision = handle(view, ev.TablesRequested(1.0, GROUP, 1, True, seed))
        numbers = {
            c.participant.user_id: c.participant.table_number
            for c in decision.changes
            if isinstance(c, SaveParticipant)
        }
        tables = [tuple(u for u, n in numbers.items() if n == k) for k in (1, 2, 3)]
        assert sorted(len(t) for t in tables) == [3, 3, 3]
        assert seating_score(tables, people, pairs).repeated_pairs == 0, seed


def test_a_latecomer_in_a_followup_joins_a_table_without_an_earlier_mate(deck: Deck) -> None:
    session = closed_session(id=4, phase=Phase.TABLES, previous_id=3, late_joins=False)
    tables = tuple(
        TableView(Table(4, n), tuple(Mate(person(u, 4, table_number=n), ()) for u in members))
        for n, members in ((1, (1, 2, 3)), (2, (4, 5, 6)))
    )
    late = Finisher(person(9, 4, step=Step.DONE), (), deck.card_ids[:4])
    for mate in (1, 4):  # whichever table holds the earlier mate, the other one is chosen
        view = SessionView(
            session,
            deck,
            finished=(late,),
            tables=tables,
            earlier_pairs=frozenset({frozenset((9, mate))}),
        )
        decision = handle(view, ev.TablesRequested(1.0, GROUP, 1, True, 0))
        (seated,) = [c for c in decision.changes if isinstance(c, SaveParticipant)]
        assert seated.participant.table_number == (2 if mate == 1 else 1)


def test_a_late_finisher_seated_on_their_own_avoids_an_earlier_mate(deck: Deck) -> None:
    session = closed_session(id=4, phase=Phase.TABLES, previous_id=3, late_joins=True)
    tables = tuple(
        TableView(Table(4, n), tuple(Mate(person(u, 4, table_number=n), ()) for u in members))
        for n, members in ((1, (1, 2, 3)), (2, (4, 5, 6)))
    )
    ids = deck.card_ids
    late = person(9, 4, step=Step.TOP, selection=ids[:4])
    for mate in (1, 4):
        view = ParticipantView(
            session,
            deck,
            late,
            late_tables=tables,
            earlier_pairs=frozenset({frozenset((9, mate))}),
        )
        decision = handle(view, ev.TopConfirmed(1.0, 4, 9))
        seated = [
            c.participant
            for c in decision.changes
            if isinstance(c, SaveParticipant) and c.participant.table_number is not None
        ]
        assert [p.table_number for p in seated] == [2 if mate == 1 else 1]


# --- then and now -------------------------------------------------------------------------


def choosing(
    deck: Deck, earlier: EarlierTop | None, previous_id: int | None = 3
) -> ParticipantView:
    session = closed_session(id=4, phase=Phase.SORTING, previous_id=previous_id)
    ids = deck.card_ids
    p = person(1, 4, step=Step.TOP, selection=(ids[0], ids[5], ids[2], ids[9]))
    return ParticipantView(session, deck, p, earlier_top=earlier)


def test_a_followup_participant_sees_their_top_then_and_now(deck: Deck) -> None:
    ids = deck.card_ids
    earlier = EarlierTop(3, "goed-werk", (ids[2], ids[1], ids[0], ids[3]))
    decision = handle(choosing(deck, earlier), ev.TopConfirmed(1.0, 4, 1))
    assert any(isinstance(c, SaveTop) for c in decision.changes)
    assert isinstance(decision.effects[0], ShowTop)
    (shown,) = [e for e in decision.effects if isinstance(e, ShowThenAndNow)]
    assert shown.chat_id == 10 and shown.then_session_id == 3
    assert shown.then == (ids[2], ids[1], ids[0], ids[3])
    assert shown.now == (ids[0], ids[5], ids[2], ids[9])
    assert shown.stayed == (ids[0], ids[2])
    assert shown.came == (ids[5], ids[9])
    assert shown.went == (ids[1], ids[3])
    said = [e.template for e in decision.effects if isinstance(e, Say)]
    assert "sort_done" not in said, "the comparison is the sort's last word, thanks included"


def test_then_and_now_carries_the_earlier_deck(deck: Deck) -> None:
    earlier = EarlierTop(2, "team-values", ("trust", "feedback", "humour"))
    decision = handle(choosing(deck, earlier), ev.TopConfirmed(1.0, 4, 1))
    (shown,) = [e for e in decision.effects if isinstance(e, ShowThenAndNow)]
    assert (shown.deck_id, shown.then_deck_id) == ("goed-werk", "team-values")
    assert shown.stayed == () and shown.went == ("trust", "feedback", "humour")


def test_no_then_and_now_without_an_earlier_top(deck: Deck) -> None:
    for view in (choosing(deck, None), choosing(deck, EarlierTop(3, "goed-werk", ()), None)):
        decision = handle(view, ev.TopConfirmed(1.0, 4, 1))
        assert decision.changes
        assert not any(isinstance(e, ShowThenAndNow) for e in decision.effects)
        said = [e.template for e in decision.effects if isinstance(e, Say)]
        assert said == ["sort_done"]


# --- the plenary --------------------------------------------------------------------------


def voted_tables(
    session_id: int, agreed: dict[int, tuple[str, ...]], tops: dict[int, tuple[str, ...]]
) -> tuple[TableView, ...]:
    """Table ``n`` agreed ``agreed[n]``; its one member is user ``n`` with their top."""
    return tuple(
        TableView(
            Table(
                session_id,
                n,
                TableStage.AGREED,
                1,
                cards,
                OutcomeKind.FULL if cards else OutcomeKind.NONE,
            ),
            (Mate(person(n, session_id, table_number=n), tops[n]),),
        )
        for n, cards in agreed.items()
    )


def facts(tops: dict[int, tuple[str, ...]]) -> tuple[PersonFacts, ...]:
    return tuple(PersonFacts(uid, None, top, None, {}) for uid, top in tops.items())


def summary_request(view: SessionView) -> tuple[ShowSummary, ShowSeriesComparison]:
    summary, comparison = handle(view, ev.SummaryRequested(1.0, GROUP, 1, True)).effects
    assert isinstance(summary, ShowSummary)
    assert isinstance(comparison, ShowSeriesComparison)
    return summary, comparison


def test_a_followup_summary_compares_the_values_with_the_session_before(deck: Deck) -> None:
    a, b, c, d, e, f = deck.card_ids[:6]
    previous = closed_session()
    tops_then = {1: (a, b, c), 2: (a, b, d), 3: (a, c, d)}
    earlier = EarlierSession(
        previous, deck, voted_tables(3, {1: (a, b), 2: (a, c)}, tops_then), facts(tops_then)
    )
    session = closed_session(id=4, phase=Phase.TABLES, previous_id=3)
    tops_now = {1: (e, f, a), 2: (e, b, c), 3: (e, a, d), 4: (f, a, e)}
    view = SessionView(
        session,
        deck,
        tables=voted_tables(4, {1: (a, e), 2: (e, f), 3: ()}, tops_now),
        people=facts(tops_now),
        series=(earlier,),
    )
    _, comparison = summary_request(view)
    assert comparison.chat_id == GROUP and comparison.session_id == 4
    # (session, deck, participants, tables that voted)
    assert comparison.sessions == ((3, deck.id, 3, 2), (4, deck.id, 4, 3))
    # agreed then: a 2, b 1, c 1; now: e 2, a 1, f 1. Most now first, then most then.
    assert comparison.agreed == (
        (e, deck.id, (0, 2)),
        (a, deck.id, (2, 1)),
        (f, deck.id, (0, 1)),
        (b, deck.id, (1, 0)),
        (c, deck.id, (1, 0)),
    )
    # in the tops then: a 3, b 2, c 2, d 2; now: e 4, a 3, f 2, b 1, c 1, d 1.
    assert comparison.frequent == (
        (e, deck.id, (0, 4)),
        (a, deck.id, (3, 3)),
        (f, deck.id, (0, 2)),
        (b, deck.id, (2, 1)),
        (c, deck.id, (2, 1)),
        (d, deck.id, (2, 1)),
    )
    assert comparison.agreed_always == (a,)
    assert comparison.agreed_new == (e, f)
    assert comparison.agreed_gone == ((b, deck.id), (c, deck.id))


def test_a_followup_compares_with_every_earlier_session_of_the_series(deck: Deck) -> None:
    """Three sessions, the first with the other deck: a value agreed in the first session
    and again now is not new, a value agreed only in the first is gone; titles come from
    the most recent deck holding the card."""
    team = load_builtin_decks()["team-values"]
    x, y = team.card_ids[:2]
    a, b, c = deck.card_ids[:3]
    first = EarlierSession(
        closed_session(id=1, deck_id=team.id),
        team,
        voted_tables(1, {1: (x, y)}, {1: (x, y)}),
        facts({1: (x, y)}),
    )
    second = EarlierSession(
        closed_session(id=2, previous_id=1),
        deck,
        voted_tables(2, {1: (a,), 2: ()}, {1: (a, b), 2: (b, c)}),
        facts({1: (a, b), 2: (b, c)}),
    )
    assert x not in deck.card_ids and y not in deck.card_ids
    now_deck = replace(deck, cards=(*deck.cards, team.card(x)))  # this deck took x over
    tops = {1: (a, x), 2: (a, c)}
    view = SessionView(
        closed_session(id=3, phase=Phase.TABLES, previous_id=2),
        now_deck,
        tables=voted_tables(3, {1: (a, x), 2: (c,)}, tops),
        people=facts(tops),
        series=(first, second),
    )
    _, comparison = summary_request(view)
    assert comparison.sessions == ((1, team.id, 1, 1), (2, deck.id, 2, 2), (3, deck.id, 2, 2))
    assert comparison.agreed == (
        (a, deck.id, (0, 1, 1)),
        (x, deck.id, (1, 0, 1)),  # the current deck holds x: its title comes from there
        (c, deck.id, (0, 0, 1)),
        (y, team.id, (1, 0, 0)),  # only the first deck holds y
    )
    assert comparison.agreed_always == ()  # a was not agreed in the first session
    assert comparison.agreed_new == (c,)  # x was agreed in the first session
    assert comparison.agreed_gone == ((y, team.id),)


def test_a_first_session_summary_has_no_comparison(deck: Deck) -> None:
    a, b = deck.card_ids[:2]
    view = SessionView(
        closed_session(phase=Phase.TABLES),
        deck,
        tables=voted_tables(3, {1: (a, b)}, {1: (a, b)}),
        people=facts({1: (a, b)}),
    )
    decision = handle(view, ev.SummaryRequested(1.0, GROUP, 1, True))
    assert [type(e) for e in decision.effects] == [ShowSummary]


def test_nothing_agreed_then_makes_everything_agreed_now_new(deck: Deck) -> None:
    a, b = deck.card_ids[:2]
    earlier = EarlierSession(closed_session(), deck, (), facts({1: (a,)}))
    view = SessionView(
        closed_session(id=4, phase=Phase.TABLES, previous_id=3),
        deck,
        tables=voted_tables(4, {1: (b,)}, {1: (b,)}),
        people=facts({1: (b,)}),
        series=(earlier,),
    )
    _, comparison = summary_request(view)
    assert comparison.sessions == ((3, deck.id, 1, 0), (4, deck.id, 1, 1))
    assert comparison.agreed == ((b, deck.id, (0, 1)),)
    assert comparison.agreed_gone == () and comparison.agreed_always == ()
    assert comparison.agreed_new == (b,)
    assert comparison.frequent == ((b, deck.id, (0, 1)), (a, deck.id, (1, 0)))


def test_before_any_vote_now_nothing_is_new_or_gone_yet(deck: Deck) -> None:
    a, b = deck.card_ids[:2]
    earlier = EarlierSession(
        closed_session(), deck, voted_tables(3, {1: (a,)}, {1: (a,)}), facts({1: (a,)})
    )
    not_voted = TableView(Table(4, 1, TableStage.SHARING), (Mate(person(1, 4), (b,)),))
    view = SessionView(
        closed_session(id=4, phase=Phase.TABLES, previous_id=3),
        deck,
        tables=(not_voted,),
        people=facts({1: (b,)}),
        series=(earlier,),
    )
    _, comparison = summary_request(view)
    assert comparison.sessions[-1] == (4, deck.id, 1, 0)
    assert comparison.agreed == ((a, deck.id, (1, 0)),)
    assert (comparison.agreed_always, comparison.agreed_new, comparison.agreed_gone) == (
        (),
        (),
        (),
    )
