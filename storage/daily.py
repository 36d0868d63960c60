"""SQLite access for questions of the day. Each method is one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from bot.daily.posts import DailyAnswer, DailyPost
from bot.daily.schedule import Schedule
from bot.tutor.memory import CardState
from bot.tutor.rounds import AnswerRecord
from bot.tutor.streaks import DailyStreak
from quizbank.grading import Outcome
from storage.records import iso, name_player, parse, record_personal
from storage.transactions import Transactions

_POST = (
    "SELECT id, schedule_id, chat_id, day, question, deadline, asked_at, message_id"
    " FROM daily_posts"
)


class DailyRepository:
    """The `DailyStore` on SQLite, sharing the connection's transactions."""

    def __init__(self, transactions: Transactions) -> None:
        self._transaction = transactions

    async def set_schedule(self, schedule: Schedule, *, now: datetime) -> Schedule:
        """Replace the group's schedule with this one; it comes back with its id."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE daily_schedules SET active = 0 WHERE chat_id = ?"
                " AND class_id IS ? AND active = 1",
                (schedule.chat_id, schedule.class_id),
            )
            async with db.execute(
                "INSERT INTO daily_schedules(chat_id, at, zone, days, topic, created_by,"
                " created_at, class_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    schedule.chat_id,
                    schedule.at.strftime("%H:%M"),
                    schedule.zone,
                    "".join(str(d) for d in sorted(schedule.days)),
                    schedule.topic,
                    schedule.created_by,
                    iso(now),
                    schedule.class_id,
                ),
            ) as cur:
                new_id = cur.lastrowid
        assert new_id is not None
        return replace(schedule, id=new_id, created_at=now)

    async def stop_schedule(self, chat_id: int, class_id: int | None = None) -> bool:
        """Stop the group's (or the class's) schedule; False if it had none."""
        async with (
            self._transaction() as db,
            db.execute(
                "UPDATE daily_schedules SET active = 0 WHERE chat_id = ? AND class_id IS ?"
                " AND active = 1",
                (chat_id, class_id),
            ) as cur,
        ):
            return cur.rowcount > 0

    async def schedules(self) -> list[Schedule]:
        """Every active schedule."""
        async with (
            self._transaction(write=False) as db,
            db.execute(
                "SELECT id, chat_id, at, zone, days, topic, created_by, class_id, created_at"
                " FROM daily_schedules WHERE active = 1"
            ) as cur,
        ):
            rows = await cur.fetchall()
        return [
            Schedule(
                r[0],
                r[1],
                time.fromisoformat(r[2]),
                r[3],
                frozenset(int(d) for d in r[4]),
                r[5],
                r[6],
                r[7],
                parse(r[8]),
            )
            for r in rows
        ]

    async def used_questions(self, schedule_id: int) -> set[str]:
        """The questions a schedule has already posted."""
        async with (
            self._transaction(write=False) as db,
            db.execute(
                # Per group (or class), not per schedule: changing the time starts no new cycle.
                "SELECT p.question FROM daily_posts p"
                " JOIN daily_schedules s ON s.id = p.schedule_id"
                " JOIN daily_schedules mine ON mine.id = ?"
                " WHERE s.chat_id = mine.chat_id AND s.class_id IS mine.class_id",
                (schedule_id,),
            ) as cur,
        ):
            return {r[0] for r in await cur.fetchall()}

    async def topic_accuracy(self, chat_id: int) -> dict[str, tuple[int, int]]:
        """The group's (answered, right) per topic on its questions of the day."""
        async with (
            self._transaction(write=False) as db,
            db.execute(
                "SELECT p.topic, COUNT(*), SUM(a.verdict IN ('correct', 'typo'))"
                " FROM daily_answers a JOIN daily_posts p ON p.id = a.post_id"
                " WHERE p.chat_id = ? GROUP BY p.topic",
                (chat_id,),
            ) as cur,
        ):
            return {r[0]: (r[1], r[2]) for r in await cur.fetchall()}

    async def claim(
        self, schedule: Schedule, day: date, question: str, topic: str, *, deadline: datetime
    ) -> DailyPost | None:
        """Reserve the day's post before sending it; None if that day was claimed already,
        by this schedule or by an earlier one for the same group (a changed time)."""
        try:
            async with self._transaction() as db:
                async with db.execute(
                    "SELECT 1 FROM daily_posts p JOIN daily_schedules s ON s.id = p.schedule_id"
                    " WHERE s.chat_id = ? AND s.class_id IS ? AND p.day = ?",
                    (schedule.chat_id, schedule.class_id, day.isoformat()),
                ) as cur:
                    if await cur.fetchone() is not None:
                        return None
                async with db.execute(
                    "INSERT INTO daily_posts(schedule_id, chat_id, day, question, topic, deadline)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        schedule.id,
                        schedule.chat_id,
                        day.isoformat(),
                        question,
                        topic,
                        iso(deadline),
                    ),
                ) as cur:
                    post_id = cur.lastrowid
        except sqlite3.IntegrityError:
            return None  # today's is claimed: the unique (schedule, day) said so
        assert post_id is not None
        return DailyPost(post_id, schedule.id, schedule.chat_id, day, question, deadline)

    async def posted(self, post_id: int, *, message_id: int, at: datetime) -> None:
        """Record that the post went out, as which message."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE daily_posts SET message_id = ?, asked_at = ? WHERE id = ?",
                (message_id, iso(at), post_id),
            )

    async def open_posts(self) -> list[DailyPost]:
        """Posts whose summary has not been sent."""
        async with (
            self._transaction(write=False) as db,
            db.execute(_POST + " WHERE summarised_at IS NULL") as cur,
        ):
            rows = await cur.fetchall()
        return [_post(r) for r in rows]

    async def record_answer(
        self,
        post: DailyPost,
        record: AnswerRecord,
        *,
        first_name: str,
        accepted: bool,
        review: Callable[[CardState | None], CardState] | None,
        daily: Callable[[DailyStreak, str | None], DailyStreak] | None,
    ) -> bool:
        """A student's first answer to a post, also in their own record; False if repeated."""
        return await self._transaction.write(
            _record_answer, post.id, record, first_name, accepted, review, daily
        )

    async def summarise(self, post_id: int, *, at: datetime) -> list[DailyAnswer] | None:
        """Mark the post summarised and return its answers; None if it was already."""
        async with self._transaction() as db:
            async with db.execute(
                "UPDATE daily_posts SET summarised_at = ? WHERE id = ? AND summarised_at IS NULL",
                (iso(at), post_id),
            ) as cur:
                if cur.rowcount == 0:
                    return None
            async with db.execute(
                "SELECT a.user_id, u.first_name, a.typed, a.verdict FROM daily_answers a"
                " JOIN users u ON u.id = a.user_id WHERE a.post_id = ? ORDER BY a.answered_at",
                (post_id,),
            ) as cur:
                rows = await cur.fetchall()
        return [DailyAnswer(r[0], r[1], r[2], Outcome(r[3])) for r in rows]

    async def move_chat(self, old: int, new: int) -> None:
        """A group became a supergroup: its schedule and posts now belong to `new`."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE daily_schedules SET active = 0 WHERE chat_id = ? AND active = 1"
                " AND class_id IS NULL AND EXISTS (SELECT 1 FROM daily_schedules"
                " WHERE chat_id = ? AND active = 1 AND class_id IS NULL)",
                (old, new),
            )
            await db.execute(
                "UPDATE daily_schedules SET chat_id = ? WHERE chat_id = ? AND class_id IS NULL",
                (new, old),
            )
            await db.execute("UPDATE daily_posts SET chat_id = ? WHERE chat_id = ?", (new, old))


def _post(row: Any) -> DailyPost:
    return DailyPost(
        id=row[0],
        schedule_id=row[1],
        chat_id=row[2],
        day=date.fromisoformat(row[3]),
        question=row[4],
        deadline=parse(row[5]),
        asked_at=parse(row[6]) if row[6] else None,
        message_id=row[7],
    )


def _record_answer(
    db: sqlite3.Connection,
    post_id: int,
    record: AnswerRecord,
    first_name: str,
    accepted: bool,
    review: Callable[[CardState | None], CardState] | None,
    daily: Callable[[DailyStreak, str | None], DailyStreak] | None,
) -> bool:
    # One transaction, run whole like every other answer (see storage/transactions.py).
    name_player(db, record, first_name)
    cur = db.execute(
        "INSERT INTO daily_answers(post_id, user_id, typed, verdict, answered_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (post_id, record.user_id, record.typed, record.verdict, iso(record.answered_at)),
    )
    if cur.rowcount == 0:
        return False
    record_personal(db, record, accepted=accepted, review=review, daily=daily)
    return True
