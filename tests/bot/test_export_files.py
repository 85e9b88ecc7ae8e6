"""What a facilitator reads in the export's spreadsheet, and what a tool reads in its
CSVs and ``session.json``: the session's language, card titles and each lens's pile
labels beside the ids, times in the session's time zone, and typed text kept as text."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.decks.files import load_builtin_decks
from bot.export import build_export
from bot.export.tables import COLUMNS
from bot.render import Renderer
from conversations.model import Session
from conversations.phases import Phase

ROOT = Path(__file__).resolve().parents[2]
DECK = load_builtin_decks()["team-values"]
WORDS = Renderer()
AT = 1_790_000_000.0
"""2026-09-21 14:13:20 UTC: 10:13:20 in New York, 16:13:20 in Amsterdam."""
ZOE, SAM = 11, 12
DUTCH = Session(7, -100, "team-values", "nl", Phase.CLOSED, "code", 9, AT)


def rows() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "participants": [
            (ZOE, "Zoë", '=HYPERLINK("http://x")', "30-44", "final", 1, "revised", 0, 1, AT),
            (SAM, "Sam", None, None, "sorting", None, None, 1, 1, AT + 60),
        ],
        "ratings": [
            (ZOE, "wish", "trust", 5, 0, AT + 120),
            (ZOE, "now", "trust", 1, 0, AT + 180),
            (ZOE, "now", "feedback", 5, 1, AT + 181),
        ],
        "tops_before": [(ZOE, 1, "trust", AT + 240)],
        "tops_after": [(ZOE, 1, "feedback", AT + 300)],
        "stories": [(ZOE, "trust", "Line one\nline two\x07", AT + 360)],
        "votes": [(ZOE, 1, 1, "trust", AT + 420), (ZOE, 1, 1, "calm", AT + 420)],
        "outcomes": [(1, 1, "partial", "trust,calm", "#N/A"), (2, 0, None, "", None)],
    }


def archive(session: Session = DUTCH, names: bool = False) -> zipfile.ZipFile:
    name, data = build_export(session, DECK, rows(), WORDS, names=names, exported_at=AT + 999)
    assert name == f"session-{session.id}-export.zip"
    return zipfile.ZipFile(io.BytesIO(data))


def workbook(session: Session = DUTCH) -> dict[str, Worksheet]:
    book = load_workbook(io.BytesIO(archive(session).read(f"session-{session.id}.xlsx")))
    return {sheet.title: sheet for sheet in book.worksheets}


def values(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def test_a_dutch_session_reads_in_dutch() -> None:
    sheets = workbook()
    assert list(sheets) == [
        "Sessie",
        "Deelnemers",
        "Sortering",
        "Top vóór de verhalen",
        "Top na de verhalen",
        "Verhalen",
        "Stemmen",
        "Uitkomst per tafel",
    ]
    ratings = values(sheets["Sortering"])
    assert ratings[0] == (
        "Deelnemer",
        "Lens-id",
        "Lens",
        "Kaart-id",
        "Kaart",
        "Stapel (1–5)",
        "Stapel",
        "Getoond als kaart nr.",
        "Gesorteerd op",
    )
    person = ratings[1][0]
    assert re.fullmatch(r"P-[0-9a-f]{10}", person)
    assert [row[1:8] for row in ratings[1:]] == [
        ("wish", "Het team dat ik wil", "trust", "Vertrouwen", 5, "Meest belangrijk", 1),
        ("now", "Ons team nu", "trust", "Vertrouwen", 1, "Nauwelijks aanwezig", 1),
        ("now", "Ons team nu", "feedback", "Feedback", 5, "Sterk aanwezig", 2),
    ], "each lens's own piles"
    people = values(sheets["Deelnemers"])
    assert people[1][2:8] == ("30–44", "Klaar", 1, "Top aangepast", False, False)
    assert people[2][2:8] == (None, "Sorteert (lens 2 van 2)", None, None, True, False)
    outcomes = values(sheets["Uitkomst per tafel"])
    assert outcomes[1][2:5] == ("Deels eens: 2 kaarten", "trust, calm", "Vertrouwen, Rust")
    assert outcomes[2][2] == "Nog niet gestemd"
    about = dict(values(sheets["Sessie"]))
    assert about["Kaartset"] == "Teamwaarden"
    assert about["Taal"] == "Nederlands"
    assert about["Tijden staan in tijdzone"] == "Europe/Amsterdam"
    assert about["Deelnemers staan erin"].startswith("onder een pseudoniem")


def test_an_english_session_reads_in_english_with_names() -> None:
    english = replace(DUTCH, locale="en")
    book = load_workbook(io.BytesIO(archive(english, names=True).read("session-7.xlsx")))
    sheets = {sheet.title: sheet for sheet in book.worksheets}
    assert "Participants" in sheets and "Table outcomes" in sheets
    ratings = values(sheets["Sorting"])
    assert ratings[0][:7] == (
        "Participant",
        "Lens id",
        "Lens",
        "Card id",
        "Card",
        "Pile (1–5)",
        "Pile",
    )
    assert ratings[3][:7] == (
        "Zoë",
        "now",
        "Our team now",
        "feedback",
        "Feedback",
        5,
        "Strongly present",
    )
    assert values(sheets["Participants"])[2][3] == "Sorting (lens 2 of 2)"
    assert dict(values(sheets["Session"]))["Participants appear"] == "by their Telegram name"


def test_times_are_date_times_in_the_session_s_time_zone() -> None:
    for zone, wall in (("Europe/Amsterdam", (16, 15)), ("America/New_York", (10, 15))):
        sheets = workbook(replace(DUTCH, time_zone=zone))
        sorted_at = sheets["Sortering"]["I2"]
        assert sorted_at.is_date and sorted_at.number_format == "yyyy-mm-dd hh:mm"
        assert sorted_at.value == datetime(2026, 9, 21, *wall, 20)
        assert dict(values(sheets["Sessie"]))["Sessie gestart op"] == datetime(
            2026, 9, 21, wall[0], 13, 20
        )


def test_every_sheet_has_a_frozen_header_with_filters_and_columns_that_fit() -> None:
    tables = [sheet for title, sheet in workbook().items() if title != "Sessie"]
    assert len(tables) == len(COLUMNS)
    for sheet in tables:
        last = sheet.cell(1, sheet.max_column).column_letter
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title
        assert all(cell.font.bold for cell in sheet[1]), sheet.title
        for column in sheet.iter_cols():
            width = sheet.column_dimensions[column[0].column_letter].width
            shown = [
                16 if isinstance(c.value, datetime) else len(str(c.value))
                for c in column
                if c.value is not None and "\n" not in str(c.value)
            ]
            assert min(max(shown), 60) <= width <= 62, (sheet.title, column[0].value)


def test_typed_text_stays_text_and_a_long_story_wraps() -> None:
    sheets = workbook()
    organisation = sheets["Deelnemers"]["B2"]
    assert organisation.data_type == "s" and organisation.value == '=HYPERLINK("http://x")'
    note = sheets["Uitkomst per tafel"]["F2"]
    assert note.data_type == "s" and note.value == "#N/A"
    story = sheets["Verhalen"]["D2"]
    assert story.value == "Line one\nline two", "a control character Excel refuses is dropped"
    assert story.alignment.wrap_text


def test_the_csvs_open_in_excel_and_parse_for_tools() -> None:
    files = archive()
    assert {f"{name}.csv" for name in COLUMNS} <= set(files.namelist())
    for name, columns in COLUMNS.items():
        raw = files.read(f"{name}.csv")
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name}.csv has the UTF-8 byte-order mark"
        reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")
        assert tuple(next(reader)) == columns
    text = files.read("ratings.csv").decode("utf-8-sig")
    ratings = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert ratings[2]["card_title"] == "Feedback" and ratings[2]["pile"] == "Sterk aanwezig"
    assert ratings[0]["rated_at"] == "2026-09-21T16:15:20+02:00"
    assert "\r\n" in text
    people = list(
        csv.DictReader(
            io.StringIO(files.read("participants.csv").decode("utf-8-sig")), delimiter=";"
        )
    )
    assert [(p["step"], p["age_band"], p["unreachable"]) for p in people] == [
        ("final", "30-44", "0"),
        ("sorting", "", "1"),
    ]
    outcomes = list(
        csv.DictReader(io.StringIO(files.read("outcomes.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert (
        outcomes[0]["agreed"] == "trust,calm" and outcomes[0]["agreed_titles"] == "Vertrouwen,Rust"
    )


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "bot/export/session.schema.json").read_text())
    return loaded


def test_session_json_keeps_its_documented_schema() -> None:
    files = archive()
    document = json.loads(files.read("session.json"))
    assert json.loads(files.read("session.schema.json")) == schema(), "shipped beside it"
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(document, schema(), cls=jsonschema.Draft202012Validator)
    assert document["schema_version"] == 1
    session = document["session"]
    assert session["created_at"] == "2026-09-21T16:13:20+02:00"
    assert session["lenses"][1] == {
        "id": "now",
        "title": "Ons team nu",
        "piles": [
            "Nauwelijks aanwezig",
            "Weinig aanwezig",
            "Enigszins aanwezig",
            "Duidelijk aanwezig",
            "Sterk aanwezig",
        ],
    }
    assert {"id": "trust", "title": "Vertrouwen"} in session["cards"]
    assert document["outcomes"][0]["agreed"] == ["trust", "calm"]
    assert document["outcomes"][1]["outcome"] is None
    assert document["participants"][1]["unreachable"] is True


def test_the_schema_refuses_what_the_export_must_not_write() -> None:
    document = json.loads(archive().read("session.json"))
    document["ratings"][0]["rated_at"] = AT  # a Unix time, as exports used to have
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema())


def test_the_docs_describe_every_file_and_column() -> None:
    docs = (ROOT / "docs" / "export.md").read_text("utf-8")
    for name, columns in COLUMNS.items():
        assert f"`{name}.csv`" in docs, name
        for column in columns:
            assert f"`{column}`" in docs, f"{name}.{column}"
    for key in schema()["properties"]["session"]["properties"]:
        assert f"`{key}`" in docs, f"session.{key}"


def test_a_label_defined_in_two_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "labels.toml").write_text('skip = "Skip"\n')
    (tmp_path / "en" / "export_labels.toml").write_text('skip = "Other"\n')
    with pytest.raises(ValueError, match="skip"):
        Renderer(tmp_path)
