"""Drawing the plenary's pictures, off the event loop.

Owns: which module draws which picture, one drawing at a time (matplotlib is not
thread-safe: a lock serialises every caller), a picture that fails to draw becoming
``None`` (the summary's text stands on its own), and ``draw_all``, which draws on one
worker thread so that the event loop keeps answering everybody's taps meanwhile. Must
not: word anything or send anything.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.plenary_pictures.canvas import Sketch
from bot.plenary_pictures.changes import sketch_changes
from bot.plenary_pictures.grid import sketch_grid, sketch_tally
from bot.plenary_pictures.room import sketch_room
from bot.plenary_pictures.specs import ChangePicture, Picture, RoomPicture, TableGrid, TableTally

log = logging.getLogger(__name__)

SKETCHERS: dict[type[Any], Callable[[Any], Sketch]] = {
    TableGrid: sketch_grid,
    TableTally: sketch_tally,
    RoomPicture: sketch_room,
    ChangePicture: sketch_changes,
}
"""Which module lays out which picture."""
_LOCK = threading.Lock()
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="plenary-pictures")


def draw(picture: Picture) -> bytes | None:
    """``picture`` as PNG bytes; None (logged) if it cannot be drawn. Blocks for as long
    as drawing takes (a few tenths of a second, more for the first picture, which loads
    matplotlib): from the event loop, use ``draw_all``."""
    try:
        with _LOCK:
            return SKETCHERS[type(picture)](picture).png()
    except Exception:
        log.exception("could not draw a plenary picture (%s)", type(picture).__name__)
        return None


async def draw_all(pictures: Sequence[Picture]) -> list[bytes]:
    """The pictures that could be drawn, in order, drawn on the pictures' worker thread."""
    if not pictures:
        return []
    loop = asyncio.get_running_loop()
    drawn = await loop.run_in_executor(_WORKER, lambda: [draw(p) for p in pictures])
    return [png for png in drawn if png is not None]
