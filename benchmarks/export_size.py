"""The cost of ``/export`` for a large session: 1,000 people at 250 tables by default.

Run ``.venv/bin/python benchmarks/export_size.py`` (about a minute; ``--people 100`` for a
quick look). It fills a temporary database with one closed session of the Goed Werk deck
(two lenses of 30 cards): every person rated every card on both lenses, chose a top four,
half revised it, each told one story, and every table voted twice on four cards. Then it
times, a few times over with the median kept, the export as the unit of work builds it
(``Exporter.with_files`` on the store's thread: the rows read, the ZIP built, base64 for
the outbox) and the parts of the build on their own, and prints the sizes of the ZIP and
of each file in it. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import random
import sqlite3
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.decks.files import load_builtin_decks
from bot.export import Exporter
from bot.export.formats import csv_text, session_json
from bot.export.tables import Words, export_of
from bot.export.workbook import workbook_bytes
from bot.render import Renderer
from bot.store import Store
from conversations.effects import ExportFile, SendFile

DECK = load_builtin_decks()["goed-werk"]
START = 1_790_000_000.0
ORGANISATIONS = [f"Organisation {n}" for n in range(40)]
BANDS = ("under-30", "30-44", "45-59", "60-plus")


def fill(path: Path, people: int, seed: int = 1) -> None:
    """One closed session with ``people`` participants who did everything."""
    rng = random.Random(seed)
    cards = DECK.card_ids
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO sessions (id, group_chat_id, deck_id, locale, phase, join_code,"
        " sort_on_join, profile_questions, created_by, created_at)"
        " VALUES (1, -100, ?, 'nl', 'closed', 'code', 0, 1, 7, ?)",
        (DECK.id, START),
    )
    tables = max(1, people // 4)
    for user in range(1, people + 1):
        table = (user - 1) % tables + 1
        joined = START + user
        db.execute(
            "INSERT INTO participants (session_id, user_id, chat_id, name, locale, step,"
            " order_seed, joined_at, lens_index, age_band, organisation, table_number,"
            " revision) VALUES (1, ?, ?, ?, 'nl', 'final', ?, ?, 1, ?, ?, ?, ?)",
            (
                user,
                user,
                f"Person {user}",
                user,
                joined,
                rng.choice(BANDS),
                rng.choice(ORGANISATIONS),
                table,
                "revised" if user % 2 else "kept",
            ),
        )
        for lens in DECK.lens_ids:
            order = rng.sample(cards, len(cards))
            db.executemany(
                "INSERT INTO ratings (session_id, user_id, lens_id, card_id, level, position,"
                " rated_at) VALUES (1, ?, ?, ?, ?, ?, ?)",
                [
                    (user, lens, card, rng.randint(1, 5), position, joined + 60 + position * 4)
                    for position, card in enumerate(order)
                ],
            )
        top = rng.sample(cards, 4)
        for kind, chosen in (("tops", top), ("revised_tops", rng.sample(cards, 4))):
            if kind == "revised_tops" and user % 2 == 0:
                continue
            db.executemany(
                f"INSERT INTO {kind} (session_id, user_id, rank, card_id, chosen_at)"
                " VALUES (1, ?, ?, ?, ?)",
                [(user, rank, card, joined + 600) for rank, card in enumerate(chosen, 1)],
            )
        db.execute(
            "INSERT INTO stories (session_id, user_id, card_id, text, told_at)"
            " VALUES (1, ?, ?, ?, ?)",
            (user, top[0], "Een verhaal over mijn werk. " * rng.randint(1, 12), joined + 900),
        )
        for voting_round in (1, 2):
            db.executemany(
                "INSERT INTO votes (session_id, user_id, round, card_id, voted_at)"
                " VALUES (1, ?, ?, ?, ?)",
                [(user, voting_round, c, joined + 1200) for c in rng.sample(cards, 4)],
            )
    for table in range(1, tables + 1):
        agreed = rng.sample(cards, rng.choice((0, 2, 4)))
        kind = "full" if len(agreed) == 4 else "partial" if agreed else "none"
        db.execute(
            "INSERT INTO tables (session_id, number, stage, round, agreed, outcome, note)"
            " VALUES (1, ?, 'settled', 2, ?, ?, ?)",
            (table, ",".join(agreed), kind, None if agreed else "Een goed gesprek."),
        )
    db.commit()
    db.close()


def median_s(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def measure(people: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "db.sqlite3"
        store = await Store.open(path)
        await store.close()
        fill(path, people)
        store = await Store.open(path)
        renderer = Renderer()
        exporter = Exporter({DECK.id: DECK}.__getitem__, renderer)
        effect = ExportFile(7, "nl", 1, names=False, simulated=False)
        times = []
        cpu = []
        built: Any = None
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            built = await store.run(lambda tx: exporter.with_files(tx, [effect], START))
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        rows = await store.read(lambda tx: tx.export_rows(1))
        session = await store.read(lambda tx: tx.session(1))
        await store.close()
    assert session is not None and isinstance(built[0], SendFile)
    words = Words(renderer, "nl", DECK)

    def tables() -> Any:
        return export_of(
            session,
            DECK,
            rows,
            words,
            names=False,
            simulated=frozenset(),
            include_simulated=False,
            exported_at=START,
        )

    export = tables()
    parts = {
        "tables_s": median_s(tables, repeat),
        "xlsx_s": median_s(lambda: workbook_bytes(export, words), repeat),
        "csv_s": median_s(lambda: [csv_text(t) for t in export.tables], repeat),
        "json_s": median_s(lambda: session_json(export), repeat),
    }

    data = base64.b64decode(built[0].data_base64)
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {
        "people": people,
        "ratings": len(rows["ratings"]),
        "export_s": statistics.median(times),
        "export_cpu_s": statistics.median(cpu),
        **{name: round(value, 3) for name, value in parts.items()},
        "zip_mb": round(len(data) / 1e6, 2),
        "files_mb": {i.filename: round(i.file_size / 1e6, 2) for i in archive.infolist()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.people, args.repeat))
    print(
        f"{figures['people']} people, {figures['ratings']} ratings: the export takes"
        f" {figures['export_s']:.2f} s in the unit of work ({figures['export_cpu_s']:.2f} s CPU);"
        f" tables {figures['tables_s']:.2f} s, xlsx {figures['xlsx_s']:.2f} s,"
        f" CSVs {figures['csv_s']:.2f} s, JSON {figures['json_s']:.2f} s;"
        f" ZIP {figures['zip_mb']} MB"
    )
    for name, size in figures["files_mb"].items():
        print(f"  {name}: {size} MB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
