"""SQLite reads for class reports. Each method is one transaction.

A group's answers are the rows of the answer log with its chat id: challenge answers, poll
votes and replies to the question of the day all write there, and private practice never
does (its chat id is the student's own).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from bot.reports.facts import Answered, ClassRecord, QuestionTally, Student
from storage.records import daily_from_row, iso, parse
from storage.transactions import Transactions

# Who answered in the group. The log has no index by chat, and a scan of it grows with
# every answer anywhere (about 2 s at a million rows, holding the shared connection).
# Each group answer is also kept in challenge_answers or daily_answers, which can be
# searched by chat, so the log is searched by these students instead (about 20 ms).
# A new kind of group answer must add its table here.
_STUDENTS = (
    "SELECT user_id FROM challenge_answers WHERE chat_id = :chat"
    " UNION SELECT a.user_id FROM daily_answers a JOIN daily_posts p ON p.id = a.post_id"
    " WHERE p.chat_id = :chat"
)
# Graded answers only: a near miss's retry (almost) and skips happen in private practice,
# and would not be answers to count if they ever came from a group.
_TALLIES = (
    "SELECT user_id, bank, question_id, topic, COUNT(*),"
    " SUM(verdict IN ('correct', 'typo')), MAX(answered_at) FROM answers"
    " WHERE user_id IN (SELECT value FROM json_each(:students)) AND chat_id = :chat"
    " AND verdict NOT IN ('almost', 'skipped') GROUP BY user_id, bank, question_id"
)
_RECENT = (
    "SELECT user_id, answered_at FROM answers"
    " WHERE user_id IN (SELECT value FROM json_each(:students)) AND chat_id = :chat"
    " AND answered_at >= :since AND verdict NOT IN ('almost', 'skipped')"
)
_PEOPLE = (
    "SELECT id, first_name, timezone, day_streak, best_day_streak, last_day, today,"
    " today_count, freezes FROM users WHERE id IN (SELECT value FROM json_each(:students))"
)


# A class made with /newclass: its members' own private answers (chat id = their user id),
# from the moment each joined. Both times are stored as UTC ISO text, so they compare.
_MEMBER_TALLIES = (
    "SELECT a.user_id, a.bank, a.question_id, a.topic, COUNT(*),"
    " SUM(a.verdict IN ('correct', 'typo')), MAX(a.answered_at) FROM class_members m"
    " JOIN answers a ON a.user_id = m.user_id AND a.chat_id = m.user_id"
    " AND a.answered_at >= m.joined_at WHERE m.class_id = :class"
    " AND a.verdict NOT IN ('almost', 'skipped') GROUP BY a.user_id, a.bank, a.question_id"
)
_MEMBER_RECENT = (
    "SELECT a.user_id, a.answered_at FROM class_members m"
    " JOIN answers a ON a.user_id = m.user_id AND a.chat_id = m.user_id"
    " AND a.answered_at >= m.joined_at WHERE m.class_id = :class"
    " AND a.answered_at >= :since AND a.verdict NOT IN ('almost', 'skipped')"
)
_MEMBERS = (
    "SELECT u.id, u.first_name, u.timezone, u.day_streak, u.best_day_streak, u.last_day,"
    " u.today, u.today_count, u.freezes FROM class_members m JOIN users u ON u.id = m.user_id"
    " WHERE m.class_id = :class"
)


class ReportRepository:
    """The `ReportStore` on SQLite, sharing the tutor's connection and transactions."""

    def __init__(self, transactions: Transactions) -> None:
        self._transaction = transactions

    async def class_record(self, chat_id: int, *, since: datetime) -> ClassRecord:
        """The group's students, their tallies per question, and its answers since `since`."""
        # One read transaction: every part of the report sees the same answers.
        async with self._transaction(write=False) as db:
            async with db.execute(_STUDENTS, {"chat": chat_id}) as cur:
                ids = sorted(r[0] for r in await cur.fetchall())
            # Parameters throughout: the list of ids goes in as one JSON array.
            params = {"chat": chat_id, "students": json.dumps(ids), "since": iso(since)}
            async with db.execute(_TALLIES, params) as cur:
                # With MAX(), SQLite takes `topic` from the latest answer's row.
                tallies = tuple(
                    QuestionTally(r[0], f"{r[1]}:{r[2]}", r[3], r[4], r[5], parse(r[6]))
                    for r in await cur.fetchall()
                )
            async with db.execute(_RECENT, params) as cur:
                recent = tuple(Answered(r[0], parse(r[1])) for r in await cur.fetchall())
            async with db.execute(_PEOPLE, params) as cur:
                students = tuple(
                    Student(r[0], r[1], r[2], daily_from_row(r[3:9])) for r in await cur.fetchall()
                )
        return ClassRecord(students, tallies, recent)

    async def members_record(self, class_id: int, *, since: datetime) -> ClassRecord:
        """A class's students, their tallies per question, and their answers since `since`:
        each student's private answers from the day they joined the class."""
        return await self._transaction.read(_members_record, class_id, since)

    async def move_chat(self, old: int, new: int) -> None:
        """A group became a supergroup: its answers now count for `new`.

        The log is append-only for answers; the id a group goes by is not part of an
        answer, and the group's challenges and questions of the day move the same way.
        """
        async with self._transaction() as db:
            ids: set[int] = set()
            # Whether or not the challenges and daily posts have moved yet.
            for chat in (old, new):
                async with db.execute(_STUDENTS, {"chat": chat}) as cur:
                    ids.update(r[0] for r in await cur.fetchall())
            await db.execute(
                "UPDATE answers SET chat_id = :new WHERE chat_id = :old"
                " AND user_id IN (SELECT value FROM json_each(:students))",
                {"new": new, "old": old, "students": json.dumps(sorted(ids))},
            )


def _members_record(db: sqlite3.Connection, class_id: int, since: datetime) -> ClassRecord:
    params = {"class": class_id, "since": iso(since)}
    tallies = tuple(
        QuestionTally(r[0], f"{r[1]}:{r[2]}", r[3], r[4], r[5], parse(r[6]))
        for r in db.execute(_MEMBER_TALLIES, params)
    )
    recent = tuple(Answered(r[0], parse(r[1])) for r in db.execute(_MEMBER_RECENT, params))
    students = tuple(
        Student(r[0], r[1], r[2], daily_from_row(r[3:9])) for r in db.execute(_MEMBERS, params)
    )
    return ClassRecord(students, tallies, recent)
