"""In-process transport: python-telegram-bot talks to a :class:`Sandbox` without sockets.

Owns: :class:`SandboxRequest`, a ``telegram.request.BaseRequest`` (PTB's extension point for
HTTP libraries) that hands each Bot API call straight to the sandbox, and :func:`call_api`, the
transport-neutral order of one call: token check, unknown method (404), injected delay, then
forced fault or flood limit, then the method itself, then the call log entry. Statuses, bodies
and the call log are the ones the HTTP server produces, so PTB raises the same exceptions
(``BadRequest``, ``Forbidden``, ``RetryAfter``, ...) and tests read the same log.

Use it where sockets are unwanted (benchmarks; tests that do not test HTTP)::

    sandbox = Sandbox(token)                     # no start(): nothing listens
    request = SandboxRequest(sandbox)
    app = (
        ApplicationBuilder().token(token).base_url(sandbox.base_url)
        .request(request).get_updates_request(SandboxRequest(sandbox)).build()
    )

Parameters arrive as the HTTP server would see them from PTB's form-encoded body (every value
a string, objects JSON-encoded: ``RequestData.json_parameters``) plus the multipart files.
``getUpdates`` long polls exactly as over HTTP: it waits on the sandbox's change signal, so an
idle bot does not spin. ``read_timeout`` is honoured (``TimedOut``), so injected slow answers
behave as over the network. File downloads (``/file/bot<token>/<path>``) are served too.

Must not: apply Telegram's rules itself (``methods``/``validation``/``faults`` do), or differ
from ``server`` in what a call answers; the only thing it skips is HTTP.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import TYPE_CHECKING, Any

from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.sandbox.errors import ApiError
from bot.sandbox.methods import ApiCall, Params, UploadedFile

if TYPE_CHECKING:
    from bot.sandbox.control import Sandbox

_API_URL = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[^/?#]+)$")
_FILE_URL = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_WELL_FORMED_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


def _dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


async def call_api(
    sandbox: Sandbox, token: str, method: str, params: Params
) -> tuple[int, dict[str, Any]]:
    """One Bot API call as the sandbox's HTTP server answers it: (status, JSON body).

    Same order as the server: wrong token (401, or 404 when malformed), unknown method (404),
    injected delay, forced fault or flood limit, the method; every call goes to the log."""
    started = time.time()
    loop = asyncio.get_running_loop()
    loop_started = loop.time()
    api = sandbox.api
    name = api.canonical_name(method) or method
    result: Any = None
    try:
        if token != sandbox.token:
            if _WELL_FORMED_TOKEN.match(token):
                raise ApiError(401, "Unauthorized")
            raise ApiError(404, "Not Found")
        if api.canonical_name(method) is None:
            raise ApiError(404, "Not Found")
        delay = sandbox.faults.delay_for(name)
        if delay > 0:
            await asyncio.sleep(delay)
        chat_id, is_group, messages = api.rate_limit_target(name, params)
        fault = sandbox.faults.check(name, chat_id, is_group, messages)
        if fault is not None:
            raise fault
        result = await api.call(method, params)
        status, body = 200, {"ok": True, "result": result}
    except ApiError as exc:
        status, body = exc.error_code, exc.to_api()
    except Exception as exc:
        sandbox.internal_errors.append(exc)
        status, body = 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    sandbox.record_call(
        ApiCall(
            method=name,
            params=params.for_log(),
            ok=body["ok"],
            error_code=None if body["ok"] else body.get("error_code"),
            description=None if body["ok"] else body.get("description"),
            time=started,
            duration=loop.time() - loop_started,
            result=result,
        )
    )
    return status, body


def _params(request_data: RequestData | None) -> Params:
    """The parameters as the server decodes PTB's form or multipart body."""
    if request_data is None:
        return Params({})
    files: dict[str, UploadedFile] = {}
    for key, (file_name, content, mime_type) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        files[key] = UploadedFile(key, file_name, mime_type, data)
    return Params(request_data.json_parameters, files)


class SandboxRequest(BaseRequest):
    """PTB's request object for a sandbox in the same event loop (no sockets, no httpx).

    Give one to ``ApplicationBuilder().request(...)`` and another to
    ``.get_updates_request(...)`` (or ``Bot(request=..., get_updates_request=...)``)."""

    __slots__ = ("_read_timeout", "sandbox")

    def __init__(self, sandbox: Sandbox, read_timeout: float | None = 5.0) -> None:
        self.sandbox = sandbox
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open: the sandbox is an object in this process."""

    async def shutdown(self) -> None:
        """Nothing to close; the sandbox belongs to whoever made it."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See :meth:`BaseRequest.do_request`: (HTTP status, JSON body) as the server sends."""
        timeout = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        path = url.split("://", 1)[-1].partition("/")[2]
        path = "/" + path.split("?", 1)[0]
        found = _FILE_URL.search(path)
        if found is not None:
            return self._file(found["token"], found["path"])
        found = _API_URL.search(path)
        if found is None:
            return 404, _dumps({"ok": False, "error_code": 404, "description": "Not Found"})
        params = _params(request_data)
        try:
            async with asyncio.timeout(timeout):
                status, body = await call_api(self.sandbox, found["token"], found["method"], params)
        except TimeoutError as exc:
            raise TimedOut from exc
        return status, _dumps(body)

    def _file(self, token: str, file_path: str) -> tuple[int, bytes]:
        if token != self.sandbox.token:
            return 401, _dumps({"ok": False, "error_code": 401, "description": "Unauthorized"})
        stored = self.sandbox.world.file_by_path(file_path)
        if stored is None or stored.data is None:
            return 404, _dumps({"ok": False, "error_code": 404, "description": "Not Found"})
        return 200, stored.data
