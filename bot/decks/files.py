"""Deck files: reading TOML and CSV decks from disk or from an upload.

This module owns the bytes-to-data step (UTF-8, TOML, CSV with comma, semicolon or tab
separators, Excel's byte-order mark), where the built-in decks live (``decks/`` at the
top of the project), and the checks that need more than one file: a missing file, or two
files with the same deck id. Every failure becomes a :class:`DeckInvalid` with
:class:`DeckProblem` values (file, line or row, field, a problem code), never a traceback.
What ``tomllib`` and ``csv`` say about a broken file is English only: it is passed on as
the ``detail`` of a problem whose own words are in the reader's language.

It must not judge deck content itself (``schema`` does that), talk to
Telegram or touch the database.

Run ``python -m bot.decks.files [FILE...]`` to check deck files (default: the built-in
decks); it prints every problem (in English) and exits with status 1 when there are any.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from bot.decks.problems import DeckError, DeckInvalid, DeckProblem, Param, Phrase, place
from bot.decks.schema import parse_cards_csv_rows, parse_deck
from bot.resources import shipped
from conversations.deck import DECK_FILE_BYTES_MAX, DECK_ID_MAX, Deck

DECKS_DIR = shipped("decks")
"""The built-in decks: every ``*.toml`` and ``*.csv`` directly in this folder."""
DEFAULT_DECK_ID = "goed-werk"
"""The built-in deck sessions use by default, and the base of every CSV deck."""
DECK_SUFFIXES = (".toml", ".csv")
MAX_DECK_BYTES = DECK_FILE_BYTES_MAX
"""Larger uploads are refused before decoding."""

TOML_NESTING_MAX = 32
"""Deeper nesting of ``[ ]`` and ``{ }`` is refused before ``tomllib``, which recurses
once per level, sees the file; a deck needs 3 levels at most."""

# Outside strings and comments TOML brackets only nest. Possessive quantifiers keep the
# scan linear, also for a string that is never closed.
_TOML_TOKEN = re.compile(r"\"\"\"|'''|[\"'#\[\]{}\n]")
_TOML_STRING_END = {
    '"""': re.compile(r'(?:[^"\\]++|\\[\s\S]|"(?!""))*+""""{0,2}'),
    "'''": re.compile(r"(?:[^']++|'(?!''))*+''''{0,2}"),
    '"': re.compile(r'(?:[^"\\\n]++|\\.)*+"'),
    "'": re.compile(r"[^'\n]*+'"),
}
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def _invalid(source: str, where: Phrase | None, code: str, **params: Param) -> DeckInvalid:
    return DeckInvalid([DeckProblem(source, where, "", code, params)])


def display_name(path: Path) -> str:
    """``decks/goed-werk.toml`` for the built-in decks, a path relative to the working
    directory for files under it, else the path as given."""
    for root in (DECKS_DIR.parent, Path.cwd()):
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            continue
    return str(path)


def deck_id_from_filename(filename: str) -> str:
    """A deck id from a CSV file name: ``Team Values (2).csv`` -> ``team-values-2``."""
    stem = Path(filename).stem.lower()
    slug = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")
    return slug[:DECK_ID_MAX].strip("-")


def _decode(source: str, data: bytes) -> str:
    if len(data) > MAX_DECK_BYTES:
        raise _invalid(source, None, "file_too_large", size=len(data), max=MAX_DECK_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _invalid(source, place("line", number=line), "not_utf8") from None
    if "\x00" in text:
        raise _invalid(source, None, "not_text_file")
    if not text.strip():
        raise _invalid(source, None, "file_empty")
    return text


def _too_deep_line(text: str) -> int | None:
    """The line where ``[ ]``/``{ }`` nesting first exceeds :data:`TOML_NESTING_MAX`.

    ``None`` when it never does. Brackets inside strings and comments do not count; a
    string that is never closed ends the scan (``tomllib`` reports that as a syntax error).
    """
    depth = 0
    line = 1
    pos = 0
    while token := _TOML_TOKEN.search(text, pos):
        kind = token.group()
        pos = token.end()
        if kind in ("[", "{"):
            depth += 1
            if depth > TOML_NESTING_MAX:
                return line
        elif kind in ("]", "}"):
            depth = max(depth - 1, 0)
        elif kind == "\n":
            line += 1
        elif kind == "#":
            pos = text.find("\n", pos)
            if pos < 0:
                return None
        else:
            end = _TOML_STRING_END[kind].match(text, pos)
            if end is None:
                return None
            line += text.count("\n", pos, end.end())
            pos = end.end()
    return None


def _long_number_line(text: str) -> Phrase | None:
    """The line of the first run of digits too long for Python's ``int``, if found."""
    limit = sys.get_int_max_str_digits()
    run = re.search(rf"[0-9][0-9_]{{{limit},}}", text) if limit else None
    return place("line", number=text.count("\n", 0, run.start()) + 1) if run else None


def _parse_toml(source: str, text: str) -> Deck:
    deep = _too_deep_line(text)
    if deep is not None:
        raise _invalid(source, place("line", number=deep), "toml_too_deep", max=TOML_NESTING_MAX)
    try:
        data = tomllib.loads(text)
    except RecursionError:  # nesting the pre-check let through, on a deep call stack
        raise _invalid(source, None, "toml_too_deep", max=TOML_NESTING_MAX) from None
    except MemoryError:
        raise _invalid(source, None, "toml_too_complex") from None
    except tomllib.TOMLDecodeError as exc:
        raise _toml_syntax(source, text, str(exc)) from None
    except ValueError:  # after TOMLDecodeError, its subclass: int() refuses very long numbers
        digits = sys.get_int_max_str_digits()
        raise _invalid(source, _long_number_line(text), "toml_long_number", max=digits) from None
    return parse_deck(data, source)


def _toml_syntax(source: str, text: str, message: str) -> DeckInvalid:
    """``tomllib``'s complaint, in English only, as the detail of a problem at its line."""
    position = _TOML_POSITION.search(message)
    if position:
        line, column = int(position.group(1)), int(position.group(2))
        detail = message[: position.start()]
        return _invalid(
            source, place("line_column", line=line, column=column), "toml_syntax", detail=detail
        )
    if _TOML_AT_END.search(message):
        where = place("line", number=text.count("\n") + 1)
        return _invalid(source, where, "toml_syntax_at_end", detail=_TOML_AT_END.sub("", message))
    return _invalid(source, None, "toml_syntax", detail=message)


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Dutch Excel) or tab: whichever the header line uses most."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ","


def _parse_csv(source: str, filename: str, text: str, base: Deck) -> Deck:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
        rows = list(reader)
    except csv.Error as exc:
        raise _invalid(source, None, "csv_syntax", detail=str(exc)) from None
    return parse_cards_csv_rows(rows, base, deck_id_from_filename(filename), source)


def load_deck_bytes(filename: str, data: bytes, base: Deck) -> Deck:
    """Parse an uploaded deck file (``.toml`` or ``.csv``); CSV decks build on ``base``.

    Raises :class:`DeckInvalid` for anything wrong with the file, including bytes that
    are not UTF-8 and TOML syntax errors (with the line).
    """
    source = Path(filename).name or filename
    suffix = Path(filename).suffix.lower()
    if suffix not in DECK_SUFFIXES:
        raise _invalid(source, None, "unsupported_type")
    text = _decode(source, data)
    if suffix == ".toml":
        return _parse_toml(source, text)
    return _parse_csv(source, filename, text, base)


def load_deck_file(path: Path, base: Deck | None = None) -> Deck:
    """Read a deck file; a CSV deck builds on ``base`` (default: the built-in goed-werk deck).

    Raises :class:`DeckInvalid` (also for a file that is missing or cannot be read).
    """
    source = display_name(path)
    suffix = path.suffix.lower()
    if suffix not in DECK_SUFFIXES:
        raise _invalid(source, None, "unsupported_type")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _invalid(source, None, "file_not_found") from None
    except OSError as exc:
        raise _invalid(source, None, "cannot_read", reason=exc.strerror or str(exc)) from None
    text = _decode(source, data)
    if suffix == ".toml":
        return _parse_toml(source, text)
    return _parse_csv(source, path.name, text, base if base is not None else default_base_deck())


@lru_cache(maxsize=1)
def default_base_deck() -> Deck:
    """The built-in default deck (``decks/goed-werk.toml``), loaded once."""
    return load_deck_file(DECKS_DIR / f"{DEFAULT_DECK_ID}.toml")


def builtin_deck_paths(folder: Path = DECKS_DIR) -> list[Path]:
    """The deck files directly in ``folder`` (not in sub-folders such as ``examples/``)."""
    return sorted(
        path for path in folder.iterdir() if path.is_file() and path.suffix.lower() in DECK_SUFFIXES
    )


def _load_all(paths: Iterable[Path]) -> tuple[dict[str, Deck], list[DeckProblem]]:
    decks: dict[str, Deck] = {}
    origin: dict[str, str] = {}
    problems: list[DeckProblem] = []
    for path in paths:
        source = display_name(path)
        try:
            deck = load_deck_file(path)
        except DeckInvalid as exc:
            problems.extend(exc.problems)
            continue
        if deck.id in origin:
            other = origin[deck.id]
            problems.append(
                DeckProblem(
                    source, None, "id", "deck_id_twice", {"deck_id": repr(deck.id), "other": other}
                )
            )
            continue
        origin[deck.id] = source
        decks[deck.id] = deck
    return decks, problems


def load_builtin_decks() -> dict[str, Deck]:
    """Every built-in deck by id, the default deck first.

    Raises :class:`DeckInvalid` listing the problems of all files when any file is bad.
    """
    decks, problems = _load_all(builtin_deck_paths())
    if problems:
        raise DeckInvalid(problems)
    if DEFAULT_DECK_ID not in decks:
        source = display_name(DECKS_DIR)
        deck_id = repr(DEFAULT_DECK_ID)
        raise DeckInvalid([DeckProblem(source, None, "", "no_default_deck", {"deck_id": deck_id})])
    return {DEFAULT_DECK_ID: decks[DEFAULT_DECK_ID]} | decks


def check_files(paths: Iterable[Path]) -> list[DeckProblem]:
    """Every problem in these deck files, including missing files and duplicate deck ids."""
    return _load_all(paths)[1]


def main(argv: Sequence[str] | None = None) -> int:
    """Check deck files; print every problem; 0 when all are fine."""
    args = list(sys.argv[1:] if argv is None else argv)
    paths = [Path(arg) for arg in args] if args else builtin_deck_paths()
    try:
        problems = check_files(paths)
    except DeckError as exc:  # e.g. the base deck for a CSV file is itself broken
        print(exc, file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"{len(paths)} deck file(s) OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
