"""The export leaves simulated participants out unless asked: their rows, and the outcome
of a table where only they sat; a table shared with real people keeps its outcome."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from bot.decks.files import load_builtin_decks
from bot.export import build_export
from bot.render import Renderer
from conversations.model import Session
from conversations.phases import Phase

SIM_A, SIM_B, REAL = 2**53 + 1_001, 2**53 + 1_002, 555
SESSION = Session(1, -100, "goed-werk", "en", Phase.TABLES, "code", 9, 0.0)
DECK = load_builtin_decks()["goed-werk"]
WORDS = Renderer()
AT = 1_790_000_000.0


def rows() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "participants": [
            (SIM_A, "Anna (simulated)", "UWV", None, "final", 1, "kept", 0, 1, AT),
            (SIM_B, "Bram (simulated)", None, "30-44", "final", 2, "revised", 0, 1, AT),
            (REAL, "Real Person", "City", "60-plus", "final", 2, "kept", 0, 1, AT),
        ],
        "ratings": [
            (SIM_A, "professional", "quality", 5, 0, AT),
            (REAL, "professional", "quality", 4, 0, AT),
        ],
        "tops_before": [(SIM_B, 1, "quality", AT), (REAL, 1, "respect", AT)],
        "tops_after": [(SIM_A, 1, "quality", AT)],
        "stories": [(SIM_A, "quality", "A story", AT), (REAL, "respect", "Mine", AT)],
        "votes": [(SIM_B, 2, 1, "quality", AT), (REAL, 2, 1, "quality", AT)],
        "outcomes": [(1, 1, "full", "quality", None), (2, 1, "partial", "quality", None)],
    }


def export(names: bool, simulated: frozenset[int] = frozenset(), include: bool = False) -> bytes:
    _, data = build_export(
        SESSION,
        DECK,
        rows(),
        WORDS,
        names=names,
        exported_at=AT,
        simulated=simulated,
        include_simulated=include,
    )
    return data


def read(data: bytes) -> tuple[dict[str, list[dict[str, str]]], dict[str, Any]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    tables = {
        name.removesuffix(".csv"): list(
            csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";")
        )
        for name in archive.namelist()
        if name.endswith(".csv")
    }
    return tables, json.loads(archive.read("session.json"))


def test_simulated_people_are_left_out_by_default() -> None:
    tables, document = read(export(True, frozenset({SIM_A, SIM_B})))
    assert [p["person"] for p in tables["participants"]] == ["Real Person"]
    assert tables["participants"][0]["simulated"] == "0"
    for name in ("ratings", "tops_before", "stories", "votes"):
        assert {r["person"] for r in tables[name]} == {"Real Person"}, name
    assert tables["tops_after"] == []
    assert [o["table"] for o in tables["outcomes"]] == ["2"], "table 1 held only Anna"
    assert document["session"]["simulated_participants"] == 2
    assert document["session"]["simulated_included"] is False
    assert [p["person"] for p in document["participants"]] == ["Real Person"]


def test_asked_for_they_are_in_and_marked() -> None:
    tables, document = read(export(True, frozenset({SIM_A, SIM_B}), True))
    marked = {p["person"]: p["simulated"] for p in tables["participants"]}
    assert marked == {"Anna (simulated)": "1", "Bram (simulated)": "1", "Real Person": "0"}
    assert len(tables["ratings"]) == 2 and len(tables["outcomes"]) == 2
    assert document["session"]["simulated_included"] is True
    assert [p["simulated"] for p in document["participants"]] == [True, True, False]


def test_without_a_rehearsal_nothing_changes() -> None:
    tables, _ = read(export(False))
    assert len(tables["participants"]) == 3 and len(tables["outcomes"]) == 2
    assert all(
        p["person"].startswith("P-") and p["simulated"] == "0" for p in tables["participants"]
    )
