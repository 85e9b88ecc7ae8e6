"""Not one update lost: the bot confirms an update to Telegram only once its unit of work is
committed, by long polling and by webhook. The test holds an exclusive lock on the bot's
database, so the bot receives a person's join but cannot commit it; a SIGKILL at that
instant must not lose the join: after the restart the person is answered, once."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import TOKEN, World, free_port
from test_sort_flow import new_session
from test_startup import problems, wait_for_log
from test_webhook import SECRET

from bot.sandbox import BotProcess, SimUser

WELCOME = "Do you want to take part?"


@contextmanager
def database_locked(path: Path) -> Iterator[None]:
    """Hold the database's write lock, as a long transaction of another program would."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        db.rollback()
        db.close()


def bot_process(world: World, tmp_path: Path, webhook: bool) -> BotProcess:
    sandbox = world.sandbox
    argv: tuple[str, ...] = (sys.executable, "-m", "bot", "run")
    env = {"DEFAULT_LOCALE": "en"}
    if webhook:
        url = f"http://127.0.0.1:{free_port()}/hook"
        argv = (*argv, "--webhook-url", url, "--port", url.rsplit(":", 1)[1].split("/")[0])
        env["WEBHOOK_SECRET_TOKEN"] = SECRET
    return BotProcess(
        sandbox.base_url, TOKEN, world.database, env, argv=argv, log_path=tmp_path / "bot.log"
    )


async def join_while_locked(world: World, ann: SimUser, code: str) -> int:
    """Ann opens the invitation while the database is locked; the id of her update, once the
    bot has received it (polling: a ``getUpdates`` answer carried it; webhook: the sandbox
    posts at once, so a second is ample), and a second more for any confirmation."""
    sandbox = world.sandbox
    await ann.start_bot(code)
    update_id = max(u["update_id"] for u in sandbox.pending_updates)
    received = len(sandbox.calls)
    await sandbox.wait_until(
        lambda: (
            any(
                c.method == "getUpdates"
                and any(u["update_id"] == update_id for u in c.result or [])
                for c in sandbox.calls[received:]
            )
            or sandbox.world.webhook.url != ""
        ),
        10,
    )
    await asyncio.sleep(1.0)  # time for any confirmation to reach the sandbox
    return update_id


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_a_kill_before_the_commit_loses_no_update(
    world: World, tmp_path: Path, webhook: bool
) -> None:
    sandbox = world.sandbox
    process = bot_process(world, tmp_path, webhook)
    async with process:
        await wait_for_log(process, "started as @")
        code = await new_session(world)
        ann = sandbox.add_user("Ann", language_code="en")
        with database_locked(world.database):
            update_id = await join_while_locked(world, ann, code)
            assert [u["update_id"] for u in sandbox.pending_updates] == [update_id], (
                "Telegram still holds the update the bot could not commit"
            )
            assert sandbox.last_bot_message(ann.private_chat) is None
            await process.kill()
        await process.start()
        welcome = await sandbox.wait_for_message(
            ann.private_chat, text_contains=WELCOME, timeout=30
        )
        await sandbox.wait_until(lambda: not sandbox.pending_updates, 10)
        await asyncio.sleep(1.0)  # a second answer would come now
    assert [m.content for m in sandbox.bot_messages(ann.private_chat)] == [welcome.content]
    db = sqlite3.connect(world.database)
    try:
        joined = db.execute("SELECT count(*) FROM participants").fetchone()[0]
    finally:
        db.close()
    assert joined == 1


async def test_a_locked_database_delays_an_update_and_loses_nothing(
    world: World, tmp_path: Path
) -> None:
    """Locked beyond the store's 5 s busy timeout: the join fails to commit and is handled
    again once the lock is gone; delivery, which could not record a message it had sent,
    records it then instead of sending it twice. One warning each, no traceback."""
    sandbox = world.sandbox
    process = bot_process(world, tmp_path, webhook=False)
    async with process:
        await wait_for_log(process, "started as @")
        code = await new_session(world)
        ann = sandbox.add_user("Ann", language_code="en")
        with database_locked(world.database):
            await join_while_locked(world, ann, code)
            await wait_for_log(process, "could not be saved", seconds=15)
            await asyncio.sleep(2.0)  # more failed attempts: still one warning
        await sandbox.wait_for_message(ann.private_chat, text_contains=WELCOME, timeout=30)
        await wait_for_log(process, "saving updates works again")
    warnings = problems(process)
    assert all("database is locked" in line for line in warnings), warnings
    assert sum("bot.telegram.updates" in line for line in warnings) == 1, warnings
    assert sum("bot.telegram.delivery" in line for line in warnings) <= 1, warnings
    assert len(sandbox.bot_messages(ann.private_chat)) == 1
    group = [m.content for m in sandbox.bot_messages(world.group)]
    assert len(group) == len(set(group)), f"a group message went out twice: {group}"
