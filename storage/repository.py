"""The repository: every read and write the tutor needs. Each method is one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import datetime

import aiosqlite

from bot.tutor.memory import CardState
from bot.tutor.rounds import (
    DISPUTABLE,
    AnswerRecord,
    Dispute,
    DisputeResult,
    Learner,
    Recorded,
    Round,
    Stats,
    TopicStat,
)
from bot.tutor.streaks import DailyStreak
from storage.records import (
    NO_REVIEW,
    card_from_row,
    daily_from_row,
    insert_answer,
    iso,
    parse,
    record_personal,
)
from storage.rescoring import Logged, rescore, restreak
from storage.transactions import Transactions


class Repository:
    """SQLite access for users, answers, stats and rounds; the tutor's `TutorStore`.

    Each method is one transaction, run whole in one step (see storage.transactions): the
    statements of a method with more than one run together in a plain function below.
    """

    def __init__(
        self, conn: aiosqlite.Connection, *, transactions: Transactions | None = None
    ) -> None:
        # Share `transactions` with any other repository on the same connection.
        self._db = transactions or Transactions(conn)

    async def ensure_user(self, user_id: int, first_name: str, *, now: datetime) -> None:
        """Create the user, or refresh their name and mark them active again."""
        await self._db.execute(
            "INSERT INTO users(id, first_name, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET active = 1,"
            # A teacher's push knows no name: it must not blank the one we have.
            " first_name = COALESCE(NULLIF(excluded.first_name, ''), users.first_name)",
            (user_id, first_name[:64], iso(now)),
        )

    async def set_active(self, user_id: int, active: bool) -> None:
        """Mark a user as reachable or not (they blocked or unblocked the bot)."""
        await self._db.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))

    async def is_active(self, user_id: int) -> bool | None:
        """Whether the user can be messaged; None if we have never seen them."""
        row = await self._db.fetchone("SELECT active FROM users WHERE id = ?", (user_id,))
        return None if row is None else bool(row[0])

    async def save_round(self, rnd: Round) -> None:
        """Store a new round for its user, replacing any old one."""
        await self._db.execute(
            "INSERT OR REPLACE INTO rounds(user_id, chat_id, token, questions, position,"
            " correct, answered, retry_used, topic, started_at, pending)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rnd.user_id,
                rnd.chat_id,
                rnd.token,
                json.dumps(rnd.questions),
                rnd.position,
                rnd.correct,
                rnd.answered,
                int(rnd.retry_used),
                rnd.topic,
                iso(rnd.started_at),
                rnd.pending,
            ),
        )

    async def load_round(self, user_id: int) -> Round | None:
        """The user's unfinished round, if any."""
        row = await self._db.fetchone(
            "SELECT user_id, chat_id, token, questions, position, correct, answered, retry_used,"
            " topic, started_at, pending FROM rounds WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return Round(
            user_id=row["user_id"],
            chat_id=row["chat_id"],
            token=row["token"],
            questions=tuple(json.loads(row["questions"])),
            position=row["position"],
            correct=row["correct"],
            answered=row["answered"],
            topic=row["topic"],
            retry_used=bool(row["retry_used"]),
            pending=row["pending"],
            started_at=parse(row["started_at"]),
        )

    async def last_answer(self, user_id: int, round_token: str) -> datetime | None:
        """When the user last answered in the round with this token, if ever."""
        row = await self._db.fetchone(
            "SELECT MAX(answered_at) FROM answers WHERE user_id = ? AND round_token = ?",
            (user_id, round_token),
        )
        return parse(row[0]) if row is not None and row[0] is not None else None

    async def set_pending(self, user_id: int, typed: str) -> None:
        """Keep a mark-scheme answer until the student marks it."""
        await self._db.execute("UPDATE rounds SET pending = ? WHERE user_id = ?", (typed, user_id))

    async def delete_round(self, user_id: int) -> None:
        """Forget the user's round (stopped or replaced)."""
        await self._db.execute("DELETE FROM rounds WHERE user_id = ?", (user_id,))

    async def log_attempt(self, record: AnswerRecord) -> None:
        """Log a near miss that earns a retry, and spend the round's retry, together."""
        await self._db.write(_log_attempt, record)

    async def record_answer(
        self,
        record: AnswerRecord,
        *,
        accepted: bool,
        rnd: Round,
        review: Callable[[CardState | None], CardState] | None = None,
        daily: Callable[[DailyStreak, str | None], DailyStreak] | None = None,
    ) -> Recorded:
        """Log a settled answer, update stats and streaks, review its card, and save the
        round's progress. `review` gives a card's new state from its old one; `daily` the
        daily streak's, from the old one and the student's time zone (None: the default).
        Both are called inside the transaction."""
        return await self._db.write(_record_answer, record, accepted, rnd, review, daily)

    async def dispute(
        self,
        answer_id: int,
        user_id: int,
        *,
        now: datetime,
        can_dispute: AbstractSet[tuple[str, str]],
        replay: Callable[[CardState | None, datetime], CardState] | None = None,
    ) -> DisputeResult:
        """Record "I was right" on the user's own private-practice answer and re-score it:
        stats, streaks, mastery, its round, and (with `replay`) its card, reviewed again from
        the state before it as a right answer, unless a later review has built on it.

        The answer log keeps its verdict; the dispute row is the clear mark of the change.
        """
        # Re-scoring replays the student's answer history for their streak: off the loop.
        return await self._db.write(
            _dispute, answer_id, user_id, now, can_dispute, replay, large=True
        )

    async def class_totals(self) -> dict[str, tuple[int, int]]:
        """Every topic's (answered, correct) over all students: the priors for mastery."""
        rows = await self._db.fetchall(
            "SELECT topic, SUM(answered), SUM(correct) FROM topic_stats GROUP BY topic"
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    async def disputes(self, *, status: str = "open") -> list[Dispute]:
        """Disputes with this status, grouped by question, oldest first."""
        rows = await self._db.fetchall(
            "SELECT bank, question_id, typed, user_id, created_at FROM disputes"
            " WHERE status = ? ORDER BY bank, question_id, id",
            (status,),
        )
        return [Dispute(r[0], r[1], r[2], r[3], parse(r[4])) for r in rows]

    async def set_timezone(self, user_id: int, zone: str, *, now: datetime) -> None:
        """Set the zone a student's days are counted in (past days stay as they were)."""
        await self._db.execute(
            "INSERT INTO users(id, created_at, timezone) VALUES (?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET timezone = excluded.timezone",
            (user_id, iso(now), zone),
        )

    async def learner(
        self, user_id: int, *, now: datetime, day_start: Callable[[str | None], datetime]
    ) -> Learner:
        """In one read: the user's stats, their cards due by `now`, every question they have
        a card for, and how many they met first since `day_start(their time zone)`."""
        return await self._db.read(_learner, user_id, now, day_start)

    async def due_cards(self, user_id: int, *, now: datetime) -> list[tuple[str, CardState]]:
        """The user's cards due by `now`, as ("bank:question", card), soonest due first."""
        return await self._db.read(_due_cards, user_id, now)

    async def stats(self, user_id: int) -> Stats:
        """The user's totals, streaks and per-topic record."""
        return await self._db.read(_stats, user_id)

    async def answers(self, user_id: int) -> list[AnswerRecord]:
        """Every logged answer of one user, oldest first."""
        rows = await self._db.fetchall(
            "SELECT user_id, chat_id, bank, question_id, topic, typed, verdict, answered_at"
            " FROM answers WHERE user_id = ? ORDER BY id",
            (user_id,),
        )
        return [AnswerRecord(*r[:7], parse(r[7])) for r in rows]


# ----- the work of the transactions above, each run whole by storage.transactions -------


def _log_attempt(db: sqlite3.Connection, record: AnswerRecord) -> None:
    insert_answer(db, record, card_before=NO_REVIEW)
    db.execute("UPDATE rounds SET retry_used = 1 WHERE user_id = ?", (record.user_id,))


def _record_answer(
    db: sqlite3.Connection,
    record: AnswerRecord,
    accepted: bool,
    rnd: Round,
    review: Callable[[CardState | None], CardState] | None,
    daily: Callable[[DailyStreak, str | None], DailyStreak] | None,
) -> Recorded:
    recorded = record_personal(db, record, accepted=accepted, review=review, daily=daily)
    if rnd.finished:
        db.execute("DELETE FROM rounds WHERE user_id = ?", (rnd.user_id,))
    else:
        db.execute(
            "UPDATE rounds SET questions = ?, position = ?, correct = ?, answered = ?,"
            " retry_used = 0, pending = NULL WHERE user_id = ?",
            (json.dumps(rnd.questions), rnd.position, rnd.correct, rnd.answered, rnd.user_id),
        )
    return recorded


def _dispute(
    db: sqlite3.Connection,
    answer_id: int,
    user_id: int,
    now: datetime,
    can_dispute: AbstractSet[tuple[str, str]],
    replay: Callable[[CardState | None, datetime], CardState] | None,
) -> DisputeResult:
    row = db.execute(
        "SELECT id, user_id, bank, question_id, topic, round_token, card_before,"
        " answered_at, typed, verdict FROM answers"
        " WHERE id = :answer AND user_id = :user AND chat_id = :user",
        {"answer": answer_id, "user": user_id},
    ).fetchone()
    if row is None or row[9] not in DISPUTABLE or (row[2], row[3]) not in can_dispute:
        return DisputeResult.NOT_ALLOWED
    answer = Logged(*row[:8])
    inserted = db.execute(
        "INSERT INTO disputes(answer_id, user_id, bank, question_id, typed, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(answer_id) DO NOTHING",
        (answer_id, user_id, answer.bank, answer.question_id, row[8], iso(now)),
    ).rowcount
    if inserted == 0:
        return DisputeResult.ALREADY
    rescore(db, answer, right=True, replay=replay)
    restreak(db, user_id)
    return DisputeResult.RECORDED


def _stats(db: sqlite3.Connection, user_id: int) -> Stats:
    row = db.execute(
        "SELECT answered, correct, streak, best_streak,"
        " (SELECT COUNT(*) FROM disputes WHERE user_id = :user AND status = 'open'),"
        " timezone, day_streak, best_day_streak, last_day, today, today_count, freezes"
        " FROM users WHERE id = :user",
        {"user": user_id},
    ).fetchone()
    topics = db.execute(
        "SELECT topic, answered, correct, recent, recent_correct FROM topic_stats"
        " WHERE user_id = ? ORDER BY topic",
        (user_id,),
    ).fetchall()
    if row is None:
        return Stats(0, 0, 0, 0, ())
    return Stats(
        row[0],
        row[1],
        row[2],
        row[3],
        tuple(TopicStat(*t) for t in topics),
        disputed=row[4],
        timezone=row[5],
        daily=daily_from_row(row[6:12]),
    )


def _learner(
    db: sqlite3.Connection,
    user_id: int,
    now: datetime,
    day_start: Callable[[str | None], datetime],
) -> Learner:
    stats = _stats(db, user_id)
    seen = {
        f"{r[0]}:{r[1]}"
        for r in db.execute("SELECT bank, question_id FROM cards WHERE user_id = ?", (user_id,))
    }
    (new_today,) = db.execute(
        "SELECT COUNT(*) FROM cards WHERE user_id = ? AND first_seen >= ?",
        (user_id, iso(day_start(stats.timezone))),
    ).fetchone()
    return Learner(stats, _due_cards(db, user_id, now), seen, new_today)


def _due_cards(db: sqlite3.Connection, user_id: int, now: datetime) -> list[tuple[str, CardState]]:
    rows = db.execute(
        "SELECT bank, question_id, state, step, stability, difficulty, due, last_review"
        " FROM cards WHERE user_id = ? AND due <= ? ORDER BY due",
        (user_id, iso(now)),
    ).fetchall()
    return [(f"{r[0]}:{r[1]}", card_from_row(r[2:])) for r in rows]
