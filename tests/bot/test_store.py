"""The SQLite store: schema and migrations, durability settings, one transaction per event."""

from __future__ import annotations

import stat
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sql_rows import select

from bot.store import OutboxRow, Store, Transaction
from bot.store.migrations import MIGRATIONS
from conversations.decision import SaveParticipant, SaveRating, SaveSession, SaveTop
from conversations.effects import Say
from conversations.model import Participant, Session, Step
from conversations.phases import Phase
from conversations.progress import session_counts


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store that is closed even when the test fails (its thread would keep pytest alive)."""
    opened = await Store.open(tmp_path / "db.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()


SESSION = Session(
    1, -100, "goed-werk", "nl", Phase.JOINING, "code", 1, 10.0,
    own_dilemmas=("Mag het <b>“€ 5”</b>, Zoë?", "Second, with a\nnew line"),
)  # fmt: skip
PERSON = Participant(1, 42, 42, "Ann <b>", "nl", Step.SORTING, 7, 11.0, selection=("a", "b"))


async def test_migrations_run_once_and_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = await Store.open(path)
    assert await store.schema_version() == len(MIGRATIONS)
    await store.close()
    store = await Store.open(path)
    try:
        rows, mode, keys, synchronous = await store.read(
            lambda tx: (
                select(tx, "SELECT version, name FROM schema_migrations"),
                select(tx, "SELECT * FROM pragma_journal_mode"),
                select(tx, "SELECT * FROM pragma_foreign_keys"),
                select(tx, "SELECT * FROM pragma_synchronous"),
            )
        )
    finally:
        await store.close()
    assert rows == [(number, name) for number, (name, _) in enumerate(MIGRATIONS, start=1)]
    assert mode == [("wal",)] and keys == [(1,)]
    assert synchronous == [(2,)], "FULL: a commit is on disk before run() returns"


async def test_the_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "db.sqlite3"
    store = await Store.open(path)
    await store.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_records_round_trip(store: Store) -> None:
    await store.run(
        lambda tx: tx.apply(
            [
                SaveSession(SESSION),
                SaveParticipant(PERSON),
                SaveRating(1, 42, "professional", "trust", 5, 0, 12.0),
                SaveRating(1, 42, "professional", "trust", 4, 0, 13.0),
                SaveTop(1, 42, ("a", "b", "c", "d"), 14.0),
            ]
        )
    )

    def check(tx: Transaction) -> None:
        assert tx.session(1) == SESSION
        assert tx.session_by_code("code") == SESSION
        assert tx.open_session_of_group(-100) == SESSION
        assert tx.participant(1, 42) == PERSON
        assert tx.ratings(1, 42) == {"professional": {"trust": 4}}
        assert tx.top(1, 42) == ("a", "b", "c", "d")
        assert tx.current_participation(42) == PERSON

    await store.read(check)


async def test_a_unit_of_work_runs_whole_on_the_connection_thread(store: Store) -> None:
    threads = await store.run(lambda tx: {threading.get_ident()})
    threads |= await store.read(lambda tx: {threading.get_ident()})
    assert len(threads) == 1 and threading.get_ident() not in threads


async def test_a_failing_unit_of_work_leaves_nothing_behind(store: Store) -> None:
    def crash(tx: Transaction) -> None:
        tx.apply([SaveSession(SESSION), SaveParticipant(PERSON)])
        tx.enqueue([Say(42, "nl", "help")], 1.0)
        raise RuntimeError("crash in the middle")

    with pytest.raises(RuntimeError):
        await store.run(crash)
    assert await store.read(lambda tx: (tx.session(1), tx.pending_count())) == (None, 0)
    await store.run(lambda tx: tx.apply([SaveSession(SESSION)]))  # no transaction left open
    assert await store.read(lambda tx: tx.session(1)) == SESSION


async def test_a_rating_out_of_range_is_refused_by_the_schema(store: Store) -> None:
    def rate_six(tx: Transaction) -> None:
        tx.apply([SaveSession(SESSION), SaveParticipant(PERSON)])
        tx.apply([SaveRating(1, 42, "professional", "trust", 6, 0, 12.0)])

    with pytest.raises(Exception, match="CHECK"):
        await store.run(rate_six)


async def test_one_open_session_per_group_is_a_schema_rule(store: Store) -> None:
    await store.run(lambda tx: tx.apply([SaveSession(SESSION)]))
    second = Session(2, -100, "goed-werk", "nl", Phase.JOINING, "c2", 1, 1.0)
    with pytest.raises(Exception, match="UNIQUE"):
        await store.run(lambda tx: tx.apply([SaveSession(second)]))


async def test_updates_are_claimed_once(store: Store) -> None:
    claims = await store.run(lambda tx: (tx.claim_update(77, 1.0), tx.claim_update(77, 2.0)))
    assert claims == (True, False)


async def test_outbox_keeps_order_per_chat(store: Store) -> None:
    await store.run(
        lambda tx: tx.enqueue([Say(1, "nl", "a"), Say(2, "nl", "b"), Say(1, "nl", "c")], 1.0)
    )

    def deliver_one_postpone_one(
        tx: Transaction,
    ) -> tuple[dict[int, float], list[OutboxRow], list[OutboxRow]]:
        chats = dict(tx.chats_with_pending_effects())
        first = tx.pending_effects(1, 10)
        tx.mark_delivered(first[0].id, 2.0)
        tx.postpone(first[1].id, 99.0)
        return chats, first, tx.pending_effects(1, 10)

    chats, first, after = await store.run(deliver_one_postpone_one)
    assert set(chats) == {1, 2}
    assert [r.payload.count('"a"') + 2 * r.payload.count('"c"') for r in first] == [1, 2]
    assert [(r.attempts, r.not_before) for r in after] == [(1, 99.0)]


async def test_forgetting_a_person_deletes_their_rows(store: Store) -> None:
    from conversations.decision import ForgetPerson

    other = Participant(1, 43, 43, "Bo", "nl", Step.SORTING, 8, 11.0)

    def two_people(tx: Transaction) -> None:
        tx.apply([SaveSession(SESSION), SaveParticipant(PERSON), SaveParticipant(other)])
        tx.apply([SaveRating(1, 42, "p", "trust", 5, 0, 1.0), SaveTop(1, 42, ("a",), 1.0)])
        tx.apply([SaveRating(1, 43, "p", "trust", 2, 0, 1.0)])
        tx.log_event("CardRated", 1.0, 1, 42, {"x": 1})

    def check(tx: Transaction) -> None:
        assert tx.participant(1, 42) is None
        assert tx.ratings(1, 42) == {}
        assert tx.top(1, 42) == ()
        assert select(tx, "SELECT count(*) FROM events WHERE user_id = 42") == [(0,)]
        assert tx.ratings(1, 43) == {"p": {"trust": 2}}

    await store.run(two_people)
    await store.run(lambda tx: tx.apply([ForgetPerson(42)]))
    await store.read(check)


async def test_prune_forgets_old_deliveries_and_update_ids(store: Store) -> None:
    def three_messages(tx: Transaction) -> list[OutboxRow]:
        tx.enqueue([Say(1, "nl", "a"), Say(1, "nl", "b"), Say(1, "nl", "c")], 1.0)
        rows = tx.pending_effects(1, 10)
        tx.mark_delivered(rows[0].id, 10.0)
        tx.mark_delivered(rows[1].id, 500.0)
        tx.claim_update(1, 10.0)
        tx.claim_update(2, 500.0)
        return rows

    rows = await store.run(three_messages)
    pruned = await store.run(lambda tx: tx.prune(100.0))
    left, updates = await store.read(
        lambda tx: (
            select(tx, "SELECT id FROM outbox ORDER BY id"),
            select(tx, "SELECT update_id FROM processed_updates"),
        )
    )
    assert pruned == 1
    assert left == [(rows[1].id,), (rows[2].id,)], "the undelivered one always stays"
    assert updates == [(2,)]


async def test_status_counts_people_at_tables_as_done(store: Store) -> None:
    from bot.decks.files import load_builtin_decks

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
    await store.run(lambda tx: tx.apply([SaveSession(SESSION), *map(SaveParticipant, people)]))
    counts = session_counts(deck, await store.read(lambda tx: tx.tally(SESSION.id)))
    assert (counts.joined, counts.consented, counts.with_top) == (7, 6, 3)
    assert [(lens.sorting, lens.done) for lens in counts.lenses] == [(1, 5), (1, 4)]


async def test_forgetting_then_erasing_traces_leaves_no_bytes_on_disk(
    store: Store, tmp_path: Path
) -> None:
    from dataclasses import replace

    from conversations.decision import DeleteSession, ForgetPerson

    name, org = "Naam-Die-Weg-Moet-3141", "Organisatie-Die-Weg-Moet-2718"
    secret = replace(PERSON, name=name, organisation=org)

    def on_disk() -> set[str]:
        data = b"".join(p.read_bytes() for p in tmp_path.glob("db.sqlite3*"))
        return {s for s in (name, org) if s.encode() in data}

    for deletion in (ForgetPerson(42), DeleteSession(1)):
        await store.run(lambda tx: tx.apply([SaveSession(SESSION), SaveParticipant(secret)]))
        assert on_disk() == {name, org}
        await store.run(lambda tx, d=deletion: tx.apply([d]))
        assert on_disk() == {name, org}, "the WAL still holds the old pages"
        await store.erase_traces()
        assert on_disk() == set(), deletion
        assert (tmp_path / "db.sqlite3-wal").stat().st_size == 0
