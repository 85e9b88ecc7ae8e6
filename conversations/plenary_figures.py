"""The plenary summary: step 6 of the method, what the tables found together.

Owns: turning the tables' results and the people's sorts into the figures the plenary
discusses (:func:`summarize`): each table's outcome, the values found at every table, the
grid of values by table (agreed there, or only in a member's top), how often each value is
in someone's top, how many people revised their top after the stories (by age band where
known), which cards moved most between the first and last lens (and in which direction),
and the prompts for the plenary talk that a Pol.is-style report gives: the values the
whole room shares and the values that divide it.
Must not: know about sessions, phases, Telegram, storage or templates (wording and
pictures belong to the shell); count a vote (``vote_count`` does); treat a table that
agreed nothing, or did not vote, as an error.

Shared and dividing values are read from the piles of the *first* lens (the deck's own
question, before any situation is imagined), over the people who rated the card there:

* the room **shares** a value when at least :data:`SHARED_SHARE` (80 %) of them put it
  in one of the two highest piles; the larger that share, the more shared (then the share
  in the highest pile alone);
* a value **divides** the room when at least :data:`DIVIDING_SHARE` (a quarter) of them
  put it in the two highest piles *and* at least a quarter in the two lowest. The measure
  is the smaller of those two shares: a value put high by half the room and low by the
  other half divides it most (ties: the fewer in the middle pile, the more it divides).

A value cannot be both. Every list is deterministic: ties are broken in deck order
(``card_order``; card ids not in it come after, by id), so the same data always gives the
same summary. Shares are compared as exact fractions. The work is linear in the size of
the data, plus a sort of the cards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from conversations.deck import LEVEL_COUNT
from conversations.vote_count import Outcome, deck_position

DEFAULT_AGE_BANDS = ("under-30", "30-44", "45-59", "60-plus")
SHARED_SHARE = Fraction(4, 5)
"""The share of the raters who put a value in the two highest piles for the room to share it."""
DIVIDING_SHARE = Fraction(1, 4)
"""The share that must put a value high, and the share that must put it low, to divide the room."""
HIGH = frozenset({LEVEL_COUNT - 1, LEVEL_COUNT})
"""The two highest piles ("more important", "most important")."""
LOW = frozenset({1, 2})
"""The two lowest piles ("least important", "less important")."""


@dataclass(frozen=True, slots=True)
class TableResult:
    """One table at the end of step 5."""

    number: int
    outcome: Outcome | None
    """``None``: the table did not vote."""
    note: str | None
    """A member's one-line note (for example why they could not agree)."""
    member_tops: Mapping[int, Sequence[str]]
    """User id -> top after revising (or before, if not revised)."""


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What one participant contributes to the summary."""

    user_id: int
    age_band: str | None
    top_before: tuple[str, ...]
    """Chosen after sorting (empty if they never chose)."""
    top_after: tuple[str, ...] | None
    """After the stories; ``None`` if they never answered."""
    lens_levels: Mapping[str, Mapping[str, int]]
    """Lens id -> card id -> level."""


@dataclass(frozen=True, slots=True)
class GridRow:
    """One value in the grid of values by table."""

    card: str
    agreed_at: tuple[int, ...]
    """The numbers of the tables that agreed it, in order."""
    in_tops_at: tuple[int, ...]
    """The numbers of the tables where it is in some member's top (agreed there or not)."""


@dataclass(frozen=True, slots=True)
class Spread:
    """How the people spread one value over the piles of the first lens."""

    card: str
    piles: tuple[int, ...]
    """People per pile, from the lowest (level 1) to the highest."""

    @property
    def raters(self) -> int:
        return sum(self.piles)

    @property
    def high(self) -> int:
        """People who put it in one of the two highest piles."""
        return sum(n for level, n in enumerate(self.piles, 1) if level in HIGH)

    @property
    def low(self) -> int:
        """People who put it in one of the two lowest piles."""
        return sum(n for level, n in enumerate(self.piles, 1) if level in LOW)


@dataclass(frozen=True, slots=True)
class LensMove:
    """How one value moved from the first to the last lens."""

    card: str
    mean_change: float
    """Mean absolute change of level over the people who rated it in both lenses."""
    higher: int
    """People who put it on a higher pile in the last lens."""
    lower: int
    """People who put it on a lower pile in the last lens."""
    raters: int
    """People who rated it in both lenses."""


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures of the plenary."""

    tables: tuple[TableResult, ...]
    """The tables, by number."""
    everywhere_in_tops: tuple[str, ...]
    """Cards in some member's top at every table (deck order); empty without tables."""
    everywhere_agreed: tuple[str, ...]
    """Cards agreed at every table that agreed on anything (deck order); empty if none did.
    (A table without agreement does not erase what all the others agreed on.)"""
    grid: tuple[GridRow, ...]
    """Every card agreed at some table or in some member's top there: most tables that
    agreed it first, then most tables with it in a top, then deck order."""
    in_tops: tuple[tuple[str, int], ...]
    """(card, number of current tops holding it) for every card in some top, most first
    then deck order."""
    most_frequent: tuple[tuple[str, int], ...]
    """The first ``top_n`` of ``in_tops``."""
    revised: int
    """How many who answered changed their top (as a set) after the stories."""
    participants: int
    """How many answered the question whether to revise (``top_after`` known)."""
    revised_by_age: tuple[tuple[str, int, int], ...]
    """(age band, revised, answered) for bands with someone who answered; empty when no
    one who answered gave an age band."""
    lens_moves: tuple[LensMove, ...]
    """The cards that moved most from the first to the last lens (largest mean change
    first, then deck order), top N; cards that did not move are left out, and all are
    when there are fewer than two lenses."""
    shared: tuple[Spread, ...]
    """The values the room shares (see the module's docstring), most shared first, top N."""
    dividing: tuple[Spread, ...]
    """The values that divide the room (see the module's docstring), most dividing first,
    top N."""

    @property
    def voted(self) -> bool:
        """Whether any table voted (else the grid shows only what was in the tops)."""
        return any(table.outcome is not None for table in self.tables)


def _current_tops(
    tables: Sequence[TableResult], people: Sequence[PersonFacts]
) -> dict[int, frozenset[str]]:
    """Each person's current top, once per user: as their table shows it, or for someone
    at no table their top after the stories (before, if they did not answer)."""
    tops: dict[int, frozenset[str]] = {}
    for person in people:
        top = person.top_after if person.top_after is not None else person.top_before
        tops[person.user_id] = frozenset(top)
    for table in tables:
        for user_id, member_top in table.member_tops.items():
            tops[user_id] = frozenset(member_top)
    return tops


def _common(card_sets: Iterable[Iterable[str]]) -> set[str]:
    """The cards in every one of ``card_sets``; empty when there are none."""
    common: set[str] | None = None
    for cards in card_sets:
        common = set(cards) if common is None else common.intersection(cards)
    return common or set()


def _by_count(
    counts: Mapping[str, int], position: Callable[[str], tuple[int, str]]
) -> tuple[tuple[str, int], ...]:
    """(card, count) for the cards counted above zero, most first, ties in deck order."""
    ranked = sorted(
        (card for card in counts if counts[card] > 0), key=lambda c: (-counts[c], position(c))
    )
    return tuple((card, counts[card]) for card in ranked)


def _grid(
    tables: Sequence[TableResult], position: Callable[[str], tuple[int, str]]
) -> tuple[GridRow, ...]:
    agreed: dict[str, list[int]] = {}
    in_tops: dict[str, list[int]] = {}
    for table in tables:
        for card in dict.fromkeys(table.outcome.agreed if table.outcome else ()):
            agreed.setdefault(card, []).append(table.number)
        for card in dict.fromkeys(card for top in table.member_tops.values() for card in top):
            in_tops.setdefault(card, []).append(table.number)
    cards = sorted(
        set(agreed) | set(in_tops),
        key=lambda c: (-len(agreed.get(c, ())), -len(in_tops.get(c, ())), position(c)),
    )
    return tuple(
        GridRow(card, tuple(agreed.get(card, ())), tuple(in_tops.get(card, ()))) for card in cards
    )


def spreads(
    people: Sequence[PersonFacts], lens: str, position: Callable[[str], tuple[int, str]]
) -> tuple[Spread, ...]:
    """How the people spread each card over the piles of ``lens``, in deck order."""
    piles: dict[str, list[int]] = {}
    for person in people:
        for card, level in person.lens_levels.get(lens, {}).items():
            if 1 <= level <= LEVEL_COUNT:
                piles.setdefault(card, [0] * LEVEL_COUNT)[level - 1] += 1
    return tuple(Spread(card, tuple(piles[card])) for card in sorted(piles, key=position))


def shared_values(every: Sequence[Spread]) -> tuple[Spread, ...]:
    """The values the room shares, most shared first (then the top pile's share), in the
    order of ``every`` (deck order) on ties."""
    shared = [s for s in every if s.raters and Fraction(s.high, s.raters) >= SHARED_SHARE]
    return tuple(
        sorted(
            shared, key=lambda s: (-Fraction(s.high, s.raters), -Fraction(s.piles[-1], s.raters))
        )
    )


def dividing_values(every: Sequence[Spread]) -> tuple[Spread, ...]:
    """The values that divide the room, most evenly split first (then the fewest in the
    middle), in the order of ``every`` (deck order) on ties."""

    def smaller_side(s: Spread) -> Fraction:
        return Fraction(min(s.high, s.low), s.raters) if s.raters else Fraction(0)

    dividing = [s for s in every if smaller_side(s) >= DIVIDING_SHARE]
    return tuple(
        sorted(dividing, key=lambda s: (-smaller_side(s), -Fraction(s.high + s.low, s.raters)))
    )


def _lens_moves(
    people: Sequence[PersonFacts],
    lens_order: Sequence[str],
    position: Callable[[str], tuple[int, str]],
) -> list[LensMove]:
    if len(lens_order) < 2:
        return []
    first_lens, last_lens = lens_order[0], lens_order[-1]
    moved: Counter[str] = Counter()
    raters: Counter[str] = Counter()
    higher: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for person in people:
        first = person.lens_levels.get(first_lens)
        last = person.lens_levels.get(last_lens)
        if not first or not last:
            continue
        for card, level in first.items():
            if card in last:
                raters[card] += 1
                moved[card] += abs(last[card] - level)
                higher[card] += last[card] > level
                lower[card] += last[card] < level
    means = {card: moved[card] / raters[card] for card in raters if moved[card]}
    ranked = sorted(means, key=lambda card: (-means[card], position(card)))
    return [LensMove(c, means[c], higher[c], lower[c], raters[c]) for c in ranked]


def summarize(
    tables: Sequence[TableResult],
    people: Sequence[PersonFacts],
    card_order: Sequence[str],
    lens_order: Sequence[str],
    age_bands: Sequence[str] = DEFAULT_AGE_BANDS,
    top_n: int = 7,
    moves_n: int = 5,
    spread_n: int = 5,
) -> Summary:
    """The plenary summary of a session's tables and people.

    ``card_order`` is the deck order (ties), ``lens_order`` the lenses in the order they
    were sorted (the first and last are compared; shared and dividing values are read in
    the first), ``age_bands`` the order of the age rows (bands outside it come after, by
    name). ``top_n``, ``moves_n`` and ``spread_n`` cap ``most_frequent``, ``lens_moves``
    and each of ``shared`` and ``dividing``; a negative cap raises ``ValueError``.
    """
    if min(top_n, moves_n, spread_n) < 0:
        raise ValueError(
            f"caps must not be negative: top_n={top_n}, moves_n={moves_n}, spread_n={spread_n}"
        )
    position = deck_position(card_order)
    ordered_tables = tuple(sorted(tables, key=lambda table: table.number))

    # Values found everywhere, and table by table.
    table_cards = [
        {card for top in table.member_tops.values() for card in top} for table in ordered_tables
    ]
    voted = [table.outcome for table in ordered_tables if table.outcome is not None]
    everywhere_in_tops = tuple(sorted(_common(table_cards), key=position))
    agreeing = [outcome for outcome in voted if outcome.agreed]
    everywhere_agreed = tuple(sorted(_common(o.agreed for o in agreeing), key=position))

    # How often each value is in the current tops.
    frequency: Counter[str] = Counter()
    for top in _current_tops(ordered_tables, people).values():
        frequency.update(top)
    in_tops = _by_count(frequency, position)

    # Revising after the stories.
    answered = [person for person in people if person.top_after is not None]
    changed = {
        person.user_id
        for person in answered
        if person.top_after is not None and set(person.top_after) != set(person.top_before)
    }
    band_answered: Counter[str] = Counter()
    band_revised: Counter[str] = Counter()
    for person in answered:
        if person.age_band is not None:
            band_answered[person.age_band] += 1
            band_revised[person.age_band] += person.user_id in changed
    band_rank: dict[str, int] = {}
    for i, band in enumerate(age_bands):
        band_rank.setdefault(band, i)
    revised_by_age = tuple(
        (band, band_revised[band], band_answered[band])
        for band in sorted(band_answered, key=lambda b: (band_rank.get(b, len(age_bands)), b))
    )

    # What the room shares and what divides it, in the first lens.
    every = spreads(people, lens_order[0], position) if lens_order else ()

    return Summary(
        tables=ordered_tables,
        everywhere_in_tops=everywhere_in_tops,
        everywhere_agreed=everywhere_agreed,
        grid=_grid(ordered_tables, position),
        in_tops=in_tops,
        most_frequent=in_tops[:top_n],
        revised=len(changed),
        participants=len(answered),
        revised_by_age=revised_by_age,
        lens_moves=tuple(_lens_moves(people, lens_order, position)[:moves_n]),
        shared=shared_values(every)[:spread_n],
        dividing=dividing_values(every)[:spread_n],
    )
