"""Crashes: the bot process is killed with SIGKILL at random moments while twenty people
sort, and restarted each time. Nothing a person saw acknowledged may be lost, no card
comes back once it was rated, nobody is stuck, and the outbox ends empty."""

from __future__ import annotations

import asyncio
import random
from itertools import pairwise
from pathlib import Path

from conftest import TOKEN, World
from sql_rows import select
from test_sort_flow import new_session

from bot.sandbox import BotProcess, Sandbox
from bot.simulation import Persona, SimulatedParticipant
from bot.store import Store

PEOPLE = 20
KILLS = 10
LENS_INDEX = {"professional": 0, "situation": 1}


def cards_shown(sandbox: Sandbox, chat_id: int) -> list[tuple[int, str]]:
    """(lens index, card id) of every card screen sent or edited into this chat, in order."""
    shown = []
    for call in sandbox.calls:
        if call.method not in ("sendMessage", "editMessageText") or not call.ok:
            continue
        if str(call.params.get("chat_id")) != str(chat_id):
            continue
        markup = str(call.params.get("reply_markup") or "")
        for part in (
            markup.split('"callback_data": "r:')[1:] or markup.split('"callback_data":"r:')[1:]
        ):
            _, lens, card, _ = part.split('"', 1)[0].split(":")
            shown.append((int(lens), card))
            break
    return shown


async def test_sigkill_ten_times_while_twenty_people_sort(world: World, tmp_path: Path) -> None:
    sandbox = world.sandbox
    process = BotProcess(
        sandbox.base_url,
        TOKEN,
        world.database,
        {"DEFAULT_LOCALE": "en"},
        log_path=tmp_path / "bot.log",
    )
    rng = random.Random(8)
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
            for i in range(PEOPLE)
        ]
        for person in people:
            await person.join(code)

        kills = 0

        async def chaos() -> None:
            nonlocal kills
            total = PEOPLE * 64
            marks = sorted(rng.sample(range(40, total - 100), KILLS))
            for mark in marks:
                await sandbox.wait_until(lambda m=mark: sum(p.taps for p in people) >= m, 120)
                await process.kill()
                kills += 1
                await asyncio.sleep(rng.uniform(0.0, 0.3))  # the bot stays down a moment
                await process.start()

        await asyncio.gather(chaos(), *(p.run() for p in people))
        for person in people:
            await sandbox.wait_for_message(
                person.user.private_chat, text_contains="your sort is complete", timeout=30
            )
        await sandbox.wait_until(lambda: not sandbox.pending_updates, 30)
    assert kills == KILLS and process.starts == KILLS + 1

    store = await Store.open(world.database)
    rows, tops, steps, pending = await store.read(
        lambda tx: (
            select(tx, "SELECT user_id, lens_id, card_id, level FROM ratings"),
            select(tx, "SELECT user_id, count(*) FROM tops GROUP BY user_id"),
            select(tx, "SELECT step, count(*) FROM participants GROUP BY step"),
            tx.pending_count(),
        )
    )
    await store.close()

    stored: dict[int, dict[tuple[int, str], int]] = {}
    for user, lens, card, level in rows:
        stored.setdefault(user, {})[(LENS_INDEX[lens], card)] = level
    for person in people:
        mine = stored[person.user.state.id]
        lost = {k: v for k, v in person.ratings.items() if mine.get(k) != v}
        assert lost == {}, f"{person.user.first_name}: acknowledged ratings lost or changed"
        assert len(mine) == 60
        sequence = cards_shown(sandbox, person.user.private_chat.state.id)
        seen: set[tuple[int, str]] = set()
        for previous, current in pairwise(sequence):
            if current != previous:
                assert current not in seen, f"{current} dealt again to {person.user.first_name}"
                seen.add(previous)
    assert sorted(n for _, n in tops) == [4] * PEOPLE
    assert steps == [("done", PEOPLE)], "nobody is stuck"
    assert pending == 0, "the outbox is empty"
