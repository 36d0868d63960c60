"""Ordered, named schema migrations. Each runs in one transaction with the record that it ran.

Never edit a migration that has been released: add a new one at the end instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiosqlite

Migration = tuple[str, Callable[[aiosqlite.Connection], Awaitable[None]]]


async def _001_initial(conn: aiosqlite.Connection) -> None:
    await conn.execute(
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,              -- the Telegram user id
            first_name TEXT NOT NULL DEFAULT '',
            timezone TEXT,                       -- NULL means the bot's default zone
            active INTEGER NOT NULL DEFAULT 1,   -- 0 once they block the bot
            created_at TEXT NOT NULL,            -- UTC, ISO 8601
            answered INTEGER NOT NULL DEFAULT 0,
            correct INTEGER NOT NULL DEFAULT 0,
            streak INTEGER NOT NULL DEFAULT 0,   -- consecutive accepted answers
            best_streak INTEGER NOT NULL DEFAULT 0
        )"""
    )
    # Append-only: every graded answer and every skip, never updated or deleted by the quiz.
    await conn.execute(
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            chat_id INTEGER NOT NULL,
            bank TEXT NOT NULL,
            question_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            typed TEXT NOT NULL,
            verdict TEXT NOT NULL,
            answered_at TEXT NOT NULL
        )"""
    )
    await conn.execute("CREATE INDEX answers_by_user ON answers(user_id, answered_at)")
    # Per-topic counters kept alongside the log so /stats never scans the answers table.
    await conn.execute(
        """CREATE TABLE topic_stats (
            user_id INTEGER NOT NULL REFERENCES users(id),
            topic TEXT NOT NULL,
            answered INTEGER NOT NULL DEFAULT 0,
            correct INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, topic)
        ) WITHOUT ROWID"""
    )
    # The round a user is playing, so a restart resumes it instead of losing it.
    await conn.execute(
        """CREATE TABLE rounds (
            user_id INTEGER PRIMARY KEY REFERENCES users(id),
            chat_id INTEGER NOT NULL,
            token TEXT NOT NULL,              -- ties buttons to this round
            questions TEXT NOT NULL,          -- JSON list of bank-qualified question keys
            position INTEGER NOT NULL DEFAULT 0,
            correct INTEGER NOT NULL DEFAULT 0,
            answered INTEGER NOT NULL DEFAULT 0,
            retry_used INTEGER NOT NULL DEFAULT 0,  -- the near-miss retry is spent
            topic TEXT,
            started_at TEXT NOT NULL
        )"""
    )


async def _002_disputes(conn: aiosqlite.Connection) -> None:
    # "I was right": one dispute per answer, for the bank's owner to review.
    await conn.execute(
        """CREATE TABLE disputes (
            id INTEGER PRIMARY KEY,
            answer_id INTEGER NOT NULL UNIQUE REFERENCES answers(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            bank TEXT NOT NULL,
            question_id TEXT NOT NULL,
            typed TEXT NOT NULL,
            created_at TEXT NOT NULL,               -- UTC, ISO 8601
            status TEXT NOT NULL DEFAULT 'open'     -- open | accepted | rejected
        )"""
    )
    await conn.execute("CREATE INDEX disputes_by_question ON disputes(bank, question_id)")
    await conn.execute("CREATE INDEX disputes_by_user ON disputes(user_id)")
    # The round each answer was given in, so a dispute re-scores that round and no other.
    await conn.execute("ALTER TABLE answers ADD COLUMN round_token TEXT")


async def _003_pending_self_mark(conn: aiosqlite.Connection) -> None:
    # A mark-scheme answer waits for the student to mark it; keep it across a restart.
    await conn.execute("ALTER TABLE rounds ADD COLUMN pending TEXT")


async def _004_cards(conn: aiosqlite.Connection) -> None:
    # Spaced repetition: FSRS's state for each student and question.
    await conn.execute(
        """CREATE TABLE cards (
            user_id INTEGER NOT NULL REFERENCES users(id),
            bank TEXT NOT NULL,
            question_id TEXT NOT NULL,
            state INTEGER NOT NULL,      -- fsrs.State: 1 learning, 2 review, 3 relearning
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due TEXT NOT NULL,           -- UTC, ISO 8601
            last_review TEXT,            -- UTC, ISO 8601
            first_seen TEXT NOT NULL,    -- UTC: when the student first met the question
            PRIMARY KEY (user_id, bank, question_id)
        ) WITHOUT ROWID"""
    )
    # /review and "due today" look up one student's cards by due time.
    await conn.execute("CREATE INDEX cards_due ON cards(user_id, due)")
    # Each answer keeps the card as it was before its review ("new" for a first sight), so
    # "I was right" can replay that review as Good.
    await conn.execute("ALTER TABLE answers ADD COLUMN card_before TEXT")


# Fixed here, not imported: a migration must do the same thing forever, whatever the
# tutor's DECAY later becomes.
_RECENCY_DECAY = 0.85


async def _005_topic_recency(conn: aiosqlite.Connection) -> None:
    # Decayed answer counts per topic, for mastery that lets old misses fade.
    await conn.execute("ALTER TABLE topic_stats ADD COLUMN recent REAL NOT NULL DEFAULT 0")
    await conn.execute("ALTER TABLE topic_stats ADD COLUMN recent_correct REAL NOT NULL DEFAULT 0")
    # Earlier answers carry no order to decay by: give them the weight `answered` answers
    # reach under the decay (at most 1 / (1 - DECAY)), spread at their overall accuracy,
    # so old history cannot outweigh what the student does next.
    async with conn.execute("SELECT user_id, topic, answered, correct FROM topic_stats") as cur:
        rows = await cur.fetchall()
    for user_id, topic, answered, correct in rows:
        weight = (1 - _RECENCY_DECAY**answered) / (1 - _RECENCY_DECAY)
        await conn.execute(
            "UPDATE topic_stats SET recent = ?, recent_correct = ? WHERE user_id = ? AND topic = ?",
            (weight, weight * correct / answered if answered else 0.0, user_id, topic),
        )


async def _006_daily_streaks(conn: aiosqlite.Connection) -> None:
    # Daily streaks, counted in each student's own time zone (users.timezone).
    for column in (
        "day_streak INTEGER NOT NULL DEFAULT 0",
        "best_day_streak INTEGER NOT NULL DEFAULT 0",
        "last_day TEXT",  # the last local date that met the daily goal
        "today TEXT",  # the local date today_count counts
        "today_count INTEGER NOT NULL DEFAULT 0",
        "freezes INTEGER NOT NULL DEFAULT 0",
    ):
        await conn.execute(f"ALTER TABLE users ADD COLUMN {column}")


async def _007_challenges(conn: aiosqlite.Connection) -> None:
    # Group challenges. The running one lives here so a restart resumes it.
    await conn.execute(
        """CREATE TABLE challenges (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,            -- the group (moved if it becomes a supergroup)
            token TEXT NOT NULL,                 -- seeds the option order; tags its answers
            starter_id INTEGER NOT NULL,
            mode TEXT NOT NULL,                  -- text | poll
            questions TEXT NOT NULL,             -- JSON list of bank-qualified keys
            seconds INTEGER NOT NULL,            -- per question
            topic TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            asked_at TEXT,                       -- UTC; NULL until the question is posted
            message_id INTEGER,                  -- the posted question
            poll_id TEXT,
            status TEXT NOT NULL DEFAULT 'running',  -- running | finished | ended
            started_at TEXT NOT NULL,
            ended_at TEXT
        )"""
    )
    # One running challenge per group, enforced by the database itself.
    await conn.execute(
        "CREATE UNIQUE INDEX challenges_running ON challenges(chat_id) WHERE status = 'running'"
    )
    await conn.execute("CREATE INDEX challenges_by_poll ON challenges(poll_id)")
    # Each player's first answer to each question; the primary key makes it exactly once.
    await conn.execute(
        """CREATE TABLE challenge_answers (
            challenge_id INTEGER NOT NULL REFERENCES challenges(id),
            position INTEGER NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id),
            chat_id INTEGER NOT NULL,            -- for the group's leaderboard
            verdict TEXT NOT NULL,
            points INTEGER NOT NULL,
            seconds REAL NOT NULL,               -- from the question being posted
            answered_at TEXT NOT NULL,           -- UTC
            PRIMARY KEY (challenge_id, position, user_id)
        ) WITHOUT ROWID"""
    )
    # /leaderboard sums one group's points since a date.
    await conn.execute(
        "CREATE INDEX challenge_answers_by_chat ON challenge_answers(chat_id, answered_at)"
    )


async def _008_daily_questions(conn: aiosqlite.Connection) -> None:
    # A group's question of the day: when (wall-clock time in its zone) and on what.
    await conn.execute(
        """CREATE TABLE daily_schedules (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            at TEXT NOT NULL,                    -- HH:MM, local time in `zone`
            zone TEXT NOT NULL,
            days TEXT NOT NULL,                  -- weekday digits, Monday 0: '01234'
            topic TEXT,
            created_by INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        )"""
    )
    await conn.execute(
        "CREATE UNIQUE INDEX daily_schedules_one_per_chat ON daily_schedules(chat_id)"
        " WHERE active = 1"
    )
    # One row per schedule and local date, claimed before sending: never posted twice.
    await conn.execute(
        """CREATE TABLE daily_posts (
            id INTEGER PRIMARY KEY,
            schedule_id INTEGER NOT NULL REFERENCES daily_schedules(id),
            chat_id INTEGER NOT NULL,
            day TEXT NOT NULL,                   -- the local date it is for
            question TEXT NOT NULL,              -- bank-qualified key
            topic TEXT NOT NULL,
            deadline TEXT NOT NULL,              -- UTC
            asked_at TEXT,                       -- UTC; NULL until sent
            message_id INTEGER,
            summarised_at TEXT,
            UNIQUE (schedule_id, day)
        )"""
    )
    await conn.execute(
        "CREATE INDEX daily_posts_open ON daily_posts(summarised_at) WHERE summarised_at IS NULL"
    )
    await conn.execute(
        """CREATE TABLE daily_answers (
            post_id INTEGER NOT NULL REFERENCES daily_posts(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            typed TEXT NOT NULL,
            verdict TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (post_id, user_id)
        ) WITHOUT ROWID"""
    )


async def _009_classes(conn: aiosqlite.Connection) -> None:
    # Classes run through private chats: a teacher, a join code, and the students who joined.
    await conn.execute(
        """CREATE TABLE classes (
            id INTEGER PRIMARY KEY,
            teacher_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            code TEXT NOT NULL UNIQUE,           -- the unguessable part of the join link
            created_at TEXT NOT NULL
        )"""
    )
    await conn.execute("CREATE INDEX classes_by_teacher ON classes(teacher_id)")
    await conn.execute(
        """CREATE TABLE class_members (
            class_id INTEGER NOT NULL REFERENCES classes(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            joined_at TEXT NOT NULL,
            PRIMARY KEY (class_id, user_id)
        ) WITHOUT ROWID"""
    )
    await conn.execute("CREATE INDEX class_members_by_user ON class_members(user_id)")
    # A question sent to a class: one delivery row per student, written before sending,
    # so a restart finishes the job and nobody gets it twice.
    await conn.execute(
        """CREATE TABLE pushes (
            id INTEGER PRIMARY KEY,
            class_id INTEGER NOT NULL REFERENCES classes(id),
            question TEXT NOT NULL,
            created_by INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    await conn.execute(
        """CREATE TABLE push_deliveries (
            push_id INTEGER NOT NULL REFERENCES pushes(id),
            user_id INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | blocked | failed
            done_at TEXT,
            PRIMARY KEY (push_id, user_id)
        ) WITHOUT ROWID"""
    )
    await conn.execute(
        "CREATE INDEX push_deliveries_pending ON push_deliveries(status) WHERE status = 'pending'"
    )


async def _010_teacher_banks(conn: aiosqlite.Connection) -> None:
    # Banks teachers upload: the file as sent, checked again each time the bot starts.
    await conn.execute(
        """CREATE TABLE teacher_banks (
            bank TEXT PRIMARY KEY,               -- the bank's id, unique across all banks
            owner_id INTEGER NOT NULL,
            filename TEXT NOT NULL,
            content BLOB NOT NULL,
            questions INTEGER NOT NULL,
            uploaded_at TEXT NOT NULL
        )"""
    )


async def _011_class_daily(conn: aiosqlite.Connection) -> None:
    # A daily question sent to a class's students in private: the schedule names the class,
    # and a teacher may have one per class, so "one active per chat" becomes per class too.
    await conn.execute("ALTER TABLE daily_schedules ADD COLUMN class_id INTEGER")
    await conn.execute("DROP INDEX daily_schedules_one_per_chat")
    await conn.execute(
        "CREATE UNIQUE INDEX daily_schedules_one_per_target"
        " ON daily_schedules(chat_id, IFNULL(class_id, 0)) WHERE active = 1"
    )


async def _012_accepted_answers(conn: aiosqlite.Connection) -> None:
    # A teacher accepting a dispute: the typed answer becomes an accepted variant of the
    # question, kept apart from the bank's file (an overlay applied whenever banks load).
    await conn.execute(
        """CREATE TABLE accepted_answers (
            bank TEXT NOT NULL,
            question_id TEXT NOT NULL,
            answer TEXT NOT NULL,                -- as the student typed it
            accepted_by INTEGER NOT NULL,
            accepted_at TEXT NOT NULL,           -- UTC, ISO 8601
            PRIMARY KEY (bank, question_id, answer)
        ) WITHOUT ROWID"""
    )
    await conn.execute("ALTER TABLE disputes ADD COLUMN decided_by INTEGER")
    await conn.execute("ALTER TABLE disputes ADD COLUMN decided_at TEXT")
    # An answer a teacher's decision re-graded keeps the verdict it was first given here.
    await conn.execute("ALTER TABLE answers ADD COLUMN regraded_from TEXT")
    # Accepting re-grades every answer to one question: find them without a scan of the log.
    await conn.execute("CREATE INDEX answers_by_question ON answers(bank, question_id)")


async def _013_rows_by_user(conn: aiosqlite.Connection) -> None:
    # /mydata and /forgetme find one person's rows in every table. Without these, each
    # scanned the whole of challenge_answers (about 0.3-1 s at a million rows, holding the
    # shared connection); with them, a lookup. Group answers and deliveries pay one more
    # small index insert each; private practice, the busiest path, writes none of these.
    await conn.execute("CREATE INDEX challenge_answers_by_user ON challenge_answers(user_id)")
    await conn.execute("CREATE INDEX daily_answers_by_user ON daily_answers(user_id)")
    await conn.execute("CREATE INDEX push_deliveries_by_user ON push_deliveries(user_id)")


async def _014_push_claims_and_old_codes(conn: aiosqlite.Connection) -> None:
    # A delivery is claimed ('sending', with the time and a count of attempts) just before
    # its message goes out, so a restart can tell "never sent" from "may have arrived".
    await conn.execute("ALTER TABLE push_deliveries ADD COLUMN attempted_at TEXT")
    await conn.execute("ALTER TABLE push_deliveries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
    await conn.execute("DROP INDEX push_deliveries_pending")
    await conn.execute(
        "CREATE INDEX push_deliveries_open ON push_deliveries(status)"
        " WHERE status IN ('pending', 'sending')"
    )
    # A class's join code can be replaced; the old ones are kept so that a student opening
    # an old link hears that it expired rather than that it never existed.
    await conn.execute(
        """CREATE TABLE retired_codes (
            code TEXT PRIMARY KEY,
            class_id INTEGER NOT NULL REFERENCES classes(id),
            retired_at TEXT NOT NULL
        ) WITHOUT ROWID"""
    )


async def _015_scale_indexes(conn: aiosqlite.Connection) -> None:
    # Found by bench/storage_scale.py's query plans. A class report and a group's daily
    # topic totals look up its daily posts by chat: without this they read every post.
    await conn.execute("CREATE INDEX daily_posts_by_chat ON daily_posts(chat_id)")
    # The class totals behind mastery priors (re-read every 10 minutes) sum every
    # student's topic counters: covered, the sum reads a narrow index in topic order
    # instead of the whole table and a sort; it still grows with students x topics.
    await conn.execute("CREATE INDEX topic_stats_totals ON topic_stats(topic, answered, correct)")


MIGRATIONS: tuple[Migration, ...] = (
    ("001_initial", _001_initial),
    ("002_disputes", _002_disputes),
    ("003_pending_self_mark", _003_pending_self_mark),
    ("004_cards", _004_cards),
    ("005_topic_recency", _005_topic_recency),
    ("006_daily_streaks", _006_daily_streaks),
    ("007_challenges", _007_challenges),
    ("008_daily_questions", _008_daily_questions),
    ("009_classes", _009_classes),
    ("010_teacher_banks", _010_teacher_banks),
    ("011_class_daily", _011_class_daily),
    ("012_accepted_answers", _012_accepted_answers),
    ("013_rows_by_user", _013_rows_by_user),
    ("014_push_claims_and_old_codes", _014_push_claims_and_old_codes),
    ("015_scale_indexes", _015_scale_indexes),
)


async def migrate(conn: aiosqlite.Connection) -> list[str]:
    """Apply every migration not yet recorded, in order; return the names applied."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    applied = []
    for name, step in MIGRATIONS:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Checked under the write lock: the bot and `quizbot play` may open a new
            # database at the same moment, and only one of them may apply each step.
            async with conn.execute(
                "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
            ) as cursor:
                done = await cursor.fetchone() is not None
            if not done:
                await step(conn)
                await conn.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
        if not done:
            applied.append(name)
    return applied
