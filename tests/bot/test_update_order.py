"""Handling updates concurrently: each person's updates strictly in the order they came,
different people's at the same time, never more at once than the application allows; an
update that could not be saved holds back only the same person's later updates.

The application is PTB's, talking to the sandbox in-process (``getMe`` at start only); the
handler records when each update starts and ends and hands the loop on a few times in
between, so that updates in hand at once interleave."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Chat, Message, Update, User
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.errors import StoreUnavailable
from bot.sandbox import Sandbox, SandboxRequest
from bot.telegram.updates import Handling

TOKEN = "123456:ORDER-test-token"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def update(update_id: int, person: int) -> Update:
    user = User(person, f"P{person}", is_bot=False)
    chat = Chat(person, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, NOW, chat, from_user=user, text="hi"))


@pytest.fixture
async def make_app() -> AsyncIterator[Callable[[int, Callback], Awaitable[Application]]]:  # type: ignore[type-arg]
    sandbox = Sandbox(TOKEN)
    started: list[Application] = []  # type: ignore[type-arg]

    async def make(concurrent: int, callback: Callback) -> Application:  # type: ignore[type-arg]
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(sandbox.base_url)
            .request(SandboxRequest(sandbox))
            .get_updates_request(SandboxRequest(sandbox))
            .updater(None)
            .concurrent_updates(concurrent)
            .build()
        )
        app.add_handler(TypeHandler(Update, callback))
        await app.initialize()
        started.append(app)
        return app

    yield make
    for app in started:
        await app.shutdown()


class Record:
    """Which updates started and ended, in what order, and how many ran at once."""

    def __init__(self, seed: int = 3) -> None:
        self.events: list[tuple[str, int, int]] = []
        self.running = 0
        self.most = 0
        self.rng = random.Random(seed)

    async def __call__(self, update: Update, context: Any) -> None:
        assert update.effective_user is not None
        person = update.effective_user.id
        self.running += 1
        self.most = max(self.most, self.running)
        self.events.append(("start", person, update.update_id))
        for _ in range(self.rng.randint(0, 4)):
            await asyncio.sleep(0)
        self.events.append(("end", person, update.update_id))
        self.running -= 1

    def per_person(self) -> dict[int, list[tuple[str, int]]]:
        seen: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for what, person, update_id in self.events:
            seen[person].append((what, update_id))
        return seen


async def test_each_persons_updates_in_order_different_people_at_once(make_app: Any) -> None:
    record = Record()
    app = await make_app(8, record)
    handling = Handling(app)
    rng = random.Random(5)
    people = [rng.choice((1, 2, 3, 4, 5)) for _ in range(60)]
    batch = [update(number, person) for number, person in enumerate(people, start=1)]

    handled = await asyncio.gather(*(handling.handle(u) for u in batch))

    assert handled == [True] * len(batch)
    for person, seen in record.per_person().items():
        mine = [u.update_id for u in batch if people[u.update_id - 1] == person]
        # one at a time (each ends before the next starts), in the order they came
        assert seen == [(what, n) for n in mine for what in ("start", "end")], person
    assert record.most > 1, "different people's updates were handled at the same time"


async def test_no_more_updates_at_once_than_the_application_allows(make_app: Any) -> None:
    record = Record()
    app = await make_app(3, record)
    handling = Handling(app)
    batch = [update(number, person=number) for number in range(1, 21)]  # 20 people

    assert all(await asyncio.gather(*(handling.handle(u) for u in batch)))
    assert record.most == 3


async def test_an_update_that_cannot_be_saved_holds_back_only_its_person(
    make_app: Any,
) -> None:
    """Ann's first update fails to save until Bob's last one is handled (the store "comes
    back" then): Bob is not held up by Ann, and Ann's second update waits for her first."""
    events: list[str] = []
    store_back = asyncio.Event()

    async def callback(u: Update, context: Any) -> None:
        assert u.effective_user is not None
        name = {1: "ann", 2: "bob"}[u.effective_user.id]
        if u.update_id == 1 and not store_back.is_set():
            events.append("ann 1 not saved")
            raise StoreUnavailable("database is locked")
        events.append(f"{name} {u.update_id}")
        if u.update_id == 5:
            store_back.set()

    app = await make_app(8, callback)
    handling = Handling(app)
    batch = [update(1, 1), update(2, 2), update(3, 1), update(4, 2), update(5, 2)]

    assert all(await asyncio.gather(*(handling.handle(u) for u in batch)))

    assert events[0] == "ann 1 not saved"
    assert events.index("bob 5") < events.index("ann 1") < events.index("ann 3")
    assert [e for e in events if e.startswith("bob")] == ["bob 2", "bob 4", "bob 5"]


async def test_a_stop_leaves_the_waiting_updates_unhandled(make_app: Any) -> None:
    """Stopping while an update cannot be saved: it and the same person's later ones report
    False (Telegram keeps them), so that the poller does not confirm them."""

    async def never_saved(u: Update, context: Any) -> None:
        raise StoreUnavailable("disk I/O error")

    app = await make_app(8, never_saved)
    handling = Handling(app)
    pending = asyncio.gather(handling.handle(update(1, 1)), handling.handle(update(2, 1)))
    await asyncio.sleep(0.05)
    handling.stopping.set()
    assert await pending == [False, False]
