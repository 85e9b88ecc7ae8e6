"""The webhook's HTTP server: where Telegram posts updates in webhook mode.

Owns: listening on an address and port, taking POSTs at one path, refusing a request
without Telegram's secret header (403) or whose body is not a JSON object (400), and
answering 200 only once the update was handled (503 otherwise, so Telegram sends it again).
Must not: parse updates or handle them (``bot.updates`` does).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.listening import serve

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20

Receive = Callable[[dict[str, Any]], Awaitable[bool | None]]
"""Handles one update's JSON: True once handled, False if it must come again, None if it is
not an update."""


class WebhookServer:
    def __init__(self, path: str, listen: str, port: int, secret: str, receive: Receive) -> None:
        self.path = "/" + path.lstrip("/")
        self.listen = listen
        self.port = port
        self.secret = secret.encode()
        self.receive = receive
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self.path, self._post)
        self._runner = await serve(app, self.listen, self.port, "The webhook", "--listen or --port")

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _post(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.warning("a webhook request without the right secret token was refused")
            return web.Response(status=403)
        try:
            data = await request.json()
        except (ValueError, UnicodeDecodeError):
            data = None
        handled = await self.receive(data) if isinstance(data, dict) else None
        if handled is None:
            log.warning("a webhook request that is not an update was refused")
            return web.Response(status=400)
        return web.Response(status=200 if handled else 503)
