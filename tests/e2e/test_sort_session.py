"""Issue 4's whole first half of the method, end to end: the bot runs as its own process
against the sandbox; a facilitator starts a session, six people join through the deep
link and sort both lenses and choose a top four while the bot is restarted."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from conftest import TOKEN, World
from sql_rows import select
from test_sort_flow import new_session

from bot.sandbox import BotProcess
from bot.simulation import Persona, SimulatedParticipant
from bot.store import Store

PEOPLE = 6
PROJECT = str(Path(__file__).resolve().parent.parent.parent / "bot")
CARDS = 30
LENSES = 2


async def test_six_people_sort_both_lenses_across_a_restart(world: World, tmp_path: Path) -> None:
    sandbox = world.sandbox
    process = BotProcess(
        sandbox.base_url,
        TOKEN,
        world.database,
        {"DEFAULT_LOCALE": "en", "LOG_LEVEL": "DEBUG"},
        log_path=tmp_path / "bot.log",
    )
    async with process:
        stranger = sandbox.add_user("Sam", language_code="en")
        await stranger.join(world.group)
        await stranger.send_command(world.group, "newsession")
        await sandbox.wait_for_message(
            world.group, text_contains="only the facilitators", timeout=20
        )

        code = await new_session(world)
        await world.facilitator.send_command(world.group, "settings", "start join")
        await sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")

        rng = random.Random(4)
        people = [
            SimulatedParticipant(
                sandbox,
                sandbox.add_user(f"Person {i}", language_code="en"),
                Persona(organisation=f"Org {i % 3}", age_band="45-59"),
                random.Random(rng.random()),
                timeout=30,
            )
            for i in range(PEOPLE)
        ]
        for person in people:
            await person.join(code)

        async def restart_midway() -> None:
            await sandbox.wait_until(lambda: sum(p.taps for p in people) >= PEOPLE * 20, 60)
            await process.restart()

        await asyncio.gather(restart_midway(), *(p.run() for p in people))
        for person in people:
            await sandbox.wait_for_message(
                person.user.private_chat, text_contains="your sort is complete", timeout=20
            )
    assert process.starts == 2

    store = await Store.open(world.database)
    ratings, tops, sessions, pending = await store.read(
        lambda tx: (
            select(tx, "SELECT session_id, user_id, lens_id, card_id, level FROM ratings"),
            select(tx, "SELECT user_id, count(*) FROM tops GROUP BY user_id"),
            select(tx, "SELECT created_by FROM sessions"),
            tx.pending_count(),
        )
    )
    await store.close()

    assert len(ratings) == PEOPLE * LENSES * CARDS
    assert sorted(n for _, n in tops) == [4] * PEOPLE
    assert sessions == [(world.facilitator.state.id,)], "the stranger's /newsession changed nothing"
    assert pending == 0
    lens_index = {"professional": 0, "situation": 1}
    for person in people:
        mine = {
            (lens_index[lens], card): level
            for _, user, lens, card, level in ratings
            if user == person.user.state.id
        }
        assert mine == person.ratings, "every tapped level is stored as tapped"

    for person in people:
        chat_id = person.user.private_chat.state.id
        shown = [
            c
            for c in sandbox.calls
            if c.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup")
            and str(c.params.get("chat_id")) == str(chat_id)
        ]
        non_rating_screens = 8  # welcome, age, org, 2 lens prompts, 2 new card messages, done
        restart_slack = 2  # an edit in flight at the restart may be delivered again
        assert len(shown) <= person.taps + non_rating_screens + restart_slack
        assert len(person.ratings) == LENSES * CARDS
    log = process.read_stderr()
    assert log.count("started as @") == 2, "both runs logged at DEBUG level"
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    # Our code logged no error and raised nothing (PTB may log a cancelled poll at shutdown).
    assert " ERROR bot." not in log and f'File "{PROJECT}' not in log
