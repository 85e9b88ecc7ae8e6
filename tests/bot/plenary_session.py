"""A plenary like the seed's, built by hand for the pictures: twenty people at five tables
of the goed-werk deck, in Dutch. Three tables agree a top four, one a top three, one
nothing; social involvement is chosen at every table that agreed; nearly everyone puts a
few values high in the first sort, spirituality splits the room, and the second sort (one
work situation) moves efficiency and decisiveness up and enjoyment down. The younger
revise their top after the stories more often than the older."""

from __future__ import annotations

import random

from bot.decks.files import load_builtin_decks
from conversations.deck import Deck
from conversations.effects import ShowSummary
from conversations.model import Session
from conversations.phases import Phase
from conversations.plenary import summary_effect
from conversations.plenary_figures import PersonFacts, TableResult, summarize
from conversations.vote_count import Outcome, OutcomeKind

DECK: Deck = load_builtin_decks()["goed-werk"]
APPEAL = {
    "social-involved": 4.0,
    "openness": 3.0,
    "quality": 3.0,
    "integrity": 3.2,
    "new-ideas": 2.2,
    "learning": 2.0,
    "enjoyment": 2.0,
    "social-contacts": 1.6,
    "reliability": 2.2,
    "craftsmanship": 1.8,
    "cooperation": 1.8,
    "respect": 1.6,
    "independence": 1.0,
}
"""How much the room likes a value in the first sort (the rest: 0)."""
SITUATION = {"efficiency": 2.5, "decisiveness": 2.2, "enjoyment": -1.8, "work-life": -1.5}
"""What changes when people think of one work situation (the second sort)."""
BANDS = ["under-30"] * 5 + ["30-44"] * 5 + ["45-59"] * 6 + ["60-plus"] * 4
REVISES = {"under-30": 4, "30-44": 2, "45-59": 1, "60-plus": 0}
"""How many of each age band change their top after the stories."""
AGREED: dict[int, tuple[str, ...]] = {
    1: ("social-involved", "openness", "quality", "integrity"),
    2: ("social-involved", "learning", "new-ideas", "openness"),
    3: ("social-involved", "quality", "enjoyment", "reliability"),
    4: ("social-involved", "integrity", "cooperation"),
    5: (),
}
NOTE = "We hadden een rijk gesprek, maar kregen het niet in vier kaarten gevangen."


def levels(scores: dict[str, float]) -> dict[str, int]:
    """Six cards per pile, the highest scores on the highest pile."""
    ranked = sorted(DECK.card_ids, key=lambda c: (-scores[c], DECK.card_ids.index(c)))
    return {card: 5 - i // 6 for i, card in enumerate(ranked)}


def people_and_tables() -> tuple[list[PersonFacts], list[TableResult]]:
    rng = random.Random(17)
    people: list[PersonFacts] = []
    revising = dict(REVISES)
    for user_id, band in enumerate(BANDS, start=1):
        first = {c: APPEAL.get(c, 0.0) + rng.gauss(0, 0.8) for c in DECK.card_ids}
        first["spirituality"] = 3.5 if user_id % 2 else -3.5  # as a person, or not at work
        second = {c: s + SITUATION.get(c, 0.0) + rng.gauss(0, 0.5) for c, s in first.items()}
        lens = {"professional": levels(first), "situation": levels(second)}
        top = tuple(sorted(DECK.card_ids, key=lambda c: -second[c])[:4])
        after = top
        if revising[band]:
            revising[band] -= 1
            extra = next(c for c in ("openness", "learning", "quality") if c not in top)
            after = (*top[:3], extra)
        people.append(PersonFacts(user_id, band, top, after, lens))
    tables = []
    for number, agreed in AGREED.items():
        members = people[number - 1 :: 5]
        kind = (
            OutcomeKind.FULL
            if len(agreed) == 4
            else OutcomeKind.PARTIAL
            if agreed
            else OutcomeKind.NONE
        )
        tops = {p.user_id: (*agreed, *(p.top_after or ()))[:4] for p in members}
        tables.append(
            TableResult(number, Outcome(agreed, kind, {}), NOTE if not agreed else None, tops)
        )
    return people, tables


def demo_summary(locale: str = "nl") -> ShowSummary:
    people, tables = people_and_tables()
    summary = summarize(tables, people, DECK.card_ids, DECK.lens_ids)
    session = Session(7, -100, DECK.id, locale, Phase.TABLES, "code", 1, 0.0)
    return summary_effect(session, DECK, summary)
