"""Deck file schema (bot/decks/schema.py): every rule, all problems at once."""

from __future__ import annotations

import ast
import copy
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.decks import files, schema
from bot.decks.problems import (
    KIND,
    PROBLEM,
    PROBLEM_CODES,
    WHERE,
    WORDS,
    DeckError,
    DeckInvalid,
    DeckProblem,
    place,
)
from bot.decks.schema import parse_cards_csv_rows, parse_deck
from bot.render import Renderer
from conversations.deck import (
    CARD_DESCRIPTION_MAX,
    CARD_TITLE_MAX,
    DILEMMA_TEXT_MAX,
    LENS_PROMPT_MAX,
    LEVEL_LABEL_MAX,
    Card,
    Deck,
    Dilemma,
    Lens,
    Pillar,
)

SOURCE = "decks/x.toml"
ENGLISH = Renderer()


def where(problem: DeckProblem) -> str:
    """Where the problem is, in English: ``card "humour"``, ``row 3``, ``""``."""
    return problem.where.text(ENGLISH, "en") if problem.where is not None else ""


def card(card_id: str, pillar: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": card_id,
        "title": {"nl": f"Titel {card_id}", "en": f"Title {card_id}"},
        "description": {"nl": f"Beschrijving {card_id}.", "en": f"Description {card_id}."},
    }
    if pillar is not None:
        entry["pillar"] = pillar
    return entry


def minimal() -> dict[str, Any]:
    """A small valid deck, as ``tomllib`` would return it."""
    return {
        "id": "mini",
        "version": 2,
        "languages": ["nl", "en"],
        "title": {"nl": "Mini", "en": "Mini"},
        "levels": {
            "nl": ["Minst", "Minder", "Neutraal", "Belangrijker", "Meest"],
            "en": ["Least", "Less", "Neutral", "More", "Most"],
        },
        "lenses": [{"id": "work", "prompt": {"nl": "Sorteer.", "en": "Sort."}}],
        "top_size": 2,
        "cards": [card("trust", "ethics"), card("humour"), card("focus", "excellence")],
        "dilemmas": [
            {"id": "late", "text": {"nl": "Wat nu?", "en": "What now?"}, "cards": ["trust"]}
        ],
    }


def problems_of(data: Any, source: str = SOURCE) -> list[DeckProblem]:
    with pytest.raises(DeckInvalid) as caught:
        parse_deck(data, source)
    return list(caught.value.problems)


def keys(problems: list[DeckProblem]) -> set[tuple[str, str]]:
    return {(where(p), p.field) for p in problems}


# --- A valid deck -------------------------------------------------------------------


def test_minimal_deck_parses() -> None:
    deck = parse_deck(minimal(), SOURCE)
    assert deck.id == "mini"
    assert deck.version == 2
    assert deck.languages == ("nl", "en")
    assert deck.top_size == 2
    assert deck.card_ids == ("trust", "humour", "focus")
    assert deck.card("trust").pillar is Pillar.ETHICS
    assert deck.card("humour").pillar is None
    assert deck.lens("work").prompt["en"] == "Sort."
    assert deck.lens_ids == ("work",)
    assert deck.dilemmas == (Dilemma("late", {"nl": "Wat nu?", "en": "What now?"}, ("trust",)),)
    assert deck.levels["en"][4] == "Most"
    assert deck.description == {}


def test_top_size_defaults_to_four() -> None:
    data = minimal()
    del data["top_size"]
    data["cards"].append(card("extra"))
    assert parse_deck(data, SOURCE).top_size == 4


def test_dilemmas_and_description_are_optional() -> None:
    data = minimal()
    del data["dilemmas"]
    data["description"] = {"en": "Only English."}
    deck = parse_deck(data, SOURCE)
    assert deck.dilemmas == ()
    assert deck.text(deck.description, "nl") == "Only English."


def test_texts_are_stripped() -> None:
    data = minimal()
    data["dilemmas"][0]["text"]["en"] = "\n  What now?\n"
    assert parse_deck(data, SOURCE).dilemma("late").text["en"] == "What now?"


def test_helpers_and_language_fallback() -> None:
    deck = parse_deck(minimal(), SOURCE)
    assert deck.text({"nl": "Hallo", "en": "Hello"}, "en") == "Hello"
    assert deck.text({"nl": "Hallo", "en": "Hello"}, "de") == "Hallo"
    assert deck.text({"en": "Hello"}, "de") == "Hello"
    assert deck.text({}, "en") == ""
    assert deck.language("de") == "nl"
    assert deck.language("en") == "en"
    assert deck.level_label(1, "en") == "Least"
    assert deck.level_label(5, "fr") == "Meest"
    assert deck.has_card("focus")
    assert not deck.has_card("nope")
    with pytest.raises(KeyError):
        deck.card("nope")
    with pytest.raises(KeyError):
        deck.lens("nope")
    with pytest.raises(KeyError):
        deck.dilemma("nope")


def test_deck_is_frozen_hashable_and_compares_by_value() -> None:
    one = parse_deck(minimal(), SOURCE)
    two = parse_deck(minimal(), SOURCE)
    assert one == two
    assert hash(one) == hash(two)
    assert len({one, two}) == 1
    with pytest.raises(AttributeError):
        one.id = "other"  # type: ignore[misc]


def test_model_copies_caller_mappings() -> None:
    title = {"en": "Trust"}
    made = Card("trust", title, {"en": "We rely on each other."}, Pillar.ETHICS)
    title["en"] = "Changed"
    assert made.title == {"en": "Trust"}
    lens = Lens("work", {"en": "Sort."})
    assert lens.name == {}


# --- Every rule names its problem ---------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return mutate


RULES: list[tuple[str, Mutation, str, str, str, str]] = [
    # (name, mutation, where, field, problem code, part of the English message)
    (
        "unknown top key",
        _set(("titel",), {}),
        "",
        "titel",
        "unknown_key_suggest",
        "did you mean 'title'",
    ),
    ("deck id missing", _delete(("id",)), "", "id", "missing", "missing"),
    ("deck id pattern", _set(("id",), "Mini Deck"), "", "id", "bad_id", "a-z, 0-9"),
    ("deck id too long", _set(("id",), "x" * 33), "", "id", "bad_id", "1 to 32"),
    ("deck id type", _set(("id",), 7), "", "id", "not_text", "expected text"),
    ("version missing", _delete(("version",)), "", "version", "missing", "missing"),
    ("version zero", _set(("version",), 0), "", "version", "version_too_small", "1 or more"),
    ("version type", _set(("version",), "1"), "", "version", "not_whole_number", "whole number"),
    ("version bool", _set(("version",), True), "", "version", "not_whole_number", "whole number"),
    (
        "languages empty",
        _set(("languages",), []),
        "",
        "languages",
        "languages_empty",
        "at least one",
    ),
    (
        "languages code",
        _set(("languages",), ["nl", "eng"]),
        "",
        "languages",
        "language_code",
        "two-letter",
    ),
    (
        "languages twice",
        _set(("languages",), ["nl", "en", "nl"]),
        "",
        "languages",
        "language_twice",
        "twice",
    ),
    ("languages type", _set(("languages",), "nl"), "", "languages", "not_list", "expected a list"),
    ("title missing", _delete(("title",)), "", "title", "missing", "missing"),
    ("title lang missing", _delete(("title", "en")), "", "title.en", "missing", "missing"),
    (
        "title unknown lang",
        _set(("title", "de"), "Mini"),
        "",
        "title.de",
        "unknown_language",
        "unknown language",
    ),
    (
        "title type",
        _set(("title",), "Mini"),
        "",
        "title",
        "texts_per_language",
        "one text per deck language",
    ),
    (
        "description type",
        _set(("description",), ["x"]),
        "",
        "description",
        "texts_per_language",
        "per deck language",
    ),
    ("levels missing", _delete(("levels",)), "", "levels", "missing", "missing"),
    ("levels lang missing", _delete(("levels", "en")), "", "levels.en", "missing", "missing"),
    (
        "levels count",
        _set(("levels", "en"), ["a", "b", "c", "d"]),
        "",
        "levels.en",
        "labels_count",
        "exactly 5",
    ),
    ("level empty", _set(("levels", "nl", 2), " "), "", "levels.nl.3", "empty", "empty"),
    (
        "level too long",
        _set(("levels", "en", 0), "x" * (LEVEL_LABEL_MAX + 1)),
        "",
        "levels.en.1",
        "too_long",
        "too long",
    ),
    (
        "level same label",
        _set(("levels", "en", 1), "Least"),
        "",
        "levels.en.2",
        "label_twice",
        "same name as pile 1",
    ),
    ("level type", _set(("levels", "en", 4), 5), "", "levels.en.5", "not_text", "expected text"),
    (
        "level newline",
        _set(("levels", "en", 4), "Most\nimportant"),
        "",
        "levels.en.5",
        "not_one_line",
        "line",
    ),
    ("lenses missing", _delete(("lenses",)), "", "lenses", "lenses_missing", "at least one lens"),
    ("lenses empty", _set(("lenses",), []), "", "lenses", "lenses_empty", "at least one lens"),
    ("lens type", _set(("lenses", 0), "work"), "lens #1", "", "not_lens_table", "expected a table"),
    ("lens id pattern", _set(("lenses", 0, "id"), "Work"), 'lens "Work"', "id", "bad_id", "a-z"),
    (
        "lens id too long",
        _set(("lenses", 0, "id"), "w" * 17),
        f'lens "{"w" * 17}"',
        "id",
        "bad_id",
        "16",
    ),
    (
        "lens prompt missing",
        _delete(("lenses", 0, "prompt", "nl")),
        'lens "work"',
        "prompt.nl",
        "missing",
        "",
    ),
    (
        "lens prompt too long",
        _set(("lenses", 0, "prompt", "en"), "x" * (LENS_PROMPT_MAX + 1)),
        'lens "work"',
        "prompt.en",
        "too_long",
        "too long",
    ),
    (
        "lens unknown key",
        _set(("lenses", 0, "promt"), {}),
        'lens "work"',
        "promt",
        "unknown_key_suggest",
        "prompt",
    ),
    ("top_size zero", _set(("top_size",), 0), "", "top_size", "top_size_range", "1 to 10"),
    ("top_size eleven", _set(("top_size",), 11), "", "top_size", "top_size_range", "1 to 10"),
    ("top_size type", _set(("top_size",), "4"), "", "top_size", "not_whole_number", "whole number"),
    (
        "fewer cards than top",
        _set(("top_size",), 4),
        "",
        "cards",
        "too_few_cards",
        "too few cards: 3, at least 4",
    ),
    ("cards missing", _delete(("cards",)), "", "cards", "missing", "missing"),
    ("cards type", _set(("cards",), {"trust": {}}), "", "cards", "not_list", "expected a list"),
    (
        "card type",
        _set(("cards", 1), "humour"),
        "card #2",
        "",
        "not_card_table",
        "expected a table",
    ),
    ("card id missing", _delete(("cards", 1, "id")), "card #2", "id", "missing", "missing"),
    (
        "card id pattern",
        _set(("cards", 1, "id"), "hu mour"),
        'card "hu mour"',
        "id",
        "bad_id",
        "a-z",
    ),
    ("card id colon", _set(("cards", 1, "id"), "a:b"), 'card "a:b"', "id", "bad_id", "a-z"),
    (
        "card id duplicate",
        _set(("cards", 1, "id"), "trust"),
        'card "trust"',
        "id",
        "duplicate_card",
        "card #1",
    ),
    (
        "card title missing",
        _delete(("cards", 1, "title", "en")),
        'card "humour"',
        "title.en",
        "missing",
        "",
    ),
    (
        "card title empty",
        _set(("cards", 1, "title", "nl"), ""),
        'card "humour"',
        "title.nl",
        "empty",
        "",
    ),
    (
        "card title too long",
        _set(("cards", 1, "title", "en"), "x" * (CARD_TITLE_MAX + 1)),
        'card "humour"',
        "title.en",
        "too_long",
        "too long: 61 characters, at most 60",
    ),
    (
        "card description too long",
        _set(("cards", 1, "description", "en"), "x" * (CARD_DESCRIPTION_MAX + 1)),
        'card "humour"',
        "description.en",
        "too_long",
        "too long",
    ),
    (
        "card description two lines",
        _set(("cards", 1, "description", "en"), "One.\nTwo."),
        'card "humour"',
        "description.en",
        "not_one_line",
        "single line",
    ),
    (
        "card description missing",
        _delete(("cards", 1, "description")),
        'card "humour"',
        "description",
        "missing",
        "missing",
    ),
    (
        "card pillar",
        _set(("cards", 1, "pillar"), "fun"),
        'card "humour"',
        "pillar",
        "unknown_pillar",
        "not one of",
    ),
    (
        "card pillar type",
        _set(("cards", 1, "pillar"), 3),
        'card "humour"',
        "pillar",
        "not_pillar",
        "expected",
    ),
    (
        "card unknown key",
        _set(("cards", 1, "titel"), {}),
        'card "humour"',
        "titel",
        "unknown_key_suggest",
        "title",
    ),
    ("dilemmas type", _set(("dilemmas",), {}), "", "dilemmas", "not_list", "expected a list"),
    ("dilemma id", _set(("dilemmas", 0, "id"), "Late!"), 'dilemma "Late!"', "id", "bad_id", "a-z"),
    (
        "dilemma text",
        _delete(("dilemmas", 0, "text", "en")),
        'dilemma "late"',
        "text.en",
        "missing",
        "",
    ),
    (
        "dilemma text too long",
        _set(("dilemmas", 0, "text", "en"), "x" * (DILEMMA_TEXT_MAX + 1)),
        'dilemma "late"',
        "text.en",
        "too_long",
        "too long",
    ),
    (
        "dilemma unknown card",
        _set(("dilemmas", 0, "cards"), ["trust", "trsut"]),
        'dilemma "late"',
        "cards",
        "unknown_card_suggest",
        "did you mean 'trust'",
    ),
    (
        "dilemma card twice",
        _set(("dilemmas", 0, "cards"), ["trust", "trust"]),
        'dilemma "late"',
        "cards",
        "card_twice",
        "twice",
    ),
    (
        "dilemma cards type",
        _set(("dilemmas", 0, "cards"), "trust"),
        'dilemma "late"',
        "cards",
        "not_list",
        "",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "place", "field_name", "code", "message"),
    [pytest.param(*rule[1:], id=rule[0]) for rule in RULES],
)
def test_every_rule_names_its_problem(
    mutate: Mutation, place: str, field_name: str, code: str, message: str
) -> None:
    data = minimal()
    mutate(data)
    problems = problems_of(data)
    matching = [
        p
        for p in problems
        if (not place or where(p) == place)
        and (not field_name or p.field == field_name)
        and p.code == code
        and message in str(p)
    ]
    assert matching, "\n".join(str(p) for p in problems)
    assert all(p.source == SOURCE for p in problems)


def test_duplicate_id_and_missing_title_are_both_reported() -> None:
    data = minimal()
    data["cards"][2]["id"] = "trust"
    del data["cards"][1]["title"]["en"]
    problems = problems_of(data)
    assert keys(problems) == {('card "trust"', "id"), ('card "humour"', "title.en")}
    assert [str(p) for p in problems] == [
        'decks/x.toml: card "humour": title.en: missing',
        'decks/x.toml: card "trust": id: this id is already used by card #1',
    ]


def test_many_problems_across_the_deck_are_all_reported() -> None:
    data = minimal()
    data["id"] = "Bad Id"
    data["version"] = -1
    data["levels"]["en"] = ["a"]
    data["lenses"][0]["prompt"] = "Sort."
    data["cards"][0]["pillar"] = "love"
    data["cards"][1]["description"]["nl"] = "x" * 400
    data["dilemmas"][0]["cards"] = ["ghost"]
    data["extra"] = 1
    problems = problems_of(data)
    assert keys(problems) == {
        ("", "extra"),
        ("", "id"),
        ("", "version"),
        ("", "levels.en"),
        ('lens "work"', "prompt"),
        ('card "trust"', "pillar"),
        ('card "humour"', "description.nl"),
        ('dilemma "late"', "cards"),
    }


@pytest.mark.parametrize("data", [[], "deck", 3, None, {"cards": "x", "lenses": 5, "levels": []}])
def test_wrong_shapes_give_problems_not_crashes(data: Any) -> None:
    assert problems_of(data)


def test_invalid_languages_still_reports_other_problems() -> None:
    data = minimal()
    data["languages"] = "nl,en"
    data["cards"][0]["id"] = "Trust"
    problems = problems_of(data)
    assert ("", "languages") in keys(problems)
    assert ('card "Trust"', "id") in keys(problems)


def test_problem_text_and_exception() -> None:
    problem = DeckProblem("decks/x.toml", place("card", id="loyalty"), "title.en", "missing")
    assert str(problem) == 'decks/x.toml: card "loyalty": title.en: missing'
    assert problem.text(ENGLISH, "nl") == 'decks/x.toml: kaart "loyalty": title.en: ontbreekt'
    assert str(DeckProblem("x.toml", None, "", "file_empty")) == "x.toml: the file is empty"
    error = DeckInvalid([problem, problem])
    assert isinstance(error, DeckError)
    assert error.problems == (problem, problem)
    assert str(error).splitlines() == ["2 problems in deck", str(problem), str(problem)]


def test_input_data_is_not_modified() -> None:
    data = minimal()
    before = copy.deepcopy(data)
    parse_deck(data, SOURCE)
    assert data == before


# --- CSV rows -----------------------------------------------------------------------


@pytest.fixture
def base() -> Deck:
    data = minimal()
    data["lenses"].append(
        {"id": "now", "name": {"nl": "Nu", "en": "Now"}, "prompt": {"nl": "Nu.", "en": "Now."}}
    )
    return parse_deck(data, "base.toml")


def row(card_id: str, **extra: str) -> dict[str, str]:
    values = {
        "id": card_id,
        "pillar": "",
        "title_nl": f"Titel {card_id}",
        "description_nl": "Een regel.",
        "title_en": f"Title {card_id}",
        "description_en": "One line.",
    }
    values.update(extra)
    return values


def csv_problems(rows: list[dict[str, str]], base: Deck, deck_id: str = "team") -> set[str]:
    with pytest.raises(DeckInvalid) as caught:
        parse_cards_csv_rows(rows, base, deck_id, "team.csv")
    assert all(p.source == "team.csv" for p in caught.value.problems)
    return {str(p) for p in caught.value.problems}


def test_csv_rows_make_a_deck(base: Deck) -> None:
    rows = [row("trust", pillar="Ethics"), row("humour"), row("focus")]
    deck = parse_cards_csv_rows(rows, base, "team", "team.csv")
    assert deck.id == "team"
    assert deck.version == 1
    assert deck.languages == ("nl", "en")
    assert deck.title == {"nl": "team", "en": "team"}
    assert deck.card_ids == ("trust", "humour", "focus")
    assert deck.card("trust").pillar is Pillar.ETHICS
    assert deck.card("humour").pillar is None
    assert deck.card("focus").description == {"nl": "Een regel.", "en": "One line."}
    assert deck.levels == base.levels
    assert deck.top_size == base.top_size
    assert deck.lens_ids == ("work", "now")
    assert deck.lens("now").name == {"nl": "Nu", "en": "Now"}
    assert deck.dilemmas == ()


def test_csv_languages_follow_title_columns(base: Deck) -> None:
    rows = [
        {"ID": "trust", " Title_EN ": "Trust", "description_en": "We rely on each other."},
        {"ID": "focus", " Title_EN ": "Focus", "description_en": "We know what matters."},
    ]
    deck = parse_cards_csv_rows(rows, base, "team", "team.csv")
    assert deck.languages == ("en",)
    assert deck.levels == {"en": base.levels["en"]}
    assert deck.lens("work").prompt == {"en": "Sort."}


def test_csv_blank_rows_are_skipped(base: Deck) -> None:
    blank = dict.fromkeys(row("x"), "")
    deck = parse_cards_csv_rows([row("a"), blank, row("b")], base, "team", "team.csv")
    assert deck.card_ids == ("a", "b")


def test_csv_problems_name_rows_and_columns(base: Deck) -> None:
    rows = [
        row("trust"),
        row("trust"),
        row("Bad Id", title_en=""),
        row("long", description_nl="x" * 301, pillar="fun"),
    ]
    assert csv_problems(rows, base) == {
        "team.csv: row 3: id: the card id 'trust' is already used in row 2",
        "team.csv: row 4: id: 'Bad Id' must be 1 to 16 characters of a-z, 0-9 and '-'",
        "team.csv: row 4: title_en: empty",
        "team.csv: row 5: description_nl: too long: 301 characters, at most 300",
        "team.csv: row 5: pillar: 'fun' is not one of excellence, ethics, engagement",
    }


def test_csv_missing_id_column_is_a_problem(base: Deck) -> None:
    rows = [{k: v for k, v in row(name).items() if k != "id"} for name in ("a", "b", "c")]
    assert "team.csv: header: id: missing column" in csv_problems(rows, base)


def test_csv_empty_file_is_a_problem(base: Deck) -> None:
    assert csv_problems([], base) == {
        "team.csv: no cards: the file is empty or has only a header row"
    }


def test_csv_header_problems(base: Deck) -> None:
    rows = [
        {
            "id": name,
            "titel_nl": "x",
            "title_nl": "T",
            "description_fr": "D",
            "title_de": "T",
            "description_de": "D",
        }
        for name in ("a", "b", "c")
    ]
    found = csv_problems(rows, base)
    assert "team.csv: header: description_nl: missing column" in found
    assert any(p.startswith("team.csv: header: titel_nl: unknown column") for p in found)
    assert "team.csv: header: description_fr: there is no title_fr column to go with it" in found
    assert any(p.startswith("team.csv: header: title_de: language 'de'") for p in found)


def test_csv_without_title_columns(base: Deck) -> None:
    found = csv_problems([{"id": "a"}, {"id": "b"}], base)
    assert "team.csv: header: no title column: add one per language, e.g. title_nl" in found


def test_csv_too_few_cards_and_bad_deck_id(base: Deck) -> None:
    found = csv_problems([row("a")], base, deck_id="My Deck")
    assert "team.csv: too few cards: 1, at least 2 (as many as the top holds)" in found
    assert any(p.startswith("team.csv: id: the deck id 'My Deck', made from") for p in found)


def test_csv_extra_values_are_reported(base: Deck) -> None:
    broken: dict[Any, Any] = row("b")
    broken[None] = ["surplus"]  # what csv.DictReader does with values beyond the header
    found = csv_problems([row("a"), broken, row("c")], base)
    assert any(p.startswith("team.csv: row 3: more values than there are columns") for p in found)


# --- Hostile values (issue 14): quoted short, never a ValueError ----------------------

HUGE = int("f" * 20_000, 16)  # a TOML 0x-number can be this big; str() of it raises


def test_huge_numbers_are_named_not_printed() -> None:
    data = minimal()
    data["version"] = -HUGE
    data["top_size"] = HUGE
    data["languages"] = ["nl", "en", HUGE]
    data["dilemmas"][0]["cards"] = ["trust", HUGE]
    data["cards"][0]["pillar"] = HUGE
    found = {str(p) for p in problems_of(data)}
    assert f"{SOURCE}: version: must be 1 or more, got a number too large to show" in found
    assert f"{SOURCE}: top_size: must be 1 to 10, got a number too large to show" in found
    assert (
        f"{SOURCE}: languages: item 3: a number too large to show"
        " is not a two-letter code like 'nl'"
    ) in found
    assert all(len(p) < 200 for p in found)


def test_long_keys_and_values_are_cut_short() -> None:
    data = minimal()
    data["k" * 100_000] = 1
    data["id"] = "x" * 100_000
    data["cards"][1]["pillar"] = "p" * 100_000
    data["dilemmas"][0]["cards"] = ["trust", "c" * 100_000, ["nested", HUGE]]
    found = problems_of(data)
    assert all(len(str(p)) < 200 for p in found), [str(p)[:300] for p in found]
    assert ("", "k" * 57 + "...") in keys(found)
    assert any(p.field == "id" and str(p).startswith(f"{SOURCE}: id: 'xxx") for p in found)
    assert any(p.code == "unknown_card" and "unknown card 'ccc" in str(p) for p in found)


def test_csv_long_column_name_is_cut_short(base: Deck) -> None:
    rows = [{**row(name), "z" * 100_000: "v"} for name in ("a", "b", "c")]
    found = csv_problems(rows, base)
    assert any(p.startswith("team.csv: header: " + "z" * 57 + "...: unknown column") for p in found)


def test_a_lens_may_have_piles_of_its_own() -> None:
    data = minimal()
    present = ["Nauwelijks", "Weinig", "Enigszins", "Duidelijk", "Sterk"]
    data["lenses"].append(
        {
            "id": "now",
            "prompt": {"nl": "Hoe is het nu?", "en": "How is it now?"},
            "levels": {"nl": present, "en": ["Hardly", "Little", "Somewhat", "Clearly", "Very"]},
        }
    )
    deck = parse_deck(data, SOURCE)
    assert deck.level_label(5, "nl", 1) == "Sterk" and deck.level_label(1, "en", 1) == "Hardly"
    assert deck.level_label(5, "nl", 0) == "Meest", "the other lens keeps the deck's piles"
    assert deck.level_label(5, "nl") == "Meest"
    broken = minimal()
    broken["lenses"][0]["levels"] = {"nl": present[:4], "en": ["a", "a", "b", "c", "d"]}
    found = keys(problems_of(broken))
    assert {('lens "work"', "levels.nl"), ('lens "work"', "levels.en.2")} <= found, found


# --- Words: every problem in Dutch and English (issue 17) -----------------------------


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_problem_code_has_words_in_both_languages(locale: str) -> None:
    labels = ENGLISH.labels(locale, "deck_")
    own = ENGLISH.label_keys(locale)
    for key, params in WORDS.items():
        assert key in own, f"{locale}: no label {key}"
        assert _placeholders(labels[key]) == set(params), f"{locale}: {key}"
    stray = {key for key in own if key.startswith((PROBLEM, WHERE, KIND))} - set(WORDS)
    assert stray == set(), "labels no problem uses"


def test_dutch_and_english_problems_differ() -> None:
    for code in PROBLEM_CODES:
        key = PROBLEM + code
        assert ENGLISH.label("nl", key) != ENGLISH.label("en", key), code


def test_every_problem_code_is_used_by_the_checks() -> None:
    literals = set()
    for module in (schema, files):
        tree = ast.parse(Path(module.__file__ or "").read_text("utf-8"))
        literals |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
    assert PROBLEM_CODES - literals == set()


def test_a_problem_takes_exactly_its_parameters() -> None:
    with pytest.raises(ValueError, match="takes"):
        DeckProblem(SOURCE, None, "", "too_long", {"length": 3})
    with pytest.raises(ValueError, match="takes"):
        DeckProblem(SOURCE, None, "", "no_such_problem")
    with pytest.raises(ValueError, match="takes"):
        place("card", number=3)


def test_a_dutch_reader_reads_every_part_in_dutch() -> None:
    data = minimal()
    data["cards"][1] = 3
    data["dilemmas"][0]["cards"] = ["trsut"]
    data["top_size"] = 0
    found = [p.text(ENGLISH, "nl") for p in problems_of(data)]
    assert found == [
        "decks/x.toml: top_size: moet 1 tot en met 10 zijn, maar is 0",
        "decks/x.toml: kaart nr. 2: hier hoort een tabel met id, title en description,"
        " maar er staat een geheel getal",
        "decks/x.toml: dilemma \"late\": cards: onbekende kaart 'trsut' (bedoel je 'trust'?)",
    ]
