"""The offline demo's cast: the seed's civil servants, what they value and what they say,
and how each table of them talks and votes so that the plenary reads like the seed's.

Owns: the twenty people (name, organisation, age band, archetype), the archetypes' leanings
(social involvement valued by nearly everyone, openness, new ideas and quality of work by
many), who revises after the stories (younger people more readily, as the seed found), the
texts they type (``templates/<lang>/demo/texts.toml``: a story per person and card, dilemma
replies, notes), and the tables' parts: with five tables, three agree a common top four,
one a top three and one, where the tops lie furthest apart, talks long but agrees nothing
(:func:`table_parts`, :func:`vote_persona`). Must not: talk to the bot or the sandbox (the
demo does), or decide what a person taps (the core's policy for simulated people does,
from the persona).
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache

from bot.resources import shipped
from bot.simulation import Persona

# What different people tend to value (levels about 1..5); the rest is neutral with noise.
ARCHETYPES: dict[str, dict[str, float]] = {
    "connector": {
        "social-involved": 5,
        "openness": 4.6,
        "cooperation": 4.5,
        "social-contacts": 4.3,
        "new-ideas": 4.2,
        "helpfulness": 4.1,
        "efficiency": 1.8,
        "decisiveness": 2.2,
        "political-sense": 2,
    },
    "craftsman": {
        "quality": 5,
        "craftsmanship": 4.5,
        "social-involved": 4.5,
        "diligence": 4.1,
        "reliability": 4.0,
        "recognition": 1.8,
        "spirituality": 1.3,
        "creativity": 2.5,
    },
    "idealist": {
        "public-interest": 5,
        "social-involved": 4.7,
        "integrity": 4.6,
        "quality": 4.4,
        "fairness": 4.3,
        "openness": 4.1,
        "courage": 4,
        "efficiency": 1.6,
        "recognition": 1.5,
        "loyalty": 2.2,
    },
    "pioneer": {
        "new-ideas": 5,
        "openness": 4.6,
        "learning": 4.5,
        "creativity": 4.4,
        "autonomy": 4.1,
        "enjoyment": 4.1,
        "diligence": 2,
        "loyalty": 1.8,
        "reliability": 2.6,
    },
}

PEOPLE: tuple[tuple[str, str, str, str], ...] = (
    ("Anneke", "Gemeente Utrecht", "45-59", "connector"),
    ("Bram", "Belastingdienst", "30-44", "craftsman"),
    ("Chantal", "Provincie Zeeland", "under-30", "pioneer"),
    ("Dirk", "Rijkswaterstaat", "60-plus", "craftsman"),
    ("Esra", "Gemeente Utrecht", "30-44", "idealist"),
    ("Frank", "UWV", "45-59", "connector"),
    ("Greet", "Rijkswaterstaat", "45-59", "idealist"),
    ("Hamid", "Belastingdienst", "under-30", "pioneer"),
    ("Ilse", "Provincie Zeeland", "30-44", "connector"),
    ("Joost", "UWV", "60-plus", "craftsman"),
    ("Karin", "Gemeente Utrecht", "60-plus", "idealist"),
    ("Lars", "Rijkswaterstaat", "under-30", "pioneer"),
    ("Mirjam", "Belastingdienst", "45-59", "idealist"),
    ("Nadia", "UWV", "30-44", "connector"),
    ("Olaf", "Provincie Zeeland", "45-59", "craftsman"),
    ("Petra", "Gemeente Utrecht", "30-44", "pioneer"),
    ("Quinten", "Belastingdienst", "60-plus", "connector"),
    ("Rosa", "Rijkswaterstaat", "30-44", "idealist"),
    ("Sven", "UWV", "under-30", "pioneer"),
    ("Tineke", "Provincie Zeeland", "60-plus", "craftsman"),
)
"""Name, organisation, age band and archetype of each simulated civil servant."""

REVISING_SHARE = {"under-30": 0.75, "30-44": 0.5, "45-59": 0.2, "60-plus": 0.2}
"""Per age band, the share of people whom the stories make revise their top."""


@dataclass(frozen=True, slots=True)
class Texts:
    """What the demo's people type, in one language (``templates/<lang>/demo/texts.toml``)."""

    stories: Mapping[str, tuple[str, ...]]
    """Card id -> stories about it (``{card}``: its title as shown)."""
    stories_any: tuple[str, ...]
    """Stories about any card not in ``stories``."""
    closings: tuple[str, ...]
    """The line each teller ends their stories with."""
    dilemma_replies: tuple[str, ...]
    notes_none: tuple[str, ...]
    """Notes of a table that agreed nothing."""
    notes_three: tuple[str, ...]
    """Notes of a table that agreed fewer cards than a full top."""

    def story(self, teller: int, card_id: str) -> str:
        """The story the ``teller``-th person tells about ``card_id``: one of the card's
        (or of the general ones) and their own closing line, so that no two of the first
        ``2 * len(closings)`` people tell the same story about a card."""
        choices = self.stories.get(card_id, self.stories_any)
        closing = self.closings[teller // 2 % len(self.closings)]
        return f"{choices[teller % len(choices)]} {closing}"


@cache
def texts_of(lang: str) -> Texts:
    """The demo's texts in ``lang``."""
    data = tomllib.loads((shipped("templates") / lang / "demo" / "texts.toml").read_text("utf-8"))
    demo = data["demo"]
    return Texts(
        stories={card: tuple(texts) for card, texts in data["stories"].items()},
        stories_any=tuple(demo["stories_any"]),
        closings=tuple(demo["closings"]),
        dilemma_replies=tuple(demo["dilemma_replies"]),
        notes_none=tuple(demo["notes_none"]),
        notes_three=tuple(demo["notes_three"]),
    )


def revisers(rng: random.Random) -> frozenset[str]:
    """The names of those whom the stories make revise: per age band its share of the
    band (rounded), drawn with ``rng``."""
    chosen: set[str] = set()
    for band, share in REVISING_SHARE.items():
        names = [name for name, _, person_band, _ in PEOPLE if person_band == band]
        chosen.update(rng.sample(names, round(share * len(names))))
    return frozenset(chosen)


def persona(index: int, lang: str, revises: bool) -> Persona:
    """The ``index``-th person of ``PEOPLE`` as they sort, tell and revise."""
    _, organisation, band, archetype = PEOPLE[index]
    texts = texts_of(lang)
    leanings = ARCHETYPES[archetype]
    return Persona(
        organisation=organisation,
        age_band=band,
        leanings=leanings,
        stories=1 + index % 2,
        revises=revises,
        story_texts={card: texts.story(index, card) for card in texts.stories},
        story=texts.story(index, ""),
        noise=0.6,
    )


class Part(StrEnum):
    """How a table talks and votes."""

    TOGETHER = "together"
    """Everyone goes with what the table holds most: a common top four."""
    ONE_DOUBTS = "one-doubts"
    """One member does not approve the table's fourth card: a top three."""
    APART = "apart"
    """Everyone holds on to their own top, over two rounds: no common card."""


def table_parts(tops: Mapping[int, Sequence[Sequence[str]]], rng: random.Random) -> dict[int, Part]:
    """Each table's part (table number -> the members' current tops): the table whose
    members share the fewest cards talks apart, another (one of four members, where there
    is one) has a doubter, the others agree; with fewer than three tables, they agree."""
    numbers = sorted(tops)
    parts = dict.fromkeys(numbers, Part.TOGETHER)
    if len(numbers) < 3:
        return parts

    def shared(number: int) -> int:
        members = [set(top) for top in tops[number]]
        return len(set.intersection(*members)) if members else 0

    fewest = min(shared(n) for n in numbers)
    apart = rng.choice([n for n in numbers if shared(n) == fewest])
    parts[apart] = Part.APART
    rest = [n for n in numbers if n != apart]
    fours = [n for n in rest if len(tops[n]) == 4] or rest
    parts[rng.choice(fours)] = Part.ONE_DOUBTS
    return parts


def vote_persona(
    persona: Persona, part: Part, doubter: bool, note: str | None, rounds: int
) -> Persona:
    """``persona`` as they vote at a table with ``part`` (``doubter``: the one member of a
    doubting table who withholds a card)."""
    return replace(
        persona,
        stubborn=part is Part.APART,
        withholds=1 if part is Part.ONE_DOUBTS and doubter else 0,
        rounds=rounds,
        note=note if part is not Part.TOGETHER else None,
    )
