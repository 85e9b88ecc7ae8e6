"""Raw rows for tests and the benchmark: the production store has no SQL hatch, so a test
that checks what the data must be reads it through this helper (``SELECT`` only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.store import Transaction


def select(tx: Transaction, sql: str, params: Mapping[str, Any] | Iterable[Any] = ()) -> list[Any]:
    if not sql.lstrip().upper().startswith("SELECT"):
        raise ValueError("select() only runs SELECT statements")
    connection = tx._db  # the test's window on the unit of work's connection
    return connection.execute(
        sql, params if isinstance(params, Mapping) else tuple(params)
    ).fetchall()
