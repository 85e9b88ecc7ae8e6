"""Webhook mode: the bot as its own process receives updates by webhook from the sandbox,
verifying Telegram's secret-token header, and runs a short session that way."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import aiohttp
from conftest import TOKEN, World, free_port
from test_sort_flow import new_session

from bot.sandbox import BotProcess
from bot.simulation import Persona, SimulatedParticipant

SECRET = "webhook-secret_42"


async def test_a_short_session_by_webhook(world: World, tmp_path: Path) -> None:
    sandbox = world.sandbox
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    process = BotProcess(
        sandbox.base_url,
        TOKEN,
        world.database,
        {"DEFAULT_LOCALE": "en", "WEBHOOK_SECRET_TOKEN": SECRET},
        argv=(sys.executable, "-m", "bot", "run", "--webhook-url", url, "--port", str(port)),
        log_path=tmp_path / "bot.log",
    )
    async with process:
        await sandbox.wait_until(lambda: sandbox.world.webhook.url == url, 30)
        assert sandbox.world.webhook.secret_token == SECRET
        code = await new_session(world)
        await world.facilitator.send_command(world.group, "settings", "start join")
        await sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
        ann = SimulatedParticipant(
            sandbox, sandbox.add_user("Ann", language_code="en"), Persona(), random.Random(3), 20
        )
        await ann.join(code)
        await ann.run()
        await sandbox.wait_for_message(ann.user.private_chat, text_contains="your sort is complete")

        forged = {
            "update_id": 999_999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 1, "type": "private"},
                "text": "/start x",
            },
        }
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with session.post(url, json=forged, headers=headers) as reply:
                    assert reply.status == 403
    assert not any(c.method == "getUpdates" for c in sandbox.calls), "no polling in webhook mode"
    assert len(ann.ratings) == 60
    log = process.read_stderr()
    assert SECRET not in log and TOKEN not in log


ROOT = str(Path(__file__).resolve().parent.parent.parent)


async def test_a_webhook_without_a_secret_is_refused(tmp_path: Path) -> None:
    import asyncio

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--webhook-url",
        "https://127.0.0.1:9/hook",
        env={
            "PATH": "/usr/bin:/bin",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_PATH": str(tmp_path / "x.sqlite3"),
        },
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert b"secret token" in err and b"Traceback" not in err
