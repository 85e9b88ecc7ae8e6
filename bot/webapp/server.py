"""The Mini App's HTTP server, in the bot's own process: the sort board and the
facilitator's dashboard, their pages and their API.

Owns: listening on ``WEBAPP_LISTEN`` (behind a reverse proxy that terminates HTTPS at
``WEBAPP_URL``), serving the pages and static files with a strict Content-Security-Policy,
and the API: ``GET /api/board?s=<session>`` (opening the board: the person's state),
``POST /api/board?s=<session>`` (one move; the new state and a notice),
``GET /api/dashboard?s=<session>``, ``POST /api/dashboard?s=<session>`` (propose, move,
seat, report: the events of ``/tables``, ``/move``, ``/seat``, ``/report [names]``) and
``GET /api/dashboard/stream?s=<session>`` (server-sent events: the dashboard's state at once
and after every change to the session, at most every ``DEBOUNCE`` seconds). Every API
request carries ``Authorization: tma <initData>``, checked as Telegram documents
(``init_data``) before anything else. A participant's right to the session and to each
move is the core's decision, as for a chat update (through the same runner); the
dashboard is for the group's administrators and ``FACILITATOR_IDS``, as the group's
commands are (checked with Telegram, remembered for ``RIGHTS_TTL``). Answers: 401 for a
missing, forged, altered or expired ``initData``, 403 for someone not in the session or
not its facilitator, 400 for a malformed action; all change nothing. Must not: decide
workshop rules or touch the store except through the runner.

Started by ``bot.app.Services`` when ``WEBAPP_URL`` is set; tests start it the same way.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.listening import serve
from bot.render import Renderer
from bot.runner import Runner
from bot.webapp import dashboard
from bot.webapp.board import BadAction, action_event, board_state
from bot.webapp.init_data import InvalidInitData, WebAppUser, secret_key, verify
from conversations import events as ev
from conversations.dashboard import NEEDS, overview
from conversations.model import Session

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
LOCAL_SCRIPT = "/telegram-web-app.js"
"""Where the pages load Telegram's script from when the server is given a stand-in for
it (the offline demo, outside Telegram)."""
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
DEBOUNCE = 0.5
"""Seconds the dashboard's stream waits after a change, so a burst becomes one update."""
PING = 15.0
"""Seconds between the stream's keep-alive comments (and fresh looks at who lags)."""
RIGHTS_TTL = 60.0
"""Seconds a facilitator's checked right to a group is remembered."""

Administers = Callable[[int, int], Awaitable[bool]]
"""Whether a person (user id) administers a group (chat id), as Telegram says."""
Topics = Callable[[int], Awaitable[bool]]
"""Whether the bot may make forum topics in a group (for ``/seat``)."""


class Changes:
    """Who waits for a session to change: the dashboard's streams."""

    def __init__(self) -> None:
        self._waiting: dict[int, set[asyncio.Event]] = {}
        self.closed = False

    def notify(self, session_id: int) -> None:
        for changed in self._waiting.get(session_id, ()):
            changed.set()

    def watch(self, session_id: int) -> asyncio.Event:
        changed = asyncio.Event()
        self._waiting.setdefault(session_id, set()).add(changed)
        return changed

    def forget(self, session_id: int, changed: asyncio.Event) -> None:
        watchers = self._waiting.get(session_id, set())
        watchers.discard(changed)
        if not watchers:
            self._waiting.pop(session_id, None)

    def close(self) -> None:
        self.closed = True
        for watchers in self._waiting.values():
            for changed in watchers:
                changed.set()


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
        facilitator_ids: frozenset[int] = frozenset(),
        administers: Administers | None = None,
        topics: Topics | None = None,
        telegram_script: str | None = None,
    ) -> None:
        self.runner = runner
        self.renderer = renderer
        self.listen = listen
        self.port = port
        self.max_age = max_age
        self.clock = clock
        self.facilitator_ids = facilitator_ids
        self.administers = administers
        self.topics = topics
        self.telegram_script = telegram_script
        self.changes = Changes()
        runner.on_changed = self.changes.notify
        self._key = secret_key(token)
        self._rights: dict[tuple[int, int], tuple[bool, float]] = {}
        self._runner: web.AppRunner | None = None

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[_security_headers])
        app.router.add_get("/board", self._page)
        app.router.add_get("/dashboard", self._dashboard_page)
        app.router.add_get("/api/board", self._open)
        app.router.add_post("/api/board", self._act)
        app.router.add_get("/api/dashboard", self._overview)
        app.router.add_post("/api/dashboard", self._facilitate)
        app.router.add_get("/api/dashboard/stream", self._stream)
        app.router.add_static("/static/", STATIC, follow_symlinks=False)
        if self.telegram_script is not None:
            app.router.add_get(LOCAL_SCRIPT, self._script)
        return app

    async def start(self) -> None:
        self._runner = await serve(
            self.application(), self.listen, self.port, "The board", "WEBAPP_LISTEN"
        )
        log.info("the board listens on %s:%d", self.listen, self.port)

    async def stop(self) -> None:
        self.changes.close()  # the streams end, so the server stops at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- routes ---------------------------------------------------------------------------

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return self._html("board.html")

    def _html(self, name: str) -> web.StreamResponse:
        if self.telegram_script is None:
            return web.FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})
        page = (STATIC / name).read_text("utf-8").replace(TELEGRAM_SCRIPT, LOCAL_SCRIPT)
        return web.Response(
            text=page, content_type="text/html", headers={"Cache-Control": "no-cache"}
        )

    async def _script(self, request: web.Request) -> web.Response:
        return web.Response(text=self.telegram_script, content_type="text/javascript")

    async def _open(self, request: web.Request) -> web.Response:
        person, session_id = await self._participant_of(request)
        opened = ev.BoardOpened(self.clock(), session_id, person.id)
        return await self._answer(person, opened)

    async def _act(self, request: web.Request) -> web.Response:
        person, session_id = await self._participant_of(request)
        try:
            body = await request.json(loads=_strict_json)
            event = action_event(body, session_id, person.id, self.clock())
        except (ValueError, UnicodeDecodeError) as exc:  # BadAction is a ValueError
            reason = str(exc) if isinstance(exc, BadAction) else "not JSON"
            log.info("the board refused an action from %d: %s", person.id, reason)
            raise self._refusal(web.HTTPBadRequest, person, "webapp_bad_request") from None
        return await self._answer(person, event)

    async def _dashboard_page(self, request: web.Request) -> web.StreamResponse:
        return self._html("dashboard.html")

    async def _overview(self, request: web.Request) -> web.Response:
        _, session = await self._facilitator_of(request)
        state = await self._dashboard_state(session)
        return web.json_response(
            {"state": state, "notice": None}, headers={"Cache-Control": "no-store"}
        )

    async def _facilitate(self, request: web.Request) -> web.Response:
        person, session = await self._facilitator_of(request)
        topics = self.topics is not None and await self.topics(session.group_chat_id)
        try:
            body = await request.json(loads=_strict_json)
            event = dashboard.action_event(
                body, session.group_chat_id, person.id, self.clock(), topics, person.full_name
            )
        except (ValueError, UnicodeDecodeError) as exc:
            reason = str(exc) if isinstance(exc, BadAction) else "not JSON"
            log.info("the dashboard refused an action from %d: %s", person.id, reason)
            raise self._refusal(web.HTTPBadRequest, person, "webapp_bad_request") from None
        decision = await self.runner.submit(event)
        toast = decision.toast
        notice = self.renderer.label(session.locale, f"toast_{toast.key}") if toast else None
        state = await self._dashboard_state(session)
        return web.json_response(
            {"state": state, "notice": notice}, headers={"Cache-Control": "no-store"}
        )

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        """The dashboard's state now and after every change, as server-sent events."""
        _, session = await self._facilitator_of(request)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",  # a reverse proxy must not hold the events back
            }
        )
        await response.prepare(request)
        changed = self.changes.watch(session.id)
        try:
            sent = None
            while not self.changes.closed:
                state = json.dumps(await self._dashboard_state(session), ensure_ascii=False)
                if state != sent:
                    await response.write(f"event: state\ndata: {state}\n\n".encode())
                    sent = state
                else:
                    await response.write(b": ping\n\n")
                try:
                    await asyncio.wait_for(changed.wait(), PING)
                    await asyncio.sleep(DEBOUNCE)
                except TimeoutError:
                    pass
                changed.clear()
        except ConnectionError:
            pass  # the page went away
        except web.HTTPNotFound:
            pass  # the session was deleted: the stream ends, the page's next load says so
        finally:
            self.changes.forget(session.id, changed)
        return response

    # --- helpers --------------------------------------------------------------------------

    async def _facilitator_of(self, request: web.Request) -> tuple[WebAppUser, Session]:
        """The person who signed the request and the session they facilitate (403 if
        they do not: neither in ``FACILITATOR_IDS`` nor an administrator of its group)."""
        person, session_id = self._who(request)
        view = await self.runner.session_view(session_id, frozenset()) if session_id else None
        if view is None or view.session is None:
            raise self._refusal(web.HTTPNotFound, person, "webapp_not_found")
        session = view.session
        if not await self._administers(session.group_chat_id, person.id):
            log.warning("the dashboard refused %d: not a facilitator of the group", person.id)
            raise self._refusal(web.HTTPForbidden, person, "webapp_not_facilitator")
        return person, session

    async def _administers(self, group_id: int, user_id: int) -> bool:
        if user_id in self.facilitator_ids:
            return True
        now = self.clock()
        known = self._rights.get((group_id, user_id))
        if known is not None and now - known[1] < RIGHTS_TTL:
            return known[0]
        allowed = self.administers is not None and await self.administers(group_id, user_id)
        self._rights[(group_id, user_id)] = (allowed, now)
        return allowed

    async def _dashboard_state(self, session: Session) -> dict[str, Any]:
        view = await self.runner.session_view(session.id, NEEDS)
        if view is None or view.session is None:
            raise web.HTTPNotFound()
        found = overview(view, self.clock())
        return await dashboard.dashboard_state(
            found, session.id, view.session.locale, self.renderer
        )

    def _who(self, request: web.Request) -> tuple[WebAppUser, int | None]:
        """The person who signed the request, and the session it is about (None when the
        address names none: the board opened from the chat's menu button)."""
        scheme, _, init_data = request.headers.get("Authorization", "").partition(" ")
        try:
            if scheme.lower() != "tma":
                raise InvalidInitData("no initData")
            person = verify(init_data.strip(), self._key, self.max_age, self.clock())
        except InvalidInitData as exc:
            log.warning("the board refused a request: initData %s", exc)
            raise self._refusal(web.HTTPUnauthorized, None, "webapp_unauthorized") from None
        given = request.query.get("s", "")
        if not given:
            return person, None
        if not given.isdigit() or len(given) > 12:
            raise self._refusal(web.HTTPNotFound, person, "webapp_not_found")
        return person, int(given)

    async def _participant_of(self, request: web.Request) -> tuple[WebAppUser, int]:
        """The person and the session of their board: the one named, or the one they most
        recently joined."""
        person, session_id = self._who(request)
        if session_id is None:
            session_id = await self.runner.current_session_of(person.id)
        if session_id is None:
            raise self._refusal(web.HTTPNotFound, person, "webapp_no_session")
        return person, session_id

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
