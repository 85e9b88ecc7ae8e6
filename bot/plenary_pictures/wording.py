"""The plenary's pictures in words: a ``ShowSummary`` as the pictures to draw.

Owns: choosing the pictures of a summary (the values by table, when a table has any;
what the room shares and what divides it, when something does; what moved between the
lenses and who revised after the stories, when either is known), what each one shows (at
most ``MAX_ROWS`` values in a grid of up to ``MAX_COLUMNS`` tables, bars for the first
``MAX_TALLIES`` beyond), and all their words, from the templates' labels in the
session's language, with every number written by Babel. Must not: draw (``drawing``
does) or decide a figure (the core did).
"""

from __future__ import annotations

from typing import Any

from bot.plenary_pictures.specs import (
    Cell,
    ChangePicture,
    Column,
    MoveBar,
    Moves,
    Picture,
    PileBar,
    PileSection,
    Revisions,
    RoomPicture,
    Row,
    TableGrid,
    TableTally,
    Tally,
)
from bot.render import Renderer
from conversations.deck import LEVELS, Deck
from conversations.effects import ShowSummary

MAX_COLUMNS = 12
"""More tables than this do not fit across a phone: they are counted in bars instead."""
MAX_ROWS = 14
MAX_TALLIES = 10
"""Values counted over many tables: the first ten."""


class Words:
    """The labels, numbers and card titles of one summary's language."""

    def __init__(self, renderer: Renderer, locale: str, deck: Deck) -> None:
        self.renderer = renderer
        self.locale = locale
        self.deck = deck
        self.deck_locale = deck.language(locale)

    def __call__(self, key: str, **params: Any) -> str:
        return self.renderer.label(self.locale, key, **params)

    def counted(self, key: str, count: int, **params: Any) -> str:
        """The label ``key`` for ``count`` things (``key_one`` for one)."""
        one = count == 1 and f"{key}_one" in self.renderer.label_keys(self.locale)
        return self(f"{key}_one" if one else key, count=self.number(count), **params)

    def of_total(self, key: str, count: int, total: int) -> str:
        """The label ``key`` for ``count`` of ``total`` (``key_one`` when the total is one)."""
        one = total == 1 and f"{key}_one" in self.renderer.label_keys(self.locale)
        return self(
            f"{key}_one" if one else key, count=self.number(count), total=self.number(total)
        )

    def number(self, value: int) -> str:
        return self.renderer.number(self.locale, value)

    def title(self, card_id: str) -> str:
        return self.deck.text(self.deck.card(card_id).title, self.deck_locale)


def _outcome(words: Words, kind: str | None, agreed: int) -> str:
    if kind == "full":
        return words("picture_outcome_full", count=words.number(agreed))
    if kind == "partial":
        return words.counted("picture_outcome_partial", agreed)
    return words("picture_outcome_none" if kind == "none" else "picture_outcome_pending")


Grid = tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]


def table_picture(e: ShowSummary, words: Words) -> TableGrid | TableTally:
    """Picture 1: what each table chose (what was in the tops, before any vote)."""
    title = words("picture_grid_title" if e.voted else "picture_grid_title_tops")
    if len(e.tables) > MAX_COLUMNS:
        return _tally_picture(e, words, title)
    return _grid_picture(e, words, title)


def _grid_picture(e: ShowSummary, words: Words, title: str) -> TableGrid:
    """The values chosen at some table, and those in tops at more than one table (all in
    tops when no table voted), table by table."""
    total = len(e.tables)
    wanted = [row for row in e.grid if row[1] or len(row[2]) > 1] if e.voted else e.grid
    shown = wanted[:MAX_ROWS]
    left_out = len(e.grid) - len(shown)
    numbers = [number for number, _, _, _ in e.tables]
    columns = tuple(
        Column(
            words.number(number),
            _outcome(words, kind, len(agreed)),
            kind == "none" or (kind is None and e.voted),
        )
        for number, kind, agreed, _ in e.tables
    )
    rows = tuple(
        Row(
            words.title(card),
            tuple(
                Cell.AGREED
                if number in agreed_at
                else Cell.IN_TOP
                if number in in_tops_at
                else Cell.ABSENT
                for number in numbers
            ),
            words.of_total("picture_chosen_at", len(agreed_at), total)
            if agreed_at
            else words.of_total("picture_in_tops_at", len(in_tops_at), total),
        )
        for card, agreed_at, in_tops_at in shown
    )
    legend = (
        (
            (Cell.AGREED, words("picture_legend_agreed")),
            (Cell.IN_TOP, words("picture_legend_in_top")),
        )
        if e.voted
        else ((Cell.IN_TOP, words("picture_legend_in_top_only")),)
    )
    more = words.counted("picture_more_values", left_out) if left_out else None
    return TableGrid(title, words("picture_tables"), columns, rows, legend, more)


def _tally_picture(e: ShowSummary, words: Words, title: str) -> TableTally:
    """How many tables reached each outcome, and chose each value (had it in a top, when
    no table voted)."""
    total = len(e.tables)
    kinds = [kind for _, kind, _, _ in e.tables]
    outcomes = tuple(
        Tally(
            words(f"picture_tally_{key}"), n, total, words.of_total("picture_of_tables", n, total)
        )
        for key, n in (
            ("full", kinds.count("full")),
            ("partial", kinds.count("partial")),
            ("none", kinds.count("none")),
            ("pending", kinds.count(None)),
        )
        if n
    )
    counted = [
        (card, len(agreed_at) if e.voted else len(in_tops_at))
        for card, agreed_at, in_tops_at in e.grid
        if agreed_at or not e.voted
    ]
    values = tuple(
        Tally(words.title(card), n, total, words.of_total("picture_of_tables", n, total))
        for card, n in counted[:MAX_TALLIES]
    )
    left_out = len(counted) - len(values)
    more_key = "picture_more_chosen" if e.voted else "picture_more_values"
    return TableTally(
        title,
        words("picture_outcomes"),
        outcomes,
        words("picture_values_chosen" if e.voted else "picture_values_in_tops"),
        values,
        words.counted(more_key, left_out) if left_out else None,
    )


def room_picture(e: ShowSummary, words: Words) -> RoomPicture | None:
    """Picture 2: what the room shares and what divides it; None if neither."""

    def bars(spreads: tuple[tuple[str, tuple[int, ...]], ...], key: str) -> tuple[PileBar, ...]:
        return tuple(
            PileBar(
                words.title(card),
                piles,
                words(
                    key,
                    high=words.number(sum(piles[-2:])),
                    low=words.number(sum(piles[:2])),
                    raters=words.number(sum(piles)),
                ),
            )
            for card, piles in spreads
        )

    sections = [
        PileSection(
            words(f"picture_{kind}"),
            words(f"picture_{kind}_note"),
            bars(spreads, f"picture_{kind}_bar"),
        )
        for kind, spreads in (("shared", e.shared), ("dividing", e.dividing))
        if spreads
    ]
    if not sections:
        return None
    names = tuple(words.deck.level_label(level, words.locale, 0) for level in LEVELS)
    return RoomPicture(words("picture_room_title"), tuple(sections), names)


def _moves(e: ShowSummary, words: Words) -> Moves | None:
    lenses = words.deck.lenses
    if not e.lens_moves or len(lenses) < 2:
        return None
    note = words(
        "picture_moves_note",
        first=words.deck.text(lenses[0].name, words.deck_locale),
        last=words.deck.text(lenses[-1].name, words.deck_locale),
    )
    bars = tuple(
        MoveBar(words.title(card), lower, higher, words.number(lower), words.number(higher))
        for card, _, higher, lower, _ in e.lens_moves
    )
    return Moves(
        words("picture_moves"), note, bars, words("picture_lower"), words("picture_higher")
    )


def _revisions(e: ShowSummary, words: Words) -> Revisions | None:
    if not e.answered:
        return None

    def bar(label: str, revised: int, answered: int) -> Tally:
        text = words(
            "picture_revised_bar", revised=words.number(revised), answered=words.number(answered)
        )
        return Tally(label, revised, answered, text)

    bars = [bar(words("picture_revised_everyone"), e.revised, e.answered)]
    bars += [bar(words(f"age_{band}"), r, a) for band, r, a in e.revised_by_age]
    return Revisions(words("picture_revised"), words("picture_revised_note"), tuple(bars))


def change_picture(e: ShowSummary, words: Words) -> ChangePicture | None:
    """Picture 3: what moved between the lenses and who revised after the stories; None
    if neither is known."""
    moves, revisions = _moves(e, words), _revisions(e, words)
    if moves is None and revisions is None:
        return None
    return ChangePicture(words("picture_change_title"), moves, revisions)


def plenary_pictures(e: ShowSummary, renderer: Renderer, deck: Deck) -> tuple[Picture, ...]:
    """The pictures of the summary ``e``, in the order they are shown."""
    words = Words(renderer, e.locale, deck)
    pictures: list[Picture | None] = [
        table_picture(e, words) if e.grid else None,
        room_picture(e, words),
        change_picture(e, words),
    ]
    return tuple(p for p in pictures if p is not None)
