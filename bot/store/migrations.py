"""Numbered schema migrations, applied in order and recorded in ``schema_migrations``.

Owns: the database schema. A migration, once released, never changes: a change to the
schema is a new migration at the end of ``MIGRATIONS``. Must not: hold queries.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "initial",
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            group_chat_id INTEGER NOT NULL,
            deck_id TEXT NOT NULL,
            locale TEXT NOT NULL,
            phase TEXT NOT NULL,
            join_code TEXT NOT NULL UNIQUE,
            sort_on_join INTEGER NOT NULL,
            profile_questions INTEGER NOT NULL,
            created_by INTEGER NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE UNIQUE INDEX sessions_one_open_per_group
            ON sessions (group_chat_id) WHERE phase != 'closed';

        CREATE TABLE participants (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            chat_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            locale TEXT NOT NULL,
            step TEXT NOT NULL,
            order_seed INTEGER NOT NULL,
            joined_at REAL NOT NULL,
            lens_index INTEGER NOT NULL DEFAULT 0,
            paused INTEGER NOT NULL DEFAULT 0,
            age_band TEXT,
            organisation TEXT,
            selection TEXT NOT NULL DEFAULT '',
            moving TEXT,
            unreachable INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (session_id, user_id)
        );
        CREATE INDEX participants_by_user ON participants (user_id);
        CREATE INDEX participants_by_step ON participants (session_id, step);

        CREATE TABLE ratings (
            session_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            lens_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
            position INTEGER NOT NULL,
            rated_at REAL NOT NULL,
            PRIMARY KEY (session_id, user_id, lens_id, card_id),
            FOREIGN KEY (session_id, user_id)
                REFERENCES participants (session_id, user_id) ON DELETE CASCADE
        );

        CREATE TABLE tops (
            session_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            rank INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            chosen_at REAL NOT NULL,
            PRIMARY KEY (session_id, user_id, rank),
            FOREIGN KEY (session_id, user_id)
                REFERENCES participants (session_id, user_id) ON DELETE CASCADE
        );

        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            created_at REAL NOT NULL,
            chat_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            not_before REAL NOT NULL DEFAULT 0,
            delivered_at REAL,
            failed TEXT
        );
        CREATE INDEX outbox_pending_by_chat ON outbox (chat_id, id)
            WHERE delivered_at IS NULL AND failed IS NULL;

        CREATE TABLE message_slots (
            chat_id INTEGER NOT NULL,
            slot TEXT NOT NULL,
            message_id INTEGER NOT NULL,
            PRIMARY KEY (chat_id, slot)
        );

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            kind TEXT NOT NULL,
            session_id INTEGER,
            user_id INTEGER,
            payload TEXT NOT NULL
        );
        CREATE INDEX events_by_session ON events (session_id);

        CREATE TABLE processed_updates (
            update_id INTEGER PRIMARY KEY,
            at REAL NOT NULL
        );

        CREATE TABLE uploaded_decks (
            deck_id TEXT PRIMARY KEY,
            owner_id INTEGER NOT NULL,
            filename TEXT NOT NULL,
            content BLOB NOT NULL,
            uploaded_at REAL NOT NULL
        );
        """,
    ),
    (
        "tables",
        """
        ALTER TABLE sessions ADD COLUMN table_size INTEGER NOT NULL DEFAULT 4;
        ALTER TABLE sessions ADD COLUMN late_joins INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE sessions ADD COLUMN rooms TEXT;

        ALTER TABLE participants ADD COLUMN table_number INTEGER;
        ALTER TABLE participants ADD COLUMN story_card TEXT;
        ALTER TABLE participants ADD COLUMN revision TEXT;
        CREATE INDEX participants_by_table ON participants (session_id, table_number);

        CREATE TABLE tables (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            stage TEXT NOT NULL,
            thread_id INTEGER,
            PRIMARY KEY (session_id, number)
        );

        CREATE TABLE stories (
            session_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            text TEXT NOT NULL,
            told_at REAL NOT NULL,
            PRIMARY KEY (session_id, user_id, card_id),
            FOREIGN KEY (session_id, user_id)
                REFERENCES participants (session_id, user_id) ON DELETE CASCADE
        );

        CREATE TABLE revised_tops (
            session_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            rank INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            chosen_at REAL NOT NULL,
            PRIMARY KEY (session_id, user_id, rank),
            FOREIGN KEY (session_id, user_id)
                REFERENCES participants (session_id, user_id) ON DELETE CASCADE
        );
        """,
    ),
    (
        "votes",
        """
        ALTER TABLE sessions ADD COLUMN dilemma_index INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN vote_rule TEXT NOT NULL DEFAULT 'all';
        ALTER TABLE sessions ADD COLUMN max_rounds INTEGER NOT NULL DEFAULT 3;

        ALTER TABLE participants ADD COLUMN round_choice TEXT;

        ALTER TABLE tables ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tables ADD COLUMN agreed TEXT NOT NULL DEFAULT '';
        ALTER TABLE tables ADD COLUMN outcome TEXT;
        ALTER TABLE tables ADD COLUMN note TEXT;

        CREATE TABLE votes (
            session_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            round INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            voted_at REAL NOT NULL,
            PRIMARY KEY (session_id, user_id, round, card_id),
            FOREIGN KEY (session_id, user_id)
                REFERENCES participants (session_id, user_id) ON DELETE CASCADE
        );
        CREATE TABLE ballots (
            session_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            round INTEGER NOT NULL,
            voted_at REAL NOT NULL,
            PRIMARY KEY (session_id, user_id, round),
            FOREIGN KEY (session_id, user_id)
                REFERENCES participants (session_id, user_id) ON DELETE CASCADE
        );
        """,
    ),
    (
        "pacing",
        """
        ALTER TABLE sessions ADD COLUMN paused_at REAL;
        ALTER TABLE sessions ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Amsterdam';
        ALTER TABLE sessions ADD COLUMN waking_from INTEGER NOT NULL DEFAULT 9;
        ALTER TABLE sessions ADD COLUMN waking_until INTEGER NOT NULL DEFAULT 21;
        ALTER TABLE sessions ADD COLUMN reminders INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE sessions ADD COLUMN previous_id INTEGER
            REFERENCES sessions (id) ON DELETE SET NULL;

        ALTER TABLE participants ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE participants ADD COLUMN reminded_at REAL;
        ALTER TABLE participants ADD COLUMN step_since REAL;

        CREATE TABLE deadlines (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            stage TEXT NOT NULL,
            due_at REAL NOT NULL,
            fired_at REAL,
            PRIMARY KEY (session_id, stage)
        );
        CREATE INDEX deadlines_due ON deadlines (due_at) WHERE fired_at IS NULL;
        CREATE INDEX events_by_person ON events (session_id, user_id, at);
        """,
    ),
    (
        "rehearsal",
        """
        CREATE TABLE simulated_participants (
            session_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            profile_seed INTEGER NOT NULL,
            PRIMARY KEY (session_id, user_id),
            FOREIGN KEY (session_id, user_id)
                REFERENCES participants (session_id, user_id) ON DELETE CASCADE
        );
        """,
    ),
    (
        "outbox_progress",
        """
        ALTER TABLE outbox ADD COLUMN steps_done INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN sent_message_id INTEGER;
        """,
    ),
    (
        "board",
        """
        ALTER TABLE participants ADD COLUMN on_board INTEGER NOT NULL DEFAULT 0;
        """,
    ),
    (
        "slot_buttons",
        """
        ALTER TABLE message_slots ADD COLUMN buttons INTEGER NOT NULL DEFAULT 1;
        """,
    ),
    (
        "own_dilemmas",
        """
        ALTER TABLE sessions ADD COLUMN own_dilemmas TEXT NOT NULL DEFAULT '[]';
        """,
    ),
)
