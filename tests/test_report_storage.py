"""The report's reads: one group's graded answers only, and its history moving with it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.reports.facts import Answered
from storage.db import connect
from storage.records import iso
from storage.reports import ReportRepository
from storage.transactions import Transactions

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
CLASS, OTHER, SUPER = -10, -20, -1000010


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    conn = await connect(tmp_path / "q.sqlite3")
    yield conn
    await conn.close()


async def _fill(db: aiosqlite.Connection) -> None:
    """Three students in CLASS (two by challenge, one by question of the day), one elsewhere."""
    at = iso(NOW)
    for user, name in ((1, "Ana"), (2, "Ben"), (3, "Cat"), (4, "Dev")):
        await db.execute(
            "INSERT INTO users(id, first_name, created_at, day_streak, last_day)"
            " VALUES (?, ?, ?, ?, ?)",
            (user, name, at, user, "2026-11-03"),
        )
    for challenge, chat in ((1, CLASS), (2, OTHER)):
        await db.execute(
            "INSERT INTO challenges(id, chat_id, token, starter_id, mode, questions, seconds,"
            " started_at) VALUES (?, ?, 't', 1, 'text', '[]', 30, ?)",
            (challenge, chat, at),
        )
    played = [
        (1, 0, 1, CLASS),
        (1, 0, 2, CLASS),
        (1, 1, 1, CLASS),
        (2, 0, 4, OTHER),
        (2, 0, 1, OTHER),
    ]
    for challenge, position, user, chat in played:
        await db.execute(
            "INSERT INTO challenge_answers VALUES (?, ?, ?, ?, 'correct', 0, 1.0, ?)",
            (challenge, position, user, chat, at),
        )
    await db.execute(
        "INSERT INTO daily_schedules(id, chat_id, at, zone, days, created_by, created_at)"
        " VALUES (1, ?, '08:30', 'UTC', '0123456', 1, ?)",
        (CLASS, at),
    )
    await db.execute(
        "INSERT INTO daily_posts(id, schedule_id, chat_id, day, question, topic, deadline)"
        " VALUES (1, 1, ?, '2026-11-04', 'b:q9', 'fall', ?)",
        (CLASS, at),
    )
    await db.execute(
        "INSERT INTO daily_answers VALUES (1, 3, 'x', 'wrong', ?)", (iso(NOW - timedelta(days=9)),)
    )
    log = [
        (1, CLASS, "q1", "space", "correct", NOW - timedelta(hours=2)),
        (1, CLASS, "q1", "space", "typo", NOW - timedelta(hours=1)),
        (2, CLASS, "q1", "space", "partial", NOW - timedelta(hours=3)),
        (1, CLASS, "q2", "space", "almost", NOW),  # a near miss's retry: not an answer
        (1, 1, "q2", "space", "wrong", NOW),  # private practice
        (3, CLASS, "q9", "fall", "wrong", NOW - timedelta(days=9)),
        (4, OTHER, "q1", "space", "wrong", NOW),  # another class
        (1, OTHER, "q1", "space", "wrong", NOW),  # the same student in another class
    ]
    for user, chat, question, topic, verdict, when in log:
        await db.execute(
            "INSERT INTO answers(user_id, chat_id, bank, question_id, topic, typed, verdict,"
            " answered_at) VALUES (?, ?, 'b', ?, ?, 'x', ?, ?)",
            (user, chat, question, topic, verdict, iso(when)),
        )
    await db.commit()


async def test_a_class_record_holds_only_that_groups_graded_answers(
    db: aiosqlite.Connection,
) -> None:
    await _fill(db)
    repo = ReportRepository(Transactions(db))

    record = await repo.class_record(CLASS, since=NOW - timedelta(days=1))

    tallies = sorted((t.user_id, t.key, t.topic, t.answered, t.right) for t in record.tallies)
    assert tallies == [
        (1, "b:q1", "space", 2, 2),
        (2, "b:q1", "space", 1, 0),
        (3, "b:q9", "fall", 1, 0),
    ]
    ana = next(t for t in record.tallies if t.user_id == 1)
    assert ana.last_at == NOW - timedelta(hours=1)
    assert sorted(record.recent, key=lambda a: a.at) == [
        Answered(2, NOW - timedelta(hours=3)),
        Answered(1, NOW - timedelta(hours=2)),
        Answered(1, NOW - timedelta(hours=1)),
    ]
    assert sorted((s.user_id, s.first_name, s.daily.days) for s in record.students) == [
        (1, "Ana", 1),
        (2, "Ben", 2),
        (3, "Cat", 3),
    ]
    empty = await repo.class_record(-999, since=NOW)
    assert empty.students == empty.tallies == empty.recent == ()


async def test_moving_to_a_supergroup_takes_the_answers_along(db: aiosqlite.Connection) -> None:
    await _fill(db)
    repo = ReportRepository(Transactions(db))
    # The challenge has moved already; the question of the day not yet.
    await db.execute("UPDATE challenge_answers SET chat_id = ? WHERE chat_id = ?", (SUPER, CLASS))
    await db.commit()

    await repo.move_chat(CLASS, SUPER)
    await db.execute("UPDATE daily_posts SET chat_id = ? WHERE chat_id = ?", (SUPER, CLASS))
    await db.commit()

    moved = await repo.class_record(SUPER, since=NOW - timedelta(days=30))
    assert sum(t.answered for t in moved.tallies) == 4
    assert len(moved.recent) == 4
    assert (await repo.class_record(CLASS, since=NOW)).tallies == ()
    other = await repo.class_record(OTHER, since=NOW - timedelta(days=1))
    assert sorted(t.user_id for t in other.tallies) == [1, 4]
