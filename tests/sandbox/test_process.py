"""The bot as a separate OS process (BotProcess) and the blocking ``serve`` entry point."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

import httpx

from bot.sandbox import BotProcess, Sandbox

ECHO_BOT = Path(__file__).with_name("echo_bot.py")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


async def test_bot_process_survives_kill_and_terminates_cleanly(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    process = BotProcess(
        sandbox.base_url,
        sandbox.token,
        tmp_path / "counter.txt",
        {"ECHO_GREETING": "Hoi"},
        argv=[sys.executable, str(ECHO_BOT)],
        log_path=tmp_path / "bot.log",
    )
    alice = sandbox.add_user("Alice")
    await process.start()
    try:
        sent = await alice.start_bot()
        reply = await sandbox.wait_for_message(alice.private_chat, after=sent, timeout=20)
        assert reply.text == "Hoi 1"
        # The update is confirmed by the next poll; after that a crash loses nothing.
        await sandbox.wait_until(lambda: not sandbox.pending_updates, timeout=10)
        assert await process.kill() == -signal.SIGKILL

        await process.start()
        sent = await alice.start_bot()
        reply = await sandbox.wait_for_message(alice.private_chat, after=sent, timeout=20)
        assert reply.text == "Hoi 2"  # same database, counter continued
        assert await process.terminate() == 0
        log = process.read_stderr()
        assert "--- start 2" in log and "echo bot stopped cleanly" in log
    finally:
        if process.is_running:
            await process.kill()
    env = process.environment()
    assert env["BOT_API_BASE_URL"] == sandbox.base_url
    assert env["DATABASE_PATH"] == str(tmp_path / "counter.txt")
    assert env["TELEGRAM_BOT_TOKEN"] == sandbox.token


async def test_serve_prints_urls_and_stops_on_sigterm() -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.sandbox import serve; serve(port=0, token='42:abc')",
        stdout=asyncio.subprocess.PIPE,
        cwd=PROJECT_ROOT,
    )
    try:
        assert child.stdout is not None
        lines = [(await asyncio.wait_for(child.stdout.readline(), 20)).decode() for _ in range(3)]
        base_url = re.search(r"http://\S+", lines[0]).group()  # type: ignore[union-attr]
        control_url = re.search(r"http://\S+", lines[2]).group()  # type: ignore[union-attr]
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
        async with httpx.AsyncClient(timeout=5) as http:
            me = (await http.get(f"{base_url}42:abc/getMe")).json()["result"]
            assert me["id"] == 42 and me["is_bot"]
            assert (await http.get(control_url)).json()["ok"]
        child.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(child.wait(), 10) == 0
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
