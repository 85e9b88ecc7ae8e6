"""The connection: one aiosqlite connection and its thread, units of work, migrations.

Owns: opening the database (one clear sentence when it cannot be used), the connection
settings (WAL, foreign keys, ``busy_timeout``, ``synchronous = FULL``), running
migrations, the trips to the connection's thread (group commit: the units of work waiting
together in one ``BEGIN IMMEDIATE`` transaction, a savepoint each, then the reads), and the
checkpoint that erases traces after a deletion. Must not: hold queries of the workshop.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.errors import StoreError, StoreUnavailable
from bot.store.migrations import MIGRATIONS
from bot.store.transaction import Transaction

T = TypeVar("T")
log = logging.getLogger(__name__)


class Store:
    """One connection to the database, used through ``run`` (a unit of work) and ``read``.

    aiosqlite gives the connection a thread of its own, and every call on it is a trip to
    that thread and back: a queue, a wake-up and a callback to the event loop. A unit of
    work is therefore one synchronous function, ``work(tx)``, that runs whole on that
    thread. The thread runs one trip at a time, so no unit of work ever sees another one
    half done, and no lock is needed on this side.

    **Group commit.** The calls that are waiting when a trip starts (made in the same turn
    of the event loop, or while the previous trip was on the thread) go together in one
    trip: every unit of work among them in one ``BEGIN IMMEDIATE`` ... ``COMMIT``, each
    inside a savepoint of its own, then the reads. A unit that raises is rolled back to its
    savepoint and only its caller sees the error; a commit that fails rolls the whole group
    back and every unit's caller gets :class:`StoreUnavailable`. Nobody's ``await`` returns
    before the ``COMMIT`` of their unit, and with ``synchronous = FULL`` that commit is on
    disk (the WAL is synced): what a caller acknowledges after ``run`` survives a crash of
    the process and of the machine. One trip and one sync serve every unit of the group.
    """

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._waiting: list[_Call] = []
        self._trips: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        """The store at ``path``, migrated; a :class:`StoreError` (one sentence) if the file
        is not a database, not a regular file, or cannot be created or written. A file that
        is not SQLite is left as it is."""
        from bot.process_lock import check_database_path

        path = Path(path)
        if str(path) != ":memory:":
            check_database_path(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists():
                    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
                os.chmod(path, 0o600)
            except OSError as exc:
                raise StoreError(
                    f"The database {path} cannot be created or opened "
                    f"({exc.strerror or exc}): check DATABASE_PATH and its directory."
                ) from exc
        try:
            db = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(
                f"The database {path} cannot be opened ({exc}): check DATABASE_PATH."
            ) from exc
        store = cls(db, path)
        try:
            await store._on_thread(store._prepare)
        except sqlite3.Error as exc:
            await db.close()
            raise StoreError(
                f"The database {path} cannot be used ({exc}): point DATABASE_PATH at this "
                "bot's database, or at a new file, or free disk space."
            ) from exc
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        """Finish the calls already made, then close the connection."""
        if self._trips is not None:
            await self._trips
        await self._db.close()

    async def _on_thread(self, function: Callable[[sqlite3.Connection], T]) -> T:
        """``function(connection)`` on the connection's thread, in one trip.

        aiosqlite has no public call for this: ``Connection._execute`` is how each of its
        own methods (``execute``, ``commit``, ...) queues its work on that thread, and
        ``_conn`` is the ``sqlite3`` connection, which may only be used there. The version
        is pinned in ``pyproject.toml`` and ``tests/bot/test_aiosqlite_pin.py`` fails when
        either changes."""
        db = self._db
        result: T = await db._execute(lambda: function(db._conn))  # type: ignore[no-untyped-call]
        return result

    async def run(self, work: Callable[[Transaction], T]) -> T:
        """``work(tx)`` as one unit of work, committed (with the others of its trip) before
        this returns; rolled back if it raises. ``work`` runs on the connection's thread, so
        it must not block on the event loop (it is synchronous, and only reads, decides and
        writes)."""
        return await self._call(lambda connection: work(Transaction(connection)), unit=True)

    async def read(self, work: Callable[[Transaction], T]) -> T:
        """``work(tx)`` with reads only, outside any transaction, after the units of its
        trip have committed: every statement sees a committed state (WAL), and nothing else
        runs on the connection in between."""
        return await self._call(lambda connection: work(Transaction(connection)), unit=False)

    def _call(self, function: Callable[[sqlite3.Connection], T], unit: bool) -> Awaitable[T]:
        """Queue ``function`` for the next trip; its result, or its error."""
        loop = asyncio.get_running_loop()
        call = _Call(function, unit, loop.create_future())
        self._waiting.append(call)
        if self._trips is None:
            # A task starts in the loop's next turn: the calls made in this one go along.
            self._trips = loop.create_task(self._make_trips(), name="store trips")
        return call.future

    async def _make_trips(self) -> None:
        """One trip after another while calls are waiting: each takes all of them."""
        try:
            while self._waiting:
                calls, self._waiting = self._waiting, []
                try:
                    await self._on_thread(functools.partial(_trip, calls=calls))
                except BaseException as exc:  # the connection is closed, or the loop stops
                    for call in calls:
                        call.abandon(exc)  # whatever the thread did, no commit is known
                    raise
                for call in calls:
                    call.settle()
        except BaseException as exc:
            for call in self._waiting:
                call.abandon(exc)
            self._waiting = []
            if not isinstance(exc, Exception):
                raise
        finally:
            self._trips = None

    def _prepare(self, db: sqlite3.Connection) -> None:
        """The connection's settings, then the migrations this database has not run yet."""
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA busy_timeout = 5000")
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
        )
        current = Transaction(db).schema_version()
        if current > len(MIGRATIONS):
            raise StoreError(
                f"The database {self.path} has schema version {current}, newer than this "
                f"program knows ({len(MIGRATIONS)}). Upgrade the program."
            )
        for version, (name, sql) in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            log.info("applying migration %d (%s)", version, name)
            db.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\n"
                f"INSERT INTO schema_migrations VALUES ({version}, '{name}', {time.time()});\n"
                "COMMIT;"
            )

    async def schema_version(self) -> int:
        return await self.read(Transaction.schema_version)

    async def erase_traces(self) -> None:
        """After a unit of work that forgot a person or deleted a session has committed:
        copy the WAL into the database file and truncate the WAL to zero bytes, so that the
        old versions of the pages it held (with the deleted rows in them) are gone from
        disk. The rows' own bytes were overwritten by ``secure_delete`` (see
        ``Transaction._forget``). Outside a transaction; this store is the only connection,
        so no reader can hold the checkpoint back."""

        def truncate(db: sqlite3.Connection) -> None:
            busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                log.warning("the WAL checkpoint after a deletion was blocked; it stays")

        await self._call(truncate, unit=False)


@dataclass(eq=False, slots=True)
class _Call:
    """A function waiting for its trip to the connection's thread, and what came of it."""

    function: Callable[[sqlite3.Connection], Any]
    unit: bool
    """A unit of work (inside the trip's transaction), or a read (after its commit)."""
    future: asyncio.Future[Any]
    failed: BaseException | None = None
    result: Any = None
    done: bool = False

    def succeed(self, result: Any) -> None:
        self.result, self.failed, self.done = result, None, True

    def fail(self, error: BaseException) -> None:
        self.result, self.failed, self.done = None, error, True

    def settle(self) -> None:
        """After the trip: hand the outcome to the caller, unless it stopped waiting."""
        if self.future.done():
            return
        if not self.done:
            self.failed = RuntimeError("the store's trip ended without running this call")
        if self.failed is not None:
            self.future.set_exception(self.failed)
        else:
            self.future.set_result(self.result)

    def abandon(self, error: BaseException) -> None:
        """The trip did not come back: the caller gets ``error``, whatever the thread did."""
        if not self.future.done():
            if isinstance(error, asyncio.CancelledError):
                self.future.cancel()
            else:
                self.future.set_exception(error)


def _trip(connection: sqlite3.Connection, calls: list[_Call]) -> None:
    """On the connection's thread: the units of work in one transaction, then the reads."""
    units = [call for call in calls if call.unit]
    if units:
        _commit_together(connection, units)
    for call in calls:
        if call.unit:
            continue
        try:
            call.succeed(call.function(connection))
        except sqlite3.OperationalError as exc:
            call.fail(StoreUnavailable(str(exc)))
        except BaseException as exc:
            call.fail(exc)


def _commit_together(connection: sqlite3.Connection, units: list[_Call]) -> None:
    """``units`` in one ``BEGIN IMMEDIATE`` ... ``COMMIT``, each in a savepoint: a unit that
    raises leaves nothing behind and fails alone; a database that is locked or failing
    (``OperationalError`` from SQLite itself, or a commit that fails) fails them all, as
    :class:`StoreUnavailable`, with everything rolled back."""
    try:
        connection.execute("BEGIN IMMEDIATE")
        for call in units:
            connection.execute("SAVEPOINT unit")
            try:
                call.succeed(call.function(connection))
            except BaseException as exc:
                if not connection.in_transaction:  # SQLite rolled the whole group back
                    raise
                connection.execute("ROLLBACK TO unit")
                unavailable = isinstance(exc, sqlite3.OperationalError)
                call.fail(StoreUnavailable(str(exc)) if unavailable else exc)
            connection.execute("RELEASE unit")
        connection.execute("COMMIT")
    except BaseException as exc:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        failure = StoreUnavailable(str(exc)) if isinstance(exc, sqlite3.Error) else exc
        for call in units:
            if call.failed is None:
                call.fail(failure)
