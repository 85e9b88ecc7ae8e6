"""Reads of the workshop's records: sessions, participants, tables, tops, deadlines,
series, and the rows of an export.

Owns: the queries that load what an event touches (only those rows). Must not: write.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.store.rows import (
    EARLIER_SESSIONS,
    PARTICIPANT_COLUMNS,
    SESSION_COLUMNS,
    Base,
    participant_from_row,
    session_from_row,
)
from conversations.deck import Deck
from conversations.model import (
    Deadline,
    EarlierTop,
    Mate,
    Participant,
    RosterEntry,
    Session,
    Step,
    Straggler,
    Table,
    TableStage,
    TableView,
)
from conversations.phases import Phase, Stage
from conversations.plenary_figures import PersonFacts
from conversations.progress import Done, Tally
from conversations.vote_count import OutcomeKind


class Reads(Base):
    """The queries that load records."""

    def next_session_id(self) -> int:
        row = self._one("SELECT coalesce(max(id), 0) + 1 FROM sessions")
        return int(row[0])

    def open_session_of_group(self, group_chat_id: int) -> Session | None:
        row = self._one(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE group_chat_id = ? AND phase != ?",
            (group_chat_id, Phase.CLOSED.value),
        )
        return session_from_row(row) if row else None

    def latest_session_of_group(self, group_chat_id: int) -> Session | None:
        row = self._one(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE group_chat_id = ?"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (group_chat_id,),
        )
        return session_from_row(row) if row else None

    def latest_group_started_by(self, user_id: int) -> int | None:
        """The group of the latest session ``user_id`` started (``/newsession``,
        ``/followup``)."""
        row = self._one(
            "SELECT group_chat_id FROM sessions WHERE created_by = ?"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (user_id,),
        )
        return int(row[0]) if row else None

    def session(self, session_id: int) -> Session | None:
        row = self._one(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
        return session_from_row(row) if row else None

    def session_groups(self, limit: int) -> list[int]:
        rows = self._all(
            "SELECT group_chat_id FROM sessions GROUP BY group_chat_id"
            " ORDER BY max(created_at) DESC LIMIT ?",
            (limit,),
        )
        return [r[0] for r in rows]

    def session_by_code(self, join_code: str) -> Session | None:
        row = self._one(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE join_code = ?", (join_code,))
        return session_from_row(row) if row else None

    def tally(self, session_id: int) -> Tally:
        """How many participants are in each step and sorting each lens."""
        by_step = {
            Step(step): n
            for step, n in self._all(
                "SELECT step, count(*) FROM participants WHERE session_id = ? GROUP BY step",
                (session_id,),
            )
        }
        sorting_by_lens = dict(
            self._all(
                "SELECT lens_index, count(*) FROM participants"
                " WHERE session_id = ? AND step IN (?, ?) GROUP BY lens_index",
                (session_id, Step.SORTING.value, Step.REVIEW.value),
            )
        )
        unreachable = self._one(
            "SELECT count(*) FROM participants WHERE session_id = ? AND unreachable",
            (session_id,),
        )
        simulated = len(self.simulated_people(session_id))
        return Tally(by_step, sorting_by_lens, int(unreachable[0]), simulated)

    def participant(self, session_id: int, user_id: int) -> Participant | None:
        row = self._one(
            f"SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE session_id = ? AND user_id = ?",
            (session_id, user_id),
        )
        return participant_from_row(row) if row else None

    def current_participation(self, user_id: int) -> Participant | None:
        """The person's participation in their most recently joined open session."""
        row = self._one(
            f"SELECT {', '.join('p.' + c.strip() for c in PARTICIPANT_COLUMNS.split(','))}"
            " FROM participants p JOIN sessions s ON s.id = p.session_id"
            " WHERE p.user_id = ? AND s.phase != ? ORDER BY p.joined_at DESC LIMIT 1",
            (user_id, Phase.CLOSED.value),
        )
        return participant_from_row(row) if row else None

    def stragglers(self, session_id: int, steps: Iterable[Step]) -> tuple[Straggler, ...]:
        """Everyone in one of ``steps``, with their last reminder and when they last
        moved: their last answer, or when the session put them in their step."""
        wanted = [step.value for step in steps]
        columns = ", ".join("p." + c.strip() for c in PARTICIPANT_COLUMNS.split(","))
        rows = self._all(
            f"SELECT {columns}, p.reminded_at, max(coalesce(p.step_since, p.joined_at),"
            " coalesce((SELECT max(e.at) FROM events e"
            " WHERE e.session_id = p.session_id AND e.user_id = p.user_id), 0))"
            f" FROM participants p WHERE p.session_id = ? AND p.step IN"
            f" ({', '.join('?' * len(wanted))}) ORDER BY p.name, p.user_id",
            (session_id, *wanted),
        )
        width = len(PARTICIPANT_COLUMNS.split(","))
        return tuple(
            Straggler(participant_from_row(r), active_at=r[width + 1], reminded_at=r[width])
            for r in rows
        )

    def roster(self, session_id: int) -> tuple[RosterEntry, ...]:
        """Every participant, by name, with their cards rated per lens and when they last
        moved (their last answer, or when they came to their step)."""
        rated: dict[int, dict[str, int]] = {}
        for user_id, lens_id, count in self._all(
            "SELECT user_id, lens_id, count(*) FROM ratings WHERE session_id = ?"
            " GROUP BY user_id, lens_id",
            (session_id,),
        ):
            rated.setdefault(user_id, {})[lens_id] = count
        columns = ", ".join("p." + c.strip() for c in PARTICIPANT_COLUMNS.split(","))
        rows = self._all(
            f"SELECT {columns}, max(coalesce(p.step_since, p.joined_at),"
            " coalesce((SELECT max(e.at) FROM events e"
            " WHERE e.session_id = p.session_id AND e.user_id = p.user_id), 0))"
            " FROM participants p WHERE p.session_id = ? ORDER BY p.name, p.user_id",
            (session_id,),
        )
        width = len(PARTICIPANT_COLUMNS.split(","))
        return tuple(
            RosterEntry(participant_from_row(r), rated.get(r[1], {}), active_at=r[width])
            for r in rows
        )

    def waiting_participants(self, session_id: int) -> tuple[Participant, ...]:
        rows = self._all(
            f"SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE session_id = ? AND step = ?"
            " ORDER BY joined_at",
            (session_id, Step.WAITING.value),
        )
        return tuple(participant_from_row(r) for r in rows)

    def stories(self, session_id: int, user_id: int) -> dict[str, str]:
        rows = self._all(
            "SELECT card_id, text FROM stories WHERE session_id = ? AND user_id = ?"
            " ORDER BY told_at",
            (session_id, user_id),
        )
        return {r[0]: r[1] for r in rows}

    def story_counts(self, session_id: int) -> dict[int, int]:
        """Table number -> the stories told by the people seated there."""
        rows = self._all(
            "SELECT p.table_number, COUNT(*) FROM stories s JOIN participants p"
            " ON p.session_id = s.session_id AND p.user_id = s.user_id"
            " WHERE s.session_id = ? AND p.table_number IS NOT NULL GROUP BY p.table_number",
            (session_id,),
        )
        return {number: count for number, count in rows}

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
            participant_from_row(r)
            for r in self._all(
                f"SELECT {PARTICIPANT_COLUMNS} FROM participants"
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
                OutcomeKind(outcome) if outcome is not None else None,
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

    def done_with_sorting(self, session_id: int, lens_id: str) -> tuple[Done, ...]:
        """Everyone done with the sort (``Step.DONE``), with their levels in ``lens_id``
        and their top."""
        rows = self._all(
            f"SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE session_id = ? AND step = ?"
            " ORDER BY joined_at",
            (session_id, Step.DONE.value),
        )
        people = [participant_from_row(r) for r in rows]
        levels: dict[int, dict[str, int]] = {}
        for user_id, card_id, level in self._all(
            "SELECT r.user_id, r.card_id, r.level FROM ratings r JOIN participants p"
            " ON p.session_id = r.session_id AND p.user_id = r.user_id"
            " WHERE r.session_id = ? AND r.lens_id = ? AND p.step = ?",
            (session_id, lens_id, Step.DONE.value),
        ):
            levels.setdefault(user_id, {})[card_id] = level
        tops = self._tops_of(session_id, "step = ?", (Step.DONE.value,))
        return tuple((p, levels.get(p.user_id, {}), tops.get(p.user_id, ())) for p in people)

    def export_rows(self, session_id: int) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of one session, per kind, for the facilitator's export; each row
        starts with the person's user id (a table's number for ``outcomes``) and ends
        with its time, where it has one."""
        queries = {
            "participants": "SELECT user_id, name, organisation, age_band, step, table_number,"
            " revision, unreachable, lens_index, joined_at FROM participants"
            " WHERE session_id = ? ORDER BY joined_at",
            "ratings": "SELECT user_id, lens_id, card_id, level, position, rated_at FROM ratings"
            " WHERE session_id = ? ORDER BY user_id, lens_id, position",
            "tops_before": "SELECT user_id, rank, card_id, chosen_at FROM tops"
            " WHERE session_id = ? ORDER BY user_id, rank",
            "tops_after": "SELECT user_id, rank, card_id, chosen_at FROM revised_tops"
            " WHERE session_id = ? ORDER BY user_id, rank",
            "stories": "SELECT user_id, card_id, text, told_at FROM stories WHERE session_id = ?"
            " ORDER BY user_id, told_at",
            "votes": "SELECT v.user_id, p.table_number, v.round, v.card_id, v.voted_at FROM votes v"
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

    def deadlines(self, session_id: int) -> tuple[Deadline, ...]:
        rows = self._all(
            "SELECT session_id, stage, due_at, fired_at FROM deadlines WHERE session_id = ?",
            (session_id,),
        )
        return tuple(Deadline(row[0], Stage(row[1]), row[2], row[3]) for row in rows)

    def due_deadlines(self, now: float) -> list[tuple[int, int, Stage]]:
        """(group chat, session, stage) of every pending deadline that is due, earliest
        first, in open sessions that are not paused."""
        rows = self._all(
            "SELECT s.group_chat_id, d.session_id, d.stage FROM deadlines d"
            " JOIN sessions s ON s.id = d.session_id"
            " WHERE d.fired_at IS NULL AND d.due_at <= ? AND s.phase != ?"
            " AND s.paused_at IS NULL ORDER BY d.due_at",
            (now, Phase.CLOSED.value),
        )
        return [(r[0], r[1], Stage(r[2])) for r in rows]

    def reminding_sessions(self) -> list[Session]:
        """Open, running sessions with reminders on."""
        rows = self._all(
            f"SELECT {SESSION_COLUMNS} FROM sessions"
            " WHERE phase != ? AND paused_at IS NULL AND reminders = 1",
            (Phase.CLOSED.value,),
        )
        return [session_from_row(r) for r in rows]

    def series_length(self, session_id: int) -> int:
        """How many sessions the series up to ``session_id`` holds (it included)."""
        row = self._one(f"{EARLIER_SESSIONS} SELECT count(*) FROM earlier", (session_id,))
        return int(row[0])

    def earlier_sessions(self, session: Session) -> tuple[Session, ...]:
        """The sessions before ``session`` in its series, following ``previous_id`` back,
        oldest first."""
        if session.previous_id is None:
            return ()
        rows = self._all(
            f"{EARLIER_SESSIONS} SELECT {SESSION_COLUMNS} FROM sessions"
            " WHERE id IN (SELECT id FROM earlier)"
            " ORDER BY (SELECT depth FROM earlier WHERE earlier.id = sessions.id) DESC",
            (session.previous_id,),
        )
        return tuple(session_from_row(r) for r in rows)

    def participants(self, session_id: int) -> tuple[Participant, ...]:
        """Every participant of a session (for the invitations to its follow-up)."""
        rows = self._all(
            f"SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE session_id = ?"
            " ORDER BY joined_at",
            (session_id,),
        )
        return tuple(participant_from_row(r) for r in rows)

    def earlier_table_pairs(self, session: Session) -> frozenset[frozenset[int]]:
        """The pairs of people who sat at one table (seated for good) in a session before
        ``session`` in its series, following ``previous_id`` back."""
        if session.previous_id is None:
            return frozenset()
        rows = self._all(
            f"{EARLIER_SESSIONS} SELECT DISTINCT a.user_id, b.user_id FROM earlier e"
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
            f"{EARLIER_SESSIONS}, kept AS ("
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
