"""The cost of one rating below Telegram: the core's decision alone, and the whole unit
of work (the runner loading what the core asks for, deciding, saving and queueing its
effects in one SQLite transaction).

Run ``.venv/bin/python benchmarks/unit_of_work.py``: it prints microseconds per decision
and milliseconds (wall and CPU) per unit of work, for 40 participants rating 25 cards
each in a temporary database: one rating after another (each its own trip to the
store's thread and its own commit), and the 40 people's ratings of a card submitted at
once (the store commits them together: one trip, one transaction, one sync). Last, one
JSON line. Compare two commits by running it on each, back to back: unlike the PTB
benchmark (``sort_load.py``) it has no framework or sandbox in its path, so it moves
little with the machine's load.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path

from bot.decks.files import load_builtin_decks
from bot.decks.library import DeckLibrary
from bot.runner import Runner
from bot.store import Store
from conversations import events as ev
from conversations.machine import handle
from conversations.model import Participant, ParticipantView, Session, Step
from conversations.phases import Phase
from conversations.sorting import card_order

PEOPLE = 40
CARDS = 25
DECISIONS = 20_000


def decision_us() -> float:
    """Microseconds for the core to decide one rating (11th card of a lens)."""
    deck = load_builtin_decks()["goed-werk"]
    session = Session(1, -1, deck.id, "en", Phase.SORTING, "c", 1, 0.0)
    person = Participant(1, 7, 7, "Ann", "en", Step.SORTING, 123, 0.0)
    order = card_order(deck, person, 0)
    view = ParticipantView(session, deck, person, {deck.lenses[0].id: dict.fromkeys(order[:10], 3)})
    event = ev.CardRated(1.0, 1, 7, 0, order[10], 4)
    start = time.perf_counter()
    for _ in range(DECISIONS):
        handle(view, event)
    return (time.perf_counter() - start) / DECISIONS * 1e6


async def unit_of_work_ms(together: bool) -> tuple[float, float]:
    """(wall, CPU) milliseconds for one rating through ``Runner.submit``: one after another,
    or (``together``) everyone's rating of a card at once."""
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "db.sqlite3")
        decks = DeckLibrary(load_builtin_decks().values())
        runner = Runner(store, decks, clock=lambda: 100.0)
        known = ("goed-werk",)
        await runner.submit(
            ev.SessionRequested(1.0, -5, 7, True, None, "en", 0, "code", "nl", known, "goed-werk")
        )
        await runner.submit(ev.SettingChanged(1.0, -5, 7, True, "start", "join"))
        await runner.submit(ev.SettingChanged(1.0, -5, 7, True, "profile", "off"))
        users = range(100, 100 + PEOPLE)
        for user in users:
            await runner.submit(ev.JoinRequested(2.0, user, user, f"P{user}", "en", "code", user))
            await runner.submit(ev.ConsentAnswered(3.0, 1, user, True))
        deck = decks.get("goed-werk")
        orders = {}
        for user in users:
            person = await store.read(lambda tx, u=user: tx.participant(1, u))
            assert person is not None
            orders[user] = card_order(deck, person, 0)
        wall, cpu = time.perf_counter(), time.process_time()
        for index in range(CARDS):
            ratings = [ev.CardRated(4.0, 1, user, 0, orders[user][index], 3) for user in users]
            if together:
                decisions = await asyncio.gather(*(runner.submit(r) for r in ratings))
            else:
                decisions = [await runner.submit(r) for r in ratings]
            assert all(d.toast is None for d in decisions), decisions
        count = CARDS * PEOPLE
        result = (
            (time.perf_counter() - wall) / count * 1e3,
            (time.process_time() - cpu) / count * 1e3,
        )
        await store.close()
        return result


def main() -> None:
    decision = decision_us()
    print(f"core decision       {decision:8.1f} us per rating")
    wall, cpu = asyncio.run(unit_of_work_ms(together=False))
    print(f"unit of work        {wall:8.3f} ms wall, {cpu:.3f} ms CPU per rating, one at a time")
    group_wall, group_cpu = asyncio.run(unit_of_work_ms(together=True))
    print(
        f"unit of work        {group_wall:8.3f} ms wall, {group_cpu:.3f} ms CPU per rating, "
        f"{PEOPLE} committed together"
    )
    figures = {
        "decision_us": round(decision, 2),
        "unit_ms": round(wall, 4),
        "unit_cpu_ms": round(cpu, 4),
        "grouped_unit_ms": round(group_wall, 4),
        "grouped_unit_cpu_ms": round(group_cpu, 4),
        "group": PEOPLE,
        "ratings": PEOPLE * CARDS,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
