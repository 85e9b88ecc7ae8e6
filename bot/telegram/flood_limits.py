"""Keeping the bot within Telegram's flood limits by itself, most urgent message first.

Owns: when each Bot API call that sends or changes a message may go out. Telegram allows a
bot about 30 messages a second overall, about one a second in a chat (a short burst more),
and 20 a minute in a group; it answers a call beyond them 429 ("retry after"). The bot
keeps below each with a margin (:data:`TELEGRAM`), so that Telegram need not refuse it:

* one queue for every waiting call, served by urgency (:class:`Urgency`: a post in a group
  first, then a screen someone waits for, then a table mate's story or a reminder), then in
  order of arrival, so
  that everyone's card comes in turn and nobody is starved; a call that is not urgent goes
  by arrival after :attr:`Limits.aging` seconds, so it is never starved either;
* a call whose chat or group has used its budget waits without holding up calls to other
  chats;
* an album counts as the messages it holds (Telegram counts each against its limits);
* after a 429 for a chat (Telegram's limits are not published to the message), that chat
  waits its ``retry_after`` before its next call; the refused call is raised to its caller
  (delivery tries it again).

Other calls (answering a tap, reading a chat or a member, ``sendChatAction``) go at once.
:class:`Schedule` is the queue and the budgets, synchronous and given the time;
:class:`Pacer` is PTB's ``BaseRateLimiter`` around it, so every call the bot makes passes
through it. Must not: retry a call, or know what a message is for (its caller says how
urgent it is, as PTB's ``rate_limit_args``).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.outage import seconds

log = logging.getLogger(__name__)

MESSAGE_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendmediagroup",
        "sendaudio",
        "sendvideo",
        "sendanimation",
        "sendvoice",
        "sendsticker",
        "sendpoll",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
        "editmessagemedia",
    }
)
"""The calls that send or change a message: the ones Telegram's flood limits count."""


class Urgency(IntEnum):
    """How soon a message should go, as its caller knows (lower goes first). No value is
    0: PTB drops a ``rate_limit_args`` that is false."""

    PLENARY = 1
    """A post in a group: the whole room waits for it, and a group gets at most 20 a
    minute, so going first costs the others little."""
    AWAITED = 2
    """Someone is waiting for it: the screen after their tap."""
    LATER = 3
    """It may wait its turn: a table mate's story, a reminder, a note to a table."""


@dataclass(frozen=True)
class Limits:
    """The bot's own budgets, a margin below Telegram's."""

    per_second: float = 28.5
    """Messages a second overall (Telegram: about 30)."""
    burst: int = 10
    """Messages overall that may go at once after a quiet spell."""
    chat_per_second: float = 0.9
    """Messages a second in one chat (Telegram: about one)."""
    chat_burst: int = 2
    """Messages in one chat that may go at once after a quiet spell (Telegram: a few; one
    fewer here, so that a message that reaches Telegram late cannot tip the next over)."""
    group_per_window: int = 20
    """Messages in one group within :attr:`group_window` (Telegram: 20 a minute)."""
    group_window: float = 61.0
    """Seconds: a minute and a margin."""
    aging: float = 5.0
    """Seconds after which a call that is not urgent goes by arrival, like an urgent one."""


TELEGRAM = Limits()


def is_group(chat_id: int | str | None) -> bool:
    """Groups, supergroups and channels have negative ids (or an ``@username``)."""
    return isinstance(chat_id, str) or (chat_id is not None and chat_id < 0)


@dataclass
class _Bucket:
    """A token bucket: ``capacity`` at once, ``rate`` a second after that."""

    capacity: float
    rate: float
    tokens: float
    updated: float

    def _fill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def ready_at(self, now: float) -> float:
        self._fill(now)
        return now if self.tokens >= 1 else now + (1 - self.tokens) / self.rate

    def take(self, now: float, n: int = 1) -> None:
        """Spend ``n`` tokens (an album may spend more than the bucket holds: the debt is
        paid before the next call)."""
        self._fill(now)
        self.tokens -= n


@dataclass
class _Chat:
    bucket: _Bucket
    sent: deque[float] = field(default_factory=deque)
    """A group's messages within the window (groups only)."""
    held_until: float = 0.0
    """Telegram refused a call: nothing goes to this chat before then."""


@dataclass(eq=False)
class Turn:
    """One waiting call."""

    urgency: Urgency
    number: int
    """Its place in the order of arrival."""
    chat_id: int | str | None
    arrived: float
    messages: int = 1
    """The messages it sends: an album counts as its items against every limit."""
    gone: bool = False
    """Granted, or its caller gave up: left behind in the queues, skipped."""


class Schedule:
    """The queue of waiting calls and the budgets they spend, given the time: which calls
    may go now, in which order, and when the next may.

    One queue per urgency, each in order of arrival (a heap of arrival numbers); a call
    whose chat has no budget left is parked until it has, so that it holds up nobody. Each
    call costs O(log n) however many wait."""

    def __init__(self, limits: Limits = TELEGRAM) -> None:
        self.limits = limits
        self._overall = _Bucket(limits.burst, limits.per_second, limits.burst, 0.0)
        self._chats: dict[int | str, _Chat] = {}
        self._queues: dict[Urgency, list[tuple[int, Turn]]] = {u: [] for u in Urgency}
        self._parked: list[tuple[float, int, Turn]] = []
        self._numbers = itertools.count()
        self._waiting = 0

    def add(
        self, urgency: Urgency, chat_id: int | str | None, now: float, messages: int = 1
    ) -> Turn:
        turn = Turn(urgency, next(self._numbers), chat_id, now, messages)
        heapq.heappush(self._queues[urgency], (turn.number, turn))
        self._waiting += 1
        return turn

    def remove(self, turn: Turn) -> None:
        """Forget a waiting call (its caller gave up)."""
        if not turn.gone:
            turn.gone = True
            self._waiting -= 1

    def hold(self, chat_id: int | str | None, until: float) -> None:
        """Telegram refused a call to ``chat_id``: nothing more goes there before ``until``."""
        if chat_id is not None:
            chat = self._chat(chat_id, until)
            chat.held_until = max(chat.held_until, until)

    def _chat(self, chat_id: int | str, now: float) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            burst = self.limits.chat_burst
            chat = _Chat(_Bucket(burst, self.limits.chat_per_second, burst, now))
            self._chats[chat_id] = chat
        return chat

    def _chat_ready_at(self, chat_id: int | str | None, now: float, messages: int = 1) -> float:
        if chat_id is None:
            return now
        chat = self._chat(chat_id, now)
        ready = max(now, chat.held_until, chat.bucket.ready_at(now))
        if is_group(chat_id):
            window = self.limits.group_window
            while chat.sent and chat.sent[0] <= now - window:
                chat.sent.popleft()
            over = len(chat.sent) + messages - self.limits.group_per_window
            if over > 0 and chat.sent:  # the window must first lose ``over`` messages
                ready = max(ready, chat.sent[min(over, len(chat.sent)) - 1] + window)
        return ready

    def _head(self, urgency: Urgency) -> Turn | None:
        queue = self._queues[urgency]
        while queue and queue[0][1].gone:
            heapq.heappop(queue)
        return queue[0][1] if queue else None

    def _next(self, now: float) -> Turn | None:
        """The call whose turn it is: the most urgent, the earliest among equals; a call
        that may wait counts as awaited once it has waited :attr:`Limits.aging` seconds."""
        plenary = self._head(Urgency.PLENARY)
        if plenary is not None:
            return plenary
        awaited, later = self._head(Urgency.AWAITED), self._head(Urgency.LATER)
        if later is None:
            return awaited
        if awaited is None:
            return later
        aged = now - later.arrived >= self.limits.aging
        return later if aged and later.number < awaited.number else awaited

    def due(self, now: float) -> tuple[list[Turn], float | None]:
        """The calls that may go at ``now``, in the order they go (taken from the queue,
        their budgets spent), and when the next waiting one may go (None: none waits)."""
        while self._parked and self._parked[0][0] <= now:
            _, number, parked = heapq.heappop(self._parked)
            if not parked.gone:
                heapq.heappush(self._queues[parked.urgency], (number, parked))
        going: list[Turn] = []
        soonest: float | None = None
        while (turn := self._next(now)) is not None:
            ready = self._chat_ready_at(turn.chat_id, now, turn.messages)
            if ready > now:  # its chat's budget is spent: parked, the others may still go
                heapq.heappop(self._queues[turn.urgency])
                heapq.heappush(self._parked, (ready, turn.number, turn))
                continue
            overall = self._overall.ready_at(now)
            if overall > now:  # the overall budget is spent: nobody else goes now
                soonest = overall
                break
            heapq.heappop(self._queues[turn.urgency])
            self._overall.take(now, turn.messages)
            if turn.chat_id is not None:
                chat = self._chat(turn.chat_id, now)
                chat.bucket.take(now, turn.messages)
                if is_group(turn.chat_id):
                    chat.sent.extend([now] * turn.messages)
            turn.gone = True
            self._waiting -= 1
            going.append(turn)
        while self._parked and self._parked[0][2].gone:
            heapq.heappop(self._parked)
        if self._parked:
            unparks = self._parked[0][0]
            soonest = unparks if soonest is None else min(soonest, unparks)
        return going, soonest

    def wait_in(self, chat_id: int | str | None, now: float) -> float:
        """Seconds before a message to ``chat_id`` may go by its chat's (and group's) budget."""
        return self._chat_ready_at(chat_id, now) - now

    def expected_wait(self, now: float) -> float:
        """Seconds an urgent call queued now would wait for the overall budget: the calls
        ahead of it (all that wait but those that may wait and have not yet waited long) at
        the sustained rate."""
        young = sum(
            1
            for _, t in self._queues[Urgency.LATER]
            if not t.gone and now - t.arrived < self.limits.aging
        )
        ahead = self._waiting - young
        return max(0.0, self._overall.ready_at(now) - now) + ahead / self.limits.per_second


class Pacer(BaseRateLimiter[Urgency]):
    """PTB's rate limiter for the bot: every call that sends or changes a message waits for
    its turn in a :class:`Schedule`; ``rate_limit_args`` is its :class:`Urgency`
    (``Urgency.AWAITED`` when not given)."""

    def __init__(self, limits: Limits = TELEGRAM) -> None:
        self.schedule = Schedule(limits)
        self._turns: dict[int, asyncio.Future[None]] = {}
        self._timer: asyncio.TimerHandle | None = None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def expected_wait(self) -> float:
        """Seconds an urgent message queued now would wait (see ``Schedule.expected_wait``)."""
        return self.schedule.expected_wait(asyncio.get_running_loop().time())

    def wait_in(self, chat_id: int | str | None) -> float:
        """Seconds before a message to ``chat_id`` may go by its chat's (and group's) budget."""
        return self.schedule.wait_in(chat_id, asyncio.get_running_loop().time())

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Urgency | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint.lower() not in MESSAGE_METHODS:
            return await callback(*args, **kwargs)
        loop = asyncio.get_running_loop()
        chat_id = _chat_id(data.get("chat_id"))
        urgency = Urgency.AWAITED if rate_limit_args is None else rate_limit_args
        turn = self.schedule.add(urgency, chat_id, loop.time(), _messages(endpoint, data))
        granted = loop.create_future()
        self._turns[turn.number] = granted
        self._pump()
        try:
            await granted
        except asyncio.CancelledError:
            self.schedule.remove(turn)
            self._turns.pop(turn.number, None)
            raise
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            wait = seconds(exc.retry_after)
            log.warning("Telegram refused a message (429): that chat waits %.1f s", wait)
            self.schedule.hold(chat_id, loop.time() + wait)
            raise

    def _pump(self) -> None:
        """Let every call go whose turn it is, and set the timer for the next."""
        loop = asyncio.get_running_loop()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        going, soonest = self.schedule.due(loop.time())
        for turn in going:
            granted = self._turns.pop(turn.number, None)
            if granted is not None and not granted.done():
                granted.set_result(None)
        if soonest is not None:
            self._timer = loop.call_at(soonest, self._pump)


def _messages(endpoint: str, data: dict[str, Any]) -> int:
    """How many messages a call sends: an album its items (Telegram counts each), any other
    call one."""
    media = data.get("media") if endpoint.lower() == "sendmediagroup" else None
    return max(1, len(media)) if isinstance(media, list | tuple) else 1


def _chat_id(raw: object) -> int | str | None:
    if raw is None:
        return None
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw))
    except ValueError:
        return str(raw)
