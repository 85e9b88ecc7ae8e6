"""Privacy end to end: /forgetme and /deletesession delete what they promise, the database
file is private, and log lines carry neither the token nor what people typed."""

from __future__ import annotations

import logging
import random
import stat

import pytest
from conftest import TOKEN, UNHURRIED, World, settings_for
from sql_rows import select
from test_sort_flow import new_session

from bot.app import Services, build_application, polling
from bot.simulation import Persona, SimulatedParticipant

SECRET_ORG = "Ministerie van Geheime Zaken"
NAME = "<b>Jan & Piet</b>"


async def counts(bot: Services) -> dict[str, int]:
    return await bot.store.read(
        lambda tx: {
            table: select(tx, f"SELECT count(*) FROM {table}")[0][0]
            for table in ("sessions", "participants", "ratings", "tops", "events")
        }
    )


@pytest.fixture
def info_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


async def test_forget_me_and_delete_session(
    info_logs: pytest.LogCaptureFixture, world: World, bot: Services
) -> None:
    sandbox = world.sandbox
    code = await new_session(world)
    await world.facilitator.send_command(world.group, "settings", "start join")
    people = [
        SimulatedParticipant(
            sandbox,
            sandbox.add_user(NAME if i == 0 else f"P{i}", language_code="en"),
            Persona(organisation=SECRET_ORG),
            random.Random(i),
        )
        for i in range(2)
    ]
    for person in people:
        await person.join(code)
        await person.run()
    jan = people[0]
    await sandbox.wait_for_message(jan.user.private_chat, text_contains="your sort is complete")
    before = await counts(bot)
    assert before["participants"] == 2 and before["ratings"] == 120

    await jan.user.send_command(jan.user.private_chat, "forgetme")
    await sandbox.wait_for_message(jan.user.private_chat, text_contains="your data is deleted")
    after = await counts(bot)
    assert after["participants"] == 1 and after["ratings"] == 60 and after["tops"] == 4
    jan_id = jan.user.state.id
    events, named = await bot.store.read(
        lambda tx: (
            select(tx, "SELECT count(*) FROM events WHERE user_id = ?", (jan_id,)),
            select(tx, "SELECT count(*) FROM participants WHERE name LIKE '%Jan%'"),
        )
    )
    assert events == [(0,)]
    assert named == [(0,)]
    await jan.user.send_command(jan.user.private_chat, "forgetme")
    await sandbox.wait_for_message(jan.user.private_chat, text_contains="nothing stored about you")

    await world.facilitator.send_command(world.group, "deletesession")
    ask = await sandbox.wait_for_message(world.group, text_contains="To confirm, send")
    assert "/deletesession 1" in ask.content and "1 participant " in ask.content
    assert (await counts(bot))["sessions"] == 1
    await world.facilitator.send_command(world.group, "deletesession", "1")
    await sandbox.wait_for_message(world.group, text_contains="The session is deleted")
    assert await counts(bot) == {
        "sessions": 0,
        "participants": 0,
        "ratings": 0,
        "tops": 0,
        "events": 1,
    }
    # What stays: the record that it was deleted.
    assert await bot.store.read(lambda tx: select(tx, "SELECT kind, user_id FROM events")) == [
        ("SessionDeleteRequested", world.facilitator.state.id)
    ]

    assert stat.S_IMODE(world.database.stat().st_mode) == 0o600
    records = info_logs.get_records("setup") + info_logs.get_records("call")
    logged = "\n".join(r.getMessage() for r in records)
    assert "started as @" in logged  # the log was captured
    for secret in (TOKEN, TOKEN.split(":")[1], SECRET_ORG, "Jan", "P1"):
        assert secret not in logged


# Distinctive strings, so a byte search over the database files finds nothing else.
TRACE_ORG = "Zorgvuldig-Geheim-BV-7731"
TRACE_FIRST = "Quirijntje-Verborgen-5520"
TRACE_LAST = "Achternaam-Onvindbaar-9184"
TRACES = (TRACE_ORG, TRACE_FIRST, TRACE_LAST)


def traces_in_files(world: World) -> dict[str, list[str]]:
    """Which of ``TRACES`` are in the raw bytes of which database file (db, -wal, -shm)."""
    found: dict[str, list[str]] = {}
    for path in sorted(world.database.parent.glob(world.database.name + "*")):
        with open(path, "rb") as f:
            data = f.read()
        hits = [t for t in TRACES if t.encode() in data]
        if hits:
            found[path.name] = hits
    return found


async def join_with_traces(world: World, bot: Services) -> SimulatedParticipant:
    """A session, and one person with a distinctive name and organisation who sorts it all;
    the traces are in the database files by then (a check on the search itself)."""
    sandbox = world.sandbox
    code = await new_session(world)
    await world.facilitator.send_command(world.group, "settings", "start join")
    user = sandbox.add_user(TRACE_FIRST, last_name=TRACE_LAST, language_code="en")
    person = SimulatedParticipant(
        sandbox, user, Persona(organisation=TRACE_ORG, age_band="30-44"), random.Random(7)
    )
    await person.join(code)
    await person.run()
    await sandbox.wait_for_message(user.private_chat, text_contains="your sort is complete")
    found = traces_in_files(world)
    assert any(TRACE_ORG in hits for hits in found.values()), found
    assert any(TRACE_FIRST in hits for hits in found.values()), found
    return person


async def test_forget_me_leaves_no_bytes_in_the_database_files(world: World) -> None:
    app = build_application(settings_for(world), rate_limiter=UNHURRIED)
    async with polling(app) as bot:
        person = await join_with_traces(world, bot)
        await person.user.send_command(person.user.private_chat, "forgetme")
        await world.sandbox.wait_for_message(
            person.user.private_chat, text_contains="your data is deleted"
        )
        assert traces_in_files(world) == {}, "while the bot runs"
    assert traces_in_files(world) == {}, "after the bot stopped"


async def test_delete_session_leaves_no_bytes_in_the_database_files(world: World) -> None:
    app = build_application(settings_for(world), rate_limiter=UNHURRIED)
    async with polling(app) as bot:
        await join_with_traces(world, bot)
        await world.facilitator.send_command(world.group, "deletesession", "1")
        await world.sandbox.wait_for_message(world.group, text_contains="The session is deleted")
        assert traces_in_files(world) == {}, "while the bot runs"
    assert traces_in_files(world) == {}, "after the bot stopped"
