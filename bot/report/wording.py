"""The report's words: a ``Report`` told as prose, from the templates.

Owns: what the report's template (``templates/<lang>/report/report.html``) is given to
write with (:class:`ReportWords`: card, lens and dilemma texts of the deck in the
session's language, numbers written out up to twenty as the seed writes them ("drie van de
vijf tafels") and by Babel beyond, the date in the session's time zone, the organisations
and age bands as a sentence or a table, the tables' sizes and voting rounds, when a
session has too many tables for a paragraph each), the plenary's pictures to draw
(``plenary_pictures``), the files' names and the document's title and footer, all from
the labels in ``report_labels.toml``. Must not: decide a figure (the core did: the one
reading made here is which end of the age bands revised more, as the seed remarks), lay
out a page or draw.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.plenary_pictures.specs import Picture
from bot.plenary_pictures.wording import plenary_pictures
from bot.render import Renderer
from conversations.deck import Deck
from conversations.plenary_figures import HIGH, LOW
from conversations.report import Report, TableAccount
from conversations.vote_count import OutcomeKind

TEMPLATE = "report/report"
PROSE_TABLES = 12
"""Up to this many tables, each has a paragraph; beyond, they share one compact table."""
ORGANISATIONS_IN_A_SENTENCE = 6
"""Up to this many organisations are named in a sentence; beyond, they get a table."""
ORGANISATION_ROWS = 25
"""At most this many organisations in that table; the rest are counted together."""
VALUE_ROWS = 10
"""At most this many values in the table of values chosen at the tables."""
LANGUAGE_TAGS = {"nl": "nl-NL", "en": "en-GB"}


class ReportWords:
    """Everything the report's template writes with, in the session's language."""

    def __init__(self, report: Report, renderer: Renderer) -> None:
        self.report = report
        self.renderer = renderer
        self.locale = report.session.locale
        self.deck = report.deck
        self.deck_locale = report.deck.language(self.locale)
        self.decks = {d.id: d for d in (*report.series_decks, report.deck)}
        self._number_words = self.label("report_number_words").split("|")
        self._first_words = self.label("report_number_words_first").split("|")
        self._ordinal_words = self.label("report_ordinal_words").split("|")

    # --- words and numbers ------------------------------------------------------------

    def label(self, key: str, **params: Any) -> str:
        return self.renderer.label(self.locale, key, **params)

    def number(self, value: float, digits: int = 0) -> str:
        """``value`` in digits, as the language writes them ("1.000" in Dutch)."""
        return self.renderer.number(self.locale, value, digits)

    def count(self, value: int, first: bool = False) -> str:
        """A count in a sentence: in words up to twenty ("drie"), else in digits;
        ``first``: as the sentence's first word ("Eén", "Drie")."""
        words = self._first_words if first else self._number_words
        if 0 <= value < len(words):
            return words[value]
        return self.number(value)

    def ordinal(self, value: int) -> str | None:
        """ "tweede" for 2, up to the tenth; None beyond (the template says "session 11")."""
        if 1 <= value <= len(self._ordinal_words):
            return self._ordinal_words[value - 1]
        return None

    @property
    def date(self) -> str:
        """The day the session started, where it was held."""
        try:
            zone = ZoneInfo(self.report.session.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        day = datetime.fromtimestamp(self.report.session.created_at, zone).date()
        return self.renderer.date(self.locale, day)

    # --- the deck ---------------------------------------------------------------------

    def _text(self, deck: Deck, mapping: Any) -> str:
        return deck.text(mapping, deck.language(self.locale))

    @property
    def deck_name(self) -> str:
        return self._text(self.deck, self.deck.title)

    @property
    def deck_description(self) -> str:
        return self._text(self.deck, self.deck.description)

    def title(self, card_id: str, deck_id: str | None = None) -> str:
        """A card's title, from ``deck_id``'s deck when given (a series may change decks)."""
        deck = self.decks.get(deck_id or self.deck.id, self.deck)
        if not deck.has_card(card_id):
            deck = next((d for d in self.decks.values() if d.has_card(card_id)), deck)
        if not deck.has_card(card_id):
            return card_id
        return self._text(deck, deck.card(card_id).title)

    def titles(self, card_ids: Sequence[str]) -> list[str]:
        return [self.title(card_id) for card_id in card_ids]

    @property
    def lenses(self) -> list[tuple[str, str]]:
        """(name, prompt) of each lens, in the order they were sorted."""
        return [
            (self._text(self.deck, lens.name), self._text(self.deck, lens.prompt))
            for lens in self.deck.lenses
        ]

    def level(self, level: int) -> str:
        """A pile's label, on the first lens's piles."""
        return self.deck.level_label(level, self.deck_locale, 0)

    @property
    def dilemmas(self) -> list[str]:
        """The texts of the deck's dilemmas posted to the tables, in order."""
        return [
            self._text(self.deck, self.deck.dilemma(d).text)
            for d in self.report.dilemmas
            if any(dilemma.id == d for dilemma in self.deck.dilemmas)
        ]

    @property
    def own_dilemmas(self) -> list[str]:
        """The facilitator's own dilemmas posted to the tables, as typed, in order."""
        return list(self.report.session.own_dilemmas)

    # --- who took part ----------------------------------------------------------------

    @property
    def organisations(self) -> list[tuple[str, int]]:
        """(organisation, people) of those who gave one, most first."""
        return [(name, n) for name, n in self.report.organisations if name is not None]

    @property
    def no_organisation(self) -> int:
        return sum(n for name, n in self.report.organisations if name is None)

    @property
    def organisations_in_a_table(self) -> bool:
        return len(self.organisations) > ORGANISATIONS_IN_A_SENTENCE

    @property
    def organisation_rows(self) -> tuple[list[tuple[str, int]], int, int]:
        """The organisations the table names, and how many others with how many people."""
        shown = self.organisations[:ORGANISATION_ROWS]
        rest = self.organisations[ORGANISATION_ROWS:]
        return shown, len(rest), sum(n for _, n in rest)

    @property
    def age_bands(self) -> list[tuple[str, int]]:
        """(band, people) for the bands someone gave, in the bands' order."""
        return [(band, n) for band, n in self.report.age_bands if band is not None]

    @property
    def no_age_band(self) -> int:
        return sum(n for band, n in self.report.age_bands if band is None)

    def age(self, band: str) -> str:
        """An age band in a sentence ("tussen 30 en 44")."""
        return self.label(f"report_age_{band}")

    def band(self, band: str) -> str:
        """An age band as a label ("30–44")."""
        return self.label(f"age_{band}")

    # --- the tables -------------------------------------------------------------------

    @property
    def tables(self) -> tuple[TableAccount, ...]:
        return self.report.tables

    @property
    def compact(self) -> bool:
        """Too many tables for a paragraph each."""
        return len(self.report.tables) > PROSE_TABLES

    @property
    def seated(self) -> int:
        return sum(t.members for t in self.report.tables)

    @property
    def table_sizes(self) -> tuple[int, int]:
        """The fewest and the most members at a table."""
        sizes = [t.members for t in self.report.tables] or [0]
        return min(sizes), max(sizes)

    @property
    def rounds(self) -> tuple[int, int]:
        """The fewest and the most voting rounds a table that voted held."""
        rounds = [t.rounds for t in self.report.voted] or [0]
        return min(rounds), max(rounds)

    @property
    def outcomes(self) -> Counter[str]:
        """Tables per outcome ("full", "partial", "none"; "pending": did not vote)."""
        return Counter(t.outcome.value if t.outcome else "pending" for t in self.report.tables)

    @property
    def partial_size(self) -> int | None:
        """How many cards every table that agreed part of a top agreed, when that is the
        same number at each of them and more than one ("een top drie"); else None."""
        sizes = {len(t.agreed) for t in self.report.tables if t.outcome is OutcomeKind.PARTIAL}
        return sizes.pop() if len(sizes) == 1 and min(sizes) > 1 else None

    @property
    def notes(self) -> int:
        return sum(1 for t in self.report.tables if t.note)

    # --- the values -------------------------------------------------------------------

    @property
    def value_rows(self) -> list[tuple[str, int, int]]:
        """(title, tables that chose it, tables with it in a top) of the values the
        tables chose most, then the values most in tops."""
        return [
            (self.title(row.card), len(row.agreed_at), len(row.in_tops_at))
            for row in self.report.summary.grid[:VALUE_ROWS]
        ]

    @staticmethod
    def high(piles: Sequence[int]) -> int:
        """People who put a value on one of the two highest piles."""
        return sum(n for level, n in enumerate(piles, 1) if level in HIGH)

    @staticmethod
    def low(piles: Sequence[int]) -> int:
        """People who put a value on one of the two lowest piles."""
        return sum(n for level, n in enumerate(piles, 1) if level in LOW)

    @property
    def revised_most(self) -> str | None:
        """ "younger" when the youngest band that answered revised after the stories more
        often than the oldest, "older" for the reverse, else None (as the seed remarks:
        the younger changed their top more readily)."""
        bands = [(revised, answered) for _, revised, answered in self.report.summary.revised_by_age]
        if len(bands) < 2 or not bands[0][1] or not bands[-1][1]:
            return None
        young, old = Fraction(*bands[0]), Fraction(*bands[-1])
        if young == old:
            return None
        return "younger" if young > old else "older"

    # --- the pictures and the series --------------------------------------------------

    def pictures(self) -> tuple[Picture, ...]:
        """The plenary's pictures as the group saw them under the summary."""
        return plenary_pictures(self.report.plenary, self.renderer, self.deck)

    @property
    def series_number(self) -> int:
        """Which session of the series this one is (1 outside a series)."""
        return len(self.report.series.sessions) if self.report.series else 1

    # --- the files --------------------------------------------------------------------

    def file_name(self, extension: str) -> str:
        return f"{self.label('report_file', session=self.report.session.id)}.{extension}"

    @property
    def document_title(self) -> str:
        return self.label(
            "report_document_title", session=self.report.session.id, deck=self.deck_name
        )

    @property
    def footer(self) -> str:
        """The footer's words, ``{page}`` left for the page number."""
        return self.label("report_footer", session=self.report.session.id, page="{page}")

    @property
    def language_tag(self) -> str:
        return LANGUAGE_TAGS.get(self.locale, self.locale)


def render(words: ReportWords, pictures: int) -> str:
    """The report's markup, with ``pictures`` picture markers."""
    return words.renderer.render(
        words.locale,
        TEMPLATE,
        r=words.report,
        w=words,
        s=words.report.summary,
        pictures=pictures,
    )
