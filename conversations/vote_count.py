"""A table's common top: step 5 of the method, dilemmas and the vote.

Owns: the candidates a table votes on (:func:`candidates`), how many approvals a card
needs (:func:`needed`), counting a vote into an outcome (:func:`tally`), the pair of
cards a table is most divided about, offered as a dilemma (:func:`most_divergent_pair`),
and the order in which card ids are listed (:func:`deck_position`).
Must not: know about sessions, phases, Telegram or storage; decide who may vote (the
caller passes only the reachable members' ballots); treat "no agreement" as an error —
it is a real outcome (:attr:`OutcomeKind.NONE`).

Theory of operation
-------------------
Every member brings their current top (after revising, or before if they did not).
The union of those tops is the ballot: each member approves up to ``top_size`` cards of
it. A card is *agreed* when it has at least :func:`needed` approvals — every voting
member, or with :attr:`Rule.ALL_BUT_ONE` at a table of five or more, all but one. At
most ``top_size`` agreed cards make the table's common top: ordered by approvals, then
by how highly the members rated the card in their last lens, then in deck order. A
table that agrees ``top_size`` cards has a full top, fewer a partial one, none none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

ALL_BUT_ONE_MIN_MEMBERS = 5
"""From this many voting members on, :attr:`Rule.ALL_BUT_ONE` lets one member differ."""


def deck_position(card_order: Sequence[str]) -> Callable[[str], tuple[int, str]]:
    """A sort key listing card ids in deck order; ids not in the deck come after, by id."""
    positions: dict[str, int] = {}
    for i, card in enumerate(card_order):
        positions.setdefault(card, i)
    last = len(card_order)

    def key(card: str) -> tuple[int, str]:
        return (positions.get(card, last), card)

    return key


@dataclass(frozen=True, slots=True)
class Candidate:
    """A card in at least one member's current top."""

    card_id: str
    holders: int
    """How many members hold it in their current top."""


def candidates(
    tops: Mapping[int, Sequence[str]], card_order: Sequence[str]
) -> tuple[Candidate, ...]:
    """The union of the members' current tops (user id -> top), most-held first, ties in
    deck order (``card_order``; ids not in it after, by id). A card listed twice in one
    top counts once for that member."""
    holders: Counter[str] = Counter()
    for top in tops.values():
        holders.update(set(top))
    position = deck_position(card_order)
    ordered = sorted(holders, key=lambda card: (-holders[card], position(card)))
    return tuple(Candidate(card, holders[card]) for card in ordered)


class Rule(StrEnum):
    """How many approvals make a card agreed."""

    ALL = "all"
    ALL_BUT_ONE = "all_but_one"


def needed(members: int, rule: Rule) -> int:
    """Approvals a card needs: every member; with :attr:`Rule.ALL_BUT_ONE` and 5 or more
    members, all but one. Raises ``ValueError`` for fewer than one member (a table where
    nobody can vote has no vote, and its outcome is ``None`` to the caller)."""
    if members < 1:
        raise ValueError(f"a vote needs at least one member, not {members}")
    if rule is Rule.ALL_BUT_ONE and members >= ALL_BUT_ONE_MIN_MEMBERS:
        return members - 1
    return members


class OutcomeKind(StrEnum):
    """Whether a table agreed a full common top, part of one, or nothing."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


def outcome_kind(agreed: int, top_size: int) -> OutcomeKind:
    """The kind of an outcome with ``agreed`` cards out of ``top_size``."""
    if agreed <= 0:
        return OutcomeKind.NONE
    if agreed >= top_size:
        return OutcomeKind.FULL
    return OutcomeKind.PARTIAL


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a table agreed in its vote."""

    agreed: tuple[str, ...]
    """At most ``top_size`` cards, by approvals, then the members' levels, then deck order."""
    kind: OutcomeKind
    """FULL with ``top_size`` agreed cards, PARTIAL with 1..top_size-1, NONE with none."""
    support: Mapping[str, int]
    """Approvals per candidate card (zero included), in candidate order."""


def tally(
    approvals: Mapping[int, Collection[str]],
    members: int,
    candidates: Sequence[Candidate],
    levels: Mapping[int, Mapping[str, int]],
    card_order: Sequence[str],
    top_size: int,
    rule: Rule,
) -> Outcome:
    """Count a table's vote into its outcome.

    ``approvals`` maps each voting member (user id) to the card ids they approve; a
    member who did not vote is simply absent. ``members`` is how many members take part
    in the vote (the reachable ones); the caller leaves out ballots of anyone else.
    ``levels`` maps members to their levels per card in their last lens.

    A ballot is the set of distinct card ids in it. A ballot of more than ``top_size``
    cards is invalid as a whole and raises ``ValueError``, as do more ballots than
    ``members``, ``top_size`` below 1 and ``members`` below 1. Approvals of cards that
    are not candidates (a top revised after voting, a stale button) are ignored.

    A card is agreed when its approvals reach :func:`needed`. The agreed cards are
    ordered by approvals (most first), then by the sum of the members' levels for the
    card (higher first; a member who did not rate it adds nothing), then deck order,
    and the first ``top_size`` of them are the table's common top.
    """
    if top_size < 1:
        raise ValueError(f"a top holds at least one card, not {top_size}")
    threshold = needed(members, rule)
    if len(approvals) > members:
        raise ValueError(f"{len(approvals)} ballots from a vote of {members} members")
    candidate_ids = [candidate.card_id for candidate in candidates]
    support = dict.fromkeys(candidate_ids, 0)
    for user_id, ballot in approvals.items():
        cards = set(ballot)
        if len(cards) > top_size:
            raise ValueError(
                f"member {user_id} approved {len(cards)} cards; at most {top_size} may be"
            )
        for card in cards:
            if card in support:
                support[card] += 1

    position = deck_position(card_order)

    def level_sum(card: str) -> int:
        return sum(member_levels.get(card, 0) for member_levels in levels.values())

    passing = [card for card in support if support[card] >= threshold]
    passing.sort(key=lambda card: (-support[card], -level_sum(card), position(card)))
    agreed = tuple(passing[:top_size])
    return Outcome(agreed, outcome_kind(len(agreed), top_size), support)


def most_divergent_pair(
    levels: Mapping[int, Mapping[str, int]], card_order: Sequence[str]
) -> tuple[str, str] | None:
    """The pair of cards the members are most divided about, as a dilemma prompt.

    Definition: for two cards *a* and *b* and each member who rated both, take the
    member's preference ``level(a) - level(b)``. The pair's divergence is the spread of
    those preferences over the members: ``max - min``. It is largest when one member
    puts *a* far above *b* and another puts *b* far above *a* — a choice the table
    would make differently. Because it compares each member's levels with each other,
    a member who rates everything high (or low) does not create a divergence alone.

    ``levels`` maps user id -> card id -> level (in one lens, normally the last). The
    pair with the largest divergence wins; ties go to the pair that comes first in deck
    order (by its first card, then its second). The pair is returned in deck order.
    ``None`` with fewer than two members, fewer than two cards, or when no pair has a
    divergence above zero (nobody rated any two cards differently from the others).
    """
    if len(levels) < 2:
        return None
    position = deck_position(card_order)
    rated = sorted({card for member in levels.values() for card in member}, key=position)
    best: tuple[str, str] | None = None
    best_spread = 0
    for first, second in combinations(rated, 2):
        preferences = [
            member[first] - member[second]
            for member in levels.values()
            if first in member and second in member
        ]
        if len(preferences) < 2:
            continue
        spread = max(preferences) - min(preferences)
        if spread > best_spread:
            best, best_spread = (first, second), spread
    return best
