"""What can be wrong with a deck file, and how a problem is written in a language.

A problem is a code with parameters, never a sentence: ``too_long`` with ``length`` and
``max``, found at a place (``card "loyalty"``, ``row 7``, ``line 3``) in a field
(``title.en``). Its words are labels in ``templates/<lang>/labels.toml``:
``deck_problem_<code>``, ``deck_where_<place>`` and ``deck_kind_<kind>`` (what a value is:
"text", "a list"), so a facilitator reads the problems of an upload in their language and
the developer's ``deck check`` reads the English ones, from the same templates.

Owns: the problem codes with the parameters each one takes (:data:`WORDS`),
:class:`Phrase`, :class:`DeckProblem`, the exception tree (:class:`DeckError`,
:class:`DeckInvalid`) and writing a phrase with a :class:`~bot.render.Renderer`.
Must not: check deck content (``schema`` does), read files (``files`` does) or know
Telegram.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from bot.render import Renderer

PROBLEM = "deck_problem_"
WHERE = "deck_where_"
KIND = "deck_kind_"

_PROBLEMS: dict[str, tuple[str, ...]] = {
    # any field
    "missing": (),
    "empty": (),
    "unknown_key": (),
    "unknown_key_suggest": ("suggestion",),
    "not_text": ("got",),
    "not_list": ("got",),
    "not_whole_number": ("got",),
    "too_long": ("length", "max"),
    "not_one_line": (),
    "bad_id": ("value", "max"),
    "texts_per_language": ("got",),
    "unknown_language": ("languages",),
    # the deck
    "not_deck_table": ("got",),
    "version_too_small": ("value",),
    "languages_empty": (),
    "language_code": ("item", "value"),
    "language_twice": ("value",),
    "too_many_languages": ("count", "max"),
    "labels_per_language": ("count", "got"),
    "labels_count": ("count", "found"),
    "label_twice": ("level",),
    "lenses_missing": (),
    "lenses_empty": (),
    "too_many_lenses": ("count", "max"),
    "top_size_range": ("min", "max", "value"),
    "too_few_cards": ("count", "top"),
    "too_many_cards": ("count", "max"),
    "too_many_dilemmas": ("count", "max"),
    # lenses, cards and dilemmas
    "not_lens_table": ("got",),
    "not_card_table": ("got",),
    "not_dilemma_table": ("got",),
    "duplicate_lens": ("position",),
    "duplicate_card": ("position",),
    "duplicate_dilemma": ("position",),
    "not_pillar": ("choices", "got"),
    "unknown_pillar": ("value", "choices"),
    "not_card_id": ("got",),
    "unknown_card": ("value",),
    "unknown_card_suggest": ("value", "suggestion"),
    "card_twice": ("value",),
    # spreadsheets
    "file_name_id": ("value", "max"),
    "no_card_rows": (),
    "missing_column": (),
    "unknown_column": (),
    "unnamed_column": (),
    "no_title_column": (),
    "no_matching_title": ("lang",),
    "language_not_in_base": ("lang", "base", "languages"),
    "row_too_wide": (),
    "duplicate_card_row": ("value", "row"),
    # files
    "unsupported_type": (),
    "file_not_found": (),
    "cannot_read": ("reason",),
    "file_too_large": ("size", "max"),
    "not_utf8": (),
    "not_text_file": (),
    "file_empty": (),
    "toml_too_deep": ("max",),
    "toml_too_complex": (),
    "toml_long_number": ("max",),
    "toml_syntax": ("detail",),
    "toml_syntax_at_end": ("detail",),
    "csv_syntax": ("detail",),
    "deck_id_twice": ("deck_id", "other"),
    "no_default_deck": ("deck_id",),
}
_PLACES: dict[str, tuple[str, ...]] = {
    "card": ("id",),
    "card_number": ("number",),
    "lens": ("id",),
    "lens_number": ("number",),
    "dilemma": ("id",),
    "dilemma_number": ("number",),
    "row": ("number",),
    "line": ("number",),
    "line_column": ("line", "column"),
    "header": (),
}
_KINDS: dict[str, tuple[str, ...]] = {
    "true_false": (),
    "whole_number": (),
    "number": (),
    "text": (),
    "table": (),
    "list": (),
    "date_time": (),
    "nothing": (),
    "other": ("name",),
    "huge_number": (),
}

WORDS: Mapping[str, tuple[str, ...]] = {
    **{PROBLEM + code: names for code, names in _PROBLEMS.items()},
    **{WHERE + place: names for place, names in _PLACES.items()},
    **{KIND + kind: names for kind, names in _KINDS.items()},
}
"""Every label a deck problem is written with, and the parameters it takes."""
PROBLEM_CODES = frozenset(_PROBLEMS)


@dataclass(frozen=True)
class Phrase:
    """Words to write in a language: a label key of :data:`WORDS` and its parameters
    (text, numbers, or phrases written first)."""

    key: str
    params: Mapping[str, Param] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        wanted = WORDS.get(self.key)
        if wanted is None or set(wanted) != set(self.params):
            raise ValueError(f"{self.key} takes {wanted}, not {sorted(self.params)}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(self.params.items()))))

    def text(self, renderer: Renderer, locale: str) -> str:
        params = {
            name: value.text(renderer, locale) if isinstance(value, Phrase) else value
            for name, value in self.params.items()
        }
        return renderer.label(locale, self.key, **params)


Param = str | int | Phrase
"""A parameter of a phrase: written as it is, or (a phrase) in the same language."""


def place(element: str, /, **params: str | int) -> Phrase:
    """Where in a file: ``place("card", id="trust")``, ``place("row", number=7)``."""
    return Phrase(WHERE + element, params)


def kind(what: str, /, **params: str) -> Phrase:
    """What a value is: ``kind("list")``."""
    return Phrase(KIND + what, params)


@cache
def _shipped_renderer() -> Renderer:
    return Renderer()


@dataclass(frozen=True)
class DeckProblem:
    """One thing wrong with a deck file, precise enough to find and fix it."""

    source: str
    """The file (or upload) name."""
    where: Phrase | None
    """The element (a :func:`place`); ``None`` = the deck or the file as a whole."""
    field: str
    """The field as the file names it: ``title.en``, ``levels.nl``, ``description_en``;
    may be ``""``."""
    code: str
    """One of :data:`PROBLEM_CODES`."""
    params: Mapping[str, Param] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        what = Phrase(PROBLEM + self.code, self.params)  # fails on an unknown code or parameter
        object.__setattr__(self, "params", what.params)

    def __hash__(self) -> int:
        return hash((self.source, self.where, self.field, Phrase(PROBLEM + self.code, self.params)))

    def text(self, renderer: Renderer, locale: str) -> str:
        """``file: where: field: what``, in ``locale``."""
        what = Phrase(PROBLEM + self.code, self.params).text(renderer, locale)
        where = self.where.text(renderer, locale) if self.where is not None else ""
        return ": ".join(part for part in (self.source, where, self.field, what) if part)

    def __str__(self) -> str:
        """The problem in English (the developer's ``deck check``, logs, exceptions)."""
        return self.text(_shipped_renderer(), "en")


class DeckError(Exception):
    """Something is wrong with a deck."""


class DeckInvalid(DeckError):
    """A deck failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[DeckProblem]) -> None:
        self.problems: tuple[DeckProblem, ...] = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'' if count == 1 else 's'} in deck"
        return "\n".join([head, *(str(p) for p in self.problems)])
