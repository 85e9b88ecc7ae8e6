"""Value-card decks: the immutable deck model and its limits.

This module owns what a deck *is* (:class:`Deck`, :class:`Card`, :class:`Lens`,
:class:`Dilemma`, :class:`Pillar`) and the limits every deck keeps. Reading deck files
(TOML, CSV) into a :class:`Deck` is the shell's (``bot/decks/``), which checks every
limit here.

The limits below guarantee that any rendered card, lens or dilemma message stays far
below Telegram's 4096 characters, that level labels fit on a button, and that every
``callback_data`` built from a card id (``r:<session>:<card-id>:<level>``) stays under
64 bytes: ids are ASCII, at most 16 characters.

It must not read, decode or validate files, or import anything outside the standard
library.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

# --- Limits -------------------------------------------------------------------------

DECK_FILE_BYTES_MAX = 256 * 1024
"""The largest deck file a facilitator may upload."""
DECK_ID_MAX = 32
"""A deck id: 1..32 of ``a-z``, ``0-9`` and ``-``."""
ITEM_ID_MAX = 16
"""Card, lens and dilemma ids: 1..16 of ``a-z``, ``0-9`` and ``-``."""
DECK_ID_PATTERN = re.compile(r"[a-z0-9-]{1,32}")
ITEM_ID_PATTERN = re.compile(r"[a-z0-9-]{1,16}")
LANGUAGE_PATTERN = re.compile(r"[a-z]{2}")
"""A language: a two-letter lowercase code such as ``nl`` or ``en``."""

LANGUAGES_MAX = 5
LEVEL_COUNT = 5
"""Piles, level 1 (least important) .. level 5 (most important)."""
LEVELS = tuple(range(1, LEVEL_COUNT + 1))
MOST_IMPORTANT = LEVEL_COUNT
LEVEL_LABEL_MAX = 24
"""Level labels become button labels."""
DECK_TITLE_MAX = 100
DECK_DESCRIPTION_MAX = 1000
LENSES_MAX = 5
LENS_NAME_MAX = 40
LENS_PROMPT_MAX = 1000
TOP_SIZE_MIN = 1
TOP_SIZE_MAX = 10
DEFAULT_TOP_SIZE = 4
CARDS_MAX = 60
CARD_TITLE_MAX = 60
CARD_DESCRIPTION_MAX = 300
DILEMMAS_MAX = 30
DILEMMA_TEXT_MAX = 1500
DILEMMA_CARDS_MAX = 6

# --- Model --------------------------------------------------------------------------


class Pillar(Enum):
    """The three pillars of Good Work."""

    EXCELLENCE = "excellence"
    """Uitmuntend vakmanschap: excellent craftsmanship."""
    ETHICS = "ethics"
    """Morele verantwoordelijkheid: moral responsibility."""
    ENGAGEMENT = "engagement"
    """Persoonlijke betrokkenheid: personal engagement."""


@dataclass(frozen=True)
class Lens:
    """One way of looking at the cards; each lens is a full sort of the deck."""

    id: str
    prompt: Mapping[str, str] = field(hash=False)
    """What to think of while sorting, per language."""
    name: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Optional short name per language (fits on a button), e.g. "Professional values"."""
    levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    """Optional pile labels of this lens per language (else the deck's): a lens that asks
    "how present is this?" needs other piles than "how important?"."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "prompt", dict(self.prompt))
        object.__setattr__(self, "name", dict(self.name))
        object.__setattr__(self, "levels", dict(self.levels))


@dataclass(frozen=True)
class Card:
    """One value card."""

    id: str
    title: Mapping[str, str] = field(hash=False)
    description: Mapping[str, str] = field(hash=False)
    pillar: Pillar | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", dict(self.title))
        object.__setattr__(self, "description", dict(self.description))


@dataclass(frozen=True)
class Dilemma:
    """A short work situation for a table to discuss, with the cards it touches."""

    id: str
    text: Mapping[str, str] = field(hash=False)
    cards: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", dict(self.text))
        object.__setattr__(self, "cards", tuple(self.cards))


@dataclass(frozen=True)
class Deck:
    """A deck of value cards with everything a session needs to use it.

    Texts are mappings from language code to text; read them with :meth:`text`, which
    falls back to the deck's first language. Mappings are copied into plain dicts on
    construction and must be treated as read-only.
    """

    id: str
    version: int
    languages: tuple[str, ...]
    title: Mapping[str, str] = field(hash=False)
    description: Mapping[str, str] = field(hash=False)
    """May be empty."""
    levels: Mapping[str, tuple[str, ...]] = field(hash=False)
    """Five labels per language; index 0 = level 1 (least important) .. 4 = level 5."""
    lenses: tuple[Lens, ...]
    top_size: int = DEFAULT_TOP_SIZE
    cards: tuple[Card, ...] = ()
    dilemmas: tuple[Dilemma, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "languages", tuple(self.languages))
        object.__setattr__(self, "title", dict(self.title))
        object.__setattr__(self, "description", dict(self.description))
        object.__setattr__(
            self, "levels", {lang: tuple(labels) for lang, labels in self.levels.items()}
        )
        object.__setattr__(self, "lenses", tuple(self.lenses))
        object.__setattr__(self, "cards", tuple(self.cards))
        object.__setattr__(self, "dilemmas", tuple(self.dilemmas))

    @cached_property
    def card_ids(self) -> tuple[str, ...]:
        """Card ids in deck order (worked out once: a deck never changes)."""
        return tuple(c.id for c in self.cards)

    @cached_property
    def lens_ids(self) -> tuple[str, ...]:
        return tuple(lens.id for lens in self.lenses)

    def has_card(self, card_id: str) -> bool:
        return any(card.id == card_id for card in self.cards)

    def card(self, card_id: str) -> Card:
        """The card with this id; ``KeyError`` when the deck has none."""
        for card in self.cards:
            if card.id == card_id:
                return card
        raise KeyError(card_id)

    def lens(self, lens_id: str) -> Lens:
        """The lens with this id; ``KeyError`` when the deck has none."""
        for lens in self.lenses:
            if lens.id == lens_id:
                return lens
        raise KeyError(lens_id)

    def dilemma(self, dilemma_id: str) -> Dilemma:
        """The dilemma with this id; ``KeyError`` when the deck has none."""
        for dilemma in self.dilemmas:
            if dilemma.id == dilemma_id:
                return dilemma
        raise KeyError(dilemma_id)

    def language(self, lang: str) -> str:
        """``lang`` when the deck speaks it, otherwise the deck's first language."""
        return lang if lang in self.languages else self.languages[0]

    def text(self, mapping: Mapping[str, str], lang: str) -> str:
        """The text in ``lang``, else in the deck's first language, else any, else ``""``."""
        found = mapping.get(lang) or mapping.get(self.languages[0] if self.languages else "")
        if found:
            return found
        return next((t for t in mapping.values() if t), "")

    def level_labels(self, lang: str, lens_index: int | None = None) -> tuple[str, ...]:
        """The five pile labels in ``lang`` (falling back like :meth:`text`): the lens's
        own where it has them, else the deck's."""
        own = self.lenses[lens_index].levels if lens_index is not None else {}
        for levels in (own, self.levels):
            labels = levels.get(lang) or levels.get(self.language(lang))
            if labels:
                return labels
        return next(iter(self.levels.values()), tuple(str(level) for level in LEVELS))

    def level_label(self, level: int, lang: str, lens_index: int | None = None) -> str:
        """The label of ``level`` (1..5) in ``lang``, on ``lens_index``'s piles."""
        return self.level_labels(lang, lens_index)[level - 1]
