"""HTTP details of the sandbox's Bot API: transports, statuses, tokens and getUpdates."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import Conflict, EndPointNotFound, InvalidToken

from bot.sandbox import Sandbox

TOKEN = "123456:TEST-token"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def test_wrong_token_is_401_and_malformed_token_404(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    response = await http.get(f"{sandbox.base_url}123456:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    response = await http.get(f"{sandbox.base_url}nonsense/getMe")
    assert response.status_code == 404
    wrong = Bot("123456:WRONG", base_url=sandbox.base_url)
    try:
        with pytest.raises(InvalidToken):
            await wrong.get_me()
    finally:
        await wrong.request.shutdown()


async def test_unknown_method_is_404(sandbox: Sandbox, http: httpx.AsyncClient, bot: Bot) -> None:
    response = await http.post(f"{sandbox.base_url}{TOKEN}/sendTelepathy")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")
    assert sandbox.calls[-1].method == "sendTelepathy" and sandbox.calls[-1].error_code == 404


async def test_method_names_are_case_insensitive(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{sandbox.base_url}{TOKEN}/GETME")
    assert response.status_code == 200 and response.json()["result"]["id"] == 123456
    assert sandbox.calls[-1].method == "getMe"


async def test_query_form_json_and_errors_share_telegrams_shapes(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    alice = sandbox.add_user("Alice", started=True)
    url = f"{sandbox.base_url}{TOKEN}/sendMessage"
    by_query = await http.get(url, params={"chat_id": alice.id, "text": "q"})
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    by_form = await http.post(
        url, data={"chat_id": str(alice.id), "text": "f", "reply_markup": json.dumps(markup)}
    )
    by_json = await http.post(url, json={"chat_id": alice.id, "text": "j", "reply_markup": markup})
    for response, text in ((by_query, "q"), (by_form, "f"), (by_json, "j")):
        assert response.status_code == 200
        body = response.json()
        assert body["ok"] is True and body["result"]["text"] == text
        assert isinstance(body["result"]["date"], int)
        assert body["result"]["from"]["is_bot"] is True
    assert by_json.json()["result"]["reply_markup"] == markup
    assert by_form.json()["result"]["reply_markup"] == markup
    refused = await http.post(url, json={"chat_id": alice.id, "text": ""})
    assert refused.status_code == 400
    assert refused.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }
    forbidden = await http.post(url, json={"chat_id": sandbox.add_user("Bob").id, "text": "x"})
    assert forbidden.status_code == 403 and forbidden.json()["error_code"] == 403


async def test_get_updates_offset_limit_and_negative_offset(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice")
    for word in ("one", "two", "three"):
        await alice.send_text(alice.private_chat, word)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["one", "two"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["three"]
    assert len(sandbox.pending_updates) == 1  # confirmed only by the next offset
    await alice.send_text(alice.private_chat, "four")
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last] == ["four"]
    assert [u["message"]["text"] for u in sandbox.pending_updates] == ["four"]


async def test_long_poll_wakes_on_a_new_update(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice")
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await sandbox.wait_until(lambda: sandbox.api.active_polls, what="a pending poll")
    await alice.send_text(alice.private_chat, "wake up")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in updates] == ["wake up"]
    assert loop.time() - started < 5


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=0.3) == ()
    assert loop.time() - started >= 0.25


async def test_a_second_poller_ends_the_first_with_conflict(sandbox: Sandbox, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await sandbox.wait_until(lambda: sandbox.api.active_polls, what="first poll")
    async with Bot(TOKEN, base_url=sandbox.base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)


async def test_webhook_blocks_get_updates(bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_allowed_updates_filters_new_updates(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice")
    assert await bot.get_updates(allowed_updates=["callback_query"]) == ()
    await alice.send_text(alice.private_chat, "dropped")
    assert sandbox.pending_updates == []
    await bot.get_updates(allowed_updates=[])  # back to Telegram's default
    await alice.send_text(alice.private_chat, "kept")
    assert [u.message.text for u in await bot.get_updates()] == ["kept"]


async def test_delete_webhook_can_drop_pending_updates(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice")
    await alice.send_text(alice.private_chat, "old")
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_stop_ends_pending_long_polls_quickly(sandbox: Sandbox, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await sandbox.wait_until(lambda: sandbox.api.active_polls, what="a pending poll")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await sandbox.stop()
    assert await asyncio.wait_for(poll, 5) == ()
    assert loop.time() - started < 3


async def test_webhook_delivery_with_secret_and_retry(sandbox: Sandbox, bot: Bot) -> None:
    received: list[tuple[dict[str, object], str | None]] = []
    failures = [503]

    async def hook(request: web.Request) -> web.Response:
        if failures:
            return web.Response(status=failures.pop())
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        sandbox.webhook.retry_delay = 0.05
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        alice = sandbox.add_user("Alice")
        await alice.send_text(alice.private_chat, "via webhook")
        await sandbox.wait_until(lambda: received, timeout=5)
        update, secret = received[0]
        assert secret == "s3cret"
        assert update["message"]["text"] == "via webhook"  # type: ignore[index]
        await sandbox.wait_until(lambda: not sandbox.pending_updates, timeout=5)
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert info.last_error_message == "Wrong response from the webhook: 503 Service Unavailable"
    finally:
        await bot.delete_webhook()
        await runner.cleanup()
