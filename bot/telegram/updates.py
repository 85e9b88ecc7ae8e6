"""Receiving updates: long polling or a webhook, confirming to Telegram only what was handled.

Owns: handing each update to PTB's ``Application.process_update``, each person's in
order and different people's concurrently (bounded); handling an update again while its
unit of work cannot be committed (the database is locked or the disk fails); long polling
with ``offset`` = the last handled update + 1, asking for the next batch only once the
whole batch is handled, so that Telegram sends again whatever a crash interrupted (the
store drops what it had committed already); in webhook mode, answering Telegram only once
an update was handled; one warning per outage of the Bot API server or the database, and
one line when it works again; running the application until SIGINT or SIGTERM. Must not:
hold workshop rules.

PTB's own ``Updater`` is not used: it confirms a batch of updates when it fetches the next,
and its webhook answers Telegram before the update is handled, so a crash in between loses
the update.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any, Protocol, TypeAlias

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, CallbackContext

from bot.errors import StoreUnavailable
from bot.outage import Outage, Pause, seconds
from bot.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 10
"""Seconds one ``getUpdates`` long poll waits for an update."""

App: TypeAlias = "Application[Any, Any, Any, Any, Any, Any]"


def describe(error: TelegramError) -> str:
    """A Telegram error in a few words, without the token or any request's content."""
    if isinstance(error, Conflict):
        return "409 Conflict: another process is fetching updates with this token"
    if isinstance(error, InvalidToken):
        return f"the token was refused ({error.message})"
    if isinstance(error, TimedOut):
        return "no answer in time"
    cause = error.__cause__
    if isinstance(error, NetworkError) and cause is not None:
        return f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
    return error.message


def person_of(update: Update) -> int | None:
    """Whose update this is: the person who sent it, or the chat it came from."""
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


class Handling:
    """Hands updates to PTB and knows whether each was handled.

    Each person's updates are handled one at a time, in the order they came; different
    people's updates are handled concurrently, at most ``app.update_processor``'s
    ``max_concurrent_updates`` at once (PTB's ``concurrent_updates``, set by
    ``bot.app.build_application``). An update waits for the one before it from the same
    person before it takes a place, so a person with many updates queued holds one place.
    Concurrent units of work meet in the store, which commits those that are ready
    together (``Store.run``): no tap is answered before its own commit.

    A handler that fails because the store could not commit (``StoreUnavailable``:
    the database is locked beyond its busy timeout, the disk is full or failing) leaves the
    update unhandled: :meth:`handle` tries it again after a pause, as the rolled-back unit of
    work left nothing behind; that person's later updates wait for it. Any other failure is
    a bug: it is logged (without the update, which may hold personal data) and the update
    counts as handled, so that it cannot block the ones after it.
    """

    def __init__(self, app: App) -> None:
        self.app = app
        self.stopping = asyncio.Event()
        self._last: dict[int | None, asyncio.Future[None]] = {}
        """Per person, the newest update taken in: the next one waits until it is done."""
        self._handling: dict[int, StoreUnavailable | None] = {}
        """The updates in PTB's hands (by ``id``): whether their work could not be saved."""
        self._store = Outage(
            "an update could not be saved (%s); it is handled again until it can be",
            "saving updates works again",
            log,
        )
        app.add_error_handler(self._error)

    async def handle(self, update: Update) -> bool:
        """Process ``update`` until its work is saved, after the same person's earlier
        updates; False if the bot stopped first."""
        person = person_of(update)
        before = self._last.get(person)
        done = asyncio.get_running_loop().create_future()
        self._last[person] = done
        handled: list[bool] = []
        try:
            if before is not None:
                await asyncio.shield(before)
            await self.app.update_processor.process_update(
                update, self._until_saved(update, handled)
            )
        finally:
            if before is None or before.done():
                done.set_result(None)
            else:  # cancelled while waiting: the next one still waits for the one before
                before.add_done_callback(lambda _: done.set_result(None))
            if self._last.get(person) is done:
                del self._last[person]
        return bool(handled) and handled[0]

    async def _until_saved(self, update: Update, handled: list[bool]) -> None:
        pause = Pause(self.stopping)
        while not self.stopping.is_set():
            if await self._once(update):
                handled.append(True)
                return
            await pause.wait()
        handled.append(False)

    async def _once(self, update: Update) -> bool:
        key = id(update)
        self._handling[key] = None
        try:
            await self.app.process_update(update)
        finally:
            unsaved = self._handling.pop(key)
        if unsaved is None:
            self._store.succeeded()
            return True
        self._store.failed(str(unsaved))
        return False

    async def _error(self, update: object, context: CallbackContext) -> None:  # type: ignore[type-arg]
        error = context.error
        if update is not None and id(update) in self._handling:
            if isinstance(error, StoreUnavailable):
                self._handling[id(update)] = error
                return
            log.error("an update could not be handled", exc_info=error)
            return
        log.error("a background job failed", exc_info=error)


class Receiver(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Polling:
    """Long polling that confirms only handled updates: each ``getUpdates`` asks from the
    update after the last one handled, so Telegram keeps the rest until they are."""

    def __init__(self, app: App, timeout: int = POLL_TIMEOUT) -> None:
        self.app = app
        self.timeout = timeout
        self.handling = Handling(app)
        self.offset: int | None = None
        self._connection = Outage(
            "cannot fetch updates from the Bot API server (%s); retrying until it works",
            "fetching updates from the Bot API server works again",
            log,
        )
        self._task: asyncio.Task[None] | None = None
        self._fetch: asyncio.Future[Any] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._poll(), name="polling")

    async def stop(self) -> None:
        """Stop after the update being handled, and confirm what was handled."""
        self.handling.stopping.set()
        if self._fetch is not None:
            self._fetch.cancel()
        if self._task is not None:
            await self._task
            self._task = None
        if self.offset is not None:  # as PTB does: a last short call confirms the last batch
            with suppress(TelegramError):
                await self.app.bot.get_updates(offset=self.offset, limit=1, timeout=0)

    async def _poll(self) -> None:
        stopping = self.handling.stopping
        pause = Pause(stopping)
        while not stopping.is_set():
            # A webhook left by an earlier run would make Telegram refuse getUpdates; its
            # pending updates are kept. An outage now is retried like any other.
            try:
                await self.app.bot.delete_webhook(drop_pending_updates=False)
                break
            except TelegramError as exc:
                self._connection.failed(describe(exc))
                await pause.wait()
        while not stopping.is_set():
            self._fetch = asyncio.ensure_future(
                self.app.bot.get_updates(
                    offset=self.offset, timeout=self.timeout, allowed_updates=ALLOWED_UPDATES
                )
            )
            try:
                batch = await self._fetch
            except asyncio.CancelledError:
                if stopping.is_set():
                    return
                raise
            except TelegramError as exc:
                self._connection.failed(describe(exc))
                await pause.wait(seconds(exc.retry_after) if isinstance(exc, RetryAfter) else 0)
                continue
            except Exception:  # a bug, or an error PTB did not wrap: polling must go on
                log.exception("fetching updates failed unexpectedly")
                await pause.wait()
                continue
            finally:
                self._fetch = None
            self._connection.succeeded()
            pause.reset()
            # The batch at once (each person's updates in order); the next getUpdates
            # confirms it, so it is asked for only once the whole batch is handled.
            handled = await asyncio.gather(*(self.handling.handle(u) for u in batch))
            for update, done in zip(batch, handled, strict=True):
                if not done:
                    return
                self.offset = update.update_id + 1


class Webhook:
    """The webhook: Telegram posts each update to ``url``, and is answered only once the
    update was handled (:class:`bot.telegram.webhook.WebhookServer`)."""

    def __init__(
        self, app: App, url: str, path: str, listen: str, port: int, secret_token: str
    ) -> None:
        self.app = app
        self.url = url
        self.secret = secret_token
        self.handling = Handling(app)
        self.server = WebhookServer(path, listen, port, secret_token, self._receive)

    async def start(self) -> None:
        await self.server.start()
        await self.app.bot.set_webhook(
            self.url,
            secret_token=self.secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )

    async def stop(self) -> None:
        self.handling.stopping.set()
        await self.server.stop()

    async def _receive(self, data: dict[str, Any]) -> bool | None:
        try:
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        return await self.handling.handle(update)


@asynccontextmanager
async def running(app: App, receiver: Receiver) -> AsyncIterator[None]:
    """``app`` started (its ``post_init`` run) and receiving updates; stopped and shut down
    (its ``post_shutdown`` run) afterwards, also when starting fails half-way."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        try:
            try:
                await receiver.start()
                yield
            finally:
                await receiver.stop()
        finally:
            await app.stop()
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()


async def serve(app: App, receiver: Receiver) -> None:
    """Run ``app`` until SIGINT or SIGTERM, then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with running(app, receiver):
            await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
