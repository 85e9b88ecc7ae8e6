"""The webhook's HTTP server (bot/telegram/webhook.py) on 127.0.0.1: Telegram hears 200 only
for an update that was handled, 503 for one that must come again (the database could not
take it), 400 for a body that is not an update, 403 without the secret, and a busy port
is one sentence."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.errors import SettingsError
from bot.telegram.webhook import SECRET_HEADER, WebhookServer

SECRET = "s3cret_token-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Receiver:
    def __init__(self) -> None:
        self.answer: bool | None = True
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, data: dict[str, Any]) -> bool | None:
        self.seen.append(data)
        return self.answer


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, Receiver]]:
    receiver = Receiver()
    port = free_port()
    server = WebhookServer("/hook", "127.0.0.1", port, SECRET, receiver)
    await server.start()
    try:
        yield f"http://127.0.0.1:{port}/hook", receiver
    finally:
        await server.stop()


async def post(url: str, body: bytes, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as reply,
    ):
        return reply.status


async def test_the_answer_says_whether_the_update_was_handled(
    served: tuple[str, Receiver],
) -> None:
    url, receiver = served
    assert await post(url, b'{"update_id": 1}') == 200
    receiver.answer = False  # the store could not commit: Telegram must send it again
    assert await post(url, b'{"update_id": 2}') == 503
    assert [d["update_id"] for d in receiver.seen] == [1, 2]


async def test_bad_requests_are_refused_and_reach_nobody(served: tuple[str, Receiver]) -> None:
    url, receiver = served
    assert await post(url, b'{"update_id": 1}', secret=None) == 403
    assert await post(url, b'{"update_id": 1}', secret="wrong") == 403
    assert await post(url, b"not json") == 400
    assert await post(url, b"[1, 2]") == 400
    assert receiver.seen == []
    receiver.answer = None  # JSON, but not an update
    assert await post(url, b'{"no": "update"}') == 400


async def test_a_busy_port_is_one_sentence() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = WebhookServer("/hook", "127.0.0.1", port, SECRET, Receiver())
        with pytest.raises(SettingsError, match=f"cannot listen on 127.0.0.1:{port}"):
            await server.start()
