"""Rehearsal in real Telegram (issue 10), end to end: a facilitator alone types
``/rehearse 6`` in a forum group and walks the session through every phase with their
own commands while six simulated participants answer through the same event path; the
group, the table topics and the export show what they must, and nothing is ever sent
to a simulated person's chat."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import zipfile
from collections.abc import AsyncIterator

import pytest
from conftest import World, settings_for
from openpyxl import load_workbook
from sql_rows import select
from test_sort_flow import new_session
from test_tables import tables_in

from bot.app import Services, build_application, polling
from bot.sandbox import Sandbox, TranscriptMessage
from bot.store import Store
from conversations.rehearsal import SIMULATED_ID_BASE, is_simulated

PEOPLE = 6


@pytest.fixture
def forum(world: World) -> World:
    group = world.sandbox.add_group(
        "Rehearsal forum",
        members=[world.facilitator],
        admins=[world.facilitator],
        forum=True,
        bot_can_manage_topics=True,
    )
    return World(world.sandbox, world.facilitator, group, world.database)


@pytest.fixture
async def bot(forum: World) -> AsyncIterator[Services]:
    app = build_application(settings_for(forum), rate_limiter=False, rehearsal_delay=0.0)
    async with polling(app) as services:
        yield services


async def command(world: World, name: str, args: str = "", **wait: object) -> TranscriptMessage:
    """The facilitator types a command in the group; the bot's first answer after it."""
    sent = await world.facilitator.send_command(world.group, name, args)
    return await world.sandbox.wait_for_message(world.group, after=sent, **wait)  # type: ignore[arg-type]


async def status_until(world: World, wanted: str, tries: int = 120) -> str:
    """``/status`` as a facilitator checks it: again until it shows ``wanted``."""
    text = ""
    for _ in range(tries):
        text = (await command(world, "status", text_contains="Progress of the session")).content
        if wanted in text:
            return text
        await asyncio.sleep(0.25)
    raise AssertionError(f"/status never showed {wanted!r}; last:\n{text}")


def in_topic(sandbox: Sandbox, world: World, thread: int) -> list[str]:
    return [m.content for m in sandbox.transcript(world.group) if m.thread_id == thread]


async def export(world: World, args: str = "") -> tuple[TranscriptMessage, zipfile.ZipFile]:
    sandbox = world.sandbox
    chat = world.facilitator.private_chat
    before = len(sandbox.transcript(chat))
    await command(world, "export", args, text_contains="I sent the session's data")
    message = await sandbox.wait_for_message(chat, lambda m: m.document is not None, after=before)
    assert message.document is not None and message.document.data is not None
    return message, zipfile.ZipFile(io.BytesIO(message.document.data))


def rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


async def test_a_facilitator_rehearses_a_whole_session_alone(forum: World, bot: Services) -> None:
    world, sandbox = forum, forum.sandbox
    await new_session(world)

    joined = await command(world, "rehearse", str(PEOPLE), text_contains="Rehearsal")
    match = re.search(r"(\d+) simulated participants joined: (.+)\.\n", joined.content)
    assert match and int(match.group(1)) == PEOPLE, joined.content
    names = match.group(2).split(", ")
    assert len(set(names)) == PEOPLE
    assert all(name.endswith(" (simulated)") for name in names)
    assert "/export all" in joined.content

    waiting = await status_until(world, f"gave consent: {PEOPLE}")
    assert f"Joined: {PEOPLE} ·" in waiting
    assert f"Of whom simulated (rehearsal): {PEOPLE}; real participants: 0" in waiting

    started = await command(world, "startsort", text_contains="The sort has started")
    # Those still answering the profile questions start as soon as they are done.
    waited = re.search(r"(\d+) waiting participants? received the first card", started.content)
    assert waited and 0 <= int(waited.group(1)) <= PEOPLE, started.content
    done = await status_until(world, f"Top 4 chosen: {PEOPLE}")
    assert f"Sort 2: 0 sorting, {PEOPLE} done" in done

    proposal = await command(world, "tables", text_contains="Proposed seating")
    seating = tables_in(proposal.content)  # first names: the parser stops at " ("
    assert sorted(len(t) for t in seating.values()) == [3, 3]
    assert set().union(*seating.values()) == {name.split(" (")[0] for name in names}
    assert sum(line.startswith("• ") for line in proposal.content.splitlines()) == PEOPLE
    assert all(f"• {name}" in proposal.content for name in names), "marked in the seating"

    await command(world, "seat", text_contains="The tables are set")
    threads = {
        f"Table {n}": await sandbox.wait_for_topic(world.group, f"Table {n}") for n in (1, 2)
    }
    assert len(sandbox.chat(world.group).topics) == 2
    for thread in threads.values():  # stories are told and tops revised, table by table
        await sandbox.wait_for_message(
            world.group,
            text_contains="Everyone at this table has settled",
            thread_id=thread,
            timeout=30,
        )
    for number, thread in ((n, threads[f"Table {n}"]) for n in seating):
        posts = "\n".join(in_topic(sandbox, world, thread))
        at_table = {name for name in names if name.split(" (")[0] in seating[number]}
        for name in at_table:
            assert name in posts, f"{name} shared nothing at table {number}"
        assert not any(name in posts for name in set(names) - at_table)

    await command(world, "dilemma", text_contains="The dilemma is with every table")
    await command(world, "vote", text_contains="Voting has started at 2 tables")
    for thread in threads.values():
        await sandbox.wait_for_message(
            world.group,
            lambda m: (
                "This is your table's outcome" in m.content or "The table settles" in m.content
            ),
            thread_id=thread,
            timeout=30,
        )

    summary = await command(world, "summary", text_contains="Plenary")
    for number in seating:
        assert re.search(
            rf"Table {number}: (common top \d|agreed on \d cards?, not a full top|no agreement)",
            summary.content,
        ), summary.content
    await sandbox.wait_for_message(world.group, lambda m: m.photo is not None, after=summary)

    await world.facilitator.start_bot()
    message, archive = await export(world)
    assert "The 6 simulated participants of the rehearsal are left out" in message.content
    for name in ("participants", "ratings", "tops_before", "tops_after", "stories", "votes"):
        assert rows(archive, f"{name}.csv") == [], f"{name} holds simulated people"
    assert rows(archive, "outcomes.csv") == []
    document = json.loads(archive.read("session.json"))
    assert document["session"]["simulated_participants"] == PEOPLE
    assert document["session"]["simulated_included"] is False

    message, archive = await export(world, "all names")
    assert "It includes the 6 simulated participants" in message.content
    people = rows(archive, "participants.csv")
    assert sorted(p["person"] for p in people) == sorted(names)
    assert {p["simulated"] for p in people} == {"1"}
    (book,) = (name for name in archive.namelist() if name.endswith(".xlsx"))
    sheet = load_workbook(io.BytesIO(archive.read(book)))["Participants"]
    marked = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(row[0] for row in marked) == sorted(names)
    assert {row[7] for row in marked} == {True}, "the spreadsheet's column Simulated"
    assert len(rows(archive, "ratings.csv")) == PEOPLE * 2 * 30
    assert len(rows(archive, "tops_after.csv")) == PEOPLE * 4
    assert len(rows(archive, "outcomes.csv")) == 2
    assert len(rows(archive, "stories.csv")) >= PEOPLE

    for _ in range(100):  # the last notes may still be on their way
        steps = await bot.store.read(
            lambda tx: select(tx, "SELECT step, count(*) FROM participants GROUP BY step")
        )
        if dict(steps) == {"final": PEOPLE}:
            break
        await asyncio.sleep(0.1)
    failed = await bot.store.read(
        lambda tx: select(tx, "SELECT count(*) FROM outbox WHERE failed IS NOT NULL")
    )
    marked = await bot.store.read(
        lambda tx: select(tx, "SELECT count(*) FROM simulated_participants")
    )
    ids = await bot.store.read(lambda tx: select(tx, "SELECT user_id, chat_id FROM participants"))
    assert dict(steps) == {"final": PEOPLE}
    assert failed == [(0,)]
    assert marked == [(PEOPLE,)]
    assert all(is_simulated(uid) and uid == chat for uid, chat in ids)
    sent_to = {int(call.params["chat_id"]) for call in sandbox.calls if "chat_id" in call.params}
    assert sent_to and not any(chat >= SIMULATED_ID_BASE for chat in sent_to)


async def test_simulated_people_pick_up_their_work_after_a_restart(forum: World) -> None:
    world = forum
    settings = settings_for(world)
    app = build_application(settings, rate_limiter=False, rehearsal_delay=0.02)
    async with polling(app) as services:
        await new_session(world)
        await command(world, "settings", "start join", text_contains="as soon as someone joins")
        await command(world, "rehearse", "4", text_contains="Rehearsal")

        async def rated() -> int:
            return int(
                (await services.store.read(lambda tx: select(tx, "SELECT count(*) FROM ratings")))[
                    0
                ][0]
            )

        for _ in range(400):  # they are sorting: stop in the middle of it
            if await rated() >= 20:
                break
            await asyncio.sleep(0.05)

    store = await Store.open(world.database)  # the bot is down: what it left behind
    before = (await store.read(lambda tx: select(tx, "SELECT count(*) FROM ratings")))[0][0]
    pending = await store.read(
        lambda tx: select(
            tx, "SELECT DISTINCT chat_id FROM outbox WHERE delivered_at IS NULL AND failed IS NULL"
        )
    )
    await store.close()
    assert 20 <= before < 4 * 60, "stopped in the middle of the sort"
    assert pending and all(is_simulated(chat) for (chat,) in pending), "screens wait for them"

    app = build_application(settings, rate_limiter=False, rehearsal_delay=0.0)
    async with polling(app) as services:
        text = await status_until(world, "Top 4 chosen: 4")
        assert "Of whom simulated (rehearsal): 4" in text
        ratings = await services.store.read(lambda tx: select(tx, "SELECT count(*) FROM ratings"))
        steps = await services.store.read(
            lambda tx: select(tx, "SELECT DISTINCT step FROM participants")
        )
        assert ratings == [(4 * 60,)]
        assert steps == [("done",)]


async def test_bad_rehearse_commands_get_a_polite_answer_and_change_nothing(
    forum: World, bot: Services
) -> None:
    world, sandbox = forum, forum.sandbox
    await command(world, "rehearse", "3", text_contains="There is no open session")

    await new_session(world)
    stranger = sandbox.add_user("Stan", language_code="en")
    await stranger.join(world.group)
    sent = await stranger.send_command(world.group, "rehearse", "3")
    await sandbox.wait_for_message(world.group, text_contains="only the facilitators", after=sent)

    usage = "type /rehearse N with a number from 1 to 30"
    for not_a_number in ("six", "", "3 4"):
        await command(world, "rehearse", not_a_number, text_contains=usage)
    for wrong in ("0", "31", "-2", "99999999999999999999"):
        shown = min(int(wrong), 10**12)
        refusal = f"1 to 30 simulated participants at a time, not {shown}"
        await command(world, "rehearse", wrong, text_contains=refusal)
    await stranger.start_bot()
    sent = await stranger.send_command(stranger.private_chat, "rehearse", "3")
    await sandbox.wait_for_message(
        stranger.private_chat, text_contains="works in the group", after=sent
    )
    assert await bot.store.read(lambda tx: select(tx, "SELECT count(*) FROM participants")) == [
        (0,)
    ]

    for _ in range(2):
        await command(world, "rehearse", "30", text_contains="30 simulated participants joined")
    await command(
        world, "rehearse", "1", text_contains="already has 60 simulated participants; a session"
    )
    await command(world, "endsession", text_contains="closed")
    await command(world, "rehearse", "2", text_contains="The session in this group is closed")
    assert await bot.store.read(
        lambda tx: select(tx, "SELECT count(*) FROM simulated_participants")
    ) == [(60,)]
    assert await bot.store.read(lambda tx: select(tx, "SELECT count(*) FROM participants")) == [
        (60,)
    ]
