"""Start-up and connection failures of the real bot process (``python -m bot run``), pointed
at the sandbox: each start-up failure is one sentence and its own exit status, without the
token or a traceback; a second process on the same database refuses to start; an outage or
another poller's 409 is one warning, and the bot recovers by itself; and at DEBUG no line
carries what people typed."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import TOKEN, World
from test_sort_flow import new_session

from bot.cli import (
    EXIT_BOT_API_UNREACHABLE,
    EXIT_DATABASE_IN_USE,
    EXIT_DATABASE_UNUSABLE,
    EXIT_TOKEN_REJECTED,
    EXIT_USAGE,
)
from bot.sandbox import BotProcess, Sandbox
from bot.simulation import Persona, SimulatedParticipant

SECRET = TOKEN.split(":", 1)[1]


def output(process: BotProcess) -> list[str]:
    """The lines the process wrote, without BotProcess's own "--- start" markers."""
    return [
        line
        for line in process.read_stderr().splitlines()
        if line.strip() and not line.startswith("--- start")
    ]


def assert_one_sentence(process: BotProcess, *words: str) -> str:
    lines = output(process)
    assert len(lines) == 1, "\n".join(lines)
    line = lines[0]
    assert "Traceback" not in line and TOKEN not in line and SECRET not in line
    for word in words:
        assert word in line
    return line


async def run_until_exit(
    base_url: str, tmp_path: Path, database: Path, token: str = TOKEN, seconds: float = 30
) -> tuple[int, BotProcess]:
    process = BotProcess(base_url, token, database, log_path=tmp_path / "failed.log")
    await process.start()
    try:
        code = await process.wait(seconds)
    finally:
        if process.is_running:
            await process.kill()
    return code, process


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_for_log(process: BotProcess, text: str, seconds: float = 30) -> None:
    for _ in range(int(seconds * 10)):
        if text in process.read_stderr():
            return
        assert process.is_running, process.read_stderr()
        await asyncio.sleep(0.1)
    raise AssertionError(f"{text!r} not logged:\n{process.read_stderr()}")


# --- the Bot API at start-up ---------------------------------------------------------------


async def test_a_rejected_token_is_one_sentence(sandbox: Sandbox, tmp_path: Path) -> None:
    wrong = "123:ABC-wrong-secret"
    code, process = await run_until_exit(sandbox.base_url, tmp_path, tmp_path / "db", wrong)
    assert code == EXIT_TOKEN_REJECTED
    line = assert_one_sentence(process, "rejected TELEGRAM_BOT_TOKEN")
    assert wrong not in line and "wrong-secret" not in line
    assert not (tmp_path / "db").exists()  # nothing touched the database


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("http://127.0.0.1:{closed}/bot", id="connection-refused"),
        pytest.param("http://nonexistent.invalid/bot", id="dns-failure"),
        pytest.param("{sandbox}/nope", id="404-wrong-path"),
    ],
)
async def test_an_unreachable_bot_api_is_one_sentence(
    sandbox: Sandbox, tmp_path: Path, base_url: str
) -> None:
    url = base_url.format(closed=closed_port(), sandbox=sandbox.root_url)
    code, process = await run_until_exit(url, tmp_path, tmp_path / "db")
    assert code == EXIT_BOT_API_UNREACHABLE
    assert_one_sentence(process, url, "BOT_API_BASE_URL")


# --- the database ----------------------------------------------------------------------------


def corrupted(path: Path) -> Path:
    rng = random.Random(14)
    path.write_bytes(b"SQLite format 2\x00" + bytes(rng.randrange(256) for _ in range(8192)))
    return path


def not_sqlite(path: Path) -> Path:
    path.write_text("shopping list: milk, bread\n" * 40)
    return path


def parent_is_a_file(path: Path) -> Path:
    path.write_text("a file\n")
    return path / "bot.sqlite3"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: p, id="directory"),
        pytest.param(lambda p: Path("/dev/full"), id="dev-full"),
        pytest.param(lambda p: corrupted(p / "bot.sqlite3"), id="corrupted"),
        pytest.param(lambda p: not_sqlite(p / "notes.txt"), id="not-sqlite"),
        pytest.param(lambda p: parent_is_a_file(p / "file"), id="parent-is-a-file"),
    ],
)
async def test_an_unusable_database_is_one_sentence_and_left_alone(
    sandbox: Sandbox, tmp_path: Path, make: object
) -> None:
    place = tmp_path / "place"
    place.mkdir()
    database = make(place)  # type: ignore[operator]
    before = database.read_bytes() if database.is_file() else None
    code, process = await run_until_exit(sandbox.base_url, tmp_path, database)
    assert code == EXIT_DATABASE_UNUSABLE
    assert_one_sentence(process, str(database))
    if before is not None:
        assert database.read_bytes() == before


@contextmanager
def unwritable(directory: Path) -> Iterator[Path]:
    """``directory``, made so that nobody may create a file in it: mode 0500, and for root
    (who ignores modes) the immutable attribute, which root cannot ignore (ext4, XFS, btrfs;
    the test fails loudly on a file system without it)."""
    directory.mkdir(mode=0o500)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(directory)], check=True, capture_output=True)
    try:
        yield directory
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(directory)], check=True, capture_output=True)
        directory.chmod(0o700)


async def test_an_unwritable_directory_is_one_sentence(sandbox: Sandbox, tmp_path: Path) -> None:
    with unwritable(tmp_path / "locked") as locked:
        code, process = await run_until_exit(sandbox.base_url, tmp_path, locked / "db")
    assert code == EXIT_DATABASE_UNUSABLE
    assert_one_sentence(process, str(locked / "db"))


async def test_a_newer_schema_is_one_sentence(sandbox: Sandbox, tmp_path: Path) -> None:
    database = tmp_path / "db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE schema_migrations (version, name, applied_at)")
        db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 0)")
    code, process = await run_until_exit(sandbox.base_url, tmp_path, database)
    assert code == EXIT_DATABASE_UNUSABLE
    assert_one_sentence(process, "newer than this program knows")


# --- one process per database ------------------------------------------------------------------


async def test_a_second_process_on_the_same_database_refuses(world: World, tmp_path: Path) -> None:
    sandbox = world.sandbox
    first = BotProcess(
        sandbox.base_url, TOKEN, world.database, {"DEFAULT_LOCALE": "en"}, log_path=tmp_path / "1"
    )
    async with first:
        await wait_for_log(first, "started as @")
        second = BotProcess(sandbox.base_url, TOKEN, world.database, log_path=tmp_path / "2")
        await second.start()
        try:
            assert await second.wait(20) == EXIT_DATABASE_IN_USE
        finally:
            if second.is_running:
                await second.kill()
        assert_one_sentence(second, "Another bot process", str(world.database))
        assert first.is_running
        await a_newcomer_is_answered(sandbox)
    # The lock went with the first process: a new one starts.
    third = BotProcess(sandbox.base_url, TOKEN, world.database, log_path=tmp_path / "3")
    async with third:
        await wait_for_log(third, "started as @")


# --- while running -------------------------------------------------------------------------------


async def a_newcomer_is_answered(sandbox: Sandbox) -> None:
    """The bot works: someone who presses Start gets the welcome."""
    ann = sandbox.add_user("Ann", language_code="en")
    await ann.start_bot()
    await sandbox.wait_for_message(ann.private_chat, text_contains="/continue", timeout=30)


def problems(process: BotProcess) -> list[str]:
    return [
        line
        for line in output(process)
        if " WARNING " in line or " ERROR " in line or " CRITICAL " in line or "Traceback" in line
    ]


async def test_another_pollers_409_is_one_warning(world: World, tmp_path: Path) -> None:
    sandbox = world.sandbox
    process = BotProcess(
        sandbox.base_url, TOKEN, world.database, {"DEFAULT_LOCALE": "en"}, log_path=tmp_path / "l"
    )
    async with process:
        await wait_for_log(process, "started as @")
        sandbox.faults.fail_next(409, count=4, method="getUpdates")
        await wait_for_log(process, "works again", seconds=40)
        await a_newcomer_is_answered(sandbox)
    warnings = problems(process)
    assert len(warnings) == 1 and "409 Conflict" in warnings[0], warnings


async def test_an_outage_is_one_warning_and_the_bot_recovers(world: World, tmp_path: Path) -> None:
    sandbox = world.sandbox
    process = BotProcess(
        sandbox.base_url, TOKEN, world.database, {"DEFAULT_LOCALE": "en"}, log_path=tmp_path / "l"
    )
    async with process:
        await wait_for_log(process, "started as @")
        await sandbox.stop()
        await wait_for_log(process, "cannot fetch updates", seconds=30)
        await asyncio.sleep(3)  # several failed attempts
        await sandbox.start()  # the same port
        await wait_for_log(process, "works again", seconds=40)
        await a_newcomer_is_answered(sandbox)
    warnings = problems(process)
    assert len(warnings) == 1 and "cannot fetch updates" in warnings[0], warnings
    assert "Traceback" not in process.read_stderr()


async def test_an_outage_right_after_start_is_retried(world: World, tmp_path: Path) -> None:
    """The Bot API fails in the instant polling starts (removing an old webhook): the bot
    keeps trying instead of giving up."""
    sandbox = world.sandbox
    sandbox.faults.fail_next(502, count=3, method="deleteWebhook")
    process = BotProcess(
        sandbox.base_url, TOKEN, world.database, {"DEFAULT_LOCALE": "en"}, log_path=tmp_path / "l"
    )
    async with process:
        await wait_for_log(process, "works again", seconds=30)
        await a_newcomer_is_answered(sandbox)
    warnings = problems(process)
    assert len(warnings) == 1 and "cannot fetch updates" in warnings[0], warnings


# --- nothing people type reaches the log, at DEBUG either ----------------------------------------

NAME = "Zebediah Quarterwhistle"
ORGANISATION = "Ministerie van Geheime Zaken"
STORY = "my grandmother's blue bicycle in Zwolle"


async def test_debug_logs_carry_no_texts_names_or_token(world: World, tmp_path: Path) -> None:
    sandbox = world.sandbox
    process = BotProcess(
        sandbox.base_url,
        TOKEN,
        world.database,
        {"DEFAULT_LOCALE": "en", "LOG_LEVEL": "DEBUG"},
        log_path=tmp_path / "debug.log",
    )
    async with process:
        await wait_for_log(process, "started as @")
        code = await new_session(world)
        await world.facilitator.send_command(world.group, "settings", "start join")
        person = SimulatedParticipant(
            sandbox,
            sandbox.add_user(NAME, language_code="en"),
            Persona(organisation=ORGANISATION),
            random.Random(3),
        )
        await person.join(code)
        await person.user.send_text(person.user.private_chat, STORY)
        await person.run()
        await sandbox.wait_for_message(
            person.user.private_chat, text_contains="your sort is complete", timeout=60
        )
    log = process.read_stderr()
    assert " DEBUG " in log and "started as @" in log  # the log was written, at DEBUG
    for secret in (TOKEN, SECRET, NAME, "Zebediah", ORGANISATION, "Geheime", STORY, "bicycle"):
        assert secret not in log, secret


async def test_a_board_port_in_use_is_one_sentence(sandbox: Sandbox, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = BotProcess(
            sandbox.base_url,
            TOKEN,
            tmp_path / "db",
            log_path=tmp_path / "failed.log",
            env_extra={
                "WEBAPP_URL": "https://cards.example.org",
                "WEBAPP_LISTEN": f"127.0.0.1:{port}",
                "LOG_LEVEL": "WARNING",
            },
        )
        await process.start()
        try:
            code = await process.wait(30)
        finally:
            if process.is_running:
                await process.kill()
    assert code == EXIT_USAGE
    assert_one_sentence(process, f"127.0.0.1:{port}", "WEBAPP_LISTEN")
