"""Seating checked against brute force on small cases: when some seating keeps every
organisation apart at its tables, the plan keeps them apart too."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.table_plan import Seatable, plan_tables, table_sizes


def clash_free_seating_exists(people: list[Seatable], sizes: tuple[int, ...]) -> bool:
    """Try every way to deal people into tables of ``sizes`` (small inputs only)."""

    def deal(rest: list[Seatable], sizes: tuple[int, ...]) -> bool:
        if not sizes:
            return not rest
        first, *others = rest
        for mates in itertools.combinations(others, sizes[0] - 1):
            table = [first, *mates]
            orgs = [p.organisation for p in table if p.organisation]
            if len(orgs) != len(set(orgs)):
                continue
            remaining = [p for p in others if p not in mates]
            if deal(remaining, sizes[1:]):
                return True
        return False

    return deal(people, sizes)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.sampled_from(("a", "b", "c", None)), min_size=3, max_size=9),
    st.integers(3, 4),
    st.integers(0, 2**16),
)
def test_no_organisation_clash_when_brute_force_finds_none(
    organisations: list[str | None], table_size: int, seed: int
) -> None:
    people = [Seatable(i, org, None, ()) for i, org in enumerate(organisations)]
    sizes = table_sizes(len(people), table_size)
    plan = plan_tables(people, table_size, seed=seed)
    by_id = {p.user_id: p for p in people}
    assert sorted(uid for table in plan for uid in table) == list(range(len(people)))
    assert sorted(len(t) for t in plan) == sorted(sizes)
    if clash_free_seating_exists(people, sizes):
        for table in plan:
            orgs = [by_id[uid].organisation for uid in table if by_id[uid].organisation]
            assert len(orgs) == len(set(orgs)), plan
