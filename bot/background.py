"""Background tasks of the shell (delivery workers, the rehearsal's simulated people).

Owns: stopping a set of asyncio tasks cleanly. Must not: know what the tasks do.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable


async def cancel_all(tasks: Iterable[asyncio.Task[None] | None]) -> None:
    """Cancel every task and wait until each has ended."""
    running = [task for task in tasks if task is not None]
    for task in running:
        task.cancel()
    for task in running:
        with contextlib.suppress(asyncio.CancelledError):
            await task
