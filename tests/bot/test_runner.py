"""The unit of work: one event, one transaction, effects in the outbox; a Telegram update
handled twice changes nothing the second time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sql_rows import select

from bot.decks.files import load_builtin_decks
from bot.decks.library import DeckLibrary
from bot.runner import Runner
from bot.store import Store, Transaction
from conversations import events as ev

GROUP = -5


@pytest.fixture
async def runner(tmp_path: Path) -> AsyncIterator[Runner]:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        yield Runner(store, DeckLibrary(load_builtin_decks().values()), clock=lambda: 100.0)
    finally:
        await store.close()


def new_session(code: str = "code") -> ev.SessionRequested:
    return ev.SessionRequested(
        1.0, GROUP, 7, True, None, "en", 0, code, "nl", ("goed-werk",), "goed-werk"
    )


async def counts(runner: Runner) -> tuple[int, int, int]:
    def count(tx: Transaction, table: str) -> int:
        return int(select(tx, f"SELECT count(*) FROM {table}")[0][0])

    return await runner.store.read(
        lambda tx: (count(tx, "sessions"), count(tx, "outbox"), count(tx, "events"))
    )


async def test_the_same_update_twice_changes_nothing_the_second_time(runner: Runner) -> None:
    first = await runner.submit(new_session(), update_id=41)
    assert first.changes
    after_first = await counts(runner)
    again = await runner.submit(new_session(), update_id=41)
    assert again.changes == () and again.effects == ()
    assert await counts(runner) == after_first == (1, 2, 1)


async def test_changes_effects_and_the_event_log_are_written_together(runner: Runner) -> None:
    await runner.submit(new_session())
    join = ev.JoinRequested(2.0, 50, 50, "Ann", "en", "code", 99)
    await runner.submit(join, update_id=42)
    participant, kinds, chats = await runner.store.read(
        lambda tx: (
            tx.participant(1, 50),
            select(tx, "SELECT kind FROM events ORDER BY id"),
            select(tx, "SELECT chat_id, kind FROM outbox ORDER BY id"),
        )
    )
    assert participant is not None and participant.name == "Ann"
    assert kinds == [("SessionRequested",), ("JoinRequested",)]
    assert chats[-1] == (50, "AskConsent")


async def test_a_tap_from_someone_outside_the_session_is_refused(runner: Runner) -> None:
    await runner.submit(new_session())
    before = await counts(runner)
    decision = await runner.submit(ev.CardRated(3.0, 1, 999, 0, "integrity", 5), update_id=43)
    assert decision.toast is not None and decision.toast.key == "not_participant"
    assert await counts(runner) == before
