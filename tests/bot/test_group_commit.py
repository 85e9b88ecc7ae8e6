"""Group commit: the units of work waiting together go to the database's thread in one trip
and one transaction; each caller's ``run`` returns only after that transaction committed;
a unit that fails leaves nothing and fails alone; a commit that fails rolls the whole group
back and every caller in it is told (``StoreUnavailable``), so no tap of it is answered."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.errors import StoreUnavailable
from bot.store import Store, Transaction
from conversations.decision import SaveParticipant, SaveSession
from conversations.effects import Say
from conversations.model import Participant, Session, Step
from conversations.phases import Phase


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "db.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()


def session(number: int) -> Session:
    return Session(number, -100 - number, "goed-werk", "en", Phase.JOINING, f"c{number}", 1, 1.0)


def person(session_id: int, user_id: int) -> Participant:
    return Participant(session_id, user_id, user_id, "Ann", "en", Step.SORTING, 7, 1.0)


def on_disk(path: Path, sql: str) -> list[Any]:
    """What another connection (another program) reads: only what was committed."""
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def save(number: int) -> Any:
    return lambda tx: tx.apply([SaveSession(session(number))])


async def test_units_waiting_together_go_in_one_trip(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = 0
    on_thread = store._on_thread

    async def counted(function: Any) -> Any:
        nonlocal trips
        trips += 1
        return await on_thread(function)

    monkeypatch.setattr(store, "_on_thread", counted)
    await asyncio.gather(*(store.run(save(n)) for n in range(1, 21)), store.read(lambda tx: 0))
    assert trips == 1
    assert on_disk(store.path, "SELECT count(*) FROM sessions") == [(20,)]


async def test_run_returns_only_once_its_unit_is_committed(store: Store) -> None:
    seen: dict[int, list[Any]] = {}

    async def save_then_look(number: int) -> None:
        await store.run(save(number))
        seen[number] = on_disk(store.path, f"SELECT id FROM sessions WHERE id = {number}")

    await asyncio.gather(*(save_then_look(n) for n in range(1, 11)))
    assert seen == {n: [(n,)] for n in range(1, 11)}


async def test_a_unit_that_fails_leaves_nothing_and_fails_alone(store: Store) -> None:
    def half_then_crash(tx: Transaction) -> None:
        tx.apply([SaveSession(session(2))])
        tx.enqueue([Say(42, "en", "help")], 1.0)
        raise RuntimeError("a bug half-way")

    outcomes = await asyncio.gather(
        store.run(save(1)), store.run(half_then_crash), store.run(save(3)), return_exceptions=True
    )

    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], RuntimeError)
    assert on_disk(store.path, "SELECT id FROM sessions ORDER BY id") == [(1,), (3,)]
    assert on_disk(store.path, "SELECT count(*) FROM outbox") == [(0,)]


async def test_a_unit_the_database_refuses_fails_alone_as_unavailable(store: Store) -> None:
    def broken(tx: Transaction) -> None:
        tx.apply([SaveSession(session(2))])
        tx._db.execute("SELECT * FROM no_such_table")  # SQLite's OperationalError

    outcomes = await asyncio.gather(
        store.run(save(1)), store.run(broken), store.run(save(3)), return_exceptions=True
    )

    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], StoreUnavailable)
    assert on_disk(store.path, "SELECT id FROM sessions ORDER BY id") == [(1,), (3,)]


async def test_a_commit_that_fails_rolls_the_whole_group_back(store: Store) -> None:
    """The commit is made to fail: one unit defers the foreign-key check to the COMMIT and
    leaves a participant without a session (the schema defers no check by itself; a full
    disk or a failing one makes a COMMIT fail the same way)."""

    def orphan_checked_at_commit(tx: Transaction) -> None:
        tx._db.execute("PRAGMA defer_foreign_keys = ON")
        tx.apply([SaveParticipant(person(99, 42))])

    def say(tx: Transaction) -> None:
        tx.enqueue([Say(42, "en", "help")], 1.0)

    outcomes = await asyncio.gather(
        store.run(save(1)),
        store.run(orphan_checked_at_commit),
        store.run(say),
        return_exceptions=True,
    )

    assert all(isinstance(o, StoreUnavailable) for o in outcomes), outcomes
    assert on_disk(store.path, "SELECT count(*) FROM sessions") == [(0,)]
    assert on_disk(store.path, "SELECT count(*) FROM participants") == [(0,)]
    assert on_disk(store.path, "SELECT count(*) FROM outbox") == [(0,)]
    await store.run(save(1))  # no transaction was left open
    assert await store.read(lambda tx: tx.session(1)) == session(1)


async def test_reads_of_a_trip_see_its_units_committed(store: Store) -> None:
    _, found = await asyncio.gather(store.run(save(1)), store.read(lambda tx: tx.session(1)))
    assert found == session(1)


async def test_a_locked_database_fails_every_unit_of_the_group(tmp_path: Path) -> None:
    """Another program holds the write lock beyond the busy timeout: ``BEGIN IMMEDIATE``
    fails, every unit is told, and reads still answer (WAL)."""
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        await store._on_thread(lambda db: db.execute("PRAGMA busy_timeout = 50"))
        other = sqlite3.connect(store.path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            outcomes = await asyncio.gather(
                store.run(save(1)),
                store.run(save(2)),
                store.read(lambda tx: tx.session(1)),
                return_exceptions=True,
            )
        finally:
            other.rollback()
            other.close()
        assert isinstance(outcomes[0], StoreUnavailable)
        assert isinstance(outcomes[1], StoreUnavailable)
        assert outcomes[2] is None
        await store.run(save(1))
    finally:
        await store.close()
