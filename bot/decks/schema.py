"""Deck files' contents checked against the deck model's limits: decoded deck data (a
TOML table, or the rows of a CSV file) into a :class:`~conversations.deck.Deck`.

Owns the schema of a deck file. Parsing reports *every* problem it finds at once, as
:class:`~bot.decks.problems.DeckProblem` values (a code and its parameters, written in
the reader's language by ``problems``) inside one
:class:`~bot.decks.problems.DeckInvalid`, so a facilitator can fix a file in one go.
Must not: read files or decode TOML or CSV (``files`` does), or hold the words of a
problem (the templates do).
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Mapping, Sequence

from bot.decks.problems import DeckInvalid, DeckProblem, Param, Phrase, kind, place
from conversations.deck import (
    CARD_DESCRIPTION_MAX,
    CARD_TITLE_MAX,
    CARDS_MAX,
    DECK_DESCRIPTION_MAX,
    DECK_ID_MAX,
    DECK_ID_PATTERN,
    DECK_TITLE_MAX,
    DEFAULT_TOP_SIZE,
    DILEMMA_CARDS_MAX,
    DILEMMA_TEXT_MAX,
    DILEMMAS_MAX,
    ITEM_ID_MAX,
    ITEM_ID_PATTERN,
    LANGUAGE_PATTERN,
    LANGUAGES_MAX,
    LENS_NAME_MAX,
    LENS_PROMPT_MAX,
    LENSES_MAX,
    LEVEL_COUNT,
    LEVEL_LABEL_MAX,
    TOP_SIZE_MAX,
    TOP_SIZE_MIN,
    Card,
    Deck,
    Dilemma,
    Lens,
    Pillar,
)

# --- Problems -----------------------------------------------------------------------


class _Problems:
    """Collects problems for one source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[DeckProblem] = []

    def add(self, where: Phrase | None, field_name: str, code: str, **params: Param) -> None:
        self.items.append(DeckProblem(self.source, where, field_name, code, params))

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise DeckInvalid(self.items)


# --- Small checks -------------------------------------------------------------------


def _kind(value: object) -> Phrase:
    if isinstance(value, bool):
        return kind("true_false")
    if isinstance(value, int):
        return kind("whole_number")
    if isinstance(value, float):
        return kind("number")
    if isinstance(value, str):
        return kind("text")
    if isinstance(value, Mapping):
        return kind("table")
    if isinstance(value, list | tuple):
        return kind("list")
    if isinstance(value, datetime.date | datetime.time):
        return kind("date_time")
    if value is None:
        return kind("nothing")
    return kind("other", name=type(value).__name__)


SHOWN_MAX = 60
"""Values quoted in a problem message are cut to this many characters."""


def _shown(value: object) -> str | Phrase:
    """``value`` as a problem message quotes it: its repr, cut short; never raises.

    A file can hold a 100,000-character key or a 0x-number of 20,000 digits, which
    Python refuses to turn into decimal text.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return kind("huge_number")
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return _kind(value)
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 3] + "..."


def _field(key: object) -> str:
    """A key from the file as the field of a problem, cut short."""
    text = key if isinstance(key, str) else str(_shown(key))
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 3] + "..."


def _suggestion(key: str, known: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(key, known, n=1)
    return close[0] if close else None


def _unknown_keys(
    p: _Problems, where: Phrase | None, entry: Mapping[str, object], known: Sequence[str]
) -> None:
    for key in entry:
        if key not in known:
            suggestion = _suggestion(str(key), known)
            if suggestion is None:
                p.add(where, _field(key), "unknown_key")
            else:
                p.add(where, _field(key), "unknown_key_suggest", suggestion=suggestion)


def _check_id(
    p: _Problems,
    where: Phrase | None,
    field_name: str,
    value: object,
    pattern: re.Pattern[str],
    maximum: int,
) -> str | None:
    if value is None:
        p.add(where, field_name, "missing")
        return None
    if not isinstance(value, str):
        p.add(where, field_name, "not_text", got=_kind(value))
        return None
    if not pattern.fullmatch(value):
        p.add(where, field_name, "bad_id", value=_shown(value), max=maximum)
        return None
    return value


def _check_text(
    p: _Problems,
    where: Phrase | None,
    field_name: str,
    value: object,
    *,
    max_len: int,
    one_line: bool,
) -> str | None:
    if not isinstance(value, str):
        p.add(where, field_name, "not_text", got=_kind(value))
        return None
    text = value.strip()
    if not text:
        p.add(where, field_name, "empty")
        return None
    ok = True
    if len(text) > max_len:
        p.add(where, field_name, "too_long", length=len(text), max=max_len)
        ok = False
    if one_line and ("\n" in text or "\r" in text):
        p.add(where, field_name, "not_one_line")
        ok = False
    return text if ok else None


def _check_texts(
    p: _Problems,
    where: Phrase | None,
    field_name: str,
    value: object,
    languages: Sequence[str],
    *,
    max_len: int,
    one_line: bool,
    required: bool = True,
    sep: str = ".",
) -> dict[str, str]:
    """Validate one text per language; returns the valid texts."""
    if value is None:
        if required:
            p.add(where, field_name, "missing")
        return {}
    if not isinstance(value, Mapping):
        p.add(where, field_name, "texts_per_language", got=_kind(value))
        return {}
    texts: dict[str, str] = {}
    for lang in languages:
        name = f"{field_name}{sep}{lang}"
        if lang not in value:
            if required:
                p.add(where, name, "missing")
            continue
        text = _check_text(p, where, name, value[lang], max_len=max_len, one_line=one_line)
        if text is not None:
            texts[lang] = text
    if languages:
        for key in value:
            if key not in languages:
                p.add(
                    where,
                    f"{field_name}{sep}{_field(key)}",
                    "unknown_language",
                    languages=", ".join(languages),
                )
    return texts


def _check_pillar(p: _Problems, where: Phrase | None, value: object) -> Pillar | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    choices = ", ".join(pillar.value for pillar in Pillar)
    if not isinstance(value, str):
        p.add(where, "pillar", "not_pillar", choices=choices, got=_kind(value))
        return None
    try:
        return Pillar(value.strip().lower())
    except ValueError:
        p.add(where, "pillar", "unknown_pillar", value=_shown(value), choices=choices)
        return None


def _check_list(
    p: _Problems, where: Phrase | None, field_name: str, value: object
) -> list[object] | None:
    if not isinstance(value, list | tuple):
        p.add(where, field_name, "not_list", got=_kind(value))
        return None
    return list(value)


def _check_card(
    p: _Problems,
    where: Phrase,
    entry: Mapping[str, object],
    title_languages: Sequence[str],
    description_languages: Sequence[str],
    *,
    sep: str,
) -> Card | None:
    """Validate one card (its id was checked by the caller); ``None`` when invalid."""
    before = len(p)
    title = _check_texts(
        p,
        where,
        "title",
        entry.get("title"),
        title_languages,
        max_len=CARD_TITLE_MAX,
        one_line=True,
        sep=sep,
    )
    description = _check_texts(
        p,
        where,
        "description",
        entry.get("description"),
        description_languages,
        max_len=CARD_DESCRIPTION_MAX,
        one_line=True,
        sep=sep,
    )
    pillar = _check_pillar(p, where, entry.get("pillar"))
    card_id = entry.get("id")
    if len(p) > before or not isinstance(card_id, str):
        return None
    return Card(card_id, title, description, pillar)


def _where(element: str, entry: object, position: int) -> Phrase:
    """``card "loyalty"`` when the entry has a usable id, else ``card #3``."""
    if isinstance(entry, Mapping):
        entry_id = entry.get("id")
        if isinstance(entry_id, str) and entry_id.strip() and len(entry_id) <= 40:
            return place(element, id=entry_id)
    return place(f"{element}_number", number=position)


# --- TOML-shaped data ---------------------------------------------------------------

_DECK_KEYS = (
    "id",
    "version",
    "languages",
    "title",
    "description",
    "levels",
    "lenses",
    "top_size",
    "cards",
    "dilemmas",
)
_LENS_KEYS = ("id", "name", "prompt", "levels")
_CARD_KEYS = ("id", "pillar", "title", "description")
_DILEMMA_KEYS = ("id", "text", "cards")


def parse_deck(data: Mapping[str, object], source: str) -> Deck:
    """Validate decoded deck data (e.g. from ``tomllib``) and build a :class:`Deck`.

    Raises :class:`DeckInvalid` listing every problem found; never another exception for
    data of the wrong shape.
    """
    p = _Problems(source)
    if not isinstance(data, Mapping):
        p.add(None, "", "not_deck_table", got=_kind(data))
        p.raise_if_any()
    _unknown_keys(p, None, data, _DECK_KEYS)

    deck_id = _check_id(p, None, "id", data.get("id"), DECK_ID_PATTERN, DECK_ID_MAX)
    version = _parse_version(p, data.get("version"))
    languages = _parse_languages(p, data.get("languages"))
    title = _check_texts(
        p, None, "title", data.get("title"), languages, max_len=DECK_TITLE_MAX, one_line=True
    )
    description = _check_texts(
        p,
        None,
        "description",
        data.get("description"),
        languages,
        max_len=DECK_DESCRIPTION_MAX,
        one_line=False,
        required=False,
    )
    levels = _parse_levels(p, data.get("levels"), languages)
    lenses = _parse_lenses(p, data.get("lenses"), languages)
    top_size = _parse_top_size(p, data.get("top_size", DEFAULT_TOP_SIZE))
    cards, all_card_ids = _parse_cards(p, data.get("cards"), languages, top_size)
    dilemmas = _parse_dilemmas(p, data.get("dilemmas", []), languages, all_card_ids)

    p.raise_if_any()
    if deck_id is None or version is None or top_size is None:  # pragma: no cover
        raise DeckInvalid(p.items)  # unreachable: each of these was reported above
    return Deck(
        id=deck_id,
        version=version,
        languages=tuple(languages),
        title=title,
        description=description,
        levels=levels,
        lenses=lenses,
        top_size=top_size,
        cards=cards,
        dilemmas=dilemmas,
    )


def _parse_version(p: _Problems, value: object) -> int | None:
    if value is None:
        p.add(None, "version", "missing")
    elif isinstance(value, bool) or not isinstance(value, int):
        p.add(None, "version", "not_whole_number", got=_kind(value))
    elif value < 1:
        p.add(None, "version", "version_too_small", value=_shown(value))
    else:
        return value
    return None


def _parse_languages(p: _Problems, value: object) -> list[str]:
    if value is None:
        p.add(None, "languages", "missing")
        return []
    items = _check_list(p, None, "languages", value)
    if items is None:
        return []
    if not items:
        p.add(None, "languages", "languages_empty")
    languages: list[str] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, str) or not LANGUAGE_PATTERN.fullmatch(item):
            p.add(None, "languages", "language_code", item=index, value=_shown(item))
        elif item in languages:
            p.add(None, "languages", "language_twice", value=_shown(item))
        else:
            languages.append(item)
    if len(languages) > LANGUAGES_MAX:
        p.add(None, "languages", "too_many_languages", count=len(languages), max=LANGUAGES_MAX)
    return languages


def _parse_levels(
    p: _Problems, value: object, languages: Sequence[str], where: Phrase | None = None
) -> dict[str, tuple[str, ...]]:
    """The five pile labels per language: the deck's (``where`` None), or a lens's own."""
    if value is None:
        p.add(where, "levels", "missing")
        return {}
    if not isinstance(value, Mapping):
        p.add(where, "levels", "labels_per_language", count=LEVEL_COUNT, got=_kind(value))
        return {}
    levels: dict[str, tuple[str, ...]] = {}
    for lang in languages:
        name = f"levels.{lang}"
        if lang not in value:
            p.add(where, name, "missing")
            continue
        items = _check_list(p, where, name, value[lang])
        if items is None:
            continue
        if len(items) != LEVEL_COUNT:
            p.add(where, name, "labels_count", count=LEVEL_COUNT, found=len(items))
            continue
        labels: list[str] = []
        before = len(p)
        for level, item in enumerate(items, start=1):
            label = _check_text(
                p, where, f"{name}.{level}", item, max_len=LEVEL_LABEL_MAX, one_line=True
            )
            if label is not None:
                if label in labels:
                    first = labels.index(label) + 1
                    p.add(where, f"{name}.{level}", "label_twice", level=first)
                labels.append(label)
        if len(p) == before:
            levels[lang] = tuple(labels)
    if languages:
        for key in value:
            if key not in languages:
                p.add(
                    where,
                    f"levels.{_field(key)}",
                    "unknown_language",
                    languages=", ".join(languages),
                )
    return levels


def _parse_lenses(p: _Problems, value: object, languages: Sequence[str]) -> tuple[Lens, ...]:
    if value is None:
        p.add(None, "lenses", "lenses_missing")
        return ()
    items = _check_list(p, None, "lenses", value)
    if items is None:
        return ()
    if not items:
        p.add(None, "lenses", "lenses_empty")
    elif len(items) > LENSES_MAX:
        p.add(None, "lenses", "too_many_lenses", count=len(items), max=LENSES_MAX)
    lenses: list[Lens] = []
    seen: dict[str, int] = {}
    for position, entry in enumerate(items, start=1):
        where = _where("lens", entry, position)
        if not isinstance(entry, Mapping):
            p.add(where, "", "not_lens_table", got=_kind(entry))
            continue
        before = len(p)
        _unknown_keys(p, where, entry, _LENS_KEYS)
        lens_id = _check_id(p, where, "id", entry.get("id"), ITEM_ID_PATTERN, ITEM_ID_MAX)
        if lens_id is not None:
            if lens_id in seen:
                p.add(where, "id", "duplicate_lens", position=seen[lens_id])
            else:
                seen[lens_id] = position
        name = _check_texts(
            p,
            where,
            "name",
            entry.get("name"),
            languages,
            max_len=LENS_NAME_MAX,
            one_line=True,
            required=False,
        )
        prompt = _check_texts(
            p,
            where,
            "prompt",
            entry.get("prompt"),
            languages,
            max_len=LENS_PROMPT_MAX,
            one_line=False,
        )
        levels = entry.get("levels")
        own = _parse_levels(p, levels, languages, where) if levels is not None else {}
        if len(p) == before and lens_id is not None:
            lenses.append(Lens(lens_id, prompt, name, own))
    return tuple(lenses)


def _parse_top_size(p: _Problems, value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        p.add(None, "top_size", "not_whole_number", got=_kind(value))
        return None
    if not TOP_SIZE_MIN <= value <= TOP_SIZE_MAX:
        shown = _shown(value)
        p.add(None, "top_size", "top_size_range", min=TOP_SIZE_MIN, max=TOP_SIZE_MAX, value=shown)
        return None
    return value


def _parse_cards(
    p: _Problems, value: object, languages: Sequence[str], top_size: int | None
) -> tuple[tuple[Card, ...], set[str]]:
    """Valid cards, and every string id seen (so dilemmas are not blamed twice)."""
    if value is None:
        p.add(None, "cards", "missing")
        return (), set()
    items = _check_list(p, None, "cards", value)
    if items is None:
        return (), set()
    minimum = top_size if top_size is not None else TOP_SIZE_MIN
    if len(items) < minimum:
        p.add(None, "cards", "too_few_cards", count=len(items), top=minimum)
    elif len(items) > CARDS_MAX:
        p.add(None, "cards", "too_many_cards", count=len(items), max=CARDS_MAX)
    cards: list[Card] = []
    seen: dict[str, int] = {}
    for position, entry in enumerate(items, start=1):
        where = _where("card", entry, position)
        if not isinstance(entry, Mapping):
            p.add(where, "", "not_card_table", got=_kind(entry))
            continue
        before = len(p)
        _unknown_keys(p, where, entry, _CARD_KEYS)
        card_id = _check_id(p, where, "id", entry.get("id"), ITEM_ID_PATTERN, ITEM_ID_MAX)
        if card_id is not None:
            if card_id in seen:
                p.add(where, "id", "duplicate_card", position=seen[card_id])
            else:
                seen[card_id] = position
        card = _check_card(p, where, entry, languages, languages, sep=".")
        if card is not None and len(p) == before:
            cards.append(card)
    all_ids = {
        entry_id
        for entry in items
        if isinstance(entry, Mapping) and isinstance(entry_id := entry.get("id"), str)
    }
    return tuple(cards), all_ids


def _parse_dilemmas(
    p: _Problems, value: object, languages: Sequence[str], card_ids: set[str]
) -> tuple[Dilemma, ...]:
    items = _check_list(p, None, "dilemmas", value)
    if items is None:
        return ()
    if len(items) > DILEMMAS_MAX:
        p.add(None, "dilemmas", "too_many_dilemmas", count=len(items), max=DILEMMAS_MAX)
    dilemmas: list[Dilemma] = []
    seen: dict[str, int] = {}
    for position, entry in enumerate(items, start=1):
        where = _where("dilemma", entry, position)
        if not isinstance(entry, Mapping):
            p.add(where, "", "not_dilemma_table", got=_kind(entry))
            continue
        before = len(p)
        _unknown_keys(p, where, entry, _DILEMMA_KEYS)
        dilemma_id = _check_id(p, where, "id", entry.get("id"), ITEM_ID_PATTERN, ITEM_ID_MAX)
        if dilemma_id is not None:
            if dilemma_id in seen:
                p.add(where, "id", "duplicate_dilemma", position=seen[dilemma_id])
            else:
                seen[dilemma_id] = position
        text = _check_texts(
            p, where, "text", entry.get("text"), languages, max_len=DILEMMA_TEXT_MAX, one_line=False
        )
        related = _parse_dilemma_cards(p, where, entry.get("cards", []), card_ids)
        if len(p) == before and dilemma_id is not None:
            dilemmas.append(Dilemma(dilemma_id, text, related))
    return tuple(dilemmas)


def _parse_dilemma_cards(
    p: _Problems, where: Phrase, value: object, card_ids: set[str]
) -> tuple[str, ...]:
    items = _check_list(p, where, "cards", value)
    if items is None:
        return ()
    if len(items) > DILEMMA_CARDS_MAX:
        p.add(where, "cards", "too_many_cards", count=len(items), max=DILEMMA_CARDS_MAX)
    related: list[str] = []
    for item in items:
        if not isinstance(item, str):
            p.add(where, "cards", "not_card_id", got=_kind(item))
        elif item not in card_ids:
            suggestion = _suggestion(item, sorted(card_ids))
            if suggestion is None:
                p.add(where, "cards", "unknown_card", value=_shown(item))
            else:
                p.add(
                    where,
                    "cards",
                    "unknown_card_suggest",
                    value=_shown(item),
                    suggestion=suggestion,
                )
        elif item in related:
            p.add(where, "cards", "card_twice", value=_shown(item))
        else:
            related.append(item)
    return tuple(related)


# --- CSV rows -----------------------------------------------------------------------


def parse_cards_csv_rows(
    rows: Sequence[Mapping[str, str]], base: Deck, deck_id: str, source: str
) -> Deck:
    """Build a deck from spreadsheet rows: one card a row.

    Columns: ``id``, optional ``pillar``, and per language ``title_<lang>`` and
    ``description_<lang>``; the languages are those with a title column, in column order.
    Column names are matched case-insensitively. Level labels, lenses and top size come
    from ``base`` (normally the built-in default deck); the deck title is ``deck_id``; a
    CSV deck has no dilemmas. Rows that are entirely empty are skipped. Problems name the
    row as a spreadsheet shows it: the header is row 1, the first card row 2.

    Raises :class:`DeckInvalid` listing every problem found.
    """
    p = _Problems(source)
    if not DECK_ID_PATTERN.fullmatch(deck_id):
        p.add(None, "id", "file_name_id", value=_shown(deck_id), max=DECK_ID_MAX)
    if not rows:
        p.add(None, "", "no_card_rows")
        p.raise_if_any()

    header = place("header")
    columns = _csv_columns(rows)
    has_id = "id" in columns
    if not has_id:
        p.add(header, "id", "missing_column")
    title_languages: list[str] = []
    description_languages: list[str] = []
    for name, original in columns.items():
        prefix, _, lang = name.partition("_")
        if name in ("id", "pillar"):
            continue
        if prefix in ("title", "description") and LANGUAGE_PATTERN.fullmatch(lang):
            (title_languages if prefix == "title" else description_languages).append(lang)
        elif name == "" and not any(_cell(row, original) for row in rows):
            continue  # an empty trailing column, as spreadsheets like to export
        else:
            if name:
                p.add(header, _field(original), "unknown_column")
            else:
                p.add(header, "", "unnamed_column")
    if not title_languages:
        p.add(header, "", "no_title_column")
    for lang in description_languages:
        if lang not in title_languages:
            p.add(header, f"description_{lang}", "no_matching_title", lang=lang)
    for lang in title_languages:
        if lang not in description_languages:
            p.add(header, f"description_{lang}", "missing_column")
        if lang not in base.languages:
            p.add(
                header,
                f"title_{lang}",
                "language_not_in_base",
                lang=repr(lang),
                base=repr(base.id),
                languages=", ".join(base.languages),
            )
    if len(title_languages) > LANGUAGES_MAX:
        count = len(title_languages)
        p.add(header, "", "too_many_languages", count=count, max=LANGUAGES_MAX)
    described = [lang for lang in title_languages if lang in description_languages]

    cards: list[Card] = []
    seen: dict[str, int] = {}
    count = 0
    for row_number, row in enumerate(rows, start=2):
        where = place("row", number=row_number)
        if None in row:
            p.add(where, "", "row_too_wide")
        values = {name: _cell(row, original) for name, original in columns.items()}
        if not any(values.values()):
            continue
        count += 1
        before = len(p)
        card_id: str | None = None
        if has_id:
            card_id = _check_id(p, where, "id", values["id"] or None, ITEM_ID_PATTERN, ITEM_ID_MAX)
            if card_id is not None:
                if card_id in seen:
                    first = seen[card_id]
                    p.add(where, "id", "duplicate_card_row", value=_shown(card_id), row=first)
                else:
                    seen[card_id] = row_number
        entry: dict[str, object] = {
            "id": card_id,
            "pillar": values.get("pillar"),
            "title": {lang: values[f"title_{lang}"] for lang in title_languages},
            "description": {lang: values[f"description_{lang}"] for lang in described},
        }
        card = _check_card(p, where, entry, title_languages, described, sep="_")
        if card is not None and len(p) == before:
            cards.append(card)

    if count < base.top_size:
        p.add(None, "", "too_few_cards", count=count, top=base.top_size)
    elif count > CARDS_MAX:
        p.add(None, "", "too_many_cards", count=count, max=CARDS_MAX)
    p.raise_if_any()

    return Deck(
        id=deck_id,
        version=1,
        languages=tuple(title_languages),
        title={lang: deck_id for lang in title_languages},
        description={},
        levels={lang: base.levels[lang] for lang in title_languages},
        lenses=tuple(
            Lens(
                lens.id,
                {lang: base.text(lens.prompt, lang) for lang in title_languages},
                {lang: lens.name[lang] for lang in title_languages if lang in lens.name},
            )
            for lens in base.lenses
        ),
        top_size=base.top_size,
        cards=tuple(cards),
        dilemmas=(),
    )


def _csv_columns(rows: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """Normalised column name -> the key as it appears in the rows, in column order."""
    columns: dict[str, str] = {}
    for row in rows:
        for key in row:
            if isinstance(key, str):
                columns.setdefault(key.strip().lower(), key)
    return columns


def _cell(row: Mapping[str, object], key: str) -> str:
    value = row.get(key)
    return value.strip() if isinstance(value, str) else ""
