"""Delivery of the outbox to the Bot API: render, send or edit, mark done.

Owns: the order of messages per chat (one worker per chat, effects in the order they
were written), editing a slot's message in place, committing each Bot API call of an effect
as soon as it went out (a long summary is several messages and an album of pictures, drawn
off the event loop as they are sent: after a crash only the calls not yet made are made, so
at most one call is repeated), and what each Telegram error means:

* ``RetryAfter`` (429): try this chat again after ``retry_after`` seconds;
* ``TimedOut`` / ``NetworkError``: try again with exponential backoff, one warning per
  outage;
* ``Forbidden`` (403, blocked or never started): give up on the chat's pending effects
  and report the chat as unreachable (it becomes an event, not a crash);
* ``BadRequest`` "message is not modified": already shown, done;
  "message to edit not found": send it anew; any other: logged and set aside;
* the database locked or failing: one warning, and the same commit is tried again, so
  that a message that went out is not sent a second time.

Telegram's flood limits (overall, per chat, per group) are kept by the bot's pacer
(``bot.telegram.flood_limits``), to which delivery says how urgent each call is: a post in a group
goes first (every part of a long one), then a screen in the slot someone works in; other
messages (a table mate's story, a reminder) may wait their turn, but whatever is queued
before an awaited screen in the same chat is as urgent as that screen (a chat's messages go
in order). Before a chat's
due effects go out, a run of screens for the same slot that each replace the one before is
coalesced into the last: the ones it replaces are marked delivered without a call. When a
chat's next message would wait for Telegram's limits, plain messages in a row to it (a
table's stories, arriving together) go as one message, as long as that fits in one. While a
post in a group waits for the group's budget, the group sees the bot "typing". Chats of
simulated people (a rehearsal, ids reserved by ``conversations.rehearsal``)
are never sent to: their effects are left to the rehearsal actor. Must not: decide
workshop rules, or log message texts (they hold personal data).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaDocument,
    InputMediaPhoto,
    LinkPreviewOptions,
    WebAppInfo,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.background import cancel_all
from bot.codec import decode_effect
from bot.errors import StoreUnavailable
from bot.outage import Outage, Pause, seconds
from bot.plenary_pictures.drawing import draw_all
from bot.store import OutboxRow, SlotMessage, Store, Transaction
from bot.telegram.flood_limits import Pacer, Urgency, is_group
from bot.telegram.screens import MESSAGE_LIMIT, Button, Keyboard, Screen, Screens, split_long
from conversations.effects import SendReport
from conversations.rehearsal import is_simulated

log = logging.getLogger(__name__)

BATCH = 50
MAX_ATTEMPTS = 12
MAX_BACKOFF = 300.0
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
KEEP_DELIVERED = 24 * 3600.0
"""Seconds a delivered message and a handled update id are kept."""
PRUNE_EVERY = 3600.0
FOLD_AFTER = 1.0
"""Seconds an urgent message would wait for the overall budget before plain messages to one
chat are joined into one."""
QUEUED_S = 5.0
"""Seconds a group's post may wait for its budget before the group sees the bot typing."""
TYPING_EVERY = 4.5
"""Seconds between two "typing" actions (Telegram shows one for about five)."""


def backoff(attempts: int) -> float:
    """Seconds to wait before the next try after ``attempts`` failed ones."""
    return min(MAX_BACKOFF, 0.5 * 2.0**attempts)


def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    return _markup(screen.buttons) if screen.buttons else None


@functools.lru_cache(maxsize=1024)
def _markup(buttons: Keyboard) -> InlineKeyboardMarkup:
    """PTB's keyboard for ``buttons`` (PTB objects are immutable: shared safely)."""
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in buttons])


def _button(b: Button) -> InlineKeyboardButton:
    if b.web_app:
        return InlineKeyboardButton(b.text, web_app=WebAppInfo(b.web_app))
    if b.url:
        return InlineKeyboardButton(b.text, url=b.url)
    return InlineKeyboardButton(b.text, callback_data=b.data)


Step = Callable[[], Awaitable[int | None]]
"""One Bot API call of an effect; the message id to remember for the screen's slot, if any."""

Pending = tuple[OutboxRow, Screen]
ReportWriter = Callable[[SendReport], Awaitable[list[tuple[str, bytes]] | None]]
"""Writes the report a ``SendReport`` asks for: its files (name, bytes), or None when it
cannot be written (the session is gone, or writing failed; logged)."""
"""A due effect of a chat and its screen."""


def urgency_of(screen: Screen) -> Urgency:
    """The room waits for a post in the group (the facilitator's seating, results, plenary),
    someone for the screen in the slot they work in; the rest may wait its turn."""
    if is_group(screen.chat_id):
        return Urgency.PLENARY
    if screen.slot is not None:
        return Urgency.AWAITED
    return Urgency.LATER


def urgencies(screens: list[Screen]) -> list[Urgency]:
    """How urgent each of a chat's due screens is: as urgent as the most urgent one from
    it on, since a chat's messages go in order (a lens's introduction before the card that
    someone waits for holds that card up)."""
    most = Urgency.LATER
    result: list[Urgency] = []
    for screen in reversed(screens):
        most = min(most, urgency_of(screen))
        result.append(most)
    return result[::-1]


def _replaced_by(earlier: Pending, later: Screen) -> bool:
    """Whether ``later`` would replace ``earlier``'s screen at once: an edit of the same
    slot, over a screen that carries nothing else (no picture, copy or file) and of which
    no call went out yet."""
    row, screen = earlier
    return (
        screen.slot is not None
        and screen.slot == later.slot
        and not later.fresh
        and row.steps_done == 0
        and screen.room is None
        and screen.document is None
        and screen.report is None
        and not screen.pictures
        and screen.copy_of is None
    )


def _plain(pending: Pending) -> bool:
    """A message that is text alone: no buttons, slot, picture, copy or file, nothing sent
    of it yet."""
    row, screen = pending
    return (
        row.steps_done == 0
        and screen.slot is None
        and not screen.buttons
        and screen.new_topic is None
        and screen.document is None
        and screen.report is None
        and not screen.pictures
        and screen.copy_of is None
    )


def fold(pending: list[Pending], start: int) -> tuple[Screen, list[OutboxRow]]:
    """The message at ``start`` with the plain messages right after it to the same place
    (chat, or table topic) joined into it, while the whole fits in one message; and the
    rows it carries besides its own. Only a plain message carries others."""
    screen = pending[start][1]
    riders: list[OutboxRow] = []
    if not _plain(pending[start]):
        return screen, riders
    text = screen.text
    for other in pending[start + 1 :]:
        other_row, other_screen = other
        joined = f"{text}\n\n{other_screen.text}"
        if not _plain(other) or other_screen.room != screen.room or len(joined) > MESSAGE_LIMIT:
            break
        text = joined
        riders.append(other_row)
    return replace(screen, text=text), riders


def coalesce(pending: list[Pending]) -> tuple[list[Pending], list[OutboxRow]]:
    """A chat's due screens with every screen that the next one replaces at once left out
    (the next one is sent as a new message if the one it replaces was to be); and the rows
    left out, which need no call. A screen sent as a new message stays in the chat, so the
    one before it is never left out."""
    kept: list[Pending] = []
    replaced: list[OutboxRow] = []
    for row, screen in pending:
        if kept and _replaced_by(kept[-1], screen):
            earlier_row, earlier = kept.pop()
            replaced.append(earlier_row)
            if earlier.fresh:
                screen = replace(screen, fresh=True)
        kept.append((row, screen))
    return kept, replaced


class _Postpone(Exception):
    def __init__(self, delay: float) -> None:
        self.delay = delay


class Delivery:
    def __init__(
        self,
        store: Store,
        bot: Bot,
        screens: Screens,
        on_unreachable: Callable[[int], Awaitable[None]],
        clock: Callable[[], float] = time.time,
        write_report: ReportWriter | None = None,
    ) -> None:
        self.store = store
        self.write_report = write_report
        self.bot = bot
        self.screens = screens
        self.on_unreachable = on_unreachable
        self.clock = clock
        self._wake = asyncio.Event()
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._dirty: set[int] = set()  # chats written to while their worker ran
        limiter = getattr(bot, "rate_limiter", None)
        self._pacer = limiter if isinstance(limiter, Pacer) else None
        self._task: asyncio.Task[None] | None = None
        self._api = Outage(
            "cannot deliver messages to the Bot API server (%s); retrying until it works",
            "delivering messages to the Bot API server works again",
            log,
        )
        self._store_outage = Outage(
            "delivery cannot use the database (%s); retrying until it can",
            "delivery can use the database again",
            log,
        )

    # --- running ------------------------------------------------------------------------

    def kick(self, chat_ids: Iterable[int] | None = None) -> None:
        """Something was written to the outbox for ``chat_ids`` (None: anywhere): deliver
        to those chats now, without a look at the whole outbox."""
        if chat_ids is None or self._task is None:
            self._wake.set()
            return
        for chat_id in chat_ids:
            if is_simulated(chat_id):
                continue  # the rehearsal actor's, never Telegram's
            if chat_id in self._workers:
                self._dirty.add(chat_id)
            else:
                task = asyncio.get_running_loop().create_task(self._work(chat_id))
                self._workers[chat_id] = task

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="delivery")
            self.kick()

    async def stop(self) -> None:
        await cancel_all((self._task, *self._workers.values()))
        self._task = None
        self._workers.clear()

    async def _run(self) -> None:
        next_prune = 0.0
        while True:
            if self.clock() >= next_prune:
                await self._prune()
                next_prune = self.clock() + PRUNE_EVERY
            self._wake.clear()
            next_due = await self._dispatch()
            timeout = None if next_due is None else max(0.0, next_due - self.clock())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _prune(self) -> None:
        before = self.clock() - KEEP_DELIVERED
        try:
            await self.store.run(lambda tx: tx.prune(before))
        except StoreUnavailable as exc:
            self._store_outage.failed(str(exc))
        except Exception:
            log.exception("could not prune the outbox")

    async def _dispatch(self) -> float | None:
        """Start a worker for each chat with due effects; when the next one is due."""
        try:
            chats = await self.store.read(Transaction.chats_with_pending_effects)
        except StoreUnavailable as exc:
            self._store_outage.failed(str(exc))
            return self.clock() + 1.0
        except Exception:
            log.exception("could not read the outbox")
            return self.clock() + 1.0
        now = self.clock()
        next_due: float | None = None
        for chat_id, not_before in chats:
            if chat_id in self._workers or is_simulated(chat_id):
                continue
            if not_before > now:
                next_due = not_before if next_due is None else min(next_due, not_before)
                continue
            task = asyncio.get_running_loop().create_task(self._work(chat_id))
            self._workers[chat_id] = task
        return next_due

    def expected_wait(self) -> float:
        """Seconds a screen queued now would wait for Telegram's limits (0 without the
        pacer)."""
        return self._pacer.expected_wait() if self._pacer is not None else 0.0

    async def _work(self, chat_id: int) -> None:
        try:
            while True:
                self._dirty.discard(chat_id)
                if not await self._deliver_chat(chat_id) and chat_id not in self._dirty:
                    break
        except asyncio.CancelledError:
            raise
        except StoreUnavailable as exc:  # locked or failing: the dispatcher retries
            self._store_outage.failed(str(exc))
            await asyncio.sleep(1.0)
            self.kick()
        except Exception:
            log.exception("delivery to a chat failed unexpectedly")
            self.kick()
        finally:
            self._workers.pop(chat_id, None)

    async def drain(self, limit_s: float = 30.0) -> None:
        """Deliver everything that is due now (for start-up, tests and the demo)."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            chats = await self.store.read(Transaction.chats_with_pending_effects)
            due = [c for c, nb in chats if nb <= self.clock() and not is_simulated(c)]
            if not due and not self._workers:
                return
            for chat_id in due:
                if chat_id not in self._workers:
                    self._workers[chat_id] = asyncio.get_running_loop().create_task(
                        self._work(chat_id)
                    )
            await asyncio.sleep(0.01)
        raise TimeoutError("the outbox did not drain in time")

    # --- one chat -----------------------------------------------------------------------

    async def _deliver_chat(self, chat_id: int) -> bool:
        """Deliver the chat's due effects in order; True if there may be more."""
        if is_simulated(chat_id):  # never to Telegram, whoever asked
            return False

        def due(tx: Transaction) -> tuple[list[OutboxRow], dict[str, SlotMessage]]:
            rows = tx.pending_effects(chat_id, BATCH)
            return rows, tx.slot_messages(chat_id) if rows else {}

        rows, slots = await self.store.read(due)
        now = self.clock()
        waiting = next((n for n, row in enumerate(rows) if row.not_before > now), None)
        if waiting is not None:
            self.kick()  # not due yet: the dispatcher keeps the timer for this chat
        pending = [p for row in rows[:waiting] if (p := await self._screen(row)) is not None]
        pending, replaced = coalesce(pending)
        if replaced:
            at = self.clock()

            def superseded(tx: Transaction) -> None:
                for done in replaced:
                    tx.mark_delivered(done.id, at)

            await self._save(superseded)
        urgent = urgencies([s for _, s in pending])
        index = 0
        while index < len(pending):
            row, screen = pending[index]
            riders: list[OutboxRow] = []
            if self._pressed(chat_id):
                screen, riders = fold(pending, index)
            urgency = min(urgent[index : index + 1 + len(riders)])
            index += 1 + len(riders)
            try:
                await self._deliver(row, screen, slots, urgency, riders)
            except _Postpone as later:
                await self._postpone(row, later.delay)
                self.kick()  # the dispatcher keeps the timer for the retry
                return False
            except Forbidden:
                await self._give_up_chat(chat_id, "forbidden")
                await self.on_unreachable(chat_id)
                return False
        return waiting is None and len(rows) == BATCH

    def _pressed(self, chat_id: int) -> bool:
        """Whether a message to ``chat_id`` would wait for Telegram's limits now (its chat's
        budget is spent, or the queue is long): then plain messages to it go as one."""
        if self._pacer is None:
            return False
        return self._pacer.wait_in(chat_id) > 0 or self._pacer.expected_wait() >= FOLD_AFTER

    async def _screen(self, row: OutboxRow) -> Pending | None:
        """The effect's screen; None (the effect set aside) if it cannot be rendered."""
        try:
            return row, self.screens.screen(decode_effect(row.kind, row.payload))
        except Exception as exc:  # a bug: set the effect aside rather than retry forever
            log.exception("could not render outbox effect %d (%s)", row.id, row.kind)
            reason = f"render: {type(exc).__name__}"
            await self._save(lambda tx: tx.mark_failed(row.id, reason))
            return None

    async def _postpone(self, row: OutboxRow, delay: float) -> None:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            log.error(
                "giving up on outbox effect %d (%s) after %d tries",
                row.id,
                row.kind,
                row.attempts + 1,
            )
            await self._save(lambda tx: tx.mark_failed(row.id, "too many attempts"))
        else:
            not_before = self.clock() + delay
            await self._save(lambda tx: tx.postpone(row.id, not_before))

    async def _give_up_chat(self, chat_id: int, reason: str) -> None:
        log.warning(
            "chat %d is unreachable (%s); its pending messages are set aside", chat_id, reason
        )

        def set_aside(tx: Transaction) -> None:
            for row in tx.pending_effects(chat_id, 10_000):
                tx.mark_failed(row.id, reason)

        await self._save(set_aside)

    async def _deliver(
        self,
        row: OutboxRow,
        screen: Screen,
        slots: dict[str, SlotMessage],
        urgency: Urgency,
        riders: list[OutboxRow],
    ) -> None:
        """Show ``screen``, the effect of ``row`` (and of the ``riders`` folded into it)."""
        try:
            paced = {"rate_limit_args": urgency} if self._pacer is not None else {}
            steps = await self._steps(screen, slots, row.steps_done > 0, paced)
            sent = row.sent_message_id
            async with self._announced(screen.chat_id):
                for number in range(row.steps_done, len(steps)):
                    sent = await steps[number]() or sent
                    self._api.succeeded()
                    await self._record(row, screen, number + 1, len(steps), sent, slots, riders)
            if row.steps_done >= len(steps):  # every call went out before a crash
                await self._record(row, screen, len(steps), len(steps), sent, slots, riders)
        except RetryAfter as exc:
            wait = seconds(exc.retry_after)
            log.warning("rate limited by Telegram: retrying in %.1f s", wait)
            raise _Postpone(wait) from exc
        except Forbidden:
            raise
        except BadRequest as exc:
            log.error("Telegram refused outbox effect %d (%s): %s", row.id, row.kind, exc.message)
            reason = f"bad request: {exc.message}"
            await self._save(lambda tx: tx.mark_failed(row.id, reason))
        except NetworkError as exc:
            self._api.failed(type(exc).__name__)
            raise _Postpone(backoff(row.attempts)) from exc
        except TelegramError as exc:
            log.error("Telegram error delivering effect %d: %s", row.id, exc.message)
            raise _Postpone(backoff(row.attempts)) from exc
        except StoreUnavailable:
            raise  # the store's outage, handled by the worker
        except Exception as exc:
            log.exception("unexpected error delivering effect %d (%s)", row.id, row.kind)
            raise _Postpone(backoff(row.attempts)) from exc

    async def _record(
        self,
        row: OutboxRow,
        screen: Screen,
        done: int,
        total: int,
        sent: int | None,
        slots: dict[str, SlotMessage],
        riders: list[OutboxRow],
    ) -> None:
        """Commit that ``done`` of the effect's ``total`` calls went out, right after each:
        a crash then repeats at most the one call whose answer was not yet committed, the
        least Telegram allows (the Bot API has no idempotent send). The slot takes the
        ``sent`` message only once all calls went out, so a resumed effect still knows the
        message it replaces. It also keeps whether the slot's message has buttons now (sent
        or edited), so that a new message replacing it takes off only buttons that are
        there."""
        at = self.clock()
        finished = done == total
        shown = None
        if finished and screen.slot is not None:
            old = slots.get(screen.slot)
            message_id = sent if sent is not None else (old.message_id if old else None)
            if message_id is not None:
                shown = SlotMessage(message_id, bool(screen.buttons))

        def progress(tx: Transaction) -> None:
            if not finished:
                tx.mark_steps_done(row.id, done, sent)
                return
            if screen.slot is not None and shown is not None:
                tx.set_slot_message(screen.chat_id, screen.slot, shown.message_id, shown.buttons)
            for delivered in (row, *riders):
                tx.mark_delivered(delivered.id, at)

        await self._save(progress)
        if screen.slot is not None and shown is not None:
            slots[screen.slot] = shown

    @contextlib.asynccontextmanager
    async def _announced(self, chat_id: int) -> AsyncIterator[None]:
        """While a post in a group waits more than :data:`QUEUED_S` for the group's budget
        (Telegram allows 20 messages a minute there), the group sees the bot "typing":
        Telegram's sign that a message is on its way, which is not a message itself."""
        wait = self._pacer.wait_in(chat_id) if self._pacer is not None else 0.0
        if not is_group(chat_id) or wait < QUEUED_S:
            yield
            return
        log.info("a post in a group waits %.0f s for Telegram's limit in groups", wait)
        typing = asyncio.get_running_loop().create_task(self._typing(chat_id))
        try:
            yield
        finally:
            await cancel_all((typing,))

    async def _typing(self, chat_id: int) -> None:
        while True:
            with contextlib.suppress(TelegramError):
                await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_EVERY)

    async def _save(self, work: Callable[[Transaction], None]) -> None:
        """Commit ``work``, trying again while the database is locked or failing: what it
        records (a message went out) must not be lost, or the message would go out twice."""
        pause = Pause()
        while True:
            try:
                await self.store.run(work)
            except StoreUnavailable as exc:
                self._store_outage.failed(str(exc))
                await pause.wait()
            else:
                self._store_outage.succeeded()
                return

    async def _steps(
        self,
        screen: Screen,
        slots: dict[str, SlotMessage],
        resuming: bool,
        paced: dict[str, Any],
    ) -> list[Step]:
        """The Bot API calls that show ``screen``, in order; the same list on every attempt
        (``resuming``: some went out already, so a slot's message is not edited). ``paced``:
        the pacer's arguments for each call that sends or changes a message."""
        if screen.room is not None:
            return await self._room_steps(screen, paced)
        if screen.report is not None:
            return [self._report(screen, screen.report, paced)]
        if screen.document is not None:
            name, data = screen.document

            async def document() -> None:
                await self.bot.send_document(
                    screen.chat_id,
                    InputFile(data, filename=name),
                    caption=screen.text,
                    parse_mode=ParseMode.HTML,
                    **paced,
                )

            return [document]
        shown = slots.get(screen.slot) if screen.slot is not None else None
        sending = self._sending(screen, shown, paced)
        if shown is None or screen.fresh or resuming:
            return sending
        old = shown.message_id

        async def edit_or_send() -> int | None:
            try:
                await self.bot.edit_message_text(
                    screen.text,
                    chat_id=screen.chat_id,
                    message_id=old,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(screen),
                    link_preview_options=NO_PREVIEW,
                    **paced,
                )
                return None
            except BadRequest as exc:
                text = exc.message.lower()
                if "not modified" in text:
                    return None
                if "not found" not in text and "can't be edited" not in text:
                    raise
            message_id = None  # the message is gone: send the screen anew
            for step in sending:
                message_id = await step() or message_id
            return message_id

        return [edit_or_send]

    def _sending(
        self, screen: Screen, old: SlotMessage | None, paced: dict[str, Any]
    ) -> list[Step]:
        """Sending ``screen`` as new messages (a long text in several), then its extras;
        a new message for a slot takes the buttons off the one it replaces."""
        *leading, last = split_long(screen.text)
        steps = [self._text(screen.chat_id, part, None, paced) for part in leading]

        async def final() -> int:
            message = await self.bot.send_message(
                screen.chat_id,
                last,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(screen),
                link_preview_options=NO_PREVIEW,
                **paced,
            )
            return message.message_id

        steps.append(final)
        if screen.fresh and old is not None and old.buttons:
            retired = old.message_id

            async def retire_old() -> None:
                # The old message's buttons would only lead to "stale button" answers. It may
                # be gone already; a refusal (429) or an outage is tried again.
                with contextlib.suppress(BadRequest):
                    await self.bot.edit_message_reply_markup(
                        screen.chat_id, retired, reply_markup=None, **paced
                    )

            steps.append(retire_old)
        steps.extend(self._extras(screen, None, paced))
        return steps

    def _report(self, screen: Screen, report: SendReport, paced: dict[str, Any]) -> Step:
        """The report's files as one album of documents, the caption on the last; written as
        they are sent (off the event loop), so a delivery that is tried again writes them
        again."""

        async def send() -> None:
            files = await self.write_report(report) if self.write_report else None
            if not files:
                text = self.screens.renderer.render(report.locale, "report_failed")
                await self.bot.send_message(
                    screen.chat_id, text, parse_mode=ParseMode.HTML, **paced
                )
                return
            album = [
                InputMediaDocument(
                    data,
                    filename=name,
                    caption=screen.text if i == len(files) - 1 else None,
                    parse_mode=ParseMode.HTML,
                )
                for i, (name, data) in enumerate(files)
            ]
            await self.bot.send_media_group(screen.chat_id, album, **paced)

        return send

    def _text(self, chat_id: int, text: str, thread: int | None, paced: dict[str, Any]) -> Step:
        async def send() -> None:
            await self.bot.send_message(
                chat_id,
                text,
                message_thread_id=thread,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                **paced,
            )

        return send

    def _extras(self, screen: Screen, thread: int | None, paced: dict[str, Any]) -> list[Step]:
        """What follows a message: a copied photo (relay) or the pictures (the summary),
        in one call (an album when there are several)."""
        steps: list[Step] = []
        if screen.copy_of is not None:
            from_chat, message_id = screen.copy_of

            async def copy() -> None:
                await self.bot.copy_message(
                    screen.chat_id, from_chat, message_id, message_thread_id=thread, **paced
                )

            steps.append(copy)
        if screen.pictures:

            async def pictures() -> None:
                drawn = await draw_all(screen.pictures)  # on a worker thread: taps go on
                try:
                    if len(drawn) == 1:
                        await self.bot.send_photo(
                            screen.chat_id,
                            drawn[0],
                            caption=screen.caption,
                            message_thread_id=thread,
                            **paced,
                        )
                    elif drawn:
                        album = [
                            InputMediaPhoto(png, caption=screen.caption if i == 0 else None)
                            for i, png in enumerate(drawn)
                        ]
                        await self.bot.send_media_group(
                            screen.chat_id, album, message_thread_id=thread, **paced
                        )
                except BadRequest as exc:  # the text went out and stands on its own
                    log.warning("could not send the pictures: %s", exc.message)

            steps.append(pictures)
        return steps

    async def _room_steps(self, screen: Screen, paced: dict[str, Any]) -> list[Step]:
        """Posting in a table's forum topic, opening the topic first when asked to."""
        assert screen.room is not None
        session_id, number = screen.room
        thread = await self.store.read(lambda tx: tx.table_thread(session_id, number))
        if screen.new_topic is not None and thread is None:
            try:
                topic = await self.bot.create_forum_topic(screen.chat_id, screen.new_topic)
            except BadRequest as exc:
                # Rights taken away since /seat: the table's posts go to the general chat.
                log.warning("could not open a table topic: %s", exc.message)
            else:
                thread = topic.message_thread_id
                await self._save(lambda tx: tx.set_table_thread(session_id, number, thread))
        steps = [
            self._text(screen.chat_id, part, thread, paced) for part in split_long(screen.text)
        ]
        return steps + self._extras(screen, thread, paced)
