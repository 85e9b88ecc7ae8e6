"""Seating people at virtual tables: step 3 of the method, tables of four.

Owns: how many tables of which sizes a number of people makes (:func:`table_sizes`),
the seating plan itself (:func:`plan_tables`), the score a plan is judged by
(:func:`seating_score`) and where a late finisher joins (:func:`place_latecomer`).
Must not: know about sessions, phases, Telegram or storage; draw on global randomness
(the seed is an input); depend on the order in which people are passed in.

Objective
---------
A seating is judged *lexicographically* (see :meth:`SeatingScore.key`), most important
first:

1. ``repeated_pairs`` — pairs from ``avoid_pairs`` (people who sat together earlier in
   the series) seated together again. Fewer is better; because it comes first, a pair
   is repeated only when no seating with fewer repeats is found.
2. ``organisation_clashes`` — pairs of people of the same organisation at one table
   (names compared case-insensitively, with spaces trimmed and collapsed; an unknown
   organisation never clashes). Fewer is better.
3. ``age_clashes`` — the same for age bands.
4. ``profile_spread`` — the anticlustering objective: the sum over tables of the
   squared Euclidean distances between every two people at the table, computed on
   their profile vectors (levels 1..5 per card). More is better: every table mixes
   different value profiles. Profiles shorter than the longest one (an empty profile
   included) are padded with the neutral level 3.

Lexicographic rather than weighted, so no weight has to be tuned against the size of
the deck: the profile spread only decides between seatings that are equal on the
first three counts.

Algorithm
---------
An exchange method. People are ordered by user id, shuffled with
``random.Random(seed)`` and dealt into tables of :func:`table_sizes`. Then passes
follow: each person, in a seeded order, is tried against candidate swap partners at
other tables, and the best improving swap is made. In small inputs (at most
:data:`FULL_SWEEP_MAX_PEOPLE` people) the candidates are everyone at another table;
in larger ones the members of :data:`SAMPLED_TABLES_PER_PERSON` randomly drawn other
tables. The method stops after a pass without an improving swap or after the pass cap.

Each swap is judged incrementally: per-table organisation and age counters give the
clash change in O(1); per-table profile sums and sums of squared norms give the change
in profile spread with three dot products (O(d) for d cards); the avoid pairs are
looked up per person. Everything is in integers, so results do not depend on
floating-point rounding.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import mul

NEUTRAL_LEVEL = 3
"""The level a missing profile entry counts as."""

MIN_TABLE = 3
"""No table is smaller than this when that can be avoided (or than ``table_size``)."""

FULL_SWEEP_MAX_PEOPLE = 48
"""Up to this many people, every pass tries every pair of people at different tables."""

SAMPLED_TABLES_PER_PERSON = 3
"""Above :data:`FULL_SWEEP_MAX_PEOPLE`, a pass tries each person against this many
randomly drawn other tables (all their members)."""

DEFAULT_FULL_PASSES = 50
"""Pass cap for small inputs; they usually settle after a handful of passes."""

DEFAULT_SAMPLED_PASSES = 8
"""Pass cap for large inputs, where the sampled passes keep finding small profile gains."""


@dataclass(frozen=True, slots=True)
class Seatable:
    """One person ready to be seated."""

    user_id: int
    organisation: str | None
    """Free text; compared case-insensitively with spaces trimmed. ``None``: unknown."""
    age_band: str | None
    """For example ``"under-30"``. ``None``: unknown."""
    profile: tuple[int, ...]
    """Levels 1..5 per card, in the same card order for everyone; may be empty."""


@dataclass(frozen=True, slots=True)
class SeatingScore:
    """The parts a seating is judged by; see the module docstring."""

    repeated_pairs: int
    organisation_clashes: int
    age_clashes: int
    profile_spread: int

    def key(self) -> tuple[int, int, int, int]:
        """A sort key: the smaller, the better the seating."""
        return (
            self.repeated_pairs,
            self.organisation_clashes,
            self.age_clashes,
            -self.profile_spread,
        )


def table_sizes(count: int, table_size: int = 4) -> tuple[int, ...]:
    """The table sizes for ``count`` people, largest first.

    There are ``ceil(count / table_size)`` tables whose sizes differ by at most one,
    unless that leaves a table below ``min(3, table_size)`` people: then there is one
    table fewer (its tables grow above ``table_size``). A table below that minimum only
    remains when everyone fits at one table anyway (``count < min(3, table_size)``).

    With tables of four: 0 → (), 1 → (1,), 2 → (2,), 3 → (3,), 4 → (4,), 5 → (5,),
    6 → (3, 3), 7 → (4, 3), 9 → (3, 3, 3), 13 → (4, 3, 3, 3), 17 → (4, 4, 3, 3, 3).
    """
    if table_size < 1:
        raise ValueError(f"table_size must be at least 1, not {table_size}")
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    if count == 0:
        return ()
    tables = -(-count // table_size)
    if tables > 1 and count // tables < min(MIN_TABLE, table_size):
        tables -= 1
    small, larger = divmod(count, tables)
    return (small + 1,) * larger + (small,) * (tables - larger)


def plan_tables(
    people: Sequence[Seatable],
    table_size: int = 4,
    *,
    seed: int,
    avoid_pairs: Collection[frozenset[int]] = (),
    iterations: int | None = None,
) -> tuple[tuple[int, ...], ...]:
    """Seat ``people`` at tables of :func:`table_sizes` ``(len(people), table_size)``.

    Returns the tables as tuples of user ids, each sorted ascending; the tables are in
    the order of the sizes (largest first), equal sizes by their smallest id. The same
    people (in any order), options and seed give the same tables. ``iterations`` caps
    the improvement passes (``0``: the seeded shuffle only); ``None`` picks a cap that
    keeps a thousand people well under a second.
    """
    if iterations is not None and iterations < 0:
        raise ValueError(f"iterations must not be negative, not {iterations}")
    ordered = sorted(people, key=lambda person: person.user_id)
    ids = [person.user_id for person in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("every user id may be seated only once")
    sizes = table_sizes(len(ordered), table_size)
    rng = random.Random(seed)
    positions = list(range(len(ordered)))
    rng.shuffle(positions)
    dealt: list[list[int]] = []
    start = 0
    for size in sizes:
        dealt.append(positions[start : start + size])
        start += size
    if len(sizes) > 1:
        full = len(ordered) <= FULL_SWEEP_MAX_PEOPLE
        if iterations is None:
            iterations = DEFAULT_FULL_PASSES if full else DEFAULT_SAMPLED_PASSES
        exchange = _Exchange(ordered, dealt, avoid_pairs)
        exchange.improve(rng, iterations, full=full)
        dealt = exchange.members
    tables = [tuple(sorted(ids[index] for index in table)) for table in dealt]
    tables.sort(key=lambda table: (-len(table), table))
    return tuple(tables)


def seating_score(
    tables: Sequence[Sequence[int]],
    people_by_id: Mapping[int, Seatable],
    avoid_pairs: Collection[frozenset[int]] = (),
) -> SeatingScore:
    """Score a seating from scratch. Ids missing from ``people_by_id`` count as people
    of unknown organisation and age band with an empty profile."""
    avoid = set(avoid_pairs)
    seated = [[people_by_id.get(user_id) for user_id in table] for table in tables]
    width = max((len(person.profile) for table in seated for person in table if person), default=0)
    repeated = organisation = age = spread = 0
    for table, persons in zip(tables, seated, strict=True):
        for first in range(len(table)):
            for second in range(first + 1, len(table)):
                if frozenset((table[first], table[second])) in avoid:
                    repeated += 1
        organisation += _clashes(_organisation_key(p.organisation) for p in persons if p)
        age += _clashes(_band_key(p.age_band) for p in persons if p)
        vectors = [_padded(p.profile if p else (), width) for p in persons]
        totals = [sum(column) for column in zip(*vectors, strict=True)] if vectors else []
        squares = sum(_dot(vector, vector) for vector in vectors)
        spread += len(vectors) * squares - _dot(totals, totals)
    return SeatingScore(repeated, organisation, age, spread)


def place_latecomer(
    tables: Sequence[Sequence[int]],
    person: Seatable,
    people_by_id: Mapping[int, Seatable],
    *,
    avoid_pairs: Collection[frozenset[int]] = (),
) -> int:
    """The index of the table a late finisher joins: a smallest table; among the
    smallest, the one where they add the most diversity by the module's objective
    (fewest repeated pairs, then organisation clashes, then age clashes, then the
    largest added profile spread); the first such table on a tie."""
    if not tables:
        raise ValueError("there is no table to join")
    smallest = min(len(table) for table in tables)
    avoid = set(avoid_pairs)
    members = {user_id for table in tables for user_id in table}
    width = max(
        [len(person.profile)]
        + [len(people_by_id[user_id].profile) for user_id in members if user_id in people_by_id]
    )
    vector = _padded(person.profile, width)
    organisation = _organisation_key(person.organisation)
    band = _band_key(person.age_band)
    best_index, best_key = -1, (0, 0, 0, 0)
    for index, table in enumerate(tables):
        if len(table) != smallest:
            continue
        repeated = organisation_clashes = age_clashes = added_spread = 0
        for user_id in table:
            if frozenset((user_id, person.user_id)) in avoid:
                repeated += 1
            mate = people_by_id.get(user_id)
            if mate is None:
                added_spread += _squared_distance(vector, _padded((), width))
                continue
            mate_organisation = _organisation_key(mate.organisation)
            if organisation is not None and mate_organisation == organisation:
                organisation_clashes += 1
            if band is not None and _band_key(mate.age_band) == band:
                age_clashes += 1
            added_spread += _squared_distance(vector, _padded(mate.profile, width))
        key = (repeated, organisation_clashes, age_clashes, -added_spread)
        if best_index < 0 or key < best_key:
            best_index, best_key = index, key
    return best_index


# --- the exchange method ----------------------------------------------------------------


class _Exchange:
    """The mutable state of one improvement run over people indexed ``0..n-1``."""

    def __init__(
        self,
        people: Sequence[Seatable],
        dealt: list[list[int]],
        avoid_pairs: Collection[frozenset[int]],
    ) -> None:
        count = len(people)
        width = max((len(person.profile) for person in people), default=0)
        self.members = [list(table) for table in dealt]
        self.table_of = [0] * count
        for table, members in enumerate(self.members):
            for index in members:
                self.table_of[index] = table
        self.size = [len(members) for members in self.members]

        self.vectors = [_padded(person.profile, width) for person in people]
        self.norm = [_dot(vector, vector) for vector in self.vectors]
        self.has_profiles = width > 0 and len({tuple(v) for v in self.vectors}) > 1
        self.sums = [
            [sum(column) for column in zip(*(self.vectors[i] for i in members), strict=True)]
            if width
            else []
            for members in self.members
        ]
        self.squares = [sum(self.norm[i] for i in members) for members in self.members]
        self.own = [0] * count
        for table in range(len(self.members)):
            self._refresh_own(table)

        self.organisation = _codes([_organisation_key(p.organisation) for p in people])
        self.band = _codes([_band_key(p.age_band) for p in people])
        self.organisation_count = [_counts(self.organisation, m) for m in self.members]
        self.band_count = [_counts(self.band, m) for m in self.members]

        index_of = {person.user_id: index for index, person in enumerate(people)}
        partners: list[list[int]] = [[] for _ in range(count)]
        for pair in set(avoid_pairs):
            if len(pair) != 2:
                continue
            first, second = sorted(pair)
            if first in index_of and second in index_of:
                partners[index_of[first]].append(index_of[second])
                partners[index_of[second]].append(index_of[first])
        self.partners = partners

    # -- passes ----------------------------------------------------------------------

    def improve(self, rng: random.Random, passes: int, *, full: bool) -> None:
        count = len(self.table_of)
        tables = len(self.members)
        order = list(range(count))
        for _ in range(passes):
            rng.shuffle(order)
            improved = False
            for i in order:
                home = self.table_of[i]
                if full:
                    candidates: Sequence[int] = range(count)
                else:
                    candidates = []
                    for _ in range(SAMPLED_TABLES_PER_PERSON):
                        other = rng.randrange(tables - 1)
                        candidates.extend(self.members[other + (other >= home)])
                best_j, best = -1, (0, 0, 0, 0)
                for j in candidates:
                    if self.table_of[j] == home:
                        continue
                    delta = self.swap_delta(i, j)
                    if delta < best:
                        best_j, best = j, delta
                if best_j >= 0:
                    self.swap(i, best_j)
                    improved = True
            if not improved:
                return

    # -- one swap --------------------------------------------------------------------

    def swap_delta(self, i: int, j: int) -> tuple[int, int, int, int]:
        """The change in :meth:`SeatingScore.key` if ``i`` and ``j`` swapped tables."""
        a, b = self.table_of[i], self.table_of[j]
        table_of = self.table_of

        repeated = 0
        for p in self.partners[i]:
            if table_of[p] == a:
                repeated -= 1
            elif table_of[p] == b and p != j:
                repeated += 1
        for p in self.partners[j]:
            if table_of[p] == b:
                repeated -= 1
            elif table_of[p] == a and p != i:
                repeated += 1

        organisation = _clash_delta(self.organisation, self.organisation_count, i, j, a, b)
        band = _clash_delta(self.band, self.band_count, i, j, a, b)

        spread = 0
        if self.has_profiles:
            x_i, x_j = self.vectors[i], self.vectors[j]
            norm_i, norm_j = self.norm[i], self.norm[j]
            # Squared distances from i to everyone at b and from j to everyone at a.
            i_to_b = self.size[b] * norm_i + self.squares[b] - 2 * _dot(x_i, self.sums[b])
            j_to_a = self.size[a] * norm_j + self.squares[a] - 2 * _dot(x_j, self.sums[a])
            between = norm_i + norm_j - 2 * _dot(x_i, x_j)
            spread = i_to_b + j_to_a - self.own[i] - self.own[j] - 2 * between
        return (repeated, organisation, band, -spread)

    def swap(self, i: int, j: int) -> None:
        a, b = self.table_of[i], self.table_of[j]
        self.members[a][self.members[a].index(i)] = j
        self.members[b][self.members[b].index(j)] = i
        self.table_of[i], self.table_of[j] = b, a
        for codes, counts in (
            (self.organisation, self.organisation_count),
            (self.band, self.band_count),
        ):
            _move(counts, codes[i], a, b)
            _move(counts, codes[j], b, a)
        if self.has_profiles:
            x_i, x_j = self.vectors[i], self.vectors[j]
            self.sums[a] = [s - u + v for s, u, v in zip(self.sums[a], x_i, x_j, strict=True)]
            self.sums[b] = [s - v + u for s, u, v in zip(self.sums[b], x_i, x_j, strict=True)]
            self.squares[a] += self.norm[j] - self.norm[i]
            self.squares[b] += self.norm[i] - self.norm[j]
            self._refresh_own(a)
            self._refresh_own(b)

    def _refresh_own(self, table: int) -> None:
        """Recompute, for everyone at ``table``, the squared distances to their mates."""
        size, squares, sums = self.size[table], self.squares[table], self.sums[table]
        for i in self.members[table]:
            self.own[i] = size * self.norm[i] + squares - 2 * _dot(self.vectors[i], sums)


def _clash_delta(
    codes: list[int], counts: list[dict[int, int]], i: int, j: int, a: int, b: int
) -> int:
    """The change in same-group pairs when ``i`` (at ``a``) and ``j`` (at ``b``) swap."""
    code_i, code_j = codes[i], codes[j]
    if code_i == code_j:
        return 0
    delta = 0
    if code_i >= 0:
        delta += counts[b].get(code_i, 0) - (counts[a][code_i] - 1)
    if code_j >= 0:
        delta += counts[a].get(code_j, 0) - (counts[b][code_j] - 1)
    return delta


def _move(counts: list[dict[int, int]], code: int, source: int, target: int) -> None:
    if code < 0:
        return
    counts[source][code] -= 1
    counts[target][code] = counts[target].get(code, 0) + 1


def _codes(keys: Sequence[str | None]) -> list[int]:
    """Small integers for the distinct keys, ``-1`` for an unknown one."""
    known: dict[str, int] = {}
    return [-1 if key is None else known.setdefault(key, len(known)) for key in keys]


def _counts(codes: list[int], members: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for index in members:
        if codes[index] >= 0:
            counts[codes[index]] = counts.get(codes[index], 0) + 1
    return counts


# --- small pieces -------------------------------------------------------------------------


def _organisation_key(organisation: str | None) -> str | None:
    """Organisations compare case-insensitively, trimmed, with inner spaces collapsed."""
    if organisation is None:
        return None
    key = " ".join(organisation.split()).casefold()
    return key or None


def _band_key(age_band: str | None) -> str | None:
    return _organisation_key(age_band)


def _clashes(keys: Iterable[str | None]) -> int:
    """Pairs sharing a known key."""
    counts: dict[str, int] = {}
    for key in keys:
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    return sum(n * (n - 1) // 2 for n in counts.values())


def _padded(profile: tuple[int, ...], width: int) -> list[int]:
    return list(profile) + [NEUTRAL_LEVEL] * (width - len(profile))


def _dot(u: Sequence[int], v: Sequence[int]) -> int:
    return sum(map(mul, u, v))


def _squared_distance(u: Sequence[int], v: Sequence[int]) -> int:
    return sum((x - y) ** 2 for x, y in zip(u, v, strict=True))
