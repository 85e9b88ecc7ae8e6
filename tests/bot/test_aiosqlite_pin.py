"""The one private part of aiosqlite the store uses, checked loudly.

``Store._on_thread`` runs a whole trip (a group of units of work, then reads) as one
function on aiosqlite's thread through ``Connection._execute`` and the ``sqlite3``
connection ``Connection._conn``: aiosqlite has no public call for it. The version is pinned
in ``pyproject.toml``; when it changes, this test fails until someone has read the new
``aiosqlite/core.py`` and confirmed that both still do what the store needs."""

from __future__ import annotations

import sqlite3
import threading
from importlib.metadata import version
from pathlib import Path

import aiosqlite

PINNED = "0.22.1"


def test_aiosqlite_is_the_pinned_version() -> None:
    assert version("aiosqlite") == PINNED, (
        f"aiosqlite {version('aiosqlite')} is installed, the store was checked against "
        f"{PINNED}: read its core.py (Connection._execute, Connection._conn), then update "
        "the pin in pyproject.toml and PINNED here"
    )


async def test_execute_runs_a_function_on_the_connections_thread(tmp_path: Path) -> None:
    db = await aiosqlite.connect(tmp_path / "db.sqlite3", isolation_level=None)
    try:
        assert isinstance(db._conn, sqlite3.Connection)

        def on_thread() -> tuple[int, int]:
            (one,) = db._conn.execute("SELECT 1").fetchone()
            return one, threading.get_ident()

        one, thread = await db._execute(on_thread)
        assert one == 1 and thread != threading.get_ident()

        def failing() -> None:
            raise ZeroDivisionError

        try:
            await db._execute(failing)
        except ZeroDivisionError:
            pass
        else:
            raise AssertionError("_execute did not hand back the function's exception")
    finally:
        await db.close()
