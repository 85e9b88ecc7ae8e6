"""Fault injection: forced 429 and 5xx, slow answers, Telegram's flood limits."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import Callable

import pytest
from telegram import Bot, InputMediaPhoto
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.sandbox import Sandbox

TOKEN = "123456:TEST-token"


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (an error under filterwarnings=error) when RetryAfter holds an int.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def test_forced_429_for_one_method_carries_retry_after(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    sandbox.faults.fail_next(429, retry_after=2, count=1, method="sendMessage")
    await bot.get_me()  # other methods are not affected
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(alice.id, "hello")
    assert info.value.retry_after == dtm.timedelta(seconds=2)
    failed = sandbox.calls_to("sendMessage")[-1]
    assert (failed.error_code, failed.description) == (429, "Too Many Requests: retry after 2")
    await bot.send_message(alice.id, "hello")  # only the next call was hit
    assert [m.text for m in sandbox.transcript(alice.private_chat)] == ["hello"]


async def test_forced_5xx_is_a_network_error_for_n_calls(sandbox: Sandbox, bot: Bot) -> None:
    sandbox.faults.fail_next(502, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.get_me()
    await bot.get_me()
    assert [c.error_code for c in sandbox.calls_to("getMe")[-3:]] == [502, 502, None]


async def test_delay_slows_answers_and_can_time_out(sandbox: Sandbox) -> None:
    sandbox.faults.set_delay(0.5, method="getMe")
    request = HTTPXRequest(read_timeout=0.1)
    slow = Bot(TOKEN, base_url=sandbox.base_url, request=request)
    try:
        with pytest.raises(TimedOut):
            await slow.get_me()
    finally:
        await request.shutdown()
    sandbox.faults.set_delay(0.2)
    async with Bot(TOKEN, base_url=sandbox.base_url) as patient:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await patient.get_me()
        assert loop.time() - started >= 0.15


async def test_rate_limits_per_chat_burst(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    bob = sandbox.add_user("Bob", started=True)
    sandbox.faults.enforce_rate_limits(per_chat_burst=2, per_chat_per_second=0.5)
    await bot.send_message(alice.id, "1")
    await bot.send_message(alice.id, "2")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(alice.id, "3")
    assert info.value.retry_after == dtm.timedelta(seconds=2)
    await bot.send_message(bob.id, "other chats are fine")
    await bot.get_me()  # not a sending method
    sandbox.faults.enforce_rate_limits(False)
    await bot.send_message(alice.id, "3")


async def test_rate_limits_per_group_per_minute(sandbox: Sandbox, bot: Bot) -> None:
    group = sandbox.add_group("Plenary")
    sandbox.faults.enforce_rate_limits(
        per_chat_burst=100, per_chat_per_second=100, group_per_minute=3
    )
    for i in range(3):
        await bot.send_message(group.id, str(i))
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(group.id, "too many")
    assert dtm.timedelta(seconds=55) <= info.value.retry_after <= dtm.timedelta(seconds=60)


async def test_an_album_counts_as_its_items_in_a_group(
    sandbox: Sandbox, bot: Bot, make_png: Callable[..., bytes]
) -> None:
    group = sandbox.add_group("Plenary")
    sandbox.faults.enforce_rate_limits(
        per_chat_burst=100, per_chat_per_second=100, group_per_minute=4
    )
    await bot.send_message(group.id, "one")
    await bot.send_message(group.id, "two")
    photos = [InputMediaPhoto(make_png()) for _ in range(3)]
    with pytest.raises(RetryAfter):  # 2 + 3 > 4
        await bot.send_media_group(group.id, photos)
    assert len(sandbox.bot_messages(group)) == 2, "a refused album sends nothing"
    await bot.send_media_group(group.id, photos[:2])
    assert len(sandbox.bot_messages(group)) == 4


async def test_rate_limits_overall(sandbox: Sandbox, bot: Bot) -> None:
    users = [sandbox.add_user(f"U{i}", started=True) for i in range(3)]
    sandbox.faults.enforce_rate_limits(overall_per_second=2)
    await bot.send_message(users[0].id, "a")
    await bot.send_message(users[1].id, "b")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[2].id, "c")
    assert [c.ok for c in sandbox.calls_to("sendMessage")] == [True, True, False]


async def test_ptb_rate_limiter_retries_after_a_forced_429(sandbox: Sandbox) -> None:
    alice = sandbox.add_user("Alice", started=True)
    sandbox.faults.fail_next(429, retry_after=1, method="sendMessage")
    limited = ExtBot(TOKEN, base_url=sandbox.base_url, rate_limiter=AIORateLimiter(max_retries=1))
    async with limited:
        await limited.send_message(alice.id, "eventually")
    assert [c.error_code for c in sandbox.calls_to("sendMessage")] == [429, None]
    assert sandbox.last_bot_message(alice.private_chat).text == "eventually"


def test_fail_next_rejects_a_zero_retry_after() -> None:
    sandbox = Sandbox()
    with pytest.raises(ValueError, match="retry_after"):
        sandbox.faults.fail_next(429, retry_after=0)
