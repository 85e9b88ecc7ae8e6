"""The connection: one aiosqlite connection and its thread, units of work, migrations.

Owns: opening the database (one clear sentence when it cannot be used), the connection
settings (WAL, foreign keys, ``busy_timeout``), running migrations, ``BEGIN IMMEDIATE``
per unit of work, and the checkpoint that erases traces after a deletion. Must not: hold
queries of the workshop.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

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
    thread: all its reads and writes, and ``BEGIN IMMEDIATE``/``COMMIT`` around them, cost
    one trip instead of one per statement. The thread runs one function at a time, so no
    unit of work ever sees another one half done, and no lock is needed on this side.
    """

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

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
        await self._db.close()

    async def _on_thread(self, function: Callable[[sqlite3.Connection], T]) -> T:
        """``function(connection)`` on the connection's thread, in one trip.

        aiosqlite has no public call for this: ``Connection._execute`` is how each of its
        own methods (``execute``, ``commit``, ...) queues its work on that thread, and
        ``_conn`` is the ``sqlite3`` connection, which may only be used there."""
        db = self._db
        result: T = await db._execute(lambda: function(db._conn))  # type: ignore[no-untyped-call]
        return result

    async def run(self, work: Callable[[Transaction], T]) -> T:
        """``work(tx)`` as one unit of work: ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back
        if it raises. ``work`` runs on the connection's thread, so it must not block on the
        event loop (it is synchronous, and only reads, decides and writes)."""

        def unit(connection: sqlite3.Connection) -> T:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(Transaction(connection))
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return result

        return await self._unavailable_as_error(unit)

    async def read(self, work: Callable[[Transaction], T]) -> T:
        """``work(tx)`` with reads only, without ``BEGIN``/``COMMIT``: every statement sees a
        committed state (WAL), and nothing else runs on the connection in between."""
        return await self._unavailable_as_error(lambda connection: work(Transaction(connection)))

    async def _unavailable_as_error(self, function: Callable[[sqlite3.Connection], T]) -> T:
        """``function`` on the thread; a locked or failing database as
        :class:`StoreUnavailable` (SQLite rolled the unit of work back)."""
        try:
            return await self._on_thread(function)
        except sqlite3.OperationalError as exc:
            if self._db.in_transaction:
                await self._on_thread(lambda connection: connection.execute("ROLLBACK"))
            raise StoreUnavailable(str(exc)) from exc

    def _prepare(self, db: sqlite3.Connection) -> None:
        """The connection's settings, then the migrations this database has not run yet."""
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
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

        await self._unavailable_as_error(truncate)
