"""End-to-end fixtures: the sandbox Bot API on 127.0.0.1 and the project's real
python-telegram-bot application polling it through ``BOT_API_BASE_URL``."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import Services, build_application, polling
from bot.sandbox import Sandbox, SimChat, SimUser
from bot.settings import Settings
from bot.telegram.flood_limits import Limits

TOKEN = "123456:E2E-secret-token-value"
FACILITATOR_ID = 9001
UNHURRIED = Limits(
    per_second=1e6, burst=10**6, chat_per_second=1e6, chat_burst=10**6, group_per_window=10**6
)
"""The bot's pacer with budgets it never waits for: every message still passes through its
queue, but the sandbox enforces no flood limits here, so the tests need not wait either."""


@dataclass
class World:
    sandbox: Sandbox
    facilitator: SimUser
    group: SimChat
    database: Path


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(token=TOKEN) as sb:
        yield sb


@pytest.fixture
def world(sandbox: Sandbox, tmp_path: Path) -> World:
    facilitator = sandbox.add_user("Fenna", last_name="Facilitator", language_code="en")
    group = sandbox.add_group("Plenary", members=[facilitator], admins=[facilitator])
    return World(sandbox, facilitator, group, tmp_path / "bot.sqlite3")


def settings_for(world: World, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "token": TOKEN,
        "base_url": world.sandbox.base_url,
        "database_path": world.database,
        "default_locale": "en",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def bot(world: World) -> AsyncIterator[Services]:
    app = build_application(settings_for(world), rate_limiter=UNHURRIED)
    async with polling(app) as services:
        yield services


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def board(world: World) -> AsyncIterator[tuple[Services, str]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = build_application(
        settings_for(world, webapp_url=url, webapp_port=port), rate_limiter=UNHURRIED
    )
    async with polling(app) as services:  # the bot with its web app server, and its address
        yield services, url
