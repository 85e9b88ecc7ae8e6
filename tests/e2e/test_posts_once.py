"""A post reaches its chat once, whatever the instant of a crash around it. The bot is
killed, once nothing else is in flight, just before the seating post goes out, just after
a table's vote result went out, and between the plenary summary's text and its pictures (the
album's call fails, and the bot dies while it waits to try again). After each restart
nothing is sent twice and what had not gone out yet still goes out.

What no bot can avoid is a kill in the instant between Telegram accepting a message and
the bot recording that (the Bot API has no idempotent send): the bot commits right after
each call, so that at most that one call is repeated; README says so."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from conftest import TOKEN, World
from test_sort_flow import new_session

from bot.sandbox import BotProcess, Sandbox
from bot.sandbox.methods import ApiCall
from bot.simulation import Persona, SimulatedParticipant, run_all

SENDS = ("sendMessage", "sendPhoto", "sendMediaGroup", "copyMessage", "sendDocument")


def text_of(call: ApiCall) -> str:
    return str(call.params.get("text") or call.params.get("caption") or call.method)


def to_chat(
    chat_id: int, words: str = "", method: str = "sendMessage"
) -> Callable[[ApiCall], bool]:
    return lambda c: (
        c.method == method and str(c.params.get("chat_id")) == str(chat_id) and words in text_of(c)
    )


async def kill_when(
    sandbox: Sandbox,
    process: BotProcess,
    wanted: Callable[[ApiCall], bool],
    recorded: Callable[[], bool] = lambda: True,
) -> None:
    """Once a call like ``wanted`` was answered and ``recorded()`` holds, SIGKILL the bot and
    start it again."""
    await sandbox.wait_until(lambda: any(wanted(c) for c in sandbox.calls), 60)
    await sandbox.wait_until(recorded, 10)
    await process.kill()
    await process.start()


def settled(database: Path) -> bool:
    """Every effect in the outbox went out and was recorded, except those whose call failed
    (postponed): no other send is in flight, so a kill now meets no unavoidable repeat."""
    db = sqlite3.connect(database)
    try:
        (in_flight,) = db.execute(
            "SELECT count(*) FROM outbox"
            " WHERE delivered_at IS NULL AND failed IS NULL AND attempts = 0"
        ).fetchone()
    finally:
        db.close()
    return bool(in_flight == 0)


async def test_kills_around_the_group_posts_send_nothing_twice(
    world: World, tmp_path: Path
) -> None:
    sandbox = world.sandbox
    process = BotProcess(
        sandbox.base_url, TOKEN, world.database, {"DEFAULT_LOCALE": "en"}, log_path=tmp_path / "l"
    )
    group = world.group.state.id
    async with process:
        code = await new_session(world)
        await world.facilitator.send_command(world.group, "settings", "start join")
        await sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
        people = [
            SimulatedParticipant(
                sandbox,
                sandbox.add_user(f"P{i}", language_code="en"),
                Persona(organisation=None, age_band=None),
                random.Random(i),
                timeout=60,
            )
            for i in range(4)
        ]
        for person in people:
            await person.join(code)
        await run_all(people)
        for person in people:
            await sandbox.wait_for_message(
                person.user.private_chat, text_contains="your sort is complete", timeout=30
            )
        sent = await world.facilitator.send_command(world.group, "tables")
        await sandbox.wait_for_message(world.group, text_contains="Proposed seating", after=sent)

        # just before the seating post: its call fails, and the bot dies
        start = len(sandbox.calls)  # (a card can come first in both sorts: same text)
        sandbox.faults.fail_next(502, method="sendMessage", chat_id=group)
        await world.facilitator.send_command(world.group, "seat")
        await kill_when(
            sandbox,
            process,
            lambda c: not c.ok and to_chat(group)(c),
            lambda: settled(world.database),
        )
        await sandbox.wait_for_message(world.group, text_contains="The tables are set", timeout=30)
        for person in people:
            await sandbox.wait_until(lambda p=person: p.screen() is not None, 30)
        await run_all(people)

        await world.facilitator.send_command(world.group, "dilemma")
        await sandbox.wait_for_message(world.group, text_contains="The dilemma is with every table")
        await world.facilitator.send_command(world.group, "vote")
        await sandbox.wait_for_message(world.group, text_contains="Voting has started")
        for person in people:
            await sandbox.wait_until(lambda p=person: p.screen() is not None, 30)
        # just after the table's vote result reached its members
        first = people[0].user.private_chat.state.id
        await run_all(people)
        await kill_when(
            sandbox,
            process,
            lambda c: c.ok and to_chat(first, "round 1")(c),
            lambda: settled(world.database),
        )
        await run_all(people)

        # between the summary's text and its pictures (an album: the grid and what changed)
        sandbox.faults.fail_next(502, method="sendMediaGroup", chat_id=group)
        await world.facilitator.send_command(world.group, "summary")
        album = to_chat(group, method="sendMediaGroup")
        await kill_when(
            sandbox, process, lambda c: not c.ok and album(c), lambda: settled(world.database)
        )
        await sandbox.wait_until(lambda: any(c.ok and album(c) for c in sandbox.calls), 30)
        await asyncio.sleep(2.0)  # a repeated message would come now
    assert process.starts == 4

    sends = Counter(
        (str(c.params.get("chat_id")), c.method, text_of(c))
        for c in sandbox.calls[start:]
        if c.ok and c.method in SENDS
    )
    assert {key: n for key, n in sends.items() if n > 1} == {}, "nothing is sent twice"
    in_group = [(method, text) for chat, method, text in sends if chat == str(group)]
    assert sum("The tables are set" in text for _, text in in_group) == 1
    assert sum("Plenary" in text for _, text in in_group) == 1
    assert sum(method == "sendMediaGroup" for method, _ in in_group) == 1, "the pictures went out"
    assert sum(chat == str(first) and "round 1" in text for chat, _, text in sends) == 1
