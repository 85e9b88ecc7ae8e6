"""Seating at tables of four: sizes, the plan, its score and latecomers."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.table_plan import (
    Seatable,
    SeatingScore,
    place_latecomer,
    plan_tables,
    seating_score,
    table_sizes,
)

ALL_FIVE = (5,) * 6
ALL_ONE = (1,) * 6


def person(
    user_id: int,
    organisation: str | None = None,
    age_band: str | None = None,
    profile: tuple[int, ...] = (),
) -> Seatable:
    return Seatable(user_id, organisation, age_band, profile)


def by_id(people: Sequence[Seatable]) -> dict[int, Seatable]:
    return {p.user_id: p for p in people}


def pairs_of(tables: Sequence[Sequence[int]]) -> list[frozenset[int]]:
    return [frozenset(pair) for table in tables for pair in itertools.combinations(table, 2)]


def swapped(tables: Sequence[Sequence[int]], a: int, i: int, b: int, j: int) -> list[list[int]]:
    result = [list(table) for table in tables]
    result[a][i], result[b][j] = result[b][j], result[a][i]
    return result


# --- table sizes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        (0, ()),
        (1, (1,)),
        (2, (2,)),
        (3, (3,)),
        (4, (4,)),
        (5, (5,)),
        (6, (3, 3)),
        (7, (4, 3)),
        (8, (4, 4)),
        (9, (3, 3, 3)),
        (10, (4, 3, 3)),
        (11, (4, 4, 3)),
        (12, (4, 4, 4)),
        (13, (4, 3, 3, 3)),
        (17, (4, 4, 3, 3, 3)),
    ],
)
def test_table_sizes_for_tables_of_four(count: int, sizes: tuple[int, ...]) -> None:
    assert table_sizes(count) == sizes


@pytest.mark.parametrize(
    ("count", "table_size", "sizes"),
    [
        (4, 3, (4,)),
        (5, 3, (5,)),
        (7, 3, (4, 3)),
        (8, 3, (4, 4)),
        (9, 3, (3, 3, 3)),
        (11, 5, (4, 4, 3)),
        (5, 2, (3, 2)),
        (3, 1, (1, 1, 1)),
    ],
)
def test_table_sizes_for_other_table_sizes(
    count: int, table_size: int, sizes: tuple[int, ...]
) -> None:
    assert table_sizes(count, table_size) == sizes


def test_table_sizes_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="table_size"):
        table_sizes(4, 0)
    with pytest.raises(ValueError, match="count"):
        table_sizes(-1)


@given(st.integers(0, 300), st.integers(1, 8))
def test_table_sizes_guarantees(count: int, table_size: int) -> None:
    sizes = table_sizes(count, table_size)
    floor = min(3, table_size)
    preferred = -(-count // table_size)
    assert sum(sizes) == count
    assert list(sizes) == sorted(sizes, reverse=True)
    assert not sizes or sizes[0] - sizes[-1] <= 1
    # ceil(count / table_size) tables, or one fewer exactly when that many would leave a
    # table below the floor; with one fewer, no table is below table_size.
    if len(sizes) == preferred:
        assert not sizes or max(sizes) <= table_size
        assert len(sizes) <= 1 or min(sizes) >= floor
    else:
        assert len(sizes) == preferred - 1
        assert count // preferred < floor
        assert min(sizes) >= table_size
    # A table below the floor only when everyone fits at one table.
    assert not sizes or min(sizes) >= floor or sizes == (count,)


# --- the plan: shape and determinism ------------------------------------------------------

people_lists = st.integers(0, 60).flatmap(
    lambda count: st.integers(0, 5).flatmap(
        lambda width: st.lists(
            st.builds(
                Seatable,
                st.just(0),
                st.sampled_from([None, "Gemeente", "gemeente ", "Rijk", "Provincie"]),
                st.sampled_from([None, "under-30", "30-44", "45-59"]),
                st.tuples(*[st.integers(1, 5)] * width),
            ),
            min_size=count,
            max_size=count,
        )
    )
)


def numbered(people: list[Seatable], start: int = 100) -> list[Seatable]:
    return [
        Seatable(start + n, p.organisation, p.age_band, p.profile) for n, p in enumerate(people)
    ]


@settings(max_examples=60)
@given(people_lists, st.integers(3, 6), st.integers(0, 2**32))
def test_every_person_is_seated_once_at_tables_of_the_planned_sizes(
    drawn: list[Seatable], table_size: int, seed: int
) -> None:
    people = numbered(drawn)
    tables = plan_tables(people, table_size, seed=seed)
    assert sorted(user_id for table in tables for user_id in table) == [p.user_id for p in people]
    assert tuple(len(table) for table in tables) == table_sizes(len(people), table_size)
    assert all(list(table) == sorted(table) for table in tables)
    assert tables == plan_tables(list(reversed(people)), table_size, seed=seed)


@settings(max_examples=40)
@given(people_lists, st.integers(0, 2**32))
def test_no_single_swap_improves_a_small_plan(drawn: list[Seatable], seed: int) -> None:
    people = numbered(drawn[:16])
    avoid = pairs_of(plan_tables(people, seed=seed + 1, iterations=0))
    tables = plan_tables(people, seed=seed, avoid_pairs=avoid)
    lookup = by_id(people)
    score = seating_score(tables, lookup, avoid).key()
    for a, b in itertools.combinations(range(len(tables)), 2):
        for i, j in itertools.product(range(len(tables[a])), range(len(tables[b]))):
            other = seating_score(swapped(tables, a, i, b, j), lookup, avoid)
            assert other.key() >= score


def test_the_same_seed_gives_the_same_plan_and_seeds_differ() -> None:
    people = [person(n, profile=(n % 5 + 1, n * 7 % 5 + 1, n * 3 % 5 + 1)) for n in range(20)]
    first = plan_tables(people, seed=11)
    assert plan_tables(people, seed=11) == first
    assert len({plan_tables(people, seed=seed) for seed in range(10)}) > 1


def test_without_any_preference_the_plan_is_the_seeded_shuffle() -> None:
    people = [person(n) for n in range(12)]
    plans = {plan_tables(people, seed=seed) for seed in range(10)}
    assert len(plans) > 1
    assert plan_tables(people, seed=3, iterations=0) == plan_tables(people, seed=3)


def test_few_people_sit_at_one_table_and_nobody_at_none() -> None:
    assert plan_tables([], seed=1) == ()
    assert plan_tables([person(5), person(2)], seed=1) == ((2, 5),)
    assert plan_tables([person(n) for n in range(5)], seed=1) == ((0, 1, 2, 3, 4),)


def test_a_user_id_may_be_seated_only_once() -> None:
    with pytest.raises(ValueError, match="only once"):
        plan_tables([person(1), person(1), person(2)], seed=1)


# --- the plan: what it spreads ------------------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
def test_two_organisations_of_four_split_two_and_two(seed: int) -> None:
    people = [person(n, "Gemeente Utrecht" if n < 4 else "Rijk") for n in range(8)]
    for table in plan_tables(people, seed=seed):
        assert sorted(Counter(n < 4 for n in table).values()) == [2, 2]


@pytest.mark.parametrize("seed", range(10))
def test_four_organisations_of_two_never_share_a_table(seed: int) -> None:
    spellings = ["Gemeente Utrecht", "  gemeente   UTRECHT ", "Rijk", "rijk", "A", "a ", "B", "b"]
    people = [person(n, spellings[n]) for n in range(8)]
    tables = plan_tables(people, seed=seed)
    assert seating_score(tables, by_id(people)).organisation_clashes == 0
    for table in tables:
        assert len({n // 2 for n in table}) == 4


@pytest.mark.parametrize("seed", range(10))
def test_age_bands_are_spread_too(seed: int) -> None:
    people = [person(n, age_band="under-30" if n % 2 else "60+") for n in range(8)]
    for table in plan_tables(people, seed=seed):
        assert sorted(Counter(n % 2 for n in table).values()) == [2, 2]


def test_unknown_organisations_and_bands_never_clash() -> None:
    people = [person(n, None if n < 4 else "  ", None) for n in range(8)]
    score = seating_score(plan_tables(people, seed=1), by_id(people))
    assert (score.organisation_clashes, score.age_clashes) == (0, 0)


@pytest.mark.parametrize("seed", range(10))
def test_profiles_are_anticlustered(seed: int) -> None:
    people = [person(n, profile=ALL_FIVE if n < 4 else ALL_ONE) for n in range(8)]
    for table in plan_tables(people, seed=seed):
        assert sorted(Counter(n < 4 for n in table).values()) == [2, 2]


@pytest.mark.parametrize("seed", range(10))
def test_people_who_sat_together_are_not_seated_together_again(seed: int) -> None:
    people = [person(n) for n in range(16)]
    earlier = [tuple(range(start, start + 4)) for start in range(0, 16, 4)]
    tables = plan_tables(people, seed=seed, avoid_pairs=pairs_of(earlier))
    assert not set(pairs_of(tables)) & set(pairs_of(earlier))


@pytest.mark.parametrize("seed", range(5))
def test_repeats_are_kept_to_the_fewest_possible(seed: int) -> None:
    # Two earlier tables of four: at best every new table has two from each, so each
    # new table repeats two pairs.
    people = [person(n) for n in range(8)]
    earlier = [(0, 1, 2, 3), (4, 5, 6, 7)]
    tables = plan_tables(people, seed=seed, avoid_pairs=pairs_of(earlier))
    for table in tables:
        assert sorted(Counter(n < 4 for n in table).values()) == [2, 2]
    assert seating_score(tables, by_id(people), pairs_of(earlier)).repeated_pairs == 4


def test_a_seating_is_made_even_when_every_pair_sat_together() -> None:
    people = [person(n) for n in range(4)]
    avoid = pairs_of([(0, 1, 2, 3)])
    tables = plan_tables(people, seed=1, avoid_pairs=avoid)
    assert tables == ((0, 1, 2, 3),)
    assert seating_score(tables, by_id(people), avoid).repeated_pairs == 6


@pytest.mark.parametrize("seed", range(5))
def test_avoiding_repeats_comes_before_spreading_organisations(seed: int) -> None:
    # Person 0 sat with everyone but 1 before, and 0 and 1 share an organisation:
    # sitting with 1 repeats one pair instead of two.
    people = [person(0, "X"), person(1, "x")] + [person(n) for n in range(2, 6)]
    avoid = [frozenset((0, n)) for n in range(2, 6)]
    tables = plan_tables(people, seed=seed, avoid_pairs=avoid)
    assert any({0, 1} <= set(table) for table in tables)
    assert seating_score(tables, by_id(people), avoid) == SeatingScore(1, 1, 0, 0)


def test_avoid_pairs_with_strangers_are_ignored() -> None:
    people = [person(n) for n in range(6)]
    avoid = [frozenset((0, 99)), frozenset((1, 2))]
    tables = plan_tables(people, seed=2, avoid_pairs=avoid)
    assert frozenset((1, 2)) not in pairs_of(tables)


# --- the score ------------------------------------------------------------------------------


def test_score_counts_each_part() -> None:
    people = [
        person(1, "Rijk", "30-44", (1, 1)),
        person(2, "rijk", "30-44", (5, 5)),
        person(3, "Rijk", None, ()),
        person(4, None, "30-44", (1, 5)),
    ]
    score = seating_score([(1, 2, 3), (4,)], by_id(people), [frozenset((1, 3))])
    # Distances: 1-2 is 32; 1-3 (padded to 3, 3) is 8; 2-3 is 8.
    assert score == SeatingScore(
        repeated_pairs=1, organisation_clashes=3, age_clashes=1, profile_spread=48
    )


def test_scores_order_lexicographically() -> None:
    assert SeatingScore(0, 5, 5, 0).key() < SeatingScore(1, 0, 0, 999).key()
    assert SeatingScore(0, 0, 5, 0).key() < SeatingScore(0, 1, 0, 999).key()
    assert SeatingScore(0, 0, 0, 10).key() < SeatingScore(0, 0, 0, 9).key()


# --- latecomers -----------------------------------------------------------------------------


def test_a_latecomer_joins_a_smallest_table() -> None:
    people = [person(n) for n in range(10)]
    late = person(99)
    assert place_latecomer([(0, 1, 2, 3), (4, 5, 6), (7, 8, 9)], late, by_id(people)) == 1


def test_among_smallest_tables_a_latecomer_adds_the_most_diversity() -> None:
    people = [
        person(1, "Rijk", profile=ALL_ONE),
        person(2, "Gemeente", profile=ALL_ONE),
        person(3, "Rijk", profile=ALL_FIVE),
        person(4, "Gemeente", profile=ALL_FIVE),
        person(5, "Provincie", profile=ALL_FIVE),
        person(6, "Waterschap", profile=ALL_FIVE),
        person(7, "Politie", profile=ALL_ONE),
    ]
    tables = [(1, 2, 5), (3, 4, 6), (7, 8, 9, 10)]
    lookup = by_id(people)

    def joins(organisation: str, profile: tuple[int, ...], *earlier: int) -> int:
        late = person(99, organisation, profile=profile)
        avoid = [frozenset((99, mate)) for mate in earlier]
        return place_latecomer(tables, late, lookup, avoid_pairs=avoid)

    # No organisation clash anywhere: the profile decides.
    assert joins("Douane", ALL_FIVE) == 0
    assert joins("Douane", ALL_ONE) == 1
    # The organisation comes before the profile ...
    assert joins(" provincie", ALL_FIVE) == 1
    assert joins("WATERSCHAP", ALL_ONE) == 0
    # ... and an earlier table-mate before the organisation.
    assert joins("Waterschap", ALL_FIVE, 1) == 1
    # On a full tie, the first table.
    assert joins("Rijk", ()) == 0


def test_a_latecomer_needs_a_table() -> None:
    with pytest.raises(ValueError, match="no table"):
        place_latecomer([], person(1), {})


@settings(max_examples=40)
@given(people_lists, st.integers(3, 6), st.integers(0, 2**32), st.data())
def test_a_latecomer_always_joins_a_smallest_table(
    drawn: list[Seatable], table_size: int, seed: int, data: st.DataObject
) -> None:
    people = numbered(drawn)
    tables = plan_tables(people, table_size, seed=seed)
    if not tables:
        return
    late = data.draw(people_lists.filter(bool)).pop()
    index = place_latecomer(
        tables, Seatable(1, late.organisation, None, late.profile), by_id(people)
    )
    assert len(tables[index]) == min(len(table) for table in tables)
