"""Fault injection for the sandbox's Bot API: forced errors, slow answers, Telegram's rates.

Owns: the queue of forced failures (429 with ``retry_after``, 5xx, any other status for the
next N calls, optionally only for one method), per-call delays, and an optional rate limiter
that mimics Telegram's flood limits (about 30 messages per second overall, about one per second
per chat with a small burst, 20 per minute per group) and answers 429 with a computed
``retry_after``.

Must not: touch the world or HTTP. The server asks :meth:`FaultInjector.delay_for` and
:meth:`FaultInjector.check` before each call and turns a returned :class:`ApiError` into the
response.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.sandbox.errors import ApiError, too_many_requests

logger = logging.getLogger("bot.sandbox.faults")

# Methods that send or change a message: the ones Telegram's flood limits count.
RATE_LIMITED_METHODS = frozenset(
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

_STATUS_DESCRIPTIONS = {
    400: "Bad Request: injected fault",
    401: "Unauthorized",
    403: "Forbidden: injected fault",
    404: "Not Found",
    409: "Conflict: injected fault",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class ForcedFailure:
    """Answer the next ``remaining`` matching calls with this error."""

    status: int
    remaining: int
    method: str | None  # lower-case method name, or None for every method
    retry_after: int
    description: str | None
    chat_id: int | None = None  # only calls to this chat, or None for every chat

    def error(self) -> ApiError:
        if self.status == 429:
            return too_many_requests(self.retry_after)
        description = self.description or _STATUS_DESCRIPTIONS.get(
            self.status, f"Injected error {self.status}"
        )
        return ApiError(self.status, description)


@dataclass
class RateLimits:
    """Telegram's published limits; numbers may be tightened to make tests fast."""

    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    group_per_minute: int = 20


@dataclass
class _Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    updated: float

    def take(self, now: float, n: int = 1) -> float:
        """Take ``n`` tokens (an album: more than the bucket may hold, owed after) once at
        least one is there; return 0 on success or the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= n
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class _RateState:
    limits: RateLimits
    overall: _Bucket
    chats: dict[int, _Bucket] = field(default_factory=dict)
    group_sends: dict[int, deque[float]] = field(default_factory=dict)


class FaultInjector:
    """What goes wrong with the next calls. All methods are safe to call at any time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: list[ForcedFailure] = []
        self._delays: dict[str | None, float] = {}
        self._rates: _RateState | None = None

    # -- configuration ---------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 429,
        *,
        count: int = 1,
        method: str | None = None,
        retry_after: int = 1,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next ``count`` calls (of ``method`` only, to ``chat_id`` only, if
        given) with ``status``.

        429 carries ``parameters.retry_after`` (an integer >= 1, as Telegram sends); 5xx map to
        PTB's NetworkError; other statuses use ``description`` or a generic one.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        if status == 429 and retry_after < 1:
            raise ValueError("retry_after must be at least 1 (PTB ignores 0)")
        self._failures.append(
            ForcedFailure(
                status,
                count,
                method.lower() if method else None,
                retry_after,
                description,
                chat_id,
            )
        )

    def set_delay(self, seconds: float, *, method: str | None = None) -> None:
        """Delay every call (or every call of ``method``) by ``seconds`` before answering."""
        key = method.lower() if method else None
        if seconds <= 0:
            self._delays.pop(key, None)
        else:
            self._delays[key] = seconds

    def enforce_rate_limits(
        self,
        enabled: bool = True,
        *,
        overall_per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        per_chat_burst: int = 3,
        group_per_minute: int = 20,
    ) -> None:
        """Turn Telegram's flood limits on (or off with ``enabled=False``)."""
        if not enabled:
            self._rates = None
            return
        limits = RateLimits(
            overall_per_second, per_chat_per_second, per_chat_burst, group_per_minute
        )
        now = self._clock()
        capacity = max(overall_per_second, 1.0)
        self._rates = _RateState(limits, _Bucket(capacity, overall_per_second, capacity, now))

    def clear(self) -> None:
        """Remove every forced failure, delay and rate limit."""
        self._failures.clear()
        self._delays.clear()
        self._rates = None

    @property
    def pending_failures(self) -> list[ForcedFailure]:
        return list(self._failures)

    @property
    def rate_limits(self) -> RateLimits | None:
        return self._rates.limits if self._rates else None

    # -- consulted by the server -------------------------------------------------------------

    def delay_for(self, method: str) -> float:
        return self._delays.get(method.lower(), self._delays.get(None, 0.0))

    def check(
        self, method: str, chat_id: int | None, is_group: bool, messages: int = 1
    ) -> ApiError | None:
        """The error to answer this call with, if any; consumes forced failures. An album
        counts as its ``messages`` against the flood limits."""
        name = method.lower()
        for failure in self._failures:
            if failure.method not in (None, name):
                continue
            if failure.chat_id is None or failure.chat_id == chat_id:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                logger.info("injected %s for %s", failure.status, method)
                return failure.error()
        if self._rates is not None and name in RATE_LIMITED_METHODS:
            wait = self._rate_wait(chat_id, is_group, messages)
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                logger.info(
                    "rate limit hit for %s in chat %s: retry after %s", method, chat_id, retry_after
                )
                return too_many_requests(retry_after)
        return None

    def _rate_wait(self, chat_id: int | None, is_group: bool, n: int) -> float:
        assert self._rates is not None
        state = self._rates
        limits = state.limits
        now = self._clock()
        if chat_id is not None:
            bucket = state.chats.get(chat_id)
            if bucket is None:
                burst = float(max(limits.per_chat_burst, 1))
                bucket = _Bucket(burst, limits.per_chat_per_second, burst, now)
                state.chats[chat_id] = bucket
            wait = bucket.take(now, n)
            if wait > 0:
                return wait
            if is_group:
                sends = state.group_sends.setdefault(chat_id, deque())
                while sends and sends[0] <= now - 60:
                    sends.popleft()
                over = len(sends) + n - limits.group_per_minute
                if over > 0:
                    bucket.tokens += n  # the call is refused: give the tokens back
                    return sends[min(over, len(sends)) - 1] + 60 - now
                sends.extend([now] * n)
        wait = state.overall.take(now, n)
        if wait > 0 and chat_id is not None:
            state.chats[chat_id].tokens += n
            if is_group:
                for _ in range(n):
                    state.group_sends[chat_id].pop()
        return wait
