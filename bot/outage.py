"""Outages: a thing that fails again and again is reported once and tried at a slowing pace.

Owns: the state "failing or not" of one dependency (the Bot API server, the database) for
one user of it, a warning when it starts failing and one info line when it works again;
the pause between attempts (doubling, ending early on stop); a ``retry_after`` in seconds.
Must not: decide what to retry.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from datetime import timedelta

log = logging.getLogger("bot")

FIRST_PAUSE, LONGEST_PAUSE = 0.5, 15.0
"""Seconds between failed attempts, doubling."""


class Outage:
    """``failed`` logs ``warning`` (with ``%s`` for the reason) the first time only;
    ``succeeded`` logs ``recovered`` once after a failure; nothing in between."""

    def __init__(self, warning: str, recovered: str, logger: logging.Logger = log) -> None:
        self.warning = warning
        self.recovered = recovered
        self.logger = logger
        self.failing = False

    def failed(self, reason: str) -> None:
        if not self.failing:
            self.failing = True
            self.logger.warning(self.warning, reason)

    def succeeded(self) -> None:
        if self.failing:
            self.failing = False
            self.logger.info(self.recovered)


class Pause:
    """Waits between failed attempts, doubling from :data:`FIRST_PAUSE`; ends early on stop."""

    def __init__(self, stopping: asyncio.Event | None = None) -> None:
        self.stopping = stopping or asyncio.Event()
        self.next = FIRST_PAUSE

    async def wait(self, at_least: float = 0.0) -> None:
        seconds = max(self.next, at_least)
        self.next = min(self.next * 2, LONGEST_PAUSE)
        with suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)

    def reset(self) -> None:
        self.next = FIRST_PAUSE


def seconds(retry_after: float | timedelta) -> float:
    """Telegram's ``retry_after`` in seconds (PTB gives a timedelta with PTB_TIMEDELTA)."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
