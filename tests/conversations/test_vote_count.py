"""A table's common top: candidates, the approvals needed, the tally and dilemma pairs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.vote_count import (
    Candidate,
    Outcome,
    OutcomeKind,
    Rule,
    candidates,
    deck_position,
    most_divergent_pair,
    needed,
    tally,
)

DECK = ("a", "b", "c", "d", "e", "f", "g", "h")


def vote(
    tops: Mapping[int, Sequence[str]],
    ballots: Mapping[int, Sequence[str]],
    *,
    levels: Mapping[int, Mapping[str, int]] | None = None,
    rule: Rule = Rule.ALL,
    top_size: int = 4,
) -> Outcome:
    return tally(ballots, len(tops), candidates(tops, DECK), levels or {}, DECK, top_size, rule)


# --- candidates ---------------------------------------------------------------------------


def test_candidates_are_the_union_of_the_tops_most_held_first_then_deck_order() -> None:
    tops = {1: ("a", "b", "c", "d"), 2: ("b", "c", "e", "f"), 3: ("c", "f", "a", "g")}
    assert candidates(tops, DECK) == (
        Candidate("c", 3),
        Candidate("a", 2),
        Candidate("b", 2),
        Candidate("f", 2),
        Candidate("d", 1),
        Candidate("e", 1),
        Candidate("g", 1),
    )


def test_candidates_follow_the_deck_not_the_alphabet_and_count_a_member_once() -> None:
    tops = {1: ("z", "y", "y"), 2: ("x", "y"), 3: ("unknown",)}
    assert candidates(tops, ("z", "x", "y")) == (
        Candidate("y", 2),
        Candidate("z", 1),
        Candidate("x", 1),
        Candidate("unknown", 1),
    )


def test_no_tops_no_candidates() -> None:
    assert candidates({}, DECK) == ()
    assert candidates({1: ()}, DECK) == ()


def test_deck_position_puts_unknown_cards_last_by_id() -> None:
    key = deck_position(("b", "a", "b"))
    assert sorted(["z", "a", "y", "b"], key=key) == ["b", "a", "y", "z"]


# --- needed -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "rule", "expected"),
    [
        (3, Rule.ALL, 3),
        (4, Rule.ALL, 4),
        (5, Rule.ALL, 5),
        (6, Rule.ALL, 6),
        (3, Rule.ALL_BUT_ONE, 3),
        (4, Rule.ALL_BUT_ONE, 4),
        (5, Rule.ALL_BUT_ONE, 4),
        (6, Rule.ALL_BUT_ONE, 5),
        (1, Rule.ALL_BUT_ONE, 1),
    ],
)
def test_needed(members: int, rule: Rule, expected: int) -> None:
    assert needed(members, rule) == expected


@pytest.mark.parametrize("rule", list(Rule))
def test_needed_refuses_a_vote_without_members(rule: Rule) -> None:
    with pytest.raises(ValueError, match="at least one member"):
        needed(0, rule)


# --- tally: the seed's five tables --------------------------------------------------------

TABLE_TOPS = {
    1: ("a", "b", "c", "d"),
    2: ("a", "b", "e", "f"),
    3: ("c", "d", "g", "h"),
    4: ("a", "c", "e", "g"),
}


def test_a_full_top_four() -> None:
    same = ("a", "b", "c", "e")
    outcome = vote(TABLE_TOPS, dict.fromkeys(TABLE_TOPS, same))
    assert outcome.kind is OutcomeKind.FULL
    assert set(outcome.agreed) == {"a", "b", "c", "e"}
    assert outcome.support == {
        "a": 4, "c": 4, "b": 4, "d": 0, "e": 4, "g": 0, "f": 0, "h": 0
    }  # fmt: skip
    assert list(outcome.support) == [c.card_id for c in candidates(TABLE_TOPS, DECK)]


def test_a_partial_top_three() -> None:
    ballots = {
        1: ("a", "c", "g", "d"),
        2: ("a", "c", "g", "b"),
        3: ("a", "c", "g", "h"),
        4: ("a", "c", "g", "e"),
    }
    outcome = vote(TABLE_TOPS, ballots)
    assert outcome.kind is OutcomeKind.PARTIAL
    assert outcome.agreed == ("a", "c", "g")
    assert outcome.support["d"] == 1


def test_no_agreement_is_an_outcome_not_an_error() -> None:
    ballots = {1: ("a", "b"), 2: ("e", "f"), 3: ("g", "h"), 4: ("c", "a")}
    outcome = vote(TABLE_TOPS, ballots)
    assert outcome.kind is OutcomeKind.NONE
    assert outcome.agreed == ()
    assert outcome.support["a"] == 2


def test_the_seed_three_full_one_partial_one_none() -> None:
    """ "Three of five tables agreed a top four, one a top three, one could not agree.\""""
    common = ("a", "b", "c", "d")
    full = dict.fromkeys(TABLE_TOPS, common)
    partial = {user: ("a", "b", "c", other) for user, other in zip(TABLE_TOPS, "defg", strict=True)}
    none = {1: ("a",), 2: ("b",), 3: ("c",), 4: ("d",)}
    kinds = Counter(vote(TABLE_TOPS, ballots).kind for ballots in (full, none, full, partial, full))
    assert kinds == {OutcomeKind.FULL: 3, OutcomeKind.PARTIAL: 1, OutcomeKind.NONE: 1}


def test_a_member_who_does_not_vote_blocks_unanimity() -> None:
    ballots = {1: ("a", "b", "c", "d"), 2: ("a", "b", "c", "d"), 3: ("a", "b", "c", "d")}
    assert vote(TABLE_TOPS, ballots).kind is OutcomeKind.NONE
    five = {**TABLE_TOPS, 5: ("a",)}
    outcome = vote(five, {**ballots, 4: ("a", "b")}, rule=Rule.ALL_BUT_ONE)
    assert outcome.agreed == ("a", "b")
    assert outcome.kind is OutcomeKind.PARTIAL


# --- tally: ordering and truncation -------------------------------------------------------

FIVE_TOPS = {
    1: ("a", "b", "c", "d"),
    2: ("a", "b", "c", "e"),
    3: ("a", "b", "c", "d"),
    4: ("a", "d", "e", "f"),
    5: ("b", "c", "d", "e"),
}


def test_agreed_cards_are_ordered_by_support_then_levels_then_deck() -> None:
    ballots = {
        1: ("e", "d", "c", "b"),
        2: ("e", "d", "c", "b"),
        3: ("e", "d", "c", "b"),
        4: ("e", "d", "c", "a"),
        5: ("e", "d", "b", "a"),
    }
    # Support: e 5, d 5, c 4, b 4, a 2. Five members, all but one: 4 needed.
    # Level sums: d 9 = e 9 and b 8 = c 8, so the deck decides within each support.
    levels = {1: {"d": 5, "e": 5, "b": 5, "c": 3}, 2: {"d": 4, "e": 4, "b": 3, "c": 5}}
    outcome = vote(FIVE_TOPS, ballots, levels=levels, rule=Rule.ALL_BUT_ONE)
    assert outcome.agreed == ("d", "e", "b", "c")
    assert outcome.kind is OutcomeKind.FULL
    # e 10 > d 9 and c 8 > b 4: levels go before the deck, but never before support.
    levels = {1: {"d": 5, "e": 5, "b": 1, "c": 3}, 2: {"d": 4, "e": 5, "b": 3, "c": 5}}
    outcome = vote(FIVE_TOPS, ballots, levels=levels, rule=Rule.ALL_BUT_ONE)
    assert outcome.agreed == ("e", "d", "c", "b")
    levels = {1: {"b": 5, "c": 5, "d": 1, "e": 1}}
    outcome = vote(FIVE_TOPS, ballots, levels=levels, rule=Rule.ALL_BUT_ONE)
    assert outcome.agreed == ("d", "e", "b", "c")


def test_more_passing_cards_than_the_top_holds_keeps_the_best() -> None:
    ballots = {
        1: ("a", "b", "c", "d"),
        2: ("a", "b", "c", "e"),
        3: ("a", "b", "d", "e"),
        4: ("a", "c", "d", "e"),
        5: ("b", "c", "d", "e"),
    }
    # every card a..e has 4 of 5 approvals: five pass, four are kept.
    levels = {1: {"a": 1, "b": 5, "c": 4, "d": 3, "e": 2}}
    outcome = vote(FIVE_TOPS, ballots, levels=levels, rule=Rule.ALL_BUT_ONE)
    assert outcome.agreed == ("b", "c", "d", "e")
    assert all(outcome.support[card] == 4 for card in "abcde")
    assert vote(FIVE_TOPS, ballots, rule=Rule.ALL_BUT_ONE).agreed == ("a", "b", "c", "d")


def test_approvals_of_non_candidates_are_ignored() -> None:
    ballots = dict.fromkeys(TABLE_TOPS, ("a", "zzz", "b"))
    outcome = vote(TABLE_TOPS, ballots)
    assert outcome.agreed == ("a", "b")
    assert "zzz" not in outcome.support


def test_a_ballot_over_the_top_size_is_invalid() -> None:
    ballots = {1: ("a", "b", "c", "d", "e")}
    with pytest.raises(ValueError, match="approved 5 cards; at most 4"):
        vote(TABLE_TOPS, ballots)
    with pytest.raises(ValueError, match="at most 3"):
        vote(TABLE_TOPS, {1: ("a", "b", "c", "d")}, top_size=3)


def test_a_card_approved_twice_on_one_ballot_counts_once() -> None:
    ballots = dict.fromkeys(TABLE_TOPS, ("a", "a", "b", "c", "d"))
    outcome = vote(TABLE_TOPS, ballots)
    assert outcome.support["a"] == 4
    assert outcome.kind is OutcomeKind.FULL


def test_more_ballots_than_members_is_refused() -> None:
    with pytest.raises(ValueError, match="5 ballots from a vote of 4"):
        tally(
            {user: ("a",) for user in range(5)},
            4,
            candidates(TABLE_TOPS, DECK),
            {},
            DECK,
            4,
            Rule.ALL,
        )


def test_a_top_of_no_cards_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one card"):
        vote(TABLE_TOPS, {}, top_size=0)


# --- tally: properties --------------------------------------------------------------------


@st.composite
def table_votes(draw: st.DrawFn) -> tuple[dict[int, tuple[str, ...]], dict[int, list[str]], int]:
    top_size = draw(st.integers(1, 5))
    members = draw(st.integers(1, 7))
    pool = (*DECK, "x", "y")
    tops = {
        user: tuple(draw(st.lists(st.sampled_from(pool), max_size=top_size, unique=True)))
        for user in range(members)
    }
    voters = draw(st.lists(st.sampled_from(range(members)), unique=True))
    ballots = {
        user: draw(st.lists(st.sampled_from((*pool, "stale")), max_size=top_size, unique=True))
        for user in voters
    }
    return tops, ballots, top_size


@given(
    table_votes(),
    st.sampled_from(list(Rule)),
    st.dictionaries(st.integers(0, 7), st.dictionaries(st.sampled_from(DECK), st.integers(1, 5))),
)
def test_tally_invariants(
    vote_data: tuple[dict[int, tuple[str, ...]], dict[int, list[str]], int],
    rule: Rule,
    levels: dict[int, dict[str, int]],
) -> None:
    tops, ballots, top_size = vote_data
    offered = candidates(tops, DECK)
    outcome = tally(ballots, len(tops), offered, levels, DECK, top_size, rule)
    offered_ids = [c.card_id for c in offered]
    assert set(outcome.agreed) <= set(offered_ids)
    assert len(set(outcome.agreed)) == len(outcome.agreed) <= top_size
    assert list(outcome.support) == offered_ids
    threshold = needed(len(tops), rule)
    assert all(outcome.support[card] >= threshold for card in outcome.agreed)
    supports = [outcome.support[card] for card in outcome.agreed]
    assert supports == sorted(supports, reverse=True)
    for card, count in outcome.support.items():
        assert count == sum(card in set(ballot) for ballot in ballots.values())
        if count >= threshold and card not in outcome.agreed:
            assert len(outcome.agreed) == top_size
    expected_kind = (
        OutcomeKind.NONE
        if not outcome.agreed
        else OutcomeKind.FULL
        if len(outcome.agreed) == top_size
        else OutcomeKind.PARTIAL
    )
    assert outcome.kind is expected_kind


# --- most divergent pair ------------------------------------------------------------------


def test_the_pair_two_members_rank_in_opposite_order() -> None:
    levels = {1: {"a": 5, "b": 1, "c": 3}, 2: {"a": 1, "b": 5, "c": 3}}
    assert most_divergent_pair(levels, DECK) == ("a", "b")


def test_a_generous_rater_alone_is_no_dilemma() -> None:
    levels = {1: {"a": 5, "b": 5, "c": 5}, 2: {"a": 1, "b": 1, "c": 1}}
    assert most_divergent_pair(levels, DECK) is None


def test_a_shift_in_one_members_levels_still_finds_the_pair() -> None:
    levels = {1: {"a": 4, "b": 3, "c": 2}, 2: {"a": 3, "b": 2, "c": 5}, 3: {"a": 2, "b": 1}}
    # (a,c): 2, -2 -> 4; (b,c): 1, -3 -> 4; (a,b): 1, 1, 1 -> 0. Tie: deck order -> (a, c).
    assert most_divergent_pair(levels, DECK) == ("a", "c")


def test_ties_go_to_deck_order_and_the_pair_is_in_deck_order() -> None:
    levels = {1: {"a": 5, "b": 1, "c": 5, "d": 1}, 2: {"a": 1, "b": 5, "c": 1, "d": 5}}
    assert most_divergent_pair(levels, DECK) == ("a", "b")
    assert most_divergent_pair(levels, ("d", "c", "b", "a")) == ("d", "c")


def test_cards_rated_by_one_member_only_are_not_a_pair() -> None:
    levels = {1: {"a": 5, "b": 1, "x": 5}, 2: {"a": 4, "b": 2, "y": 1}}
    assert most_divergent_pair(levels, DECK) == ("a", "b")


@pytest.mark.parametrize(
    "levels",
    [
        {},
        {1: {"a": 5, "b": 1}},
        {1: {"a": 5}, 2: {"a": 1}},
        {1: {"a": 5}, 2: {"b": 1}},
    ],
)
def test_no_pair_with_fewer_than_two_members_or_cards(levels: dict[int, dict[str, int]]) -> None:
    assert most_divergent_pair(levels, DECK) is None


@given(
    st.dictionaries(
        st.integers(0, 5),
        st.dictionaries(st.sampled_from(DECK), st.integers(1, 5)),
        max_size=6,
    ),
    st.integers(0, 5),
    st.integers(-3, 3),
)
def test_divergent_pair_properties(
    levels: dict[int, dict[str, int]], member: int, shift: int
) -> None:
    pair = most_divergent_pair(levels, DECK)
    if pair is not None:
        first, second = pair
        assert DECK.index(first) < DECK.index(second)
        preferences = [m[first] - m[second] for m in levels.values() if first in m and second in m]
        assert len(preferences) >= 2 and max(preferences) > min(preferences)
    if member in levels:
        shifted = {
            **levels,
            member: {card: level + shift for card, level in levels[member].items()},
        }
        assert most_divergent_pair(shifted, DECK) == pair
