"""The real stack the browser tests of the web app drive, shared by ``test_board_browser.py``
and ``test_dashboard_browser.py``: the sandbox Bot API, the bot (python-telegram-bot polling
it) with its web app server on 127.0.0.1, and the steps that bring someone into a session's
sort; the board's API as its page calls it; waiting for the page's answers; where the
screenshots go.

Imported by its own name (``from webapp_stack import ...``): pytest puts tests/webapp on
``sys.path`` for the modules and the conftest.py in it (``conftest`` itself is tests/e2e's).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from playwright.async_api import Page

from bot.app import Services, build_application, polling
from bot.render import Renderer
from bot.sandbox import Sandbox, SimChat, SimUser, TranscriptMessage
from bot.settings import Settings

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LABELS = Renderer()

NewPage = Callable[..., Awaitable[Page]]
"""The ``new_page`` fixture (conftest.py): ``await new_page("phone" | "desktop")``."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Clock:
    """The time the sandbox and the bot share; a test moves it on to make stragglers."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class Cable:
    """The network between the browser and the web app server, as a TCP relay on 127.0.0.1
    (where a reverse proxy would be): a test can pull it out (every open connection drops,
    new ones are refused) and plug it in again."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.plugged = True
        self._links: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self.pull()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def pull(self) -> None:
        self.plugged = False
        for writer in list(self._links):
            writer.transport.abort()

    def plug(self) -> None:
        self.plugged = True

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.plugged:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.transport.abort()
            return
        self._links |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while chunk := await source.read(65536):
                    sink.write(chunk)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._links -= {writer, up_writer}


@dataclass
class Stack:
    sandbox: Sandbox
    facilitator: SimUser
    group: SimChat
    services: Services
    url: str
    clock: Clock
    cable: Cable | None
    """The relay the browser reaches the server through, if the stack has one."""


@contextlib.asynccontextmanager
async def start_stack(
    tmp_path: Path, token: str, *, cable: bool = False, seed: int | None = None
) -> AsyncIterator[Stack]:
    """The sandbox with a facilitator and their group, and the bot with its web app server
    (its database in ``tmp_path``); with ``cable``, the browser reaches the server through a
    :class:`Cable`; ``seed`` makes the bot's card orders and seatings repeatable."""
    clock = Clock()
    port = free_port()
    relay = Cable(port) if cable else None
    url = f"http://127.0.0.1:{await relay.start() if relay else port}"
    try:
        async with Sandbox(token=token, clock=clock) as sandbox:
            facilitator = sandbox.add_user("Fenna", last_name="Facilitator", language_code="en")
            group = sandbox.add_group("Plenary", members=[facilitator], admins=[facilitator])
            settings = Settings(
                token=token,
                base_url=sandbox.base_url,
                database_path=tmp_path / "bot.sqlite3",
                default_locale="en",
                webapp_url=url,
                webapp_port=port,
            )
            async with polling(build_application(settings, clock=clock, seed=seed)) as services:
                yield Stack(sandbox, facilitator, group, services, url, clock, relay)
    finally:
        if relay is not None:
            await relay.stop()


# --- into the sort ------------------------------------------------------------------------


@dataclass
class Person:
    user: SimUser
    session: int
    sort_screen: TranscriptMessage
    """The chat's sort screen, with its web_app button."""


def session_of(url: str) -> int:
    """The session a board or dashboard URL opens (its ``?s=``)."""
    return int(parse_qs(urlsplit(url).query)["s"][0])


async def new_session(stack: Stack, locale: str) -> str:
    """A new session in ``locale`` that sorts as soon as someone joins: its join code."""
    sandbox = stack.sandbox
    sent = await stack.facilitator.send_command(stack.group, "newsession", f"goed-werk {locale}")
    invite = await sandbox.wait_for_message(
        stack.group, lambda m: any(b.url for r in m.buttons for b in r), after=sent
    )
    link = next(b.url for r in invite.buttons for b in r if b.url)
    code = re.fullmatch(r"https://t\.me/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]+)", link or "")
    assert code, link
    sent = await stack.facilitator.send_command(stack.group, "settings", "start join")
    await sandbox.wait_for_message(stack.group, after=sent)
    return code.group(1)


async def join(stack: Stack, code: str, name: str, locale: str = "en") -> Person:
    """Someone (``name``: first and last name) joins through the deep link and answers the
    welcome in the chat: on the first card of the sort; the session's id from the sort
    screen's web_app button."""
    sandbox = stack.sandbox
    first, _, last = name.partition(" ")
    user = sandbox.add_user(first, last_name=last or None, language_code=locale)
    await user.send_command(user.private_chat, "start", code)
    # the chat edits one screen into the next: wait for each question by its content
    seen: set[tuple[int, str]] = set()
    for key in ("consent_yes", "skip", "skip"):
        label = LABELS.label(locale, key)

        def asks(m: TranscriptMessage, label: str = label) -> bool:
            return m.button(label) is not None and (m.message_id, m.content) not in seen

        shown = await sandbox.wait_for_message(user.private_chat, asks)
        seen.add((shown.message_id, shown.content))
        await user.tap(shown, text=label)
    screen = await sandbox.wait_for_message(
        user.private_chat, lambda m: any(b.web_app_url for r in m.buttons for b in r)
    )
    url = next(b.web_app_url for r in screen.buttons for b in r if b.web_app_url)
    return Person(user, session_of(url or ""), screen)


async def board_api(stack: Stack, person: Person, body: Any = None) -> dict[str, Any]:
    """The sort board's API as its page calls it (to set up a later step quickly): GET, or
    POST ``body`` (one move)."""
    headers = {"Authorization": f"tma {person.user.web_app_init_data()}"}
    async with aiohttp.ClientSession() as http:
        url = f"{stack.url}/api/board?s={person.session}"
        request = (
            http.get(url, headers=headers)
            if body is None
            else http.post(url, headers=headers, json=body)
        )
        async with request as answer:
            assert answer.status == 200, await answer.text()
            data: dict[str, Any] = await answer.json()
            return data


# --- driving the page ---------------------------------------------------------------------


async def answered(page: Page, action: Awaitable[None]) -> None:
    """Do something on the page (a move, an action) and wait until the server has answered
    it: the page counts its answers in ``#app[data-answers]``."""
    before = int(await page.get_attribute("#app", "data-answers") or 0)
    await action
    await page.wait_for_function(
        "(n) => Number(document.getElementById('app').dataset.answers) > n"
        " && document.getElementById('app').dataset.pending === '0'",
        arg=before,
    )


def screenshot_folder(variable: str, tmp_path: Path) -> Path:
    """Where a test's screenshots go: ``docs/screenshots/`` when the environment variable
    ``variable`` is ``1`` (``BOARD_SCREENSHOTS``, ``DASHBOARD_SCREENSHOTS``), else the test's
    temporary folder."""
    folder = SCREENSHOTS if os.environ.get(variable) == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder
