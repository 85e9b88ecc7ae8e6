"""How long the plenary's pictures take to draw, and what drawing does to the event loop.

Run: ``.venv/bin/python benchmarks/plenary_pictures.py`` (about 10 seconds).

It draws the three pictures of the Dutch session of ``tests/bot/plenary_session.py``
(twenty people at five tables) and of a session of 1,000 people at 250 tables (the
tally instead of the grid):

* **cold**: in a fresh process, the first ``draw_all`` of the three (it loads matplotlib
  and its font cache on the worker thread), and the longest event-loop gap meanwhile,
  ``--repeat`` processes;
* **warm**: each picture again, the median of ``--repeat`` drawings;
* **event loop**: a ticker that sleeps 1 ms at a time measures the longest gap between its
  ticks while the three pictures are drawn (a) on the event loop itself, as the bot did
  before, and (b) through ``drawing.draw_all``, on its worker thread, as it does now. The
  gap is how long a tap would wait for the loop.

It prints a table and, last, one JSON line. Timings depend on the machine: they are not
asserted anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests" / "bot"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from plenary_session import DECK, demo_summary  # noqa: E402

from bot.plenary_pictures import drawing  # noqa: E402
from bot.plenary_pictures.specs import Picture  # noqa: E402
from bot.plenary_pictures.wording import plenary_pictures  # noqa: E402
from bot.render import Renderer  # noqa: E402
from conversations.effects import ShowSummary  # noqa: E402
from conversations.model import Session  # noqa: E402
from conversations.phases import Phase  # noqa: E402
from conversations.plenary import summary_effect  # noqa: E402
from conversations.plenary_figures import PersonFacts, TableResult, summarize  # noqa: E402
from conversations.vote_count import Outcome, OutcomeKind  # noqa: E402

COLD = (
    "import asyncio, sys, time; sys.path[:0] = {paths!r};"
    "from plenary_pictures import cold; print(*asyncio.run(cold()))"
)


def large_summary() -> ShowSummary:
    """1,000 people at 250 tables of four, each with a top of four and two lenses."""
    ids = DECK.card_ids
    people = []
    for user in range(1000):
        top = tuple(ids[(user + k * 7) % len(ids)] for k in range(4))
        levels = {c: 1 + (user + i) % 5 for i, c in enumerate(ids)}
        shifted = {c: 1 + (user + i * 3) % 5 for i, c in enumerate(ids)}
        lenses = {"professional": levels, "situation": shifted}
        people.append(PersonFacts(user, "30-44", top, top, lenses))
    tables = []
    for number in range(1, 251):
        members = people[(number - 1) * 4 : number * 4]
        agreed = tuple(ids[(number + k) % 10] for k in range(number % 5))
        kind = OutcomeKind.FULL if len(agreed) == 4 else OutcomeKind.PARTIAL
        outcome = Outcome(agreed, kind if agreed else OutcomeKind.NONE, {})
        tables.append(
            TableResult(number, outcome, None, {p.user_id: p.top_before for p in members})
        )
    summary = summarize(tables, people, ids, DECK.lens_ids)
    return summary_effect(Session(1, -1, DECK.id, "nl", Phase.TABLES, "c", 1, 0.0), DECK, summary)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


async def longest_gap(work: Callable[[], object]) -> tuple[float, int]:
    """The longest gap between the ticks of a 1 ms ticker while ``work()`` (a coroutine
    or a plain call made on the loop) runs, and how many ticks it made."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    gaps: list[float] = []

    async def ticker() -> None:
        last = loop.time()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = loop.time()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    result = work()
    if asyncio.iscoroutine(result):
        await result
    done.set()
    await ticking
    return max(gaps), len(gaps)


async def cold() -> tuple[float, float]:
    """The first drawing of the pictures in this process, and the longest gap meanwhile."""
    pictures = plenary_pictures(demo_summary("nl"), Renderer(), DECK)
    start = time.perf_counter()
    gap, _ = await longest_gap(threaded(pictures))
    return time.perf_counter() - start, gap


def cold_runs(repeat: int) -> list[tuple[float, float]]:
    paths = [str(ROOT), str(ROOT / "tests" / "bot"), str(ROOT / "benchmarks")]
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", COLD.format(paths=paths)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.split()
        runs.append((float(out[0]), float(out[1])))
    return runs


def inline(pictures: Sequence[Picture]) -> Callable[[], object]:
    return lambda: [drawing.draw(p) for p in pictures]


def threaded(pictures: Sequence[Picture]) -> Callable[[], object]:
    return lambda: drawing.draw_all(pictures)


async def main(repeat: int, cold: list[tuple[float, float]]) -> dict[str, object]:
    renderer = Renderer()
    sessions = {
        "20 people, 5 tables": plenary_pictures(demo_summary("nl"), renderer, DECK),
        "1,000 people, 250 tables": plenary_pictures(large_summary(), renderer, DECK),
    }
    first = statistics.median(seconds for seconds, _ in cold)
    first_gap = statistics.median(gap for _, gap in cold)
    report: dict[str, object] = {
        "cold_s": round(first, 2),
        "cold_loop_gap_ms": round(first_gap * 1000),
    }
    print(f"cold, a new process's first draw_all of the three: {first:.2f} s,")
    print(f"  longest event-loop gap meanwhile: {first_gap * 1000:.0f} ms")
    for name, pictures in sessions.items():
        warm = {
            type(p).__name__: statistics.median(
                timed(lambda p=p: drawing.draw(p)) for _ in range(repeat)
            )
            for p in pictures
        }
        on_loop, _ = await longest_gap(inline(pictures))
        off_loop, _ = await longest_gap(threaded(pictures))
        print(f"\n{name}")
        for kind, seconds in warm.items():
            print(f"  warm {kind:<14} {seconds * 1000:7.0f} ms")
        print(f"  longest event-loop gap, drawn on the loop: {on_loop * 1000:6.0f} ms")
        print(f"  longest event-loop gap, drawn by draw_all: {off_loop * 1000:6.0f} ms")
        report[name] = {
            "warm_ms": {kind: round(s * 1000) for kind, s in warm.items()},
            "loop_gap_inline_ms": round(on_loop * 1000),
            "loop_gap_draw_all_ms": round(off_loop * 1000),
        }
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    print(json.dumps(asyncio.run(main(repeat, cold_runs(repeat)))))
