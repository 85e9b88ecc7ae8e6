"""The SQLite store: the single source of truth (aiosqlite, one writer connection).

Owns: every SQL statement of the project, the connection settings (WAL, foreign keys,
``BEGIN IMMEDIATE`` per unit of work), running migrations, and mapping rows to the
core's records. Must not: decide anything about the workshop or talk to Telegram.

Every read and write of one event happens inside one ``Store.run(work)``: ``work`` is a
synchronous function of a ``Transaction``, run whole on aiosqlite's thread between
``BEGIN IMMEDIATE`` and ``COMMIT``. The methods of ``Transaction`` load only the rows an
event touches, so the cost of handling a rating does not grow with the size of the
session.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.codec import encode
from bot.errors import StoreError
from bot.migrations import MIGRATIONS
from conversations.decision import (
    Change,
    DeleteDeadline,
    DeleteRating,
    DeleteSession,
    ForgetPerson,
    MarkSimulated,
    SaveDeadline,
    SaveParticipant,
    SaveRating,
    SaveReminded,
    SaveRevisedTop,
    SaveSession,
    SaveStory,
    SaveTable,
    SaveTop,
    SaveVote,
)
from conversations.deck import Deck
from conversations.effects import Effect
from conversations.model import (
    Deadline,
    EarlierTop,
    Finisher,
    LensProgress,
    Mate,
    Participant,
    Session,
    SessionCounts,
    Step,
    Straggler,
    Table,
    TableStage,
    TableView,
)
from conversations.phases import Phase
from conversations.summary import PersonFacts

log = logging.getLogger(__name__)

T = TypeVar("T")

_SESSION_COLUMNS = (
    "id, group_chat_id, deck_id, locale, phase, join_code, created_by, created_at, "
    "sort_on_join, profile_questions, table_size, late_joins, rooms, dilemma_index, "
    "vote_rule, max_rounds, paused_at, time_zone, waking_from, waking_until, reminders, "
    "previous_id"
)
_PARTICIPANT_COLUMNS = (
    "session_id, user_id, chat_id, name, locale, step, order_seed, joined_at, lens_index, "
    "paused, age_band, organisation, selection, moving, unreachable, table_number, "
    "story_card, revision, round_choice, muted"
)


_EARLIER_SESSIONS = (
    "WITH RECURSIVE earlier (id, depth) AS ("
    " SELECT id, 1 FROM sessions WHERE id = ?"
    " UNION ALL"
    " SELECT s.previous_id, e.depth + 1 FROM sessions s JOIN earlier e ON s.id = e.id"
    " WHERE s.previous_id IS NOT NULL AND e.depth < 1000)"
)
"""A session and the ones before it in its series (``depth`` 1 is the session itself)."""


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    chat_id: int
    kind: str
    payload: str
    attempts: int
    not_before: float
    steps_done: int = 0
    """Bot API calls of this effect that went out already (a long text is several)."""
    sent_message_id: int | None = None
    """The message one of those calls sent, for the effect's slot once it is delivered."""


def _session(row: Any) -> Session:
    return Session(
        id=row[0],
        group_chat_id=row[1],
        deck_id=row[2],
        locale=row[3],
        phase=Phase(row[4]),
        join_code=row[5],
        created_by=row[6],
        created_at=row[7],
        sort_on_join=bool(row[8]),
        profile_questions=bool(row[9]),
        table_size=row[10],
        late_joins=bool(row[11]),
        rooms=row[12],
        dilemma_index=row[13],
        vote_rule=row[14],
        max_rounds=row[15],
        paused_at=row[16],
        time_zone=row[17],
        waking_from=row[18],
        waking_until=row[19],
        reminders=bool(row[20]),
        previous_id=row[21],
    )


def _participant(row: Any) -> Participant:
    return Participant(
        session_id=row[0],
        user_id=row[1],
        chat_id=row[2],
        name=row[3],
        locale=row[4],
        step=Step(row[5]),
        order_seed=row[6],
        joined_at=row[7],
        lens_index=row[8],
        paused=bool(row[9]),
        age_band=row[10],
        organisation=row[11],
        selection=tuple(row[12].split(",")) if row[12] else (),
        moving=row[13],
        unreachable=bool(row[14]),
        table_number=row[15],
        story_card=row[16],
        revision=row[17],
        round_choice=row[18],
        muted=bool(row[19]),
    )


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
        result: T = await db._execute(lambda: function(db._conn))
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

        return await self._on_thread(unit)

    async def read(self, work: Callable[[Transaction], T]) -> T:
        """``work(tx)`` with reads only, without ``BEGIN``/``COMMIT``: every statement sees a
        committed state (WAL), and nothing else runs on the connection in between."""
        return await self._on_thread(lambda connection: work(Transaction(connection)))

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

        await self._on_thread(truncate)


class Transaction:
    """Queries and writes on the connection's thread (see ``Store.run``), synchronous."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def _one(self, sql: str, params: Iterable[Any] = ()) -> Any:
        return self._db.execute(sql, tuple(params)).fetchone()

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        return self._db.execute(sql, tuple(params)).fetchall()

    def schema_version(self) -> int:
        row = self._one("SELECT max(version) FROM schema_migrations")
        return int(row[0]) if row and row[0] else 0

    # --- updates and events -------------------------------------------------------------

    def claim_update(self, update_id: int, at: float) -> bool:
        """Record a Telegram update as handled; False if it was handled before."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)",
            (update_id, at),
        )
        return cur.rowcount == 1

    def log_event(
        self, kind: str, at: float, session_id: int | None, user_id: int | None, record: Any
    ) -> None:
        self._db.execute(
            "INSERT INTO events (at, kind, session_id, user_id, payload) VALUES (?, ?, ?, ?, ?)",
            (at, kind, session_id, user_id, encode(record)),
        )

    # --- sessions -----------------------------------------------------------------------

    def next_session_id(self) -> int:
        row = self._one("SELECT coalesce(max(id), 0) + 1 FROM sessions")
        return int(row[0])

    def open_session_of_group(self, group_chat_id: int) -> Session | None:
        row = self._one(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE group_chat_id = ? AND phase != ?",
            (group_chat_id, Phase.CLOSED.value),
        )
        return _session(row) if row else None

    def latest_session_of_group(self, group_chat_id: int) -> Session | None:
        row = self._one(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE group_chat_id = ?"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (group_chat_id,),
        )
        return _session(row) if row else None

    def session(self, session_id: int) -> Session | None:
        row = self._one(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
        return _session(row) if row else None

    def session_groups(self, limit: int) -> list[int]:
        rows = self._all(
            "SELECT group_chat_id FROM sessions GROUP BY group_chat_id"
            " ORDER BY max(created_at) DESC LIMIT ?",
            (limit,),
        )
        return [r[0] for r in rows]

    def session_by_code(self, join_code: str) -> Session | None:
        row = self._one(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE join_code = ?", (join_code,)
        )
        return _session(row) if row else None

    def session_counts(self, session: Session, deck: Deck) -> SessionCounts:
        steps = dict(
            self._all(
                "SELECT step, count(*) FROM participants WHERE session_id = ? GROUP BY step",
                (session.id,),
            )
        )
        unreachable = self._one(
            "SELECT count(*) FROM participants WHERE session_id = ? AND unreachable",
            (session.id,),
        )
        by_lens = dict(
            (tuple(r[:2]), r[2])
            for r in self._all(
                "SELECT step, lens_index, count(*) FROM participants"
                " WHERE session_id = ? AND step IN (?, ?) GROUP BY step, lens_index",
                (session.id, Step.SORTING.value, Step.REVIEW.value),
            )
        )
        before_top = {Step.CONSENT, Step.DECLINED, Step.AGE, Step.ORGANISATION, Step.WAITING}
        sorting_steps = {Step.SORTING, Step.REVIEW}
        with_top = sum(
            n
            for step, n in steps.items()
            if Step(step) not in before_top | sorting_steps | {Step.TOP}
        )
        finished_all = with_top + steps.get(Step.TOP.value, 0)
        lenses = []
        for index, lens in enumerate(deck.lenses):
            sorting = by_lens.get((Step.SORTING.value, index), 0) + by_lens.get(
                (Step.REVIEW.value, index), 0
            )
            done_later = sum(
                count
                for (step, lens_index), count in by_lens.items()
                if lens_index > index and step in (Step.SORTING.value, Step.REVIEW.value)
            )
            lenses.append(LensProgress(lens.id, sorting, done_later + finished_all))
        joined = sum(steps.values())
        not_consented = steps.get(Step.CONSENT.value, 0) + steps.get(Step.DECLINED.value, 0)
        return SessionCounts(
            joined=joined,
            consented=joined - not_consented,
            lenses=tuple(lenses),
            with_top=with_top,
            unreachable=int(unreachable[0]),
            simulated=len(self.simulated_people(session.id)),
        )

    # --- participants -------------------------------------------------------------------

    def participant(self, session_id: int, user_id: int) -> Participant | None:
        row = self._one(
            f"SELECT {_PARTICIPANT_COLUMNS} FROM participants WHERE session_id = ? AND user_id = ?",
            (session_id, user_id),
        )
        return _participant(row) if row else None

    def current_participation(self, user_id: int) -> Participant | None:
        """The person's participation in their most recently joined open session."""
        row = self._one(
            f"SELECT {', '.join('p.' + c.strip() for c in _PARTICIPANT_COLUMNS.split(','))}"
            " FROM participants p JOIN sessions s ON s.id = p.session_id"
            " WHERE p.user_id = ? AND s.phase != ? ORDER BY p.joined_at DESC LIMIT 1",
            (user_id, Phase.CLOSED.value),
        )
        return _participant(row) if row else None

    def stragglers(self, session_id: int, steps: Iterable[Step]) -> tuple[Straggler, ...]:
        """Everyone in one of ``steps``, with their last reminder and when they last
        moved: their last answer, or when the session put them in their step."""
        wanted = [step.value for step in steps]
        columns = ", ".join("p." + c.strip() for c in _PARTICIPANT_COLUMNS.split(","))
        rows = self._all(
            f"SELECT {columns}, p.reminded_at, max(coalesce(p.step_since, p.joined_at),"
            " coalesce((SELECT max(e.at) FROM events e"
            " WHERE e.session_id = p.session_id AND e.user_id = p.user_id), 0))"
            f" FROM participants p WHERE p.session_id = ? AND p.step IN"
            f" ({', '.join('?' * len(wanted))}) ORDER BY p.name, p.user_id",
            (session_id, *wanted),
        )
        width = len(_PARTICIPANT_COLUMNS.split(","))
        return tuple(
            Straggler(_participant(r), active_at=r[width + 1], reminded_at=r[width]) for r in rows
        )

    def waiting_participants(self, session_id: int) -> tuple[Participant, ...]:
        rows = self._all(
            f"SELECT {_PARTICIPANT_COLUMNS} FROM participants WHERE session_id = ? AND step = ?"
            " ORDER BY joined_at",
            (session_id, Step.WAITING.value),
        )
        return tuple(_participant(r) for r in rows)

    def stories(self, session_id: int, user_id: int) -> dict[str, str]:
        rows = self._all(
            "SELECT card_id, text FROM stories WHERE session_id = ? AND user_id = ?"
            " ORDER BY told_at",
            (session_id, user_id),
        )
        return {r[0]: r[1] for r in rows}

    def table_view(
        self, session_id: int, number: int, deck: Deck | None = None
    ) -> TableView | None:
        """A table with its members and their current tops (a handful of rows); with
        ``deck``, also their last lens' levels and their ballots of the current round."""
        views = self._table_views(session_id, number, deck)
        return views[0] if views else None

    def table_views(self, session_id: int, deck: Deck | None = None) -> tuple[TableView, ...]:
        """Every table of a session with its members (for seating, votes, the summary)."""
        return self._table_views(session_id, None, deck)

    def _table_views(
        self, session_id: int, number: int | None, deck: Deck | None
    ) -> tuple[TableView, ...]:
        one = number is not None
        params: tuple[Any, ...] = (session_id, number) if one else (session_id,)
        tables = self._all(
            "SELECT number, stage, round, agreed, outcome, note FROM tables WHERE session_id = ?"
            + (" AND number = ?" if one else "")
            + " ORDER BY number",
            params,
        )
        if not tables:
            return ()
        seated = "table_number = ?" if one else "table_number IS NOT NULL"
        members = [
            _participant(r)
            for r in self._all(
                f"SELECT {_PARTICIPANT_COLUMNS} FROM participants"
                f" WHERE session_id = ? AND {seated} ORDER BY joined_at",
                params,
            )
        ]
        tops = self._tops_of(session_id, seated, params[1:], "tops")
        tops.update(self._tops_of(session_id, seated, params[1:], "revised_tops"))
        levels: dict[int, dict[str, int]] = {}
        ballots: dict[tuple[int, int], list[str]] = {}
        if deck is not None:
            for user_id, card_id, level in self._all(
                "SELECT r.user_id, r.card_id, r.level FROM ratings r JOIN participants p"
                " ON p.session_id = r.session_id AND p.user_id = r.user_id"
                f" WHERE r.session_id = ? AND r.lens_id = ? AND p.{seated}",
                (session_id, deck.lenses[-1].id, *params[1:]),
            ):
                levels.setdefault(user_id, {})[card_id] = level
            for user_id, round_, card_id in self._all(
                "SELECT v.user_id, v.round, v.card_id FROM votes v JOIN participants p"
                " ON p.session_id = v.session_id AND p.user_id = v.user_id"
                f" WHERE v.session_id = ? AND p.{seated}",
                params,
            ):
                ballots.setdefault((user_id, round_), []).append(card_id)
        views = []
        for table_number, stage, round_, agreed, outcome, note in tables:
            table = Table(
                session_id,
                table_number,
                TableStage(stage),
                round_,
                tuple(agreed.split(",")) if agreed else (),
                outcome,
                note,
            )
            mates = tuple(
                Mate(
                    p,
                    tops.get(p.user_id, ()),
                    levels.get(p.user_id, {}),
                    tuple(ballots.get((p.user_id, round_), ())),
                )
                for p in members
                if p.table_number == table_number
            )
            views.append(TableView(table, mates))
        return tuple(views)

    def _tops_of(
        self, session_id: int, where: str, params: tuple[Any, ...], source: str = "tops"
    ) -> dict[int, tuple[str, ...]]:
        """user id -> top, from ``tops`` (chosen) or ``revised_tops``, for the participants
        matching ``where``."""
        rows = self._all(
            f"SELECT t.user_id, t.card_id FROM {source} t JOIN participants p"
            " ON p.session_id = t.session_id AND p.user_id = t.user_id"
            f" WHERE t.session_id = ? AND p.{where} ORDER BY t.user_id, t.rank",
            (session_id, *params),
        )
        result: dict[int, list[str]] = {}
        for user_id, card_id in rows:
            result.setdefault(user_id, []).append(card_id)
        return {k: tuple(v) for k, v in result.items()}

    def people_facts(self, session: Session) -> tuple[PersonFacts, ...]:
        """What every participant who chose a top contributes to the summary."""
        people = self._all(
            "SELECT user_id, age_band FROM participants WHERE session_id = ? AND user_id IN"
            " (SELECT user_id FROM tops WHERE session_id = ?) ORDER BY user_id",
            (session.id, session.id),
        )
        before = self._tops_of(session.id, "user_id IS NOT NULL", (), "tops")
        after = self._tops_of(session.id, "user_id IS NOT NULL", (), "revised_tops")
        levels: dict[int, dict[str, dict[str, int]]] = {}
        for user_id, lens_id, card_id, level in self._all(
            "SELECT user_id, lens_id, card_id, level FROM ratings WHERE session_id = ?",
            (session.id,),
        ):
            levels.setdefault(user_id, {}).setdefault(lens_id, {})[card_id] = level
        return tuple(
            PersonFacts(
                user_id,
                band,
                before.get(user_id, ()),
                after.get(user_id),
                levels.get(user_id, {}),
            )
            for user_id, band in people
        )

    def finishers(self, session: Session, deck: Deck) -> tuple[Finisher, ...]:
        """Everyone who finished sorting and is not seated for good, with their value
        profile (levels of the last lens in deck order) and top."""
        seated_for_good = session.phase.value == "tables"
        rows = self._all(
            f"SELECT {_PARTICIPANT_COLUMNS} FROM participants WHERE session_id = ? AND step = ?"
            + (" AND table_number IS NULL" if seated_for_good else "")
            + " ORDER BY joined_at",
            (session.id, Step.DONE.value),
        )
        people = [_participant(r) for r in rows]
        last_lens = deck.lenses[-1].id
        levels: dict[int, dict[str, int]] = {}
        for user_id, card_id, level in self._all(
            "SELECT r.user_id, r.card_id, r.level FROM ratings r JOIN participants p"
            " ON p.session_id = r.session_id AND p.user_id = r.user_id"
            " WHERE r.session_id = ? AND r.lens_id = ? AND p.step = ?",
            (session.id, last_lens, Step.DONE.value),
        ):
            levels.setdefault(user_id, {})[card_id] = level
        tops = self._tops_of(session.id, "step = ?", (Step.DONE.value,))
        return tuple(
            Finisher(
                p,
                tuple(levels.get(p.user_id, {}).get(card, 3) for card in deck.card_ids),
                tops.get(p.user_id, ()),
            )
            for p in people
        )

    def export_rows(self, session_id: int) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of one session, per kind, for the facilitator's export."""
        queries = {
            "participants": "SELECT user_id, name, organisation, age_band, step, table_number,"
            " revision, unreachable FROM participants WHERE session_id = ? ORDER BY joined_at",
            "ratings": "SELECT user_id, lens_id, card_id, level, position FROM ratings"
            " WHERE session_id = ? ORDER BY user_id, lens_id, position",
            "tops_before": "SELECT user_id, rank, card_id FROM tops WHERE session_id = ?"
            " ORDER BY user_id, rank",
            "tops_after": "SELECT user_id, rank, card_id FROM revised_tops WHERE session_id = ?"
            " ORDER BY user_id, rank",
            "stories": "SELECT user_id, card_id, text FROM stories WHERE session_id = ?"
            " ORDER BY user_id, told_at",
            "votes": "SELECT v.user_id, p.table_number, v.round, v.card_id FROM votes v"
            " JOIN participants p ON p.session_id = v.session_id AND p.user_id = v.user_id"
            " WHERE v.session_id = ? ORDER BY p.table_number, v.round, v.user_id",
            "outcomes": "SELECT number, round, outcome, agreed, note FROM tables"
            " WHERE session_id = ? ORDER BY number",
        }
        return {name: self._all(sql, (session_id,)) for name, sql in queries.items()}

    def simulated_people(self, session_id: int) -> frozenset[int]:
        """The user ids of a session's simulated participants (a rehearsal)."""
        rows = self._all(
            "SELECT user_id FROM simulated_participants WHERE session_id = ?", (session_id,)
        )
        return frozenset(r[0] for r in rows)

    def simulated_profile_seed(self, session_id: int, user_id: int) -> int | None:
        """The profile seed of a simulated participant; None for anyone else."""
        row = self._one(
            "SELECT profile_seed FROM simulated_participants WHERE session_id = ? AND user_id = ?",
            (session_id, user_id),
        )
        return int(row[0]) if row else None

    def set_table_thread(self, session_id: int, number: int, thread_id: int) -> None:
        self._db.execute(
            "UPDATE tables SET thread_id = ? WHERE session_id = ? AND number = ?",
            (thread_id, session_id, number),
        )

    def table_thread(self, session_id: int, number: int) -> int | None:
        row = self._one(
            "SELECT thread_id FROM tables WHERE session_id = ? AND number = ?",
            (session_id, number),
        )
        return row[0] if row else None

    def ratings(self, session_id: int, user_id: int) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for lens_id, card_id, level in self._all(
            "SELECT lens_id, card_id, level FROM ratings WHERE session_id = ? AND user_id = ?",
            (session_id, user_id),
        ):
            result.setdefault(lens_id, {})[card_id] = level
        return result

    def top(self, session_id: int, user_id: int) -> tuple[str, ...]:
        rows = self._all(
            "SELECT card_id FROM tops WHERE session_id = ? AND user_id = ? ORDER BY rank",
            (session_id, user_id),
        )
        return tuple(r[0] for r in rows)

    # --- deadlines and reminders ------------------------------------------------------

    def deadlines(self, session_id: int) -> tuple[Deadline, ...]:
        rows = self._all(
            "SELECT session_id, stage, due_at, fired_at FROM deadlines WHERE session_id = ?",
            (session_id,),
        )
        return tuple(Deadline(*row) for row in rows)

    def due_deadlines(self, now: float) -> list[tuple[int, int, str]]:
        """(group chat, session, stage) of every pending deadline that is due, earliest
        first, in open sessions that are not paused."""
        rows = self._all(
            "SELECT s.group_chat_id, d.session_id, d.stage FROM deadlines d"
            " JOIN sessions s ON s.id = d.session_id"
            " WHERE d.fired_at IS NULL AND d.due_at <= ? AND s.phase != ?"
            " AND s.paused_at IS NULL ORDER BY d.due_at",
            (now, Phase.CLOSED.value),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def reminding_sessions(self) -> list[Session]:
        """Open, running sessions with reminders on."""
        rows = self._all(
            f"SELECT {_SESSION_COLUMNS} FROM sessions"
            " WHERE phase != ? AND paused_at IS NULL AND reminders = 1",
            (Phase.CLOSED.value,),
        )
        return [_session(r) for r in rows]

    # --- series -------------------------------------------------------------------------

    def series_length(self, session_id: int) -> int:
        """How many sessions the series up to ``session_id`` holds (it included)."""
        row = self._one(f"{_EARLIER_SESSIONS} SELECT count(*) FROM earlier", (session_id,))
        return int(row[0])

    def participants(self, session_id: int) -> tuple[Participant, ...]:
        """Every participant of a session (for the invitations to its follow-up)."""
        rows = self._all(
            f"SELECT {_PARTICIPANT_COLUMNS} FROM participants WHERE session_id = ?"
            " ORDER BY joined_at",
            (session_id,),
        )
        return tuple(_participant(r) for r in rows)

    def earlier_table_pairs(self, session: Session) -> frozenset[frozenset[int]]:
        """The pairs of people who sat at one table (seated for good) in a session before
        ``session`` in its series, following ``previous_id`` back."""
        if session.previous_id is None:
            return frozenset()
        rows = self._all(
            f"{_EARLIER_SESSIONS} SELECT DISTINCT a.user_id, b.user_id FROM earlier e"
            " JOIN tables t ON t.session_id = e.id"
            " JOIN participants a ON a.session_id = t.session_id AND a.table_number = t.number"
            " JOIN participants b ON b.session_id = t.session_id AND b.table_number = t.number"
            " AND b.user_id > a.user_id",
            (session.previous_id,),
        )
        return frozenset(frozenset(row) for row in rows)

    def earlier_top(self, session: Session, user_id: int) -> EarlierTop | None:
        """The person's top in the most recent session before ``session`` in its series in
        which they had one: revised after the stories if they answered, else as chosen."""
        if session.previous_id is None:
            return None
        rows = self._all(
            f"{_EARLIER_SESSIONS}, kept AS ("
            " SELECT e.depth, s.id, s.deck_id, 0 AS source, r.rank, r.card_id FROM earlier e"
            " JOIN sessions s ON s.id = e.id JOIN revised_tops r ON r.session_id = e.id"
            " WHERE r.user_id = ?"
            " UNION ALL"
            " SELECT e.depth, s.id, s.deck_id, 1 AS source, t.rank, t.card_id FROM earlier e"
            " JOIN sessions s ON s.id = e.id JOIN tops t ON t.session_id = e.id"
            " WHERE t.user_id = ?)"
            " SELECT id, deck_id, card_id FROM kept"
            " WHERE (depth, source) = (SELECT depth, source FROM kept ORDER BY depth, source"
            " LIMIT 1) ORDER BY rank",
            (session.previous_id, user_id, user_id),
        )
        if not rows:
            return None
        return EarlierTop(rows[0][0], rows[0][1], tuple(row[2] for row in rows))

    # --- writes -------------------------------------------------------------------------

    def apply(self, changes: Iterable[Change], at: float | None = None) -> None:
        """Save ``changes``, made by an event at ``at`` (when a person's step changes, the
        time is kept: reminders wait a day from then)."""
        for change in changes:
            if isinstance(change, SaveRating):
                self._db.execute(
                    "INSERT INTO ratings (session_id, user_id, lens_id, card_id, level, position,"
                    " rated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (session_id, user_id, lens_id, card_id)"
                    " DO UPDATE SET level = excluded.level, rated_at = excluded.rated_at",
                    (
                        change.session_id,
                        change.user_id,
                        change.lens_id,
                        change.card_id,
                        change.level,
                        change.position,
                        change.at,
                    ),
                )
            elif isinstance(change, DeleteRating):
                self._db.execute(
                    "DELETE FROM ratings WHERE session_id = ? AND user_id = ? AND lens_id = ?"
                    " AND card_id = ?",
                    (change.session_id, change.user_id, change.lens_id, change.card_id),
                )
            elif isinstance(change, SaveParticipant):
                self._save_participant(change.participant, at)
            elif isinstance(change, SaveSession):
                self._save_session(change.session)
            elif isinstance(change, SaveTable):
                t = change.table
                self._db.execute(
                    "INSERT INTO tables (session_id, number, stage, round, agreed, outcome, note)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, number) DO UPDATE"
                    " SET stage = excluded.stage, round = excluded.round,"
                    " agreed = excluded.agreed, outcome = excluded.outcome, note = excluded.note",
                    (
                        t.session_id,
                        t.number,
                        t.stage.value,
                        t.round,
                        ",".join(t.agreed),
                        t.outcome,
                        t.note,
                    ),
                )
            elif isinstance(change, SaveVote):
                self._db.execute(
                    "INSERT OR REPLACE INTO ballots (session_id, user_id, round, voted_at)"
                    " VALUES (?, ?, ?, ?)",
                    (change.session_id, change.user_id, change.round, change.at),
                )
                self._db.execute(
                    "DELETE FROM votes WHERE session_id = ? AND user_id = ? AND round = ?",
                    (change.session_id, change.user_id, change.round),
                )
                self._db.executemany(
                    "INSERT INTO votes (session_id, user_id, round, card_id, voted_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [
                        (change.session_id, change.user_id, change.round, c, change.at)
                        for c in change.cards
                    ],
                )
            elif isinstance(change, SaveStory):
                self._db.execute(
                    "INSERT INTO stories (session_id, user_id, card_id, text, told_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, user_id, card_id)"
                    " DO UPDATE SET text = excluded.text, told_at = excluded.told_at",
                    (change.session_id, change.user_id, change.card_id, change.text, change.at),
                )
            elif isinstance(change, SaveRevisedTop):
                self._save_top(
                    "revised_tops", change.session_id, change.user_id, change.cards, change.at
                )
            elif isinstance(change, DeleteSession):
                self._delete_session(change.session_id)
            elif isinstance(change, ForgetPerson):
                self._forget(change.user_id)
            elif isinstance(change, SaveTop):
                self._save_top("tops", change.session_id, change.user_id, change.cards, change.at)
            elif isinstance(change, SaveDeadline):
                d = change.deadline
                self._db.execute(
                    "INSERT INTO deadlines (session_id, stage, due_at, fired_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (session_id, stage)"
                    " DO UPDATE SET due_at = excluded.due_at, fired_at = excluded.fired_at",
                    (d.session_id, d.stage, d.due_at, d.fired_at),
                )
            elif isinstance(change, DeleteDeadline):
                self._db.execute(
                    "DELETE FROM deadlines WHERE session_id = ? AND stage = ?",
                    (change.session_id, change.stage),
                )
            elif isinstance(change, SaveReminded):
                self._db.execute(
                    "UPDATE participants SET reminded_at = ? WHERE session_id = ? AND user_id = ?",
                    (change.at, change.session_id, change.user_id),
                )
            elif isinstance(change, MarkSimulated):
                self._db.execute(
                    "INSERT OR IGNORE INTO simulated_participants"
                    " (session_id, user_id, profile_seed) VALUES (?, ?, ?)",
                    (change.session_id, change.user_id, change.profile_seed),
                )
            else:  # pragma: no cover - the Change union is closed
                raise TypeError(f"unknown change {change!r}")

    def _save_top(
        self, table: str, session_id: int, user_id: int, cards: tuple[str, ...], at: float
    ) -> None:
        self._db.execute(
            f"DELETE FROM {table} WHERE session_id = ? AND user_id = ?",
            (session_id, user_id),
        )
        self._db.executemany(
            f"INSERT INTO {table} (session_id, user_id, rank, card_id, chosen_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(session_id, user_id, rank, card, at) for rank, card in enumerate(cards, start=1)],
        )

    def _forget(self, user_id: int) -> None:
        """Delete a person's rows: participations (their ratings and tops go with them by
        cascade), their events, their private chat's outbox and screen.

        ``secure_delete`` makes SQLite overwrite the deleted bytes with zeros (many builds
        have it on by default, not all); ``Store.erase_traces`` then clears the WAL."""
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute("DELETE FROM participants WHERE user_id = ?", (user_id,))
        self._db.execute("DELETE FROM events WHERE user_id = ?", (user_id,))
        # Delivered messages to others may quote them (relayed texts, stories): all go.
        self._db.execute("DELETE FROM outbox WHERE delivered_at IS NOT NULL")
        self._db.execute("DELETE FROM message_slots WHERE chat_id = ?", (user_id,))

    def _delete_session(self, session_id: int) -> None:
        """Delete a session; its participants, ratings and tops go with it by cascade (their
        bytes overwritten, see ``_forget``)."""
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        self._db.execute("DELETE FROM events WHERE session_id = ?", (session_id,))
        self._db.execute("DELETE FROM message_slots WHERE slot LIKE ?", (f"%:{session_id}",))

    def participation_count(self, user_id: int) -> int:
        row = self._one("SELECT count(*) FROM participants WHERE user_id = ?", (user_id,))
        return int(row[0])

    def _save_session(self, s: Session) -> None:
        self._db.execute(
            f"INSERT INTO sessions ({_SESSION_COLUMNS})"
            f" VALUES ({', '.join('?' * 22)})"
            " ON CONFLICT (id) DO UPDATE SET deck_id = excluded.deck_id,"
            " locale = excluded.locale, phase = excluded.phase,"
            " sort_on_join = excluded.sort_on_join,"
            " profile_questions = excluded.profile_questions,"
            " table_size = excluded.table_size, late_joins = excluded.late_joins,"
            " rooms = excluded.rooms, dilemma_index = excluded.dilemma_index,"
            " vote_rule = excluded.vote_rule, max_rounds = excluded.max_rounds,"
            " paused_at = excluded.paused_at, time_zone = excluded.time_zone,"
            " waking_from = excluded.waking_from, waking_until = excluded.waking_until,"
            " reminders = excluded.reminders",
            (
                s.id,
                s.group_chat_id,
                s.deck_id,
                s.locale,
                s.phase.value,
                s.join_code,
                s.created_by,
                s.created_at,
                int(s.sort_on_join),
                int(s.profile_questions),
                s.table_size,
                int(s.late_joins),
                s.rooms,
                s.dilemma_index,
                s.vote_rule,
                s.max_rounds,
                s.paused_at,
                s.time_zone,
                s.waking_from,
                s.waking_until,
                int(s.reminders),
                s.previous_id,
            ),
        )

    def _save_participant(self, p: Participant, at: float | None) -> None:
        self._db.execute(
            f"INSERT INTO participants ({_PARTICIPANT_COLUMNS}, step_since)"
            f" VALUES ({', '.join('?' * 21)})"
            " ON CONFLICT (session_id, user_id) DO UPDATE SET chat_id = excluded.chat_id,"
            " name = excluded.name, locale = excluded.locale, step = excluded.step,"
            " lens_index = excluded.lens_index, paused = excluded.paused,"
            " age_band = excluded.age_band, organisation = excluded.organisation,"
            " selection = excluded.selection, moving = excluded.moving,"
            " unreachable = excluded.unreachable, table_number = excluded.table_number,"
            " story_card = excluded.story_card, revision = excluded.revision,"
            " round_choice = excluded.round_choice, muted = excluded.muted,"
            " step_since = CASE WHEN participants.step = excluded.step"
            " THEN participants.step_since ELSE excluded.step_since END",
            (
                p.session_id,
                p.user_id,
                p.chat_id,
                p.name,
                p.locale,
                p.step.value,
                p.order_seed,
                p.joined_at,
                p.lens_index,
                int(p.paused),
                p.age_band,
                p.organisation,
                ",".join(p.selection),
                p.moving,
                int(p.unreachable),
                p.table_number,
                p.story_card,
                p.revision,
                p.round_choice,
                int(p.muted),
                at,
            ),
        )

    # --- the outbox ---------------------------------------------------------------------

    def enqueue(self, effects: Iterable[Effect], at: float) -> int:
        rows = [(at, e.chat_id, type(e).__name__, encode(e)) for e in effects]
        self._db.executemany(
            "INSERT INTO outbox (created_at, chat_id, kind, payload) VALUES (?, ?, ?, ?)", rows
        )
        return len(rows)

    def chats_with_pending_effects(self) -> list[tuple[int, float]]:
        """(chat id, when its oldest undelivered effect may be tried) per chat."""
        rows = self._all(
            "SELECT chat_id, not_before FROM outbox o WHERE delivered_at IS NULL"
            " AND failed IS NULL AND id = (SELECT min(id) FROM outbox i"
            " WHERE i.chat_id = o.chat_id AND delivered_at IS NULL AND failed IS NULL)"
        )
        return [(r[0], r[1]) for r in rows]

    def pending_effects(self, chat_id: int, limit: int) -> list[OutboxRow]:
        """A chat's undelivered effects in the order they were written."""
        rows = self._all(
            "SELECT id, chat_id, kind, payload, attempts, not_before, steps_done, sent_message_id"
            " FROM outbox"
            " WHERE chat_id = ? AND delivered_at IS NULL AND failed IS NULL ORDER BY id LIMIT ?",
            (chat_id, limit),
        )
        return [OutboxRow(*r) for r in rows]

    def mark_delivered(self, effect_id: int, at: float) -> None:
        self._db.execute("UPDATE outbox SET delivered_at = ? WHERE id = ?", (at, effect_id))

    def mark_steps_done(self, effect_id: int, steps: int, message_id: int | None) -> None:
        """The first ``steps`` Bot API calls of an effect went out (one of them sent
        ``message_id``, if not None): they are not to be made again."""
        self._db.execute(
            "UPDATE outbox SET steps_done = ?, sent_message_id = ? WHERE id = ?",
            (steps, message_id, effect_id),
        )

    def mark_failed(self, effect_id: int, reason: str) -> None:
        self._db.execute("UPDATE outbox SET failed = ? WHERE id = ?", (reason, effect_id))

    def postpone(self, effect_id: int, not_before: float) -> None:
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ? WHERE id = ?",
            (not_before, effect_id),
        )

    def prune(self, before: float) -> int:
        """Forget delivered messages and handled update ids older than ``before``: they
        are only needed for a short while, and messages hold personal data."""
        cur = self._db.execute(
            "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?", (before,)
        )
        self._db.execute("DELETE FROM processed_updates WHERE at < ?", (before,))
        return cur.rowcount

    def pending_count(self) -> int:
        row = self._one("SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed IS NULL")
        return int(row[0])

    def slot_message(self, chat_id: int, slot: str) -> int | None:
        row = self._one(
            "SELECT message_id FROM message_slots WHERE chat_id = ? AND slot = ?", (chat_id, slot)
        )
        return int(row[0]) if row else None

    def slot_messages(self, chat_id: int) -> dict[str, int]:
        """Every slot of a chat: slot -> message id."""
        rows = self._all("SELECT slot, message_id FROM message_slots WHERE chat_id = ?", (chat_id,))
        return {r[0]: int(r[1]) for r in rows}

    def set_slot_message(self, chat_id: int, slot: str, message_id: int) -> None:
        self._db.execute(
            "INSERT INTO message_slots (chat_id, slot, message_id) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id, slot) DO UPDATE SET message_id = excluded.message_id",
            (chat_id, slot, message_id),
        )

    # --- uploaded decks -----------------------------------------------------------------

    def save_uploaded_deck(
        self, deck_id: str, owner_id: int, filename: str, content: bytes, at: float
    ) -> None:
        self._db.execute(
            "INSERT INTO uploaded_decks (deck_id, owner_id, filename, content, uploaded_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (deck_id) DO UPDATE SET"
            " owner_id = excluded.owner_id, filename = excluded.filename,"
            " content = excluded.content, uploaded_at = excluded.uploaded_at",
            (deck_id, owner_id, filename, content, at),
        )

    def uploaded_decks(self) -> list[tuple[str, int, str, bytes]]:
        rows = self._all(
            "SELECT deck_id, owner_id, filename, content FROM uploaded_decks ORDER BY deck_id"
        )
        return [(r[0], r[1], r[2], bytes(r[3])) for r in rows]

    def rows(self, sql: str, params: Mapping[str, Any] | Iterable[Any] = ()) -> list[Any]:
        """A read-only query for tests and exports (``SELECT`` only)."""
        if not sql.lstrip().upper().startswith("SELECT"):
            raise StoreError("Transaction.rows only runs SELECT statements.")
        cursor = self._db.execute(sql, params if isinstance(params, Mapping) else tuple(params))
        return cursor.fetchall()
