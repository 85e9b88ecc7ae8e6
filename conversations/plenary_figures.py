"""The plenary summary: step 6 of the method, what the tables found together.

Owns: turning the tables' results and the people's sorts into the figures the plenary
discusses (:func:`summarize`): each table's outcome, the values found at every table,
the most frequent values, how many people revised their top after the stories (by age
band where known), which cards moved most between the first and last lens, and the
counts behind a support chart.
Must not: know about sessions, phases, Telegram, storage or templates (wording and
pictures belong to the shell); count a vote (``vote_count`` does); treat a table that
agreed nothing, or did not vote, as an error.

Every list is deterministic: ties are broken in deck order (``card_order``; card ids
not in it come after, by id), so the same data always gives the same summary. The work
is linear in the size of the data, plus a sort of the cards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from conversations.vote_count import Outcome, deck_position

DEFAULT_AGE_BANDS = ("under-30", "30-44", "45-59", "60-plus")


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
class Summary:
    """The figures of the plenary."""

    tables: tuple[TableResult, ...]
    """The tables, by number."""
    everywhere_in_tops: tuple[str, ...]
    """Cards in some member's top at every table (deck order); empty without tables."""
    everywhere_agreed: tuple[str, ...]
    """Cards agreed at every table that agreed on anything (deck order); empty if none did.
    (A table without agreement does not erase what all the others agreed on.)"""
    most_frequent: tuple[tuple[str, int], ...]
    """(card, number of current tops holding it), most first then deck order, top N."""
    revised: int
    """How many who answered changed their top (as a set) after the stories."""
    participants: int
    """How many answered the question whether to revise (``top_after`` known)."""
    revised_by_age: tuple[tuple[str, int, int], ...]
    """(age band, revised, answered) for bands with someone who answered; empty when no
    one who answered gave an age band."""
    lens_moves: tuple[tuple[str, float], ...]
    """(card, mean absolute level change from the first to the last lens over the people
    who rated it in both), largest first then deck order, top N; cards that did not move
    are left out, and all are when there are fewer than two lenses."""
    support_by_card: tuple[tuple[str, int], ...]
    """(card, number of tables that agreed it — or, if no table voted, that hold it in
    some member's top), most first then deck order; cards at no table left out."""


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


def summarize(
    tables: Sequence[TableResult],
    people: Sequence[PersonFacts],
    card_order: Sequence[str],
    lens_order: Sequence[str],
    age_bands: Sequence[str] = DEFAULT_AGE_BANDS,
    top_n: int = 7,
    moves_n: int = 5,
) -> Summary:
    """The plenary summary of a session's tables and people.

    ``card_order`` is the deck order (ties), ``lens_order`` the lenses in the order they
    were sorted (the first and last are compared), ``age_bands`` the order of the age
    rows (bands outside it come after, by name). ``top_n`` and ``moves_n`` cap
    ``most_frequent`` and ``lens_moves``; a negative cap raises ``ValueError``.
    """
    if top_n < 0 or moves_n < 0:
        raise ValueError(f"caps must not be negative: top_n={top_n}, moves_n={moves_n}")
    position = deck_position(card_order)
    ordered_tables = tuple(sorted(tables, key=lambda table: table.number))

    # Values found everywhere.
    table_cards = [
        {card for top in table.member_tops.values() for card in top} for table in ordered_tables
    ]
    voted = [table.outcome for table in ordered_tables if table.outcome is not None]
    everywhere_in_tops = tuple(sorted(_common(table_cards), key=position))
    agreeing = [outcome for outcome in voted if outcome.agreed]
    everywhere_agreed = tuple(sorted(_common(o.agreed for o in agreeing), key=position))

    # Most frequent values in the current tops.
    frequency: Counter[str] = Counter()
    for top in _current_tops(ordered_tables, people).values():
        frequency.update(top)
    most_frequent = _by_count(frequency, position)[:top_n]

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

    # Cards that moved between the first and the last lens.
    lens_moves: tuple[tuple[str, float], ...] = ()
    if len(lens_order) >= 2:
        first_lens, last_lens = lens_order[0], lens_order[-1]
        moved: Counter[str] = Counter()
        raters: Counter[str] = Counter()
        for person in people:
            first = person.lens_levels.get(first_lens)
            last = person.lens_levels.get(last_lens)
            if not first or not last:
                continue
            for card, level in first.items():
                if card in last:
                    raters[card] += 1
                    moved[card] += abs(last[card] - level)
        means = {card: moved[card] / raters[card] for card in raters if moved[card]}
        ranked = sorted(means, key=lambda card: (-means[card], position(card)))
        lens_moves = tuple((card, means[card]) for card in ranked[:moves_n])

    # Support per card, for a chart.
    support: Counter[str] = Counter()
    if voted:
        for outcome in voted:
            support.update(set(outcome.agreed))
    else:
        for cards in table_cards:
            support.update(cards)

    return Summary(
        tables=ordered_tables,
        everywhere_in_tops=everywhere_in_tops,
        everywhere_agreed=everywhere_agreed,
        most_frequent=most_frequent,
        revised=len(changed),
        participants=len(answered),
        revised_by_age=revised_by_age,
        lens_moves=lens_moves,
        support_by_card=_by_count(support, position),
    )
