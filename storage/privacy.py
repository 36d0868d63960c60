"""What the database holds about one person: counted, exported, and deleted in one transaction.

`USER_COLUMNS` names every column that can hold a person's Telegram id (a private chat's
id is its user's id). tests/test_privacy_storage.py compares it with the schema itself,
so a migration that adds a table, or a column holding someone's id, fails that test until
this module says what happens to it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from bot.privacy.model import Footprint, Taught
from storage.transactions import Transactions

# Every table, and the columns in it that may hold a person's id.
USER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "users": ("id",),
    "answers": ("user_id", "chat_id"),  # chat_id: the answerer's own private chat, or a group
    "topic_stats": ("user_id",),
    "rounds": ("user_id", "chat_id"),
    "disputes": ("user_id", "decided_by"),  # decided_by: the teacher who decided it
    "accepted_answers": ("accepted_by",),  # kept for the bank's students, accepted by no one
    "cards": ("user_id",),
    "challenges": ("starter_id",),  # kept for the group's other players, started by no one
    "challenge_answers": ("user_id",),
    "daily_schedules": ("created_by", "chat_id"),  # chat_id: a teacher's chat for a class
    "daily_posts": ("chat_id",),  # a class's post lives in its teacher's chat
    "daily_answers": ("user_id",),
    "classes": ("teacher_id",),
    "class_members": ("user_id",),
    "pushes": ("created_by",),
    "push_deliveries": ("user_id",),
    "teacher_banks": ("owner_id",),
}
# Columns that look as if they could hold a person's id but only ever hold a group's:
# challenges are played in groups only.
GROUP_ONLY: frozenset[tuple[str, str]] = frozenset(
    {("challenges", "chat_id"), ("challenge_answers", "chat_id")}
)
# Tables with nothing about anyone in them.
# (retired_codes: a class's old join codes, deleted with the class.)
NOT_PERSONAL: frozenset[str] = frozenset({"schema_migrations", "retired_codes"})
NOBODY = 0  # who a group's challenge or schedule was set up by, once that person is forgotten

# What a teacher set up that goes with them, found first (as JSON arrays of ids): their
# classes, their classes' daily-DM schedules (kept under the teacher's own chat) and posts,
# and the questions pushed to their classes.
_OWNED = (
    ("classes", "SELECT id FROM classes WHERE teacher_id = :u"),
    (
        "schedules",
        "SELECT id FROM daily_schedules WHERE chat_id = :u"
        " OR class_id IN (SELECT value FROM json_each(:classes))",
    ),
    (
        "posts",
        "SELECT id FROM daily_posts WHERE chat_id = :u"
        " OR schedule_id IN (SELECT value FROM json_each(:schedules))",
    ),
    ("pushes", "SELECT id FROM pushes WHERE class_id IN (SELECT value FROM json_each(:classes))"),
)
# In order: a row goes before the rows it references.
_DELETES = (
    # What they set up as a teacher: their classes go, with everything hanging off them.
    "DELETE FROM daily_answers WHERE post_id IN (SELECT value FROM json_each(:posts))",
    "DELETE FROM daily_posts WHERE id IN (SELECT value FROM json_each(:posts))",
    "DELETE FROM daily_schedules WHERE id IN (SELECT value FROM json_each(:schedules))",
    "DELETE FROM push_deliveries WHERE push_id IN (SELECT value FROM json_each(:pushes))",
    "DELETE FROM pushes WHERE id IN (SELECT value FROM json_each(:pushes))",
    "DELETE FROM class_members WHERE class_id IN (SELECT value FROM json_each(:classes))",
    "DELETE FROM retired_codes WHERE class_id IN (SELECT value FROM json_each(:classes))",
    "DELETE FROM classes WHERE id IN (SELECT value FROM json_each(:classes))",
    "DELETE FROM teacher_banks WHERE owner_id = :u",
    # What a group keeps, because it is the group's: who set it up is forgotten.
    "UPDATE daily_schedules SET created_by = :nobody WHERE created_by = :u",
    "UPDATE pushes SET created_by = :nobody WHERE created_by = :u",
    "UPDATE challenges SET starter_id = :nobody WHERE starter_id = :u",
    # A teacher's decisions on disputes stand (they re-graded students' answers).
    "UPDATE disputes SET decided_by = :nobody WHERE decided_by = :u",
    "UPDATE accepted_answers SET accepted_by = :nobody WHERE accepted_by = :u",
    # Their own record as a student.
    # By user_id alone: it is indexed, and an answer in their private chat is theirs.
    "DELETE FROM disputes WHERE user_id = :u"
    " OR answer_id IN (SELECT id FROM answers WHERE user_id = :u)",
    "DELETE FROM answers WHERE user_id = :u",
    "DELETE FROM topic_stats WHERE user_id = :u",
    "DELETE FROM cards WHERE user_id = :u",
    "DELETE FROM rounds WHERE user_id = :u OR chat_id = :u",
    "DELETE FROM challenge_answers WHERE user_id = :u",
    "DELETE FROM daily_answers WHERE user_id = :u",
    "DELETE FROM class_members WHERE user_id = :u",
    "DELETE FROM push_deliveries WHERE user_id = :u",
    "DELETE FROM users WHERE id = :u",
)

# The export: each section a query for their own rows only. Joined tables give context
# (which group, which question), never another person's rows.
_EXPORT: tuple[tuple[str, str], ...] = (
    (
        "profile",
        "SELECT id, first_name, timezone, active, created_at, answered, correct, streak,"
        " best_streak, day_streak, best_day_streak, last_day, today, today_count, freezes"
        " FROM users WHERE id = :u",
    ),
    (
        "answers",
        "SELECT id, chat_id, bank, question_id, topic, typed, verdict, answered_at,"
        " round_token, card_before FROM answers WHERE user_id = :u ORDER BY answered_at, id",
    ),
    (
        "topic_stats",
        "SELECT topic, answered, correct, recent, recent_correct FROM topic_stats"
        " WHERE user_id = :u ORDER BY topic",
    ),
    (
        "review_cards",
        "SELECT bank, question_id, state, step, stability, difficulty, due, last_review,"
        " first_seen FROM cards WHERE user_id = :u ORDER BY due",
    ),
    (
        "current_round",
        "SELECT questions, position, correct, answered, topic, started_at, pending"
        " FROM rounds WHERE user_id = :u",
    ),
    (
        "disputes",
        "SELECT answer_id, bank, question_id, typed, created_at, status FROM disputes"
        " WHERE user_id = :u ORDER BY created_at",
    ),
    (
        "disputes_you_decided",
        "SELECT bank, question_id, typed, status, decided_at FROM disputes"
        " WHERE decided_by = :u ORDER BY decided_at",
    ),
    (
        "answers_you_accepted",
        "SELECT bank, question_id, answer, accepted_at FROM accepted_answers"
        " WHERE accepted_by = :u ORDER BY accepted_at",
    ),
    (
        "challenge_answers",
        "SELECT a.challenge_id, c.chat_id AS group_id, c.started_at AS challenge_started_at,"
        " a.position, a.verdict, a.points, a.seconds, a.answered_at"
        " FROM challenge_answers a JOIN challenges c ON c.id = a.challenge_id"
        " WHERE a.user_id = :u ORDER BY a.answered_at",
    ),
    (
        "challenges_started",
        "SELECT id, chat_id AS group_id, mode, topic, seconds, status, started_at, ended_at"
        " FROM challenges WHERE starter_id = :u ORDER BY started_at",
    ),
    (
        "daily_question_answers",
        "SELECT p.chat_id AS group_id, p.day, p.question, a.typed, a.verdict, a.answered_at"
        " FROM daily_answers a JOIN daily_posts p ON p.id = a.post_id"
        " WHERE a.user_id = :u ORDER BY a.answered_at",
    ),
    (
        "classes_joined",
        "SELECT c.name, m.joined_at FROM class_members m JOIN classes c ON c.id = m.class_id"
        " WHERE m.user_id = :u ORDER BY m.joined_at",
    ),
    (
        "questions_pushed_to_you",
        "SELECT p.question, p.created_at, d.status, d.done_at FROM push_deliveries d"
        " JOIN pushes p ON p.id = d.push_id WHERE d.user_id = :u ORDER BY p.created_at",
    ),
    (
        "classes_taught",
        "SELECT c.id, c.name, c.code, c.created_at,"
        " (SELECT COUNT(*) FROM class_members m WHERE m.class_id = c.id) AS students"
        " FROM classes c WHERE c.teacher_id = :u ORDER BY c.created_at",
    ),
    (
        "pushes_sent",
        "SELECT id, class_id, question, created_at FROM pushes WHERE created_by = :u"
        " ORDER BY created_at",
    ),
    (
        "daily_schedules_set",
        "SELECT id, chat_id, class_id, at, zone, days, topic, created_at, active"
        " FROM daily_schedules WHERE created_by = :u ORDER BY created_at",
    ),
    (
        "uploaded_banks",
        "SELECT bank, filename, questions, uploaded_at, length(content) AS bytes"
        " FROM teacher_banks WHERE owner_id = :u ORDER BY uploaded_at",
    ),
)


class PrivacyRepository:
    """The `PrivacyStore` on SQLite, sharing the tutor's connection and transactions."""

    def __init__(self, transactions: Transactions) -> None:
        self._db = transactions

    # All three run on the worker thread (large=True), never on the event loop: a person
    # may have thousands of answers, and challenge_answers, daily_answers and
    # push_deliveries have no index by user (adding one would slow every answer for a
    # command used once), so these may scan those tables.

    async def footprint(self, user_id: int) -> Footprint:
        """How much is stored about the person, and what they run as a teacher."""
        return await self._db.read(_footprint, user_id, large=True)

    async def forget(self, user_id: int) -> Footprint:
        """Delete everything about the person; what there was. One transaction."""
        return await self._db.write(_forget, user_id, large=True)

    async def export(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about the person, by section; one snapshot."""
        return await self._db.read(_export, user_id, large=True)


def _count(db: sqlite3.Connection, sql: str, user_id: int) -> int:
    return int(db.execute(sql, {"u": user_id}).fetchone()[0])


def _footprint(db: sqlite3.Connection, user_id: int) -> Footprint:
    def count(sql: str) -> int:
        return _count(db, sql, user_id)

    taught = tuple(
        Taught(name, students)
        for name, students in db.execute(
            "SELECT c.name, (SELECT COUNT(*) FROM class_members m WHERE m.class_id = c.id)"
            " FROM classes c WHERE c.teacher_id = :u ORDER BY c.created_at, c.id",
            {"u": user_id},
        )
    )
    banks = tuple(
        (bank, questions)
        for bank, questions in db.execute(
            "SELECT bank, questions FROM teacher_banks WHERE owner_id = :u ORDER BY bank",
            {"u": user_id},
        )
    )
    return Footprint(
        known=count("SELECT COUNT(*) FROM users WHERE id = :u") > 0,
        answers=count("SELECT COUNT(*) FROM answers WHERE user_id = :u"),
        challenge_answers=count("SELECT COUNT(*) FROM challenge_answers WHERE user_id = :u"),
        daily_answers=count("SELECT COUNT(*) FROM daily_answers WHERE user_id = :u"),
        disputes=count("SELECT COUNT(*) FROM disputes WHERE user_id = :u"),
        cards=count("SELECT COUNT(*) FROM cards WHERE user_id = :u"),
        memberships=count("SELECT COUNT(*) FROM class_members WHERE user_id = :u"),
        round_running=count("SELECT COUNT(*) FROM rounds WHERE user_id = :u") > 0,
        classes=taught,
        banks=banks,
        set_up=count(
            "SELECT (SELECT COUNT(*) FROM challenges WHERE starter_id = :u)"
            " + (SELECT COUNT(*) FROM daily_schedules WHERE created_by = :u AND chat_id != :u)"
        ),
    )


def _forget(db: sqlite3.Connection, user_id: int) -> Footprint:
    before = _footprint(db, user_id)  # inside the write transaction: exactly what goes
    params: dict[str, Any] = {"u": user_id, "nobody": NOBODY}
    for name, sql in _OWNED:
        params[name] = json.dumps([row[0] for row in db.execute(sql, params)])
    for sql in _DELETES:
        db.execute(sql, params)
    return before


def _export(db: sqlite3.Connection, user_id: int) -> dict[str, list[dict[str, Any]]]:
    sections: dict[str, list[dict[str, Any]]] = {}
    for name, sql in _EXPORT:
        cursor = db.execute(sql, {"u": user_id})
        columns = [d[0] for d in cursor.description]
        sections[name] = [_readable(dict(zip(columns, row, strict=True))) for row in cursor]
    return sections


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON can hold it: stored JSON lists as lists, bytes never."""
    if isinstance(row.get("questions"), str) and row["questions"].startswith("["):
        row["questions"] = json.loads(row["questions"])
    return {k: v.decode("utf-8", "replace") if isinstance(v, bytes) else v for k, v in row.items()}
