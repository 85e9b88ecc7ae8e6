"""Telegram's errors during a session: rate limits, server errors, slow answers and a
participant who blocked the bot. The session completes for everyone else, nothing is
lost, retries wait as told, and /status shows who is unreachable."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from conftest import UNHURRIED, World, settings_for
from sql_rows import select
from test_sort_flow import new_session

from bot.app import Services, build_application, polling
from bot.simulation import Persona, SimulatedParticipant

PEOPLE = 4


@pytest.fixture
async def impatient_bot(world: World) -> AsyncIterator[Services]:
    """The bot with one-second request timeouts, so a slow answer times out quickly."""
    app = build_application(settings_for(world), request_timeout=1.0, rate_limiter=UNHURRIED)
    async with polling(app) as services:
        yield services


async def test_the_session_survives_telegram_errors(
    world: World, impatient_bot: Services, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = world.sandbox
    code = await new_session(world)
    people = [
        SimulatedParticipant(
            sandbox,
            sandbox.add_user(f"P{i}", language_code="en"),
            Persona(),
            random.Random(i),
            timeout=30,
        )
        for i in range(PEOPLE + 1)
    ]
    for person in people:
        await person.join(code)
        await person.run()  # consent and profile; then waiting for /startsort
    blocked = people.pop()
    await blocked.user.block_bot()

    sandbox.faults.fail_next(429, count=2, method="sendMessage", retry_after=1)
    sandbox.faults.fail_next(502, count=2, method="editMessageText")
    await world.facilitator.send_command(world.group, "startsort")
    await sandbox.wait_for_message(world.group, text_contains="The sort has started")
    await sandbox.wait_until(lambda: all(p.screen() for p in people), 30, what="first cards")

    async def slow_then_fast() -> None:
        await sandbox.wait_until(lambda: sum(p.taps for p in people) >= 20, 30)
        sandbox.faults.set_delay(1.5, method="editMessageText")
        await sandbox.wait_until(  # the bot's one-second timeout ran out on an edit
            lambda: any("TimedOut" in r.getMessage() for r in caplog.records), 30
        )
        sandbox.faults.set_delay(0, method="editMessageText")

    await asyncio.gather(slow_then_fast(), *(p.run() for p in people))
    for person in people:
        await sandbox.wait_for_message(
            person.user.private_chat, text_contains="your sort is complete", timeout=30
        )

    await world.facilitator.send_command(world.group, "status")
    status = await sandbox.wait_for_message(world.group, text_contains="Progress of the session")
    assert "Unreachable (blocked the bot or left): 1" in status.content
    assert f"Top 4 chosen: {PEOPLE}" in status.content

    await impatient_bot.delivery.drain(10)  # the last answer is marked delivered
    ratings, unreachable, pending = await impatient_bot.store.read(
        lambda tx: (
            select(tx, "SELECT user_id, count(*) FROM ratings GROUP BY user_id"),
            select(tx, "SELECT user_id FROM participants WHERE unreachable"),
            tx.pending_count(),
        )
    )
    assert sorted(n for _, n in ratings) == [60] * PEOPLE
    assert unreachable == [(blocked.user.state.id,)]
    assert pending == 0
    stored: dict[int, dict[tuple[int, str], int]] = {}
    for user_id, lens, card, level in await impatient_bot.store.read(
        lambda tx: select(tx, "SELECT user_id, lens_id, card_id, level FROM ratings")
    ):
        stored.setdefault(user_id, {})[({"professional": 0, "situation": 1}[lens], card)] = level
    for person in people:
        assert stored[person.user.state.id] == person.ratings

    failures = [c for c in sandbox.calls if c.error_code in (429, 502)]
    assert [c.error_code for c in failures].count(429) == 2
    assert [c.error_code for c in failures].count(502) == 2
    for failed in (c for c in failures if c.error_code == 429):
        retry = next(
            c
            for c in sandbox.calls
            if c.time > failed.time
            and c.method == failed.method
            and c.params.get("chat_id") == failed.params.get("chat_id")
        )
        assert retry.time - failed.time >= 1.0, "the retry waited retry_after"
    assert any(c.error_code == 403 for c in sandbox.calls), "the blocked person got a 403"
