"""Time passing: due deadlines and reminders become core events.

Owns: one round (``run_due``) that fires every due deadline and offers reminders to every
running session with the hour of the day in its time zone, and running that round when
the bot starts and then every ``interval`` seconds on PTB's JobQueue.

Everything scheduled lives in the database (deadlines, when each person was last
reminded), never in the JobQueue: a restart re-arms it all by running the round. A
deadline that passed while the bot was down fires at start, once: the core marks it
fired in the same transaction as the move it makes, and a deadline of a later stage is
fired again (one stage per firing) until the session is past its stage. Rounds never
overlap; running one twice changes nothing the second time.

Must not: decide who moves on or who is reminded (the core does), or keep state.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.runner import Runner
from bot.store import Store, Transaction
from conversations.events import DeadlineReached, RemindersDue
from conversations.stages import ORDER

log = logging.getLogger(__name__)

INTERVAL = 60.0
"""Seconds between rounds: deadlines fire at most this late."""


class Scheduler:
    def __init__(
        self,
        store: Store,
        runner: Runner,
        clock: Callable[[], float],
        topics_available: Callable[[int], Awaitable[bool]],
        chance: random.Random | None = None,
    ) -> None:
        self.store = store
        self.runner = runner
        self.clock = clock
        self.topics_available = topics_available
        self.chance = chance or random.Random()
        self._lock = asyncio.Lock()

    async def run_due(self) -> None:
        """Fire what is due now; a failure is logged and the next round tries again."""
        async with self._lock:
            try:
                await self._fire_deadlines()
                await self._offer_reminders()
            except Exception:
                log.exception("a scheduler round failed; the next one tries again")

    async def _fire_deadlines(self) -> None:
        now = self.clock()
        due = await self.store.read(lambda tx: tx.due_deadlines(now))
        for group_chat_id, session_id, stage in due:
            topics = await self.topics_available(group_chat_id)
            for _ in ORDER:
                seed = self.chance.getrandbits(32)
                event = DeadlineReached(now, group_chat_id, stage, seed, topics)
                await self.runner.submit(event)
                pending = await self.store.read(lambda tx: tx.due_deadlines(now))
                still_due = (group_chat_id, session_id, stage) in pending
                if not still_due:
                    break
            log.info("session %d: the %s deadline passed", session_id, stage)

    async def _offer_reminders(self) -> None:
        now = self.clock()
        sessions = await self.store.read(Transaction.reminding_sessions)
        for session in sessions:
            hour = datetime.fromtimestamp(now, ZoneInfo(session.time_zone)).hour
            event = RemindersDue(now, session.group_chat_id, hour)
            await self.runner.submit(event)
