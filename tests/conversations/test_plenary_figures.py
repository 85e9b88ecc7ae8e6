"""The plenary summary, checked against figures worked out by hand."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from conversations.plenary_figures import (
    GridRow,
    LensMove,
    PersonFacts,
    Spread,
    Summary,
    TableResult,
    summarize,
)
from conversations.vote_count import Outcome, OutcomeKind

DECK = ("a", "b", "c", "d", "e", "f", "g")
LENSES = ("work", "situation")


def outcome(*agreed: str, top_size: int = 4) -> Outcome:
    kind = (
        OutcomeKind.NONE
        if not agreed
        else OutcomeKind.FULL
        if len(agreed) == top_size
        else OutcomeKind.PARTIAL
    )
    return Outcome(agreed, kind, {})


def person(
    user_id: int,
    before: str,
    after: str | None,
    band: str | None = None,
    lens_levels: Mapping[str, Mapping[str, int]] | None = None,
) -> PersonFacts:
    return PersonFacts(
        user_id, band, tuple(before), tuple(after) if after is not None else None, lens_levels or {}
    )


# Table 1 agreed a full top four, table 2 a partial top two, table 3 did not vote.
TABLE_1 = TableResult(1, outcome("a", "b", "c", "d"), None, {1: "abcd", 2: "abce", 3: "abdf"})
TABLE_2 = TableResult(2, outcome("a", "c"), "we kept d and f apart", {4: "aceg", 5: "acdf"})
TABLE_3 = TableResult(3, None, None, {6: "befg", 7: "aefg"})

PEOPLE = (
    # revised (abcg -> abcd); lens moves a 0, b 2, c 1; the middle lens is not compared
    person(
        1,
        "abcg",
        "abcd",
        "under-30",
        {
            "work": {"a": 5, "b": 3, "c": 1},
            "middle": {"a": 1},
            "situation": {"a": 5, "b": 5, "c": 2},
        },
    ),
    # same set in another order: not revised; moves a 2, b 0, c 2 (d only in the last lens)
    person(
        2,
        "abce",
        "ecba",
        "under-30",
        {"work": {"a": 4, "b": 3, "c": 3}, "situation": {"a": 2, "b": 3, "c": 5, "d": 5}},
    ),
    person(3, "abdf", None, "45-59"),  # never answered: not counted
    person(4, "acef", "aceg", "30-44", {"work": {"c": 1}, "situation": {}}),  # revised
    person(5, "acdf", "acdf", None),  # answered, no age band
    person(6, "befg", "befg", "60-plus", {"work": {"e": 1}, "situation": {"e": 5}}),  # e 4
    person(7, "abcd", "aefg", "under-30"),  # revised
    person(8, "abcg", "abgc", "70-plus"),  # at no table; a band outside the list
)


def test_a_hand_worked_session() -> None:
    summary = summarize(
        (TABLE_3, TABLE_1, TABLE_2),
        PEOPLE,
        DECK,
        ("work", "middle", "situation"),
        top_n=5,
        moves_n=3,
    )
    assert summary == Summary(
        tables=(TABLE_1, TABLE_2, TABLE_3),
        # a: 1, 4, 7; e: 2, 4, 6; f: 3, 5, 6. Not b (table 2), c, d (table 3), g (table 1).
        everywhere_in_tops=("a", "e", "f"),
        # tables 1 and 2 voted; table 3 did not and does not count.
        everywhere_agreed=("a", "c"),
        # current tops: 1 abcd, 2 abce, 3 abdf, 4 aceg, 5 acdf, 6 befg, 7 aefg (tables),
        # 8 abgc (own answer): a 7, b 5, c 5, e 4, f 4, g 4, d 3.
        # agreed at table 1: abcd, at table 2: ac; in tops at 1: abcdef, 2: acdefg,
        # 3: abefg.
        grid=(
            GridRow("a", (1, 2), (1, 2, 3)),
            GridRow("c", (1, 2), (1, 2)),
            GridRow("b", (1,), (1, 3)),
            GridRow("d", (1,), (1, 2)),
            GridRow("e", (), (1, 2, 3)),
            GridRow("f", (), (1, 2, 3)),
            GridRow("g", (), (2, 3)),
        ),
        in_tops=(("a", 7), ("b", 5), ("c", 5), ("e", 4), ("f", 4), ("g", 4), ("d", 3)),
        most_frequent=(("a", 7), ("b", 5), ("c", 5), ("e", 4), ("f", 4)),
        revised=3,  # 1, 4, 7
        participants=7,  # everyone but 3
        revised_by_age=(
            ("under-30", 2, 3),  # 1 and 7 of 1, 2, 7
            ("30-44", 1, 1),
            ("60-plus", 0, 1),
            ("70-plus", 0, 1),  # 45-59 left out: its only member never answered
        ),
        # e 4/1 (1 higher); c (1 + 2)/2, both higher; a (0 + 2)/2 = b (2 + 0)/2, deck
        # order: a lower for 2, b higher for 1; 4 rated nothing last.
        lens_moves=(
            LensMove("e", 4.0, 1, 0, 1),
            LensMove("c", 1.5, 2, 0, 2),
            LensMove("a", 1.0, 0, 1, 2),
        ),
        # first lens "work": a 5, 4 (2 of 2 high: shared); b 3, 3; c 1, 3, 1; e 1.
        shared=(Spread("a", (0, 0, 0, 1, 1)),),
        dividing=(),
    )


def test_default_caps_and_two_lenses() -> None:
    summary = summarize((TABLE_1, TABLE_2, TABLE_3), PEOPLE, DECK, LENSES)
    assert summary.most_frequent == (
        ("a", 7), ("b", 5), ("c", 5), ("e", 4), ("f", 4), ("g", 4), ("d", 3)
    )  # fmt: skip
    assert [(m.card, m.mean_change) for m in summary.lens_moves] == [
        ("e", 4.0), ("c", 1.5), ("a", 1.0), ("b", 1.0)
    ]  # fmt: skip


def test_a_table_that_agreed_nothing_does_not_erase_what_the_others_agreed() -> None:
    nothing = TableResult(3, outcome(), "a rich talk, no cards", {6: "abef", 7: "aefg"})
    summary = summarize((TABLE_1, TABLE_2, nothing), PEOPLE, DECK, LENSES)
    both = summarize((TABLE_1, TABLE_2), PEOPLE, DECK, LENSES)
    assert summary.everywhere_agreed == both.everywhere_agreed == ("a", "c")
    assert summary.everywhere_in_tops == ("a", "e", "f")
    assert summary.tables[2].outcome == outcome()
    assert summary.tables[2].outcome.kind is OutcomeKind.NONE


def test_without_any_vote_the_grid_shows_the_tables_holding_a_card() -> None:
    not_voted = [TableResult(t.number, None, None, t.member_tops) for t in (TABLE_1, TABLE_2)]
    summary = summarize(not_voted, (), DECK, LENSES)
    assert not summary.voted
    assert summary.everywhere_agreed == ()
    assert summary.everywhere_in_tops == ("a", "c", "d", "e", "f")
    assert [(row.card, row.agreed_at, row.in_tops_at) for row in summary.grid] == [
        ("a", (), (1, 2)),
        ("c", (), (1, 2)),
        ("d", (), (1, 2)),
        ("e", (), (1, 2)),
        ("f", (), (1, 2)),
        ("b", (), (1,)),
        ("g", (), (2,)),
    ]
    assert summary.most_frequent[:2] == (("a", 5), ("c", 4))


def test_no_age_bands_no_age_rows() -> None:
    people = [person(p.user_id, "".join(p.top_before), "abcd") for p in PEOPLE]
    summary = summarize((), people, DECK, LENSES)
    assert summary.revised_by_age == ()
    assert (summary.revised, summary.participants) == (7, 8)  # all but 7 (abcd before and after)


def test_age_rows_follow_the_given_order() -> None:
    people = [
        person(1, "abcd", "abce", "old"),
        person(2, "abcd", "abcd", "young"),
        person(3, "abcd", "abcd", "middle"),
        person(4, "abcd", "abcf", "young"),
    ]
    summary = summarize((), people, DECK, LENSES, age_bands=("young", "middle", "old"))
    assert summary.revised_by_age == (("young", 1, 2), ("middle", 0, 1), ("old", 1, 1))


def test_lens_moves_leave_out_cards_that_did_not_move_and_need_two_lenses() -> None:
    people = [
        person(1, "", None, None, {"work": {"a": 1, "b": 4}, "situation": {"a": 3, "b": 4}}),
        person(2, "", None, None, {"work": {"a": 5, "b": 4}, "situation": {"a": 4, "b": 4}}),
        person(3, "", None, None, {"work": {"a": 2}}),
    ]
    assert summarize((), people, DECK, LENSES).lens_moves == (LensMove("a", 1.5, 1, 1, 2),)
    assert summarize((), people, DECK, ("work",)).lens_moves == ()
    assert summarize((), people, DECK, ()).lens_moves == ()
    # comparing the other way round gives the same absolute moves, in the other direction
    assert summarize((), people, DECK, ("situation", "work")).lens_moves == (
        LensMove("a", 1.5, 1, 1, 2),
    )


def test_cards_outside_the_deck_come_after_it() -> None:
    table = TableResult(1, outcome("zz", "a"), None, {1: ("zz", "a"), 2: ("a", "zz", "b")})
    summary = summarize((table,), (), DECK, LENSES)
    assert summary.everywhere_in_tops == ("a", "b", "zz")
    assert summary.everywhere_agreed == ("a", "zz")
    assert summary.most_frequent == (("a", 2), ("zz", 2), ("b", 1))


def test_an_empty_session_gives_an_empty_summary() -> None:
    assert summarize((), (), DECK, LENSES) == Summary(
        tables=(),
        everywhere_in_tops=(),
        everywhere_agreed=(),
        grid=(),
        in_tops=(),
        most_frequent=(),
        revised=0,
        participants=0,
        revised_by_age=(),
        lens_moves=(),
        shared=(),
        dividing=(),
    )
    assert summarize((), (), (), ()).most_frequent == ()


def test_negative_caps_are_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        summarize((), (), DECK, LENSES, top_n=-1)
    with pytest.raises(ValueError, match="must not be negative"):
        summarize((), (), DECK, LENSES, spread_n=-1)


def sorted_by(levels: dict[str, list[int]], lens: str = "work") -> list[PersonFacts]:
    """People whose levels in ``lens`` are ``levels[card][i]`` for person ``i``; in the
    other lens everything is on the lowest pile (it must not count)."""
    count = len(next(iter(levels.values())))
    return [
        person(
            i,
            "",
            None,
            None,
            {
                lens: {card: piles[i] for card, piles in levels.items() if piles[i]},
                "situation" if lens == "work" else "work": dict.fromkeys(levels, 1),
            },
        )
        for i in range(count)
    ]


def test_what_the_room_shares_and_what_divides_it_in_the_first_lens() -> None:
    people = sorted_by(
        {
            "a": [5, 5, 5, 4, 4],  # all high, 3 at the top
            "b": [5, 5, 5, 5, 3],  # 4 of 5 high: exactly 80 %
            "c": [4, 4, 4, 4, 4],  # all high, none at the top
            "d": [5, 1, 5, 1, 3],  # 2 high, 2 low, 1 in the middle
            "e": [4, 2, 4, 2, 4],  # 3 high, 2 low, none in the middle
            "f": [5, 5, 5, 3, 1],  # 3 high, 1 low: 20 % is too few on one side
            "g": [5, 5, 5, 5, 2],  # as b at the top, one low (20 %): shared, not dividing
        }
    )
    summary = summarize((), people, DECK, LENSES)
    assert summary.shared == (
        Spread("a", (0, 0, 0, 2, 3)),
        Spread("c", (0, 0, 0, 5, 0)),
        Spread("b", (0, 0, 1, 0, 4)),  # b and g tie (4 of 5 high, 4 at the top): deck order
        Spread("g", (0, 1, 0, 0, 4)),
    )
    assert summary.dividing == (
        Spread("e", (0, 2, 0, 3, 0)),  # 2 of 5 on the smaller side, no one in the middle
        Spread("d", (2, 0, 1, 0, 2)),  # 2 of 5 on the smaller side, one in the middle
    )
    assert (summary.dividing[1].high, summary.dividing[1].low) == (2, 2)
    capped = summarize((), people, DECK, LENSES, spread_n=1)
    assert (capped.shared, capped.dividing) == (summary.shared[:1], summary.dividing[:1])
    # read in the first lens only: with the lenses the other way round, all is low
    swapped = summarize((), people, DECK, ("situation", "work"))
    assert (swapped.shared, swapped.dividing) == ((), ())


def test_a_quarter_on_each_side_divides_and_each_card_counts_its_own_raters() -> None:
    people = sorted_by(
        {
            "a": [5, 1, 3, 3],  # 1 of 4 high and 1 of 4 low: exactly a quarter each
            "b": [5, 1, 3, 3, 3][:4],
            "c": [4, 4, 4, 0],  # the fourth did not rate c: 3 of 3 high
            "d": [5, 5, 5, 3],  # 3 of 4 high: 75 % is not nearly everyone
        }
    )
    people.append(person(9, "", None, None, {"work": {"b": 3}}))  # b: 1 of 5 on each side
    summary = summarize((), people, DECK, LENSES)
    assert summary.shared == (Spread("c", (0, 0, 0, 3, 0)),)
    assert summary.dividing == (Spread("a", (1, 0, 2, 0, 1)),)


def test_the_grid_shows_a_table_without_agreement_and_orders_ties_in_deck_order() -> None:
    tables = (
        TableResult(2, outcome("c", "b"), None, {1: "bcd", 2: "cbe"}),
        TableResult(1, outcome("b", "c", "a", "d"), None, {3: "abcd", 4: "abcg"}),
        TableResult(3, outcome(), "no cards", {5: "gf", 6: "g"}),
    )
    summary = summarize(tables, (), DECK, LENSES)
    assert [t.number for t in summary.tables] == [1, 2, 3]
    assert summary.voted
    assert summary.grid == (
        GridRow("b", (1, 2), (1, 2)),  # b and c tie: deck order
        GridRow("c", (1, 2), (1, 2)),
        GridRow("d", (1,), (1, 2)),  # agreed once, in tops at two tables: before a
        GridRow("a", (1,), (1,)),
        GridRow("g", (), (1, 3)),
        GridRow("e", (), (2,)),
        GridRow("f", (), (3,)),
    )
