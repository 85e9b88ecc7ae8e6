"""The SQLite store: schema and migrations, durability settings, one transaction per event."""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.migrations import MIGRATIONS
from bot.store import Store
from conversations.decision import SaveParticipant, SaveRating, SaveSession, SaveTop
from conversations.effects import Say
from conversations.model import Participant, Session, Step
from conversations.phases import Phase


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store that is closed even when the test fails (its thread would keep pytest alive)."""
    opened = await Store.open(tmp_path / "db.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()


SESSION = Session(1, -100, "goed-werk", "nl", Phase.JOINING, "code", 1, 10.0)
PERSON = Participant(1, 42, 42, "Ann <b>", "nl", Step.SORTING, 7, 11.0, selection=("a", "b"))


async def test_migrations_run_once_and_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = await Store.open(path)
    assert await store.schema_version() == len(MIGRATIONS)
    await store.close()
    store = await Store.open(path)
    try:
        async with store.transaction() as tx:
            rows = await tx.rows("SELECT version, name FROM schema_migrations")
            mode = await tx.rows("SELECT * FROM pragma_journal_mode")
            keys = await tx.rows("SELECT * FROM pragma_foreign_keys")
    finally:
        await store.close()
    assert rows == [(number, name) for number, (name, _) in enumerate(MIGRATIONS, start=1)]
    assert mode == [("wal",)] and keys == [(1,)]


async def test_the_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "db.sqlite3"
    store = await Store.open(path)
    await store.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_records_round_trip(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.apply(
            [
                SaveSession(SESSION),
                SaveParticipant(PERSON),
                SaveRating(1, 42, "professional", "trust", 5, 0, 12.0),
                SaveRating(1, 42, "professional", "trust", 4, 0, 13.0),
                SaveTop(1, 42, ("a", "b", "c", "d"), 14.0),
            ]
        )
    async with store.transaction() as tx:
        assert await tx.session(1) == SESSION
        assert await tx.session_by_code("code") == SESSION
        assert await tx.open_session_of_group(-100) == SESSION
        assert await tx.participant(1, 42) == PERSON
        assert await tx.ratings(1, 42) == {"professional": {"trust": 4}}
        assert await tx.top(1, 42) == ("a", "b", "c", "d")
        assert (await tx.current_participation(42)) == PERSON


async def test_a_failing_unit_of_work_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.apply([SaveSession(SESSION), SaveParticipant(PERSON)])
            await tx.enqueue([Say(42, "nl", "help")], 1.0)
            raise RuntimeError("crash in the middle")
    async with store.transaction() as tx:
        assert await tx.session(1) is None
        assert await tx.pending_count() == 0


async def test_a_rating_out_of_range_is_refused_by_the_schema(store: Store) -> None:
    with pytest.raises(Exception, match="CHECK"):
        async with store.transaction() as tx:
            await tx.apply([SaveSession(SESSION), SaveParticipant(PERSON)])
            await tx.apply([SaveRating(1, 42, "professional", "trust", 6, 0, 12.0)])


async def test_one_open_session_per_group_is_a_schema_rule(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.apply([SaveSession(SESSION)])
    with pytest.raises(Exception, match="UNIQUE"):
        async with store.transaction() as tx:
            await tx.apply(
                [SaveSession(Session(2, -100, "goed-werk", "nl", Phase.JOINING, "c2", 1, 1.0))]
            )


async def test_updates_are_claimed_once(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.claim_update(77, 1.0)
        assert not await tx.claim_update(77, 2.0)


async def test_outbox_keeps_order_per_chat(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.enqueue([Say(1, "nl", "a"), Say(2, "nl", "b"), Say(1, "nl", "c")], 1.0)
    async with store.transaction() as tx:
        chats = dict(await tx.chats_with_pending_effects())
        first = await tx.pending_effects(1, 10)
        await tx.mark_delivered(first[0].id, 2.0)
        await tx.postpone(first[1].id, 99.0)
        after = await tx.pending_effects(1, 10)
    assert set(chats) == {1, 2}
    assert [r.payload.count('"a"') + 2 * r.payload.count('"c"') for r in first] == [1, 2]
    assert [(r.attempts, r.not_before) for r in after] == [(1, 99.0)]


async def test_forgetting_a_person_deletes_their_rows(store: Store) -> None:
    from conversations.decision import ForgetPerson

    other = Participant(1, 43, 43, "Bo", "nl", Step.SORTING, 8, 11.0)
    async with store.transaction() as tx:
        await tx.apply([SaveSession(SESSION), SaveParticipant(PERSON), SaveParticipant(other)])
        await tx.apply([SaveRating(1, 42, "p", "trust", 5, 0, 1.0), SaveTop(1, 42, ("a",), 1.0)])
        await tx.apply([SaveRating(1, 43, "p", "trust", 2, 0, 1.0)])
        await tx.log_event("CardRated", 1.0, 1, 42, {"x": 1})
    async with store.transaction() as tx:
        await tx.apply([ForgetPerson(42)])
    async with store.transaction() as tx:
        assert await tx.participant(1, 42) is None
        assert await tx.ratings(1, 42) == {}
        assert await tx.top(1, 42) == ()
        assert await tx.rows("SELECT count(*) FROM events WHERE user_id = 42") == [(0,)]
        assert await tx.ratings(1, 43) == {"p": {"trust": 2}}


async def test_prune_forgets_old_deliveries_and_update_ids(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.enqueue([Say(1, "nl", "a"), Say(1, "nl", "b"), Say(1, "nl", "c")], 1.0)
        rows = await tx.pending_effects(1, 10)
        await tx.mark_delivered(rows[0].id, 10.0)
        await tx.mark_delivered(rows[1].id, 500.0)
        await tx.claim_update(1, 10.0)
        await tx.claim_update(2, 500.0)
    async with store.transaction() as tx:
        assert await tx.prune(100.0) == 1
        left = await tx.rows("SELECT id FROM outbox ORDER BY id")
        updates = await tx.rows("SELECT update_id FROM processed_updates")
    assert left == [(rows[1].id,), (rows[2].id,)], "the undelivered one always stays"
    assert updates == [(2,)]


async def test_status_counts_people_at_tables_as_done(store: Store) -> None:
    from bot.deck_files import load_builtin_decks

    deck = load_builtin_decks()["goed-werk"]
    people = [
        Participant(1, uid, uid, f"P{uid}", "nl", step, uid, 1.0, lens_index=lens)
        for uid, step, lens in (
            (1, Step.CONSENT, 0),
            (2, Step.SORTING, 0),
            (3, Step.REVIEW, 1),
            (4, Step.TOP, 1),
            (5, Step.DONE, 1),
            (6, Step.STORY, 1),
            (7, Step.FINAL, 1),
        )
    ]
    async with store.transaction() as tx:
        await tx.apply([SaveSession(SESSION), *(SaveParticipant(p) for p in people)])
        counts = await tx.session_counts(SESSION, deck)
    assert (counts.joined, counts.consented, counts.with_top) == (7, 6, 3)
    assert [(lens.sorting, lens.done) for lens in counts.lenses] == [(1, 5), (1, 4)]
