"""The export's tables: what each CSV file, sheet and list in ``session.json`` holds.

Owns: the tables and their columns (``COLUMNS``), and turning the store's rows into rows a
person can read beside the ids a tool needs: card and lens titles and pile labels (each
lens's own piles) in the session's language, steps, answers and outcomes in words, times
as datetimes in the session's time zone, people under a pseudonym unless names are
asked for, and simulated people (a rehearsal) left out unless asked for: their rows, and
the outcomes of tables where only they sat. Also the facts about the session itself
(``Facts``). Must not: write a file format (``formats``, ``workbook``), run SQL (the
store gives the rows), or hold a word a person reads (``templates/*/export_labels.toml``
and ``labels.toml`` do).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.render import Renderer
from conversations.deck import LEVELS, Deck
from conversations.model import Session, Step
from conversations.progress import SORTING

SCHEMA_VERSION = 1
"""The version of the export's layout (``docs/export.md``, ``session.schema.json``):
raised whenever a column or key is renamed, removed or changes meaning."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "participants": (
        "person",
        "organisation",
        "age_band",
        "step",
        "table",
        "revision",
        "unreachable",
        "simulated",
        "joined_at",
    ),
    "ratings": (
        "person",
        "lens",
        "lens_title",
        "card",
        "card_title",
        "level",
        "pile",
        "position",
        "rated_at",
    ),
    "tops_before": ("person", "rank", "card", "card_title", "chosen_at"),
    "tops_after": ("person", "rank", "card", "card_title", "chosen_at"),
    "stories": ("person", "card", "card_title", "story", "told_at"),
    "votes": ("person", "table", "round", "card", "card_title", "voted_at"),
    "outcomes": ("table", "round", "outcome", "agreed", "agreed_titles", "note"),
}
"""Each table's columns, in order: the CSV headers and the keys in ``session.json``."""


@dataclass(frozen=True, slots=True)
class Coded:
    """A value a tool reads as a code (``None``: not given) and a person as words."""

    code: str | None
    words: str


Value = str | int | bool | datetime | Coded | tuple[str, ...] | None
"""A cell: text, a number, yes/no, a time in the session's zone, a code with its words,
a list (the cards a table agreed), or nothing."""


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Value, ...]]


@dataclass(frozen=True, slots=True)
class LensFacts:
    id: str
    title: str
    piles: tuple[str, ...]
    """The labels of piles 1..5 on this lens, in the session's language."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the export says about the session itself."""

    session_id: int
    deck_id: str
    deck_title: str
    language: str
    language_name: str
    time_zone: str
    phase: str
    created_at: datetime
    exported_at: datetime
    names: bool
    simulated_participants: int
    simulated_included: bool
    lenses: tuple[LensFacts, ...]
    cards: tuple[tuple[str, str], ...]
    """(id, title) of every card in deck order."""


@dataclass(frozen=True, slots=True)
class Export:
    facts: Facts
    tables: tuple[Table, ...]


class Words:
    """The words of one export: labels in the session's language and the deck's titles."""

    def __init__(self, renderer: Renderer, locale: str, deck: Deck) -> None:
        self.renderer = renderer
        self.locale = locale
        self.deck = deck
        lang = deck.language(locale)
        self._cards = {card.id: deck.text(card.title, lang) for card in deck.cards}
        self._lenses = {lens.id: deck.text(lens.name, lang) for lens in deck.lenses}
        self._piles = {
            lens.id: deck.level_labels(locale, index) for index, lens in enumerate(deck.lenses)
        }
        self._deck_piles = deck.level_labels(locale)

    def label(self, key: str, /, **params: Any) -> str:
        return self.renderer.label(self.locale, key, **params)

    def card(self, card_id: str) -> str:
        """The card's title; ``""`` for a card the deck no longer has."""
        return self._cards.get(card_id, "")

    def lens(self, lens_id: str) -> str:
        return self._lenses.get(lens_id, "")

    def pile(self, lens_id: str, level: int) -> str:
        """The label of pile ``level`` on the lens's piles (the deck's for a lost lens)."""
        return self._piles.get(lens_id, self._deck_piles)[level - 1]

    def piles(self, lens_id: str) -> tuple[str, ...]:
        return tuple(self.pile(lens_id, level) for level in LEVELS)


def pseudonym(salt: str, user_id: int) -> str:
    """An id for a person, the same throughout one export, that cannot be traced back to
    their Telegram id without the export's random salt (which is not kept)."""
    digest = hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()
    return f"P-{digest[:10]}"


def without_simulated(
    rows: Mapping[str, list[tuple[Any, ...]]], simulated: frozenset[int]
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows without simulated people's, and without the outcomes of tables at which
    only simulated people sat."""
    real_tables = {r[5] for r in rows["participants"] if r[0] not in simulated}
    simulated_only = {r[5] for r in rows["participants"] if r[0] in simulated} - real_tables
    return {
        name: [r for r in data if r[0] not in simulated_only]
        if name == "outcomes"
        else [r for r in data if r[0] not in simulated]
        for name, data in rows.items()
    }


def export_of(
    session: Session,
    deck: Deck,
    rows: Mapping[str, list[tuple[Any, ...]]],
    words: Words,
    *,
    names: bool,
    simulated: frozenset[int],
    include_simulated: bool,
    exported_at: float,
) -> Export:
    """The export of ``rows`` (``Transaction.export_rows``): ``simulated`` are the user ids
    of simulated participants, left out unless ``include_simulated``."""
    if not include_simulated:
        rows = without_simulated(rows, simulated)
    zone = ZoneInfo(session.time_zone)
    known = {r[0]: r[1] for r in rows["participants"]}
    salt = secrets.token_hex(16)

    def person(user_id: int) -> str:
        return known.get(user_id, str(user_id)) if names else pseudonym(salt, user_id)

    def time(at: float) -> datetime:
        return datetime.fromtimestamp(at, zone)

    card = words.card
    lenses = len(deck.lenses)
    participants = [
        (
            person(user_id),
            organisation,
            Coded(band, words.label(f"age_{band}")) if band else None,
            Coded(
                step,
                words.label(f"overview_step_{step}", lens=lens_index + 1, lenses=lenses)
                if Step(step) in SORTING
                else words.label(f"overview_step_{step}"),
            ),
            table,
            Coded(revision, words.label(f"export_revision_{revision}")) if revision else None,
            bool(unreachable),
            user_id in simulated,
            time(joined_at),
        )
        for (
            user_id,
            _,
            organisation,
            band,
            step,
            table,
            revision,
            unreachable,
            lens_index,
            joined_at,
        ) in rows["participants"]
    ]
    ratings = [
        (
            person(user_id),
            lens,
            words.lens(lens),
            card_id,
            card(card_id),
            level,
            words.pile(lens, level),
            position + 1,
            time(at),
        )
        for user_id, lens, card_id, level, position, at in rows["ratings"]
    ]

    def tops(kind: str) -> list[tuple[Value, ...]]:
        return [
            (person(user_id), rank, card_id, card(card_id), time(at))
            for user_id, rank, card_id, at in rows[kind]
        ]

    stories = [
        (person(user_id), card_id, card(card_id), text, time(at))
        for user_id, card_id, text, at in rows["stories"]
    ]
    votes = [
        (person(user_id), table, voting_round, card_id, card(card_id), time(at))
        for user_id, table, voting_round, card_id, at in rows["votes"]
    ]
    outcomes: list[tuple[Value, ...]] = []
    for table, voting_round, kind, agreed_text, note in rows["outcomes"]:
        agreed = tuple(agreed_text.split(",")) if agreed_text else ()
        count = (
            words.label("overview_cards_one")
            if len(agreed) == 1
            else words.label("overview_cards", count=len(agreed))
        )
        outcome = Coded(kind, words.label(f"overview_outcome_{kind or 'pending'}", cards=count))
        outcomes.append(
            (table, voting_round, outcome, agreed, tuple(card(c) for c in agreed), note)
        )
    data: dict[str, Sequence[tuple[Value, ...]]] = {
        "participants": participants,
        "ratings": ratings,
        "tops_before": tops("tops_before"),
        "tops_after": tops("tops_after"),
        "stories": stories,
        "votes": votes,
        "outcomes": outcomes,
    }
    lang = deck.language(session.locale)
    facts = Facts(
        session_id=session.id,
        deck_id=deck.id,
        deck_title=deck.text(deck.title, lang),
        language=session.locale,
        language_name=words.label(f"language_{session.locale}"),
        time_zone=session.time_zone,
        phase=session.phase.value,
        created_at=time(session.created_at),
        exported_at=time(exported_at),
        names=names,
        simulated_participants=len(simulated),
        simulated_included=include_simulated,
        lenses=tuple(
            LensFacts(lens.id, words.lens(lens.id), words.piles(lens.id)) for lens in deck.lenses
        ),
        cards=tuple((c.id, card(c.id)) for c in deck.cards),
    )
    return Export(
        facts,
        tuple(Table(name, COLUMNS[name], list(data[name])) for name in COLUMNS),
    )
