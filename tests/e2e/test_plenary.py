"""The seed's plenary replayed end to end (issue 6): five tables, of which three agree a
top four, one a top three and one nothing, with one value agreed at every table that
agreed; the summary states exactly that (and names the value nearly everyone rated high
as a prompt for the talk), its pictures go out as one album of PNGs for a phone, and the
export holds every rating in the database."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
from conftest import World, settings_for
from openpyxl import load_workbook
from PIL import Image
from sql_rows import select
from test_sort_flow import new_session
from test_tables import tables_in

from bot.app import Services, build_application, polling
from bot.decks.files import load_builtin_decks
from bot.sandbox import Sandbox, TranscriptMessage
from bot.simulation import Persona, SimulatedParticipant, run_all

DECK = load_builtin_decks()["goed-werk"]
SCHEMA = Path(__file__).resolve().parents[2] / "bot" / "export" / "session.schema.json"
SHARED = "social-involved"
OTHERS = [c for c in DECK.card_ids if c != SHARED]

# The top each person will choose, table by table (what their sort leads to).
TOPS: dict[int, list[tuple[str, ...]]] = {
    1: [(SHARED, "quality", "integrity", "fairness")] * 4,
    2: [(SHARED, "learning", "openness", "respect")] * 4,
    3: [(SHARED, "cooperation", "reliability", "craftsmanship")] * 4,
    4: [
        (SHARED, "courage", "transparency", extra)
        for extra in ("efficiency", "creativity", "autonomy", "loyalty")
    ],
    5: [
        (SHARED, "new-ideas", "enjoyment", "spirituality"),
        ("independence", "accountability", "diligence", "public-interest"),
        ("helpfulness", "decisiveness", "political-sense", "recognition"),
        ("work-life", "social-contacts", "efficiency", "creativity"),
    ],
}


@pytest.fixture
async def bot(world: World) -> AsyncIterator[Services]:
    app = build_application(settings_for(world), rate_limiter=False)
    async with polling(app) as services:
        yield services


def photos_after(
    sandbox: Sandbox, world: World, message: TranscriptMessage
) -> list[TranscriptMessage]:
    """The pictures the bot posted in the group after ``message``."""
    return [
        m
        for m in sandbox.bot_messages(world.group)
        if m.photo is not None and m.message_id > message.message_id
    ]


def persona(top: tuple[str, ...], table: int) -> Persona:
    leanings = dict.fromkeys(DECK.card_ids, 2.0) | dict.fromkeys(top, 5.0)
    return Persona(
        organisation=None,
        leanings=leanings,
        noise=0.0,
        stubborn=table in (4, 5),
        rounds=1,
        note="We had a rich talk but could not put it in cards." if table == 5 else None,
    )


async def test_the_seed_plenary(world: World, bot: Services) -> None:
    sandbox = world.sandbox
    code = await new_session(world)
    await world.facilitator.send_command(world.group, "settings", "start join")
    await sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
    people: dict[str, tuple[int, SimulatedParticipant]] = {}
    for table, tops in TOPS.items():
        for index, top in enumerate(tops):
            name = f"T{table}P{index}"
            user = sandbox.add_user(name, language_code="en")
            people[name] = (
                table,
                SimulatedParticipant(sandbox, user, persona(top, table), random.Random(name), 20),
            )
    for _, person in people.values():
        await person.join(code)
    await asyncio.gather(*(p.run() for _, p in people.values()))
    for name, (table, person) in people.items():
        assert set(person.my_top) == set(TOPS[table][int(name[-1])]), name

    sent = await world.facilitator.send_command(world.group, "tables")
    proposal = await sandbox.wait_for_message(
        world.group, text_contains="Proposed seating", after=sent
    )
    seating = tables_in(proposal.content)
    assert sorted(len(t) for t in seating.values()) == [4] * 5
    wanted = {name: table for name, (table, _) in people.items()}
    for name, table in wanted.items():  # the facilitator arranges the tables of the seed
        current = next(n for n, names in seating.items() if name in names)
        if current != table:
            sent = await world.facilitator.send_command(world.group, "move", f"{name} {table}")
            moved = await sandbox.wait_for_message(
                world.group, text_contains="Proposed seating", after=sent
            )
            seating = tables_in(moved.content)
    assert all(seating[table] == {n for n, t in wanted.items() if t == table} for table in TOPS)
    await world.facilitator.send_command(world.group, "seat")
    await sandbox.wait_for_message(world.group, text_contains="The tables are set")
    for _, person in people.values():
        await sandbox.wait_until(lambda p=person: p.screen() is not None, 20)
    await asyncio.gather(*(p.run() for _, p in people.values()))  # stories, keep their top

    await world.facilitator.send_command(world.group, "dilemma")
    await sandbox.wait_for_message(world.group, text_contains="The dilemma is with every table")
    await world.facilitator.send_command(world.group, "vote")
    await sandbox.wait_for_message(world.group, text_contains="Voting has started at 5 tables")
    for _, person in people.values():
        await sandbox.wait_until(lambda p=person: p.screen() is not None, 20)
    for _, person in people.values():  # relay mode: the notice, then the ballot below it
        chat = sandbox.bot_messages(person.user.private_chat)
        ballot = next(i for i, m in enumerate(chat) if "common top" in m.content and m.buttons)
        assert "choose below which cards your table can agree on" in chat[ballot - 1].content
    await run_all([p for _, p in people.values()])

    sent = await world.facilitator.send_command(world.group, "summary")
    summary = await sandbox.wait_for_message(world.group, text_contains="Plenary", after=sent)
    text = summary.content
    for table in (1, 2, 3):
        assert f"Table {table}: common top 4" in text
    assert "Table 4: agreed on 3 cards, not a full top" in text
    assert "Table 5: no agreement" in text
    assert "We had a rich talk but could not put it in cards." in text
    assert "In someone's top at every table: Social involvement\n" in text
    assert "Agreed at every table that reached agreement: Social involvement\n" in text

    assert "For the plenary talk" in text
    assert "Almost everyone rates this value high" in text and "): Social involvement." in text

    # The pictures: one album of three PNGs for a phone, the caption on the first.
    await sandbox.wait_until(lambda: len(photos_after(sandbox, world, summary)) == 3, 30)
    album = photos_after(sandbox, world, summary)
    assert len({m.media_group_id for m in album}) == 1 and album[0].media_group_id
    assert [m.caption for m in album] == ["The plenary at a glance", None, None]
    assert [c.method for c in sandbox.calls].count("sendMediaGroup") == 1
    for message in album:
        assert message.photo is not None and message.photo.data is not None
        image = Image.open(io.BytesIO(message.photo.data))
        assert image.format == "PNG" and image.width == 1080 and image.height > 300

    await world.facilitator.start_bot()
    await world.facilitator.send_command(world.group, "export")
    export = await sandbox.wait_for_message(
        world.facilitator.private_chat, lambda m: m.document is not None
    )
    assert export.document is not None and export.document.data is not None
    archive = zipfile.ZipFile(io.BytesIO(export.document.data))
    text = archive.read("ratings.csv").decode("utf-8-sig")
    ratings = list(csv.reader(io.StringIO(text), delimiter=";"))
    stored = (await bot.store.read(lambda tx: select(tx, "SELECT count(*) FROM ratings")))[0][0]
    assert len(ratings) - 1 == stored == 20 * 2 * 30
    assert all(row[0].startswith("P-") for row in ratings[1:]), "pseudonymous by default"
    assert {"votes.csv", "outcomes.csv", "stories.csv", "tops_after.csv", "session.json"} <= set(
        archive.namelist()
    )

    document = json.loads(archive.read("session.json"))
    jsonschema.validate(document, json.loads(SCHEMA.read_text("utf-8")))
    outcomes = {o["table"]: o for o in document["outcomes"]}
    assert [outcomes[t]["outcome"] for t in (1, 2, 3, 4, 5)] == [
        *("full", "full", "full", "partial", "none")
    ]
    assert "Social involvement" in outcomes[1]["agreed_titles"]

    (book,) = (name for name in archive.namelist() if name.endswith(".xlsx"))
    sheets = load_workbook(io.BytesIO(archive.read(book)))
    rated = list(sheets["Sorting"].iter_rows(values_only=True))
    assert len(rated) - 1 == stored
    assert rated[0][4:7] == ("Card", "Pile (1–5)", "Pile")
    assert all(isinstance(row[8], datetime) for row in rated[1:])
    agreed = {row[0]: row[2] for row in sheets["Table outcomes"].iter_rows(2, values_only=True)}
    assert agreed == {
        1: "Agreed on 4 cards",
        2: "Agreed on 4 cards",
        3: "Agreed on 4 cards",
        4: "Partly agreed: 3 cards",
        5: "No agreement",
    }
