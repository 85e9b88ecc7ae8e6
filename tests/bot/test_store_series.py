"""The store's series queries: following ``previous_id`` back through a series for the
earlier table mates, a person's earlier top, the earlier sessions (for the plenary) and the
length of the series."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.store import Store
from conversations.decision import (
    Change,
    SaveParticipant,
    SaveRevisedTop,
    SaveSession,
    SaveTable,
    SaveTop,
)
from conversations.model import EarlierTop, Participant, Session, Step, Table
from conversations.phases import Phase


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "db.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()


def session(number: int, previous: int | None, deck: str = "goed-werk") -> Session:
    return Session(
        number,
        -100,
        deck,
        "en",
        Phase.CLOSED,
        f"code{number}",
        1,
        float(number),
        previous_id=previous,
    )


def seated(session_id: int, user_id: int, table: int | None) -> SaveParticipant:
    return SaveParticipant(
        Participant(
            session_id,
            user_id,
            user_id,
            f"P{user_id}",
            "en",
            Step.FINAL,
            1,
            0.0,
            table_number=table,
        )
    )


async def fill(store: Store, changes: list[Change]) -> None:
    await store.run(lambda tx: tx.apply(changes))


async def test_earlier_table_mates_over_the_whole_series(store: Store) -> None:
    changes: list[Change] = [
        SaveSession(session(1, None)),
        SaveSession(session(2, 1)),
        SaveSession(session(3, 2)),
        SaveSession(replace(session(4, None), group_chat_id=-200)),  # another series
        SaveTable(Table(1, 1)),
        SaveTable(Table(2, 1)),
        SaveTable(Table(4, 1)),
    ]
    changes += [seated(1, uid, 1) for uid in (1, 2, 3)]
    changes += [seated(2, uid, 1) for uid in (1, 4)]
    changes += [seated(2, 5, 2), seated(2, 6, 2)]  # a proposal that was never seated
    changes += [seated(3, uid, 1) for uid in (1, 2, 3, 4)]  # the follow-up itself
    changes += [seated(4, uid, 1) for uid in (7, 8)]
    await fill(store, changes)
    later = await store.read(lambda tx: tx.session(3))
    first = await store.read(lambda tx: tx.session(1))
    assert later is not None and first is not None
    pairs = await store.read(lambda tx: tx.earlier_table_pairs(later))
    assert pairs == {frozenset(p) for p in ((1, 2), (1, 3), (2, 3), (1, 4))}
    assert await store.read(lambda tx: tx.earlier_table_pairs(first)) == frozenset()
    assert await store.read(lambda tx: tx.series_length(3)) == 3
    assert await store.read(lambda tx: tx.series_length(1)) == 1


async def test_the_earlier_sessions_of_a_series_oldest_first(store: Store) -> None:
    # created out of order: the series is the chain of previous_id, not the clock
    await fill(
        store,
        [
            SaveSession(replace(session(5, None), created_at=9.0)),
            SaveSession(replace(session(2, 5), created_at=1.0)),
            SaveSession(session(7, 2)),
            SaveSession(session(8, 7)),
            SaveSession(replace(session(9, None), group_chat_id=-200)),
        ],
    )
    last = await store.read(lambda tx: tx.session(8))
    single = await store.read(lambda tx: tx.session(9))
    assert last is not None and single is not None
    earlier = await store.read(lambda tx: tx.earlier_sessions(last))
    assert [s.id for s in earlier] == [5, 2, 7]
    assert earlier[0].created_at == 9.0
    assert await store.read(lambda tx: tx.earlier_sessions(single)) == ()


async def test_the_earlier_top_is_the_latest_one_revised_if_revised(store: Store) -> None:
    await fill(
        store,
        [
            SaveSession(session(1, None, "team-values")),
            SaveSession(session(2, 1)),
            SaveSession(session(3, 2)),
            SaveSession(session(4, 3)),
            seated(1, 42, None),
            seated(2, 42, None),
            seated(3, 42, None),
            seated(1, 43, None),
            seated(2, 44, None),
            SaveTop(1, 42, ("trust", "humour", "focus"), 1.0),
            SaveTop(1, 43, ("trust", "humour", "focus"), 1.0),
            SaveRevisedTop(1, 43, ("feedback", "humour", "focus"), 2.0),
            SaveTop(2, 42, ("a", "b", "c", "d"), 3.0),
            SaveRevisedTop(2, 42, ("a", "b", "c", "e"), 4.0),
            SaveTop(2, 44, ("d", "c", "b", "a"), 4.0),
        ],
    )
    later = await store.read(lambda tx: tx.session(4))
    assert later is not None

    async def earlier_top(user_id: int) -> EarlierTop | None:
        return await store.read(lambda tx: tx.earlier_top(later, user_id))

    # 42 had no top in session 3: session 2's revised top counts.
    assert await earlier_top(42) == EarlierTop(2, "goed-werk", ("a", "b", "c", "e"))
    assert await earlier_top(43) == EarlierTop(1, "team-values", ("feedback", "humour", "focus"))
    assert await earlier_top(44) == EarlierTop(2, "goed-werk", ("d", "c", "b", "a"))
    assert await earlier_top(45) is None
    first = await store.read(lambda tx: tx.session(1))
    assert first is not None
    assert await store.read(lambda tx: tx.earlier_top(first, 42)) is None
