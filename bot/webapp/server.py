"""The Mini App's HTTP server, in the bot's own process: the sort board's page and its API.

Owns: listening on ``WEBAPP_LISTEN`` (behind a reverse proxy that terminates HTTPS at
``WEBAPP_URL``), serving the board's page and static files with a strict
Content-Security-Policy, and its API: ``GET /api/board?s=<session>`` (opening the board:
the person's state) and ``POST /api/board?s=<session>`` (one action; the new state and a
notice). Every API request carries ``Authorization: tma <initData>``, checked as Telegram
documents (``init_data``) before anything else; the person's right to the session and to
each move is the core's decision, as for a chat update (through the same runner). Answers:
401 for a missing, forged, altered or expired ``initData``, 403 for someone not in the
session, 400 for a malformed action; all change nothing. Must not: decide workshop rules
or touch the store except through the runner.

Started by ``bot.app.Services`` when ``WEBAPP_URL`` is set; tests start it the same way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.errors import SettingsError
from bot.render import Renderer
from bot.runner import Runner
from bot.webapp.board import BadAction, action_event, board_state
from bot.webapp.init_data import InvalidInitData, WebAppUser, secret_key, verify
from conversations import events as ev

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_BODY = 4096
"""Bytes of one action: a few small fields."""
CSP = (
    "default-src 'self'; script-src 'self' https://telegram.org; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors https://web.telegram.org https://*.telegram.org"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
QUIET_TOASTS = frozenset({"stale_button", "session_closed", "session_paused"})
"""Answers the state already shows (the page is simply somewhere else now)."""


class WebAppServer:
    def __init__(
        self,
        runner: Runner,
        renderer: Renderer,
        token: str,
        *,
        listen: str,
        port: int,
        max_age: float,
        clock: Callable[[], float],
    ) -> None:
        self.runner = runner
        self.renderer = renderer
        self.listen = listen
        self.port = port
        self.max_age = max_age
        self.clock = clock
        self._key = secret_key(token)
        self._runner: web.AppRunner | None = None

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[_security_headers])
        app.router.add_get("/board", self._page)
        app.router.add_get("/api/board", self._open)
        app.router.add_post("/api/board", self._act)
        app.router.add_static("/static/", STATIC, follow_symlinks=False)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.listen, self.port).start()
        except OSError as exc:
            await self.stop()
            raise SettingsError(
                f"The board cannot listen on {self.listen}:{self.port} "
                f"({exc.strerror or exc}): choose another WEBAPP_LISTEN."
            ) from None
        log.info("the board listens on %s:%d", self.listen, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- routes ---------------------------------------------------------------------------

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "board.html", headers={"Cache-Control": "no-cache"})

    async def _open(self, request: web.Request) -> web.Response:
        person, session_id = self._who(request)
        opened = ev.BoardOpened(self.clock(), session_id, person.id)
        return await self._answer(person, opened)

    async def _act(self, request: web.Request) -> web.Response:
        person, session_id = self._who(request)
        try:
            body = await request.json(loads=_strict_json)
            event = action_event(body, session_id, person.id, self.clock())
        except (ValueError, UnicodeDecodeError) as exc:  # BadAction is a ValueError
            reason = str(exc) if isinstance(exc, BadAction) else "not JSON"
            log.info("the board refused an action from %d: %s", person.id, reason)
            raise self._refusal(web.HTTPBadRequest, person, "webapp_bad_request") from None
        return await self._answer(person, event)

    # --- helpers --------------------------------------------------------------------------

    def _who(self, request: web.Request) -> tuple[WebAppUser, int]:
        """The person who signed the request, and the session it is about."""
        scheme, _, init_data = request.headers.get("Authorization", "").partition(" ")
        try:
            if scheme.lower() != "tma":
                raise InvalidInitData("no initData")
            person = verify(init_data.strip(), self._key, self.max_age, self.clock())
        except InvalidInitData as exc:
            log.warning("the board refused a request: initData %s", exc)
            raise self._refusal(web.HTTPUnauthorized, None, "webapp_unauthorized") from None
        given = request.query.get("s", "")
        if not given.isdigit() or len(given) > 12:
            raise self._refusal(web.HTTPNotFound, person, "webapp_not_found")
        return person, int(given)

    async def _answer(self, person: WebAppUser, event: ev.Action) -> web.Response:
        decision = await self.runner.submit(event)
        toast = decision.toast
        if toast is not None and toast.key == "not_participant":
            raise self._refusal(web.HTTPForbidden, person, "webapp_forbidden")
        view = await self.runner.participant_view(event.session_id, person.id)
        if view is None:  # they left (/forgetme) in between
            raise self._refusal(web.HTTPForbidden, person, "webapp_forbidden")
        notice = None
        if toast is not None and toast.key not in QUIET_TOASTS:
            notice = self.renderer.label(
                view.participant.locale, f"toast_{toast.key}", **toast.params
            )
        state = board_state(view, self.renderer)
        return web.json_response(
            {"state": state, "notice": notice}, headers={"Cache-Control": "no-store"}
        )

    def _refusal(
        self, kind: type[web.HTTPException], person: WebAppUser | None, key: str
    ) -> web.HTTPException:
        locale = (person.language_code if person else None) or "en"
        message = self.renderer.label(locale, key)
        error = key.removeprefix("webapp_")
        body = json.dumps({"error": error, "message": message}, ensure_ascii=False)
        return kind(text=body, content_type="application/json")


def _strict_json(text: str) -> Any:
    return json.loads(text, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@web.middleware
async def _security_headers(
    request: web.Request, handler: Callable[[web.Request], Any]
) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response
