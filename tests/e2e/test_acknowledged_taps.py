"""Nothing is acknowledged before it is committed: while eight people sort at once (their
taps handled concurrently, their units of work committed in groups), each rating a person
sees answered is in the database on disk at the moment the answer reaches Telegram, as
another program reading the file sees it (only committed transactions)."""

from __future__ import annotations

import asyncio
import random
import sqlite3

from conftest import World
from test_sort_flow import new_session

from bot.app import Services
from bot.decks.files import load_builtin_decks
from bot.sandbox.methods import ApiCall
from bot.simulation import Persona, SimulatedParticipant

PEOPLE = 8


async def test_every_answered_rating_is_committed_when_the_answer_goes_out(
    world: World, bot: Services
) -> None:
    sandbox = world.sandbox
    lenses = [lens.id for lens in load_builtin_decks()["goed-werk"].lenses]
    checked: list[bool] = []
    record = sandbox.record_call

    def committed(user_id: int, data: str) -> bool:
        _, _, lens, card, level = data.split(":")
        db = sqlite3.connect(f"file:{world.database}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT level FROM ratings WHERE user_id = ? AND lens_id = ? AND card_id = ?",
                (user_id, lenses[int(lens)], card),
            ).fetchall()
        finally:
            db.close()
        return rows == [(int(level),)]

    def record_and_check(call: ApiCall) -> None:
        if call.method == "answerCallbackQuery" and call.ok:
            query = sandbox.world.callback_queries[str(call.params.get("callback_query_id"))]
            if query.data.startswith("r:") and not call.params.get("text"):
                checked.append(committed(query.user_id, query.data))
        record(call)

    sandbox.record_call = record_and_check  # type: ignore[method-assign]
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

    await asyncio.gather(*(person.run() for person in people))

    assert len(checked) >= PEOPLE * 60 and all(checked), "answered before its commit"
    batches = [
        sum("callback_query" in u for u in c.result)
        for c in sandbox.calls
        if c.method == "getUpdates" and c.ok and isinstance(c.result, list)
    ]
    assert max(batches) > 1, "taps of several people were in the bot's hands at once"
