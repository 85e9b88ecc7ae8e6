"""HTTP face of the sandbox: the Bot API routes, file downloads and the JSON control routes.

Owns: the aiohttp application (``build_app``), request decoding for every transport Telegram
accepts (GET query, form-encoded, JSON, multipart with files), Telegram's response shapes and
HTTP statuses (status == error_code; 401 for a wrong token, 404 for an unknown method), the
order "delay, then forced fault or rate limit, then method", the call log entries, the
``/control/...`` routes that mirror :class:`~bot.sandbox.control.Sandbox` (and serve the
``telegram-web-app.js`` stand-in), and :func:`serve`, the blocking entry point behind
``python -m bot sandbox``.

Must not: hold state of its own (it lives in the world and the Sandbox), log the token or
request URLs (they contain it), or apply Telegram rules itself (``methods``/``validation``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import logging
import re
import signal
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from bot.sandbox.errors import ApiError, SandboxError
from bot.sandbox.methods import ApiCall, Params, UploadedFile
from bot.sandbox.web_app import web_app_script

if TYPE_CHECKING:
    from bot.sandbox.control import Sandbox, SimUser

logger = logging.getLogger("bot.sandbox.server")

MAX_BODY_BYTES = 60 * 1024 * 1024
_WELL_FORMED_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_dumps = functools.partial(json.dumps, ensure_ascii=False)


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


async def read_params(request: web.Request) -> Params:
    """Decode parameters from the query string and any body Telegram accepts."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method == "POST" and request.body_exists:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = json.loads(await request.text())
            except ValueError as exc:
                raise ApiError(400, "Bad Request: can't parse request JSON object") from exc
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: can't parse request JSON object")
            values.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    try:
                        data = value.file.read()
                    finally:
                        value.file.close()
                    files[key] = UploadedFile(key, value.filename, value.content_type, data)
                elif isinstance(value, bytes | bytearray):
                    values[key] = bytes(value).decode("utf-8", errors="replace")
                else:
                    values[key] = value
    return Params(values, files)


class _BotApiRoutes:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def handle(self, request: web.Request) -> web.Response:
        sandbox = self.sandbox
        started = time.time()
        loop_started = asyncio.get_running_loop().time()
        method = request.match_info["method"]
        name = sandbox.api.canonical_name(method) or method
        params = Params({})
        result: Any = None
        try:
            if request.match_info["token"] != sandbox.token:
                if _WELL_FORMED_TOKEN.match(request.match_info["token"]):
                    raise ApiError(401, "Unauthorized")
                raise ApiError(404, "Not Found")
            params = await read_params(request)
            if sandbox.api.canonical_name(method) is None:
                raise ApiError(404, "Not Found")
            delay = sandbox.faults.delay_for(name)
            if delay > 0:
                await asyncio.sleep(delay)  # injected slowness: the server answers late
            chat_id, is_group, messages = sandbox.api.rate_limit_target(name, params)
            fault = sandbox.faults.check(name, chat_id, is_group, messages)
            if fault is not None:
                raise fault
            result = await sandbox.api.call(method, params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, body = exc.error_code, exc.to_api()
        except Exception as exc:
            logger.exception("sandbox failure in %s", name)
            sandbox.internal_errors.append(exc)
            status, body = (
                500,
                {"ok": False, "error_code": 500, "description": "Internal Server Error"},
            )
        duration = asyncio.get_running_loop().time() - loop_started
        sandbox.record_call(
            ApiCall(
                method=name,
                params=params.for_log(),
                ok=body["ok"],
                error_code=None if body["ok"] else body.get("error_code"),
                description=None if body["ok"] else body.get("description"),
                time=started,
                duration=duration,
                result=result,
            )
        )
        if not body["ok"]:
            logger.debug("%s -> %s %s", name, status, body.get("description"))
        return _json(body, status)

    async def file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.sandbox.token:
            return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        stored = self.sandbox.world.file_by_path(request.match_info["path"])
        if stored is None or stored.data is None:
            return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )


ControlHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _control(handler: ControlHandler) -> ControlHandler:
    """JSON envelope and error mapping of the control routes."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except TimeoutError as exc:
            return _json({"ok": False, "error": str(exc)}, 408)
        except (SandboxError, ValueError, KeyError, TypeError) as exc:
            return _json({"ok": False, "error": f"{type(exc).__name__}: {exc}"}, 400)

    return wrapper


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def _ok(result: Any) -> web.Response:
    return _json({"ok": True, "result": result})


class _ControlRoutes:
    """``/control/...``: the Python driver API over HTTP, for demos and other languages."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def register(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/control", _control(self.index))
        r.add_get("/control/", _control(self.index))
        r.add_get("/control/users", _control(self.list_users))
        r.add_post("/control/users", _control(self.add_user))
        r.add_post("/control/users/{user_id}/{action}", _control(self.user_action))
        r.add_get("/control/chats", _control(self.list_chats))
        r.add_post("/control/groups", _control(self.add_group))
        r.add_get("/control/chats/{chat_id}/transcript", _control(self.transcript))
        r.add_post("/control/chats/{chat_id}/bot_rights", _control(self.bot_rights))
        r.add_get("/control/calls", _control(self.calls))
        r.add_get("/control/callback_answers", _control(self.callback_answers))
        r.add_get("/control/updates", _control(self.updates))
        r.add_get("/control/files/{file_id}", _control(self.file))
        r.add_get("/control/menu_buttons", _control(self.menu_buttons))
        r.add_get("/control/web_app_launches", _control(self.web_app_launches))
        r.add_get("/control/telegram-web-app.js", _control(self.web_app_script))
        r.add_post("/control/wait_for_message", _control(self.wait_for_message))
        r.add_post("/control/faults/{action}", _control(self.faults))

    def _user_dict(self, user: SimUser) -> dict[str, Any]:
        state = user.state
        return {
            **state.to_api(),
            "started": state.started,
            "blocked": state.blocked,
            "private_chat_id": user.private_chat.id,
        }

    def _chat_dict(self, chat_id: int) -> dict[str, Any]:
        state = self.sandbox.chat(chat_id).state
        return {
            **self.sandbox.world.chat_api(state),
            "members": [
                {"user_id": m.user_id, "status": m.status, "rights": m.rights}
                for m in state.members.values()
            ],
            "topics": [
                {**t.to_api(), "closed": t.closed} for t in state.topics.values() if not t.deleted
            ],
        }

    async def index(self, request: web.Request) -> web.Response:
        s = self.sandbox
        return _ok(
            {
                "bot": s.world.bot.to_api(),
                "base_url": s.base_url,
                "base_file_url": s.base_file_url,
                "control_url": s.control_url,
                "routes": sorted(
                    {
                        f"{route.method} {route.resource.canonical}"
                        for route in request.app.router.routes()
                        if route.resource is not None
                        and route.resource.canonical.startswith("/control")
                    }
                ),
            }
        )

    async def list_users(self, request: web.Request) -> web.Response:
        world = self.sandbox.world
        users = [self.sandbox.user(uid) for uid, u in world.users.items() if not u.is_bot]
        return _ok([self._user_dict(u) for u in users])

    async def add_user(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self.sandbox.add_user(
            str(body["first_name"]),
            body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code"),
            started=bool(body.get("started", False)),
            user_id=body.get("user_id"),
        )
        return _ok(self._user_dict(user))

    async def add_group(self, request: web.Request) -> web.Response:
        body = await _body(request)
        chat = self.sandbox.add_group(
            str(body["title"]),
            members=[int(u) for u in body.get("members", [])],
            admins=[int(u) for u in body.get("admins", [])],
            forum=bool(body.get("forum", False)),
            supergroup=bool(body.get("supergroup", False)),
            bot_is_admin=bool(body.get("bot_is_admin", True)),
            bot_can_manage_topics=bool(body.get("bot_can_manage_topics", False)),
            bot_is_member=bool(body.get("bot_is_member", True)),
            creator=body.get("creator"),
            username=body.get("username"),
        )
        return _ok(self._chat_dict(chat.id))

    async def list_chats(self, request: web.Request) -> web.Response:
        return _ok([self._chat_dict(chat_id) for chat_id in self.sandbox.world.chats])

    async def transcript(self, request: web.Request) -> web.Response:
        include_deleted = request.query.get("include_deleted", "true").lower() != "false"
        messages = self.sandbox.transcript(
            int(request.match_info["chat_id"]), include_deleted=include_deleted
        )
        return _ok([m.to_dict() for m in messages])

    async def bot_rights(self, request: web.Request) -> web.Response:
        body = await _body(request)
        self.sandbox.set_bot_rights(
            int(request.match_info["chat_id"]),
            is_member=bool(body.pop("is_member", True)),
            is_admin=bool(body.pop("is_admin", True)),
            can_manage_topics=bool(body.pop("can_manage_topics", False)),
            **{str(k): bool(v) for k, v in body.items()},
        )
        return _ok(self._chat_dict(int(request.match_info["chat_id"])))

    async def user_action(self, request: web.Request) -> web.Response:
        user = self.sandbox.user(int(request.match_info["user_id"]))
        action = request.match_info["action"]
        body = await _body(request)
        chat_id = body.get("chat_id", user.private_chat.id)
        if action == "send_text":
            sent = await user.send_text(
                chat_id,
                str(body["text"]),
                thread_id=body.get("thread_id"),
                reply_to=body.get("reply_to"),
            )
            return _ok(sent.to_dict())
        if action == "send_command":
            sent = await user.send_command(
                chat_id,
                str(body["command"]),
                str(body.get("args", "")),
                thread_id=body.get("thread_id"),
                mention=body.get("mention"),
            )
            return _ok(sent.to_dict())
        if action == "start_bot":
            return _ok((await user.start_bot(body.get("payload"))).to_dict())
        if action == "tap":
            query_id = await user.tap(
                body.get("message_id"), chat_id, text=body.get("text"), data=body.get("data")
            )
            return _ok({"callback_query_id": query_id})
        if action in ("open_web_app", "open_menu_web_app"):
            theme = body.get("theme", "light")
            auth_date = body.get("auth_date")
            start_param = body.get("start_param")
            if action == "open_web_app":
                url = await user.open_web_app(
                    body.get("message_id"),
                    body.get("button_text"),
                    theme=theme,
                    auth_date=auth_date,
                    start_param=start_param,
                )
            else:
                url = await user.open_menu_web_app(
                    theme=theme, auth_date=auth_date, start_param=start_param
                )
            return _ok({"url": url})
        if action == "web_app_init_data":
            init_data = user.web_app_init_data(
                auth_date=body.get("auth_date"), start_param=body.get("start_param")
            )
            return _ok({"init_data": init_data})
        if action == "join":
            return _ok((await user.join(chat_id)).to_dict())
        if action == "leave":
            return _ok((await user.leave(chat_id)).to_dict())
        if action == "block_bot":
            await user.block_bot()
            return _ok(self._user_dict(user))
        if action == "unblock_bot":
            await user.unblock_bot()
            return _ok(self._user_dict(user))
        if action == "become_admin":
            rights = {str(k): bool(v) for k, v in body.get("rights", {}).items()}
            await user.become_admin(chat_id, **rights)
            return _ok(self._chat_dict(int(chat_id)))
        raise SandboxError(f"unknown action {action!r}")

    async def calls(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        method = request.query.get("method")
        calls = self.sandbox.calls[since:]
        if method:
            calls = [c for c in calls if c.method.lower() == method.lower()]
        return _ok(
            [
                {
                    "method": c.method,
                    "params": c.params,
                    "ok": c.ok,
                    "error_code": c.error_code,
                    "description": c.description,
                    "time": c.time,
                    "duration": c.duration,
                }
                for c in calls
            ]
        )

    async def callback_answers(self, request: web.Request) -> web.Response:
        return _ok(
            [
                {
                    "query_id": a.query_id,
                    "text": a.text,
                    "show_alert": a.show_alert,
                    "url": a.url,
                    "cache_time": a.cache_time,
                    "time": a.time,
                }
                for a in self.sandbox.callback_answers
            ]
        )

    async def updates(self, request: web.Request) -> web.Response:
        return _ok(self.sandbox.pending_updates)

    async def file(self, request: web.Request) -> web.StreamResponse:
        data = self.sandbox.file_bytes(request.match_info["file_id"])
        return web.Response(body=data, content_type="application/octet-stream")

    async def menu_buttons(self, request: web.Request) -> web.Response:
        world = self.sandbox.world
        return _ok(
            {
                "default": world.menu_button(None),
                "chats": {str(uid): dict(button) for uid, button in world.menu_buttons.items()},
            }
        )

    async def web_app_launches(self, request: web.Request) -> web.Response:
        return _ok([dataclasses.asdict(launch) for launch in self.sandbox.web_app_launches])

    async def web_app_script(self, request: web.Request) -> web.Response:
        return web.Response(text=web_app_script(), content_type="text/javascript", charset="utf-8")

    async def wait_for_message(self, request: web.Request) -> web.Response:
        body = await _body(request)
        message = await self.sandbox.wait_for_message(
            int(body["chat_id"]),
            text_contains=body.get("text_contains"),
            timeout=float(body.get("timeout", 10.0)),
            after=body.get("after"),
            from_bot=bool(body.get("from_bot", True)),
            thread_id=body.get("thread_id"),
        )
        return _ok(message.to_dict())

    async def faults(self, request: web.Request) -> web.Response:
        faults = self.sandbox.faults
        action = request.match_info["action"]
        body = await _body(request)
        if action == "fail_next":
            faults.fail_next(
                int(body.get("status", 429)),
                count=int(body.get("count", 1)),
                method=body.get("method"),
                retry_after=int(body.get("retry_after", 1)),
                description=body.get("description"),
            )
        elif action == "delay":
            faults.set_delay(float(body["seconds"]), method=body.get("method"))
        elif action == "rate_limits":
            enabled = bool(body.pop("enabled", True))
            faults.enforce_rate_limits(enabled, **body)
        elif action == "clear":
            faults.clear()
        else:
            raise SandboxError(f"unknown fault action {action!r}")
        return _ok(True)


class WebhookDeliverer:
    """Posts pending updates to the webhook URL one at a time, as Telegram does.

    An update is confirmed (dropped from the queue) when the webhook answers 2xx; otherwise
    ``last_error_date``/``last_error_message`` are set and delivery is retried after
    ``retry_delay`` seconds. Replies carrying a method in the response body are not executed.
    """

    def __init__(self, sandbox: Sandbox, retry_delay: float = 0.5) -> None:
        self.sandbox = sandbox
        self.retry_delay = retry_delay
        self.delivered = 0

    def _due(self) -> bool:
        world = self.sandbox.world
        return self.sandbox.api.closing or bool(world.webhook.url and world.updates)

    async def run(self) -> None:
        sandbox = self.sandbox
        world = sandbox.world
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not sandbox.api.closing:
                if not await sandbox.signal.wait_for(self._due, 3600):
                    continue
                if sandbox.api.closing:
                    return
                update = dict(world.updates[0])
                webhook = world.webhook
                headers = {}
                if webhook.secret_token:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
                error: str | None = None
                try:
                    async with session.post(webhook.url, json=update, headers=headers) as reply:
                        if not 200 <= reply.status < 300:
                            error = (
                                f"Wrong response from the webhook: {reply.status} {reply.reason}"
                            )
                except (aiohttp.ClientError, TimeoutError) as exc:
                    error = f"Connection failed: {type(exc).__name__}"
                if error is None:
                    self.delivered += 1
                    if world.updates and world.updates[0]["update_id"] == update["update_id"]:
                        world.confirm_updates(update["update_id"] + 1)
                    continue
                logger.info("webhook delivery failed: %s", error)
                webhook.last_error_date = world.now()
                webhook.last_error_message = error
                world.touch()
                await sandbox.signal.wait_for(lambda: sandbox.api.closing, self.retry_delay)


def build_app(sandbox: Sandbox) -> web.Application:
    """The aiohttp application serving one sandbox."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    api = _BotApiRoutes(sandbox)
    app.router.add_route("*", "/bot{token}/{method}", api.handle)
    app.router.add_get("/file/bot{token}/{path:.+}", api.file)
    _ControlRoutes(sandbox).register(app)
    return app


async def serve_async(
    host: str = "127.0.0.1",
    port: int = 8081,
    token: str | None = None,
    *,
    bot_username: str | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run a sandbox until ``stop`` is set, SIGINT or SIGTERM."""
    from bot.sandbox.control import DEFAULT_TOKEN, Sandbox
    from bot.sandbox.world import DEFAULT_BOT_USERNAME

    sandbox = Sandbox(
        token or DEFAULT_TOKEN,
        bot_username=bot_username or DEFAULT_BOT_USERNAME,
        host=host,
        port=port,
    )
    await sandbox.start()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    print(f"Sandbox Bot API base URL: {sandbox.base_url}  (BOT_API_BASE_URL)", flush=True)
    print(f"Sandbox bot token:        {sandbox.token}  (TELEGRAM_BOT_TOKEN)", flush=True)
    print(f"Sandbox control URL:      {sandbox.control_url}", flush=True)
    try:
        await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        await sandbox.stop()


def serve(
    host: str = "127.0.0.1",
    port: int = 8081,
    token: str | None = None,
    *,
    bot_username: str | None = None,
) -> None:
    """Blocking entry point for ``python -m bot sandbox``: prints the URLs, runs until Ctrl-C."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_async(host, port, token, bot_username=bot_username))
