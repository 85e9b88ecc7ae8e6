"""The bot's own keeping of Telegram's flood limits (``bot.telegram.flood_limits``): which waiting
message goes first, and that none goes beyond a budget. The schedule is given the time, so
these tests step through it instead of waiting."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram import InputMediaDocument
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.sandbox import Sandbox, SandboxRequest
from bot.telegram.flood_limits import Limits, Pacer, Schedule, Turn, Urgency

TOKEN = "123456:PACING-token"


def run(schedule: Schedule, until: float = 1000.0) -> list[tuple[float, Turn]]:
    """Every call granted, with when, stepping the clock to each next possible moment."""
    granted: list[tuple[float, Turn]] = []
    now = 0.0
    while now <= until:
        going, soonest = schedule.due(now)
        granted.extend((now, turn) for turn in going)
        if soonest is None:
            break
        now = soonest
    return granted


def chats(granted: list[tuple[float, Turn]]) -> list[int | str | None]:
    return [turn.chat_id for _, turn in granted]


def test_a_screen_someone_waits_for_goes_before_messages_that_may_wait() -> None:
    schedule = Schedule(Limits(per_second=10, burst=1))
    for chat in (1, 2, 3):
        schedule.add(Urgency.LATER, chat, 0.0)
    schedule.add(Urgency.AWAITED, 4, 0.0)
    assert chats(run(schedule)) == [4, 1, 2, 3]


def test_every_part_of_a_group_post_goes_before_the_screens_queued_with_it() -> None:
    schedule = Schedule(Limits(per_second=10, burst=1, chat_per_second=100, chat_burst=100))
    for chat in range(1, 6):
        schedule.add(Urgency.AWAITED, chat, 0.0)
    schedule.add(Urgency.PLENARY, -100, 0.0)  # the seating, in two parts
    schedule.add(Urgency.PLENARY, -100, 0.0)
    assert chats(run(schedule)) == [-100, -100, 1, 2, 3, 4, 5]


def test_equally_urgent_messages_go_in_the_order_they_came() -> None:
    schedule = Schedule(Limits(per_second=10, burst=2))
    for chat in (5, 3, 9, 1, 7):
        schedule.add(Urgency.AWAITED, chat, 0.0)
    assert chats(run(schedule)) == [5, 3, 9, 1, 7]


def test_a_message_that_may_wait_is_not_starved_by_urgent_ones() -> None:
    limits = Limits(per_second=1, burst=1, aging=5.0)
    schedule = Schedule(limits)
    schedule.add(Urgency.LATER, 1000, 0.0)
    granted: list[tuple[float, Turn]] = []
    now, chat = 0.0, 0
    while now < 30:  # two urgent screens arrive every second: more than the budget
        for _ in range(2):
            chat += 1
            schedule.add(Urgency.AWAITED, chat, now)
        going, _ = schedule.due(now)
        granted.extend((now, turn) for turn in going)
        now += 1.0
    later = next(at for at, turn in granted if turn.chat_id == 1000)
    assert later <= limits.aging + 1


def test_a_chat_out_of_budget_does_not_hold_up_other_chats() -> None:
    schedule = Schedule(Limits(per_second=100, burst=100, chat_per_second=1, chat_burst=3))
    for _ in range(5):
        schedule.add(Urgency.AWAITED, 1, 0.0)
    schedule.add(Urgency.AWAITED, 2, 0.0)
    granted = run(schedule)
    assert chats(granted)[:4] == [1, 1, 1, 2]
    first_moment = [turn.chat_id for at, turn in granted if at == 0.0]
    assert first_moment == [1, 1, 1, 2]


def test_no_chat_gets_more_than_its_burst_and_rate() -> None:
    limits = Limits(per_second=100, burst=100, chat_per_second=0.9, chat_burst=3)
    schedule = Schedule(limits)
    for _ in range(20):
        schedule.add(Urgency.AWAITED, 7, 0.0)
    times = [at for at, _ in run(schedule)]
    assert len(times) == 20
    for start in times:
        within = [t for t in times if start <= t < start + 10]
        assert len(within) <= limits.chat_burst + 10 * limits.chat_per_second


def test_a_group_gets_at_most_twenty_messages_in_its_window() -> None:
    limits = Limits(per_second=100, burst=100, chat_per_second=10, chat_burst=30)
    schedule = Schedule(limits)
    for _ in range(45):
        schedule.add(Urgency.AWAITED, -100, 0.0)
    times = [at for at, _ in run(schedule, until=10_000)]
    assert len(times) == 45
    for start in times:
        within = [t for t in times if start <= t < start + limits.group_window]
        assert len(within) <= limits.group_per_window
    assert times[20] >= times[0] + limits.group_window


def test_an_album_counts_as_its_pictures_in_a_group() -> None:
    limits = Limits(per_second=100, burst=100, chat_per_second=10, chat_burst=30)
    schedule = Schedule(limits)
    for _ in range(18):
        schedule.add(Urgency.AWAITED, -100, 0.0)
    schedule.add(Urgency.AWAITED, -100, 0.0, messages=3)  # the plenary's three pictures
    granted = run(schedule, until=10_000)
    album = next(at for at, turn in granted if turn.messages == 3)
    assert album >= min(at for at, _ in granted) + limits.group_window, "20 a minute, not 21"


def test_an_album_spends_a_chat_budget_by_its_items() -> None:
    schedule = Schedule(Limits(per_second=100, burst=100, chat_per_second=1, chat_burst=2))
    schedule.add(Urgency.AWAITED, 7, 0.0, messages=2)  # the report: a PDF and a .docx
    schedule.add(Urgency.AWAITED, 7, 0.0)
    (first, _), (second, _) = run(schedule)
    assert first == 0.0 and second >= 1.0


def test_overall_no_more_than_the_burst_and_the_rate() -> None:
    limits = Limits(per_second=28.5, burst=10)
    schedule = Schedule(limits)
    for chat in range(300):
        schedule.add(Urgency.AWAITED, chat, 0.0)
    times = [at for at, _ in run(schedule)]
    assert len(times) == 300
    for start in times:
        within = [t for t in times if start <= t < start + 1.0]
        assert len(within) <= limits.burst + limits.per_second
    assert times[-1] >= (300 - limits.burst) / limits.per_second - 1e-6


def test_a_call_whose_caller_gave_up_never_goes() -> None:
    schedule = Schedule(Limits(per_second=10, burst=1))
    turns = [schedule.add(Urgency.AWAITED, chat, 0.0) for chat in (1, 2, 3)]
    schedule.remove(turns[1])
    assert chats(run(schedule)) == [1, 3]
    assert schedule.expected_wait(10.0) == 0.0


def test_a_refused_chat_waits_before_its_next_message() -> None:
    schedule = Schedule(Limits())
    schedule.hold(5, 7.0)
    schedule.add(Urgency.AWAITED, 5, 0.0)
    schedule.add(Urgency.AWAITED, 6, 0.0)
    granted = run(schedule)
    assert [(at, turn.chat_id) for at, turn in granted] == [(0.0, 6), (7.0, 5)]


def test_the_expected_wait_grows_with_the_urgent_messages_ahead() -> None:
    limits = Limits(per_second=10, burst=1)
    schedule = Schedule(limits)
    schedule.due(0.0)
    quiet = schedule.expected_wait(0.0)
    for chat in range(30):
        schedule.add(Urgency.AWAITED, chat, 0.0)
    schedule.add(Urgency.LATER, 99, 0.0)
    assert schedule.expected_wait(0.0) >= quiet + 30 / limits.per_second


# --- the pacer as PTB's rate limiter --------------------------------------------------------


class Calls:
    """A stand-in for PTB's request: records the order in which calls go out."""

    def __init__(self) -> None:
        self.order: list[tuple[str, object]] = []
        self.refuse: set[object] = set()

    def callback(self, endpoint: str, data: dict[str, Any]) -> Any:
        async def call() -> dict[str, Any]:
            if data.get("chat_id") in self.refuse:
                raise RetryAfter(timedelta(seconds=30))
            self.order.append((endpoint, data.get("chat_id")))
            return {"ok": True}

        return call


async def submit(
    pacer: Pacer, calls: Calls, endpoint: str, chat_id: object, urgency: Urgency | None
) -> Any:
    data = {"chat_id": chat_id} if chat_id is not None else {}
    return await pacer.process_request(
        calls.callback(endpoint, data), (), {}, endpoint, data, urgency
    )


async def test_the_pacer_sends_urgent_messages_first_and_answers_taps_at_once() -> None:
    pacer = Pacer(Limits(per_second=200, burst=1))
    calls = Calls()
    first = asyncio.create_task(submit(pacer, calls, "sendMessage", 1, Urgency.LATER))
    await asyncio.sleep(0)
    waiting = [
        asyncio.create_task(submit(pacer, calls, "sendMessage", chat, Urgency.LATER))
        for chat in (2, 3)
    ]
    waiting.append(asyncio.create_task(submit(pacer, calls, "editMessageText", 4, None)))
    waiting.append(asyncio.create_task(submit(pacer, calls, "answerCallbackQuery", None, None)))
    await asyncio.gather(first, *waiting)
    assert calls.order == [
        ("sendMessage", 1),
        ("answerCallbackQuery", None),
        ("editMessageText", 4),
        ("sendMessage", 2),
        ("sendMessage", 3),
    ]
    await pacer.shutdown()


async def test_a_refusal_reaches_the_caller_and_holds_that_chat_only() -> None:
    pacer = Pacer(Limits())
    calls = Calls()
    calls.refuse.add(8)
    with pytest.raises(RetryAfter):
        await submit(pacer, calls, "sendMessage", 8, Urgency.AWAITED)
    assert pacer.wait_in(8) > 25
    assert pacer.wait_in(9) == 0
    await pacer.shutdown()


class Recording(Pacer):
    """The pacer, noting the urgency each message reaches it with."""

    def __init__(self) -> None:
        super().__init__(Limits())
        self.seen: list[Urgency | None] = []

    async def process_request(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs["endpoint"] == "sendMessage":
            self.seen.append(kwargs["rate_limit_args"])
        return await super().process_request(*args, **kwargs)


async def test_every_urgency_reaches_the_pacer_through_ptb() -> None:
    async with Sandbox(TOKEN) as sandbox:
        user = sandbox.add_user("Ann", started=True)
        pacer = Recording()
        bot = ExtBot(TOKEN, request=SandboxRequest(sandbox), rate_limiter=pacer)
        await bot.initialize()
        for urgency in Urgency:
            await bot.send_message(user.id, "hello", rate_limit_args=urgency)
        await bot.shutdown()
    assert pacer.seen == list(Urgency)


class Counting(Pacer):
    """The pacer, noting how many messages each album reaches it as."""

    def __init__(self) -> None:
        super().__init__(Limits())
        self.albums: list[int] = []

    async def process_request(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().process_request(*args, **kwargs)
        if kwargs["endpoint"] == "sendMediaGroup":
            self.albums.append(len(result) if isinstance(result, list) else -1)
        return result


async def test_an_album_through_ptb_is_weighed_by_its_items() -> None:
    async with Sandbox(TOKEN) as sandbox:
        user = sandbox.add_user("Ann", started=True)
        pacer = Counting()
        added: list[int] = []
        add = pacer.schedule.add

        def noting(*args: Any, **kwargs: Any) -> Turn:
            turn = add(*args, **kwargs)
            added.append(turn.messages)
            return turn

        pacer.schedule.add = noting  # type: ignore[method-assign]
        bot = ExtBot(TOKEN, request=SandboxRequest(sandbox), rate_limiter=pacer)
        await bot.initialize()
        files = [InputMediaDocument(b"%PDF-1.4 x", filename=f"{i}.pdf") for i in range(3)]
        await bot.send_media_group(user.id, files)
        await bot.send_message(user.id, "and one more")
        await bot.shutdown()
    assert added == [3, 1]
    assert pacer.albums == [3]
