"""The shipped deck files and the file loader (bot/decks/files.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.decks.files import (
    DECKS_DIR,
    DEFAULT_DECK_ID,
    check_files,
    deck_id_from_filename,
    default_base_deck,
    load_builtin_decks,
    load_deck_bytes,
    load_deck_file,
    main,
)
from bot.decks.problems import DeckInvalid, DeckProblem, place
from conversations.deck import LEVEL_COUNT, Deck, Pillar

PROJECT_DIR = Path(__file__).resolve().parents[1]

SEED_VALUES = (
    "sociale betrokkenheid",
    "openheid naar anderen",
    "openstaan voor nieuwe ideeën",
    "kwaliteit van het geleverde werk",
    "persoonlijke ontwikkeling",
    "plezier in het werk",
    "sociale contacten",
    "spiritualiteit",
    "onafhankelijkheid",
)

ALL_DECK_FILES = sorted(
    path for path in DECKS_DIR.rglob("*") if path.suffix.lower() in (".toml", ".csv")
)


@pytest.fixture(scope="module")
def goed_werk() -> Deck:
    return load_deck_file(DECKS_DIR / "goed-werk.toml")


@pytest.mark.parametrize("path", ALL_DECK_FILES, ids=lambda path: path.name)
def test_every_shipped_deck_file_loads(path: Path) -> None:
    deck = load_deck_file(path)
    assert deck.cards
    assert check_files([path]) == []


def test_shipped_files_have_no_problems_together() -> None:
    assert len(ALL_DECK_FILES) >= 3
    assert check_files(ALL_DECK_FILES) == []


def test_goed_werk_shape(goed_werk: Deck) -> None:
    assert goed_werk.id == DEFAULT_DECK_ID
    assert goed_werk.languages == ("nl", "en")
    assert len(goed_werk.cards) == 30
    assert goed_werk.lens_ids == ("professional", "situation")
    assert goed_werk.top_size == 4
    assert len(goed_werk.dilemmas) >= 8
    assert all(len(d.cards) == 2 for d in goed_werk.dilemmas)
    assert all(card.pillar is not None for card in goed_werk.cards)
    assert {card.pillar for card in goed_werk.cards} == set(Pillar)
    assert goed_werk.levels["nl"] == (
        "Minst belangrijk",
        "Minder belangrijk",
        "Neutraal",
        "Belangrijker",
        "Meest belangrijk",
    )
    assert goed_werk.levels["en"] == (
        "Least important",
        "Less important",
        "Neutral",
        "More important",
        "Most important",
    )
    for lang in goed_werk.languages:
        assert goed_werk.title[lang]
        assert goed_werk.description[lang]
        for lens in goed_werk.lenses:
            assert lens.prompt[lang]
            assert lens.name[lang]
        for card in goed_werk.cards:
            assert card.title[lang]
            assert card.description[lang]
        for dilemma in goed_werk.dilemmas:
            assert dilemma.text[lang].rstrip().endswith("?")


@pytest.mark.parametrize("value", SEED_VALUES)
def test_goed_werk_holds_every_seed_value(goed_werk: Deck, value: str) -> None:
    titles = [card.title["nl"].casefold() for card in goed_werk.cards]
    assert any(value.casefold() in title for title in titles), value


def test_goed_werk_independence_card_names_the_seed_phrase(goed_werk: Deck) -> None:
    card = goed_werk.card("independence")
    assert "onafhankelijk in denken, afhankelijk in doen" in card.description["nl"].casefold()


def test_callback_data_fits_for_every_shipped_card() -> None:
    session = "s" * 20
    for path in ALL_DECK_FILES:
        deck = load_deck_file(path)
        for card in deck.cards:
            assert len(f"r:{session}:{card.id}:{LEVEL_COUNT}".encode()) <= 64


def test_builtin_decks(goed_werk: Deck) -> None:
    decks = load_builtin_decks()
    assert next(iter(decks)) == DEFAULT_DECK_ID
    assert decks[DEFAULT_DECK_ID] == goed_werk
    team = decks["team-values"]
    assert team.top_size == 3
    assert len(team.dilemmas) == 3
    assert 12 <= len(team.cards) <= 15
    assert team.languages == ("nl", "en")
    assert set(team.card_ids).isdisjoint({"social-involved", "spirituality"})


def test_example_csv_loads(goed_werk: Deck) -> None:
    deck = load_deck_file(DECKS_DIR / "examples" / "team-example.csv")
    assert deck.id == "team-example"
    assert deck.languages == ("nl", "en")
    assert len(deck.cards) == 8
    assert deck.levels == goed_werk.levels
    assert deck.lens_ids == goed_werk.lens_ids
    assert deck.top_size == goed_werk.top_size


# --- Uploads ------------------------------------------------------------------------

GOOD_TOML = (DECKS_DIR / "team-values.toml").read_bytes()
GOOD_CSV = (DECKS_DIR / "examples" / "team-example.csv").read_bytes()


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("deck.toml", b"\xff\xfe\x00garbage\x80\x81", "not UTF-8"),
        ("deck.csv", b"id,title_nl\n\x80\x81,x\n", "not UTF-8"),
        ("deck.toml", b"id = \n", "not valid TOML"),
        ("deck.toml", b'title = "unterminated', "not valid TOML"),
        ("deck.toml", b"", "empty"),
        ("deck.csv", b"   \n", "empty"),
        ("deck.csv", b"id,title_nl,description_nl\n", "no cards"),
        ("deck.toml", b"cards = 3\n", "cards"),
        ("deck.pdf", b"%PDF-1.4", "unsupported file type"),
        ("deck.toml", b"a\x00b", "not a text file"),
        ("deck.toml", b"#" * (300 * 1024), "too large"),
    ],
)
def test_bad_uploads_give_deck_invalid(filename: str, data: bytes, expected: str) -> None:
    with pytest.raises(DeckInvalid) as caught:
        load_deck_bytes(filename, data, default_base_deck())
    assert any(expected in str(p) for p in caught.value.problems), caught.value


def test_toml_syntax_error_names_the_line() -> None:
    data = b'id = "x"\nversion = 1\nlanguages = ["nl"\ntitle = 3\n'
    with pytest.raises(DeckInvalid) as caught:
        load_deck_bytes("broken.toml", data, default_base_deck())
    (problem,) = caught.value.problems
    assert problem.source == "broken.toml"
    assert problem.code == "toml_syntax"
    assert problem.where == place("line_column", line=4, column=1)
    assert str(problem).startswith(
        "broken.toml: line 4, column 1: not valid TOML (the reader says:"
    )


def test_non_utf8_names_the_line() -> None:
    data = b"id,title_nl\nok,fine\nbad,caf\xe9\n"
    with pytest.raises(DeckInvalid) as caught:
        load_deck_bytes("cards.csv", data, default_base_deck())
    (problem,) = caught.value.problems
    assert (problem.where, problem.code) == (place("line", number=3), "not_utf8")


def test_good_uploads_load() -> None:
    base = default_base_deck()
    assert load_deck_bytes("team-values.toml", GOOD_TOML, base).id == "team-values"
    deck = load_deck_bytes("Mijn Kaarten.CSV", GOOD_CSV, base)
    assert deck.id == "mijn-kaarten"
    assert len(deck.cards) == 8


def test_csv_with_bom_and_semicolons_loads() -> None:
    text = GOOD_CSV.decode().splitlines()
    header = text[0].replace(",", ";")
    rows = [
        "a;;Eerlijk;Je zegt hoe het zit.;Honest;You say how things are.",
        "b;ethics;Moed;Je durft, ook als het spannend is.;Courage;You dare, even when it is scary.",
        "c;;Rust;Je werkt zonder haast.;Calm;You work without haste.",
        "d;;Humor;Je lacht graag.;Humour;You like to laugh.",
    ]
    data = ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode()
    deck = load_deck_bytes("excel.csv", data, default_base_deck())
    assert deck.card_ids == ("a", "b", "c", "d")
    assert deck.card("b").pillar is Pillar.ETHICS


def test_deck_id_from_filename() -> None:
    assert deck_id_from_filename("Team Values (2).csv") == "team-values-2"
    assert deck_id_from_filename("goed-werk.csv") == "goed-werk"
    assert len(deck_id_from_filename("x" * 80 + ".csv")) == 32


# --- check_files --------------------------------------------------------------------


def test_check_files_reports_duplicate_card_and_missing_title(tmp_path: Path) -> None:
    text = (DECKS_DIR / "team-values.toml").read_text(encoding="utf-8")
    text = text.replace('id = "calm"', 'id = "trust"', 1)
    text = text.replace('title.en = "Humour"\n', "", 1)
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    problems = check_files([path])
    rendered = [str(p) for p in problems]
    assert len(problems) == 2, rendered
    assert {(p.where, p.field) for p in problems} == {
        (place("card", id="humour"), "title.en"),
        (place("card", id="trust"), "id"),
    }
    assert all(p.source.endswith("broken.toml") for p in problems)
    assert any(
        'broken.toml: card "trust": id: this id is already used by card' in s for s in rendered
    )
    assert any(s.endswith('broken.toml: card "humour": title.en: missing') for s in rendered)


def test_check_files_reports_missing_file_and_duplicate_deck_id(tmp_path: Path) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_bytes(GOOD_TOML)
    missing = tmp_path / "missing.toml"
    problems = check_files([DECKS_DIR / "team-values.toml", copy, missing])
    assert [(p.field, p.code) for p in problems] == [
        ("id", "deck_id_twice"),
        ("", "file_not_found"),
    ]
    assert str(problems[0]).endswith(
        "copy.toml: id: the deck id 'team-values' is also used by decks/team-values.toml"
    )
    assert problems[0].source.endswith("copy.toml")
    assert problems[1].source.endswith("missing.toml")


def test_check_files_handles_other_suffixes(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    (problem,) = check_files([notes])
    assert isinstance(problem, DeckProblem)
    assert problem.code == "unsupported_type"
    assert str(problem).endswith("notes.txt: unsupported file type: use a .toml or .csv file")


def test_main_checks_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(DECKS_DIR / "goed-werk.toml")]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "bad"\n', encoding="utf-8")
    assert main([str(bad)]) == 1
    assert "bad.toml: version: missing" in capsys.readouterr().err


# --- Parser-hostile files (issue 14): every one is a problem list, never a traceback --

DEEP_ARRAYS = b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n"
DEEP_INLINE_TABLES = b"a = " + b"{a = " * 3000 + b"1" + b"}" * 3000 + b"\n"
LONG_NUMBER = b"version = " + b"9" * 5000 + b"\n"
HOSTILE_TOML = {
    "deep arrays": (DEEP_ARRAYS, 1, "toml_too_deep"),
    "deep inline tables": (DEEP_INLINE_TABLES, 1, "toml_too_deep"),
    "deep on line 3": (b'id = "x"\n# [[[\nb = ' + b"[" * 40 + b"]" * 40, 3, "toml_too_deep"),
    "5000-digit integer": (LONG_NUMBER, 1, "toml_long_number"),
    "underscored long integer": (b"\n\na = 1" + b"_1" * 5000 + b"\n", 3, "toml_long_number"),
}


@pytest.mark.parametrize(("data", "line", "code"), HOSTILE_TOML.values(), ids=HOSTILE_TOML.keys())
def test_hostile_toml_gives_one_problem(data: bytes, line: int, code: str) -> None:
    with pytest.raises(DeckInvalid) as caught:
        load_deck_bytes("hostile.toml", data, default_base_deck())
    (problem,) = caught.value.problems
    assert problem.source == "hostile.toml"
    assert (problem.where, problem.code) == (place("line", number=line), code)
    assert str(problem).startswith(f"hostile.toml: line {line}: not valid TOML: ")


@pytest.mark.parametrize("data", [DEEP_ARRAYS, DEEP_INLINE_TABLES], ids=["arrays", "tables"])
def test_recursion_in_tomllib_is_caught_without_the_precheck(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.decks.files.TOML_NESTING_MAX", 10**6)
    with pytest.raises(DeckInvalid) as caught:
        load_deck_bytes("deep.toml", data, default_base_deck())
    (problem,) = caught.value.problems
    assert (problem.where, problem.code) == (None, "toml_too_deep")


def test_brackets_in_strings_and_comments_do_not_count_as_nesting() -> None:
    brackets = "[{" * 40
    deck = GOOD_TOML.decode().replace(
        'id = "team-values"',
        f'id = "team-values" # {brackets}\n'
        f'note1 = "{brackets} \\" {brackets}"\nnote2 = \'{brackets}\'\n'
        f'note3 = """\n{brackets}\n"{brackets}""""\n'
        f"note4 = '''{brackets}\n''''\n",
        1,
    )
    with pytest.raises(DeckInvalid) as caught:
        load_deck_bytes("team-values.toml", deck.encode(), default_base_deck())
    assert {p.field for p in caught.value.problems} == {"note1", "note2", "note3", "note4"}
    assert {p.code for p in caught.value.problems} == {"unknown_key"}


def test_nesting_up_to_the_limit_reaches_the_validator() -> None:
    data = b"a = " + b"[" * 32 + b"]" * 32 + b"\n"
    with pytest.raises(DeckInvalid) as caught:
        load_deck_bytes("deep.toml", data, default_base_deck())
    assert (None, "a", "unknown_key") in {(p.where, p.field, p.code) for p in caught.value.problems}


def test_other_large_toml_shapes_give_the_usual_problems() -> None:
    base = default_base_deck()
    long_line = b'id = "' + b"x" * 200_000 + b'"\n'
    many_keys = b"".join(b"k%d = %d\n" % (i, i) for i in range(10_000))
    hex_number = b"top_size = 0x" + b"f" * 20_000 + b"\nlanguages = [0x" + b"f" * 20_000 + b"]\n"
    for data in (long_line, many_keys, hex_number):
        with pytest.raises(DeckInvalid) as caught:
            load_deck_bytes("big.toml", data, base)
        assert (None, "cards", "missing") in {
            (p.where, p.field, p.code) for p in caught.value.problems
        }
        assert all(len(str(p)) < 200 for p in caught.value.problems)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b'id,title_en,description_en\nx,"' + b"y" * 200_000 + b'",z\n',
            "not valid CSV (the reader says: field larger",
        ),
        (b"id,title_en\x00,description_en\nx,y,z\n", "not a text file"),
        (b"id,title_en,description_en\n\xff\xfe,a,b\n", "not UTF-8"),
    ],
    ids=["huge field", "NUL byte", "invalid UTF-8"],
)
def test_hostile_csv_gives_one_problem(data: bytes, expected: str) -> None:
    with pytest.raises(DeckInvalid) as caught:
        load_deck_bytes("hostile.csv", data, default_base_deck())
    (problem,) = caught.value.problems
    assert expected in str(problem)


HOSTILE_FILES = {
    "deep.toml": DEEP_ARRAYS,
    "tables.toml": DEEP_INLINE_TABLES,
    "number.toml": LONG_NUMBER,
    "hex.toml": b"languages = [0x" + b"f" * 20_000 + b"]\n",
    "field.csv": b'id,title_en,description_en\nx,"' + b"y" * 200_000 + b'",z\n',
}


def test_cli_deck_check_lists_hostile_files_without_a_traceback(tmp_path: Path) -> None:
    for name, data in HOSTILE_FILES.items():
        (tmp_path / name).write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "deck", "check", *HOSTILE_FILES],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    assert "deep.toml: line 1: not valid TOML: nesting too deep" in result.stdout
    assert "tables.toml: line 1: not valid TOML: nesting too deep" in result.stdout
    assert "number.toml: line 1: not valid TOML: a number has too many digits" in result.stdout
    assert "hex.toml: languages: item 1: a number too large to show" in result.stdout
    assert (
        "field.csv: not valid CSV (the reader says: field larger than field limit" in result.stdout
    )
    assert {line.split(":")[0] for line in lines} == set(HOSTILE_FILES)
    assert "problem(s) found" in result.stderr


def test_cli_deck_check_into_a_pipe_closed_early_ends_without_a_traceback(tmp_path: Path) -> None:
    """``deck check many.csv | head -1``: the reader leaves after one line."""
    rows = "".join(f"card-{i}-{'x' * 40},,\n" for i in range(3000))
    (tmp_path / "many.csv").write_text("id,title_en,description_en\n" + rows)
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "deck", "check", "many.csv"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
