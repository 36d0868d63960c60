"""The repository: every read and write the tutor needs. Each method is one transaction."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from collections.abc import Set as AbstractSet
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import aiosqlite

from bot.tutor.mastery import DECAY
from bot.tutor.memory import CardState
from bot.tutor.rounds import (
    DISPUTABLE,
    AnswerRecord,
    Dispute,
    DisputeResult,
    Recorded,
    Round,
    Stats,
    TopicStat,
)
from bot.tutor.streaks import DailyStreak


def _iso(moment: datetime) -> str:
    """UTC ISO 8601, the only way times are stored."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _daily(row: Sequence[Any]) -> DailyStreak:
    days, best, last_day, today, count, freezes = row
    return DailyStreak(
        days,
        best,
        date.fromisoformat(last_day) if last_day else None,
        date.fromisoformat(today) if today else None,
        count,
        freezes,
    )


_NO_REVIEW = object()  # an answer that reviewed no card (a near miss with a retry left)


def _card_json(card: CardState | object | None) -> str | None:
    """A card as stored in answers.card_before: JSON, "new" for none yet, NULL if no review."""
    if card is _NO_REVIEW:
        return None
    if card is None:
        return "new"
    assert isinstance(card, CardState)
    return json.dumps(_card_row(card))


def _card_row(card: CardState) -> list[Any]:
    """A card's fields as stored: the cards columns, and the JSON in answers.card_before."""
    last = _iso(card.last_review) if card.last_review else None
    return [card.state, card.step, card.stability, card.difficulty, _iso(card.due), last]


def _card_from_json(text: str) -> CardState | None:
    return None if text == "new" else _card(json.loads(text))


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _card(row: Sequence[Any]) -> CardState:
    state, step, stability, difficulty, due, last_review = row
    return CardState(
        state,
        step,
        stability,
        difficulty,
        _parse(due),
        _parse(last_review) if last_review else None,
    )


class Repository:
    """SQLite access for users, answers, stats and rounds; the tutor's `TutorStore`."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        # One connection holds one transaction at a time: coroutines sharing this repository
        # (updates handled concurrently) take turns instead of interleaving statements.
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def _transaction(self, *, write: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        # IMMEDIATE takes the write lock up front, so read-modify-write steps cannot race
        # with another process; a plain BEGIN gives multi-statement reads one snapshot.
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield self._conn
            except BaseException:
                # Cancelled mid-BEGIN or failed later: never leave the connection inside an
                # open transaction, or every later BEGIN on it would fail.
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def ensure_user(self, user_id: int, first_name: str, *, now: datetime) -> None:
        """Create the user, or refresh their name and mark them active again."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO users(id, first_name, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET first_name = excluded.first_name, active = 1",
                (user_id, first_name[:64], _iso(now)),
            )

    async def set_active(self, user_id: int, active: bool) -> None:
        """Mark a user as reachable or not (they blocked or unblocked the bot)."""
        async with self._transaction() as db:
            await db.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))

    async def is_active(self, user_id: int) -> bool | None:
        """Whether the user can be messaged; None if we have never seen them."""
        async with self._conn.execute("SELECT active FROM users WHERE id = ?", (user_id,)) as cur:
            row = await cur.fetchone()
        return None if row is None else bool(row[0])

    async def save_round(self, rnd: Round) -> None:
        """Store a new round for its user, replacing any old one."""
        async with self._transaction() as db:
            await db.execute(
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
                    _iso(rnd.started_at),
                    rnd.pending,
                ),
            )

    async def load_round(self, user_id: int) -> Round | None:
        """The user's unfinished round, if any."""
        async with self._conn.execute(
            "SELECT user_id, chat_id, token, questions, position, correct, answered, retry_used,"
            " topic, started_at, pending FROM rounds WHERE user_id = ?",
            (user_id,),
        ) as cur:
            row = await cur.fetchone()
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
            started_at=_parse(row["started_at"]),
        )

    async def set_pending(self, user_id: int, typed: str) -> None:
        """Keep a mark-scheme answer until the student marks it."""
        async with self._transaction() as db:
            await db.execute("UPDATE rounds SET pending = ? WHERE user_id = ?", (typed, user_id))

    async def delete_round(self, user_id: int) -> None:
        """Forget the user's round (stopped or replaced)."""
        async with self._transaction() as db:
            await db.execute("DELETE FROM rounds WHERE user_id = ?", (user_id,))

    async def log_attempt(self, record: AnswerRecord) -> None:
        """Log a near miss that earns a retry, and spend the round's retry, together."""
        async with self._transaction() as db:
            await self._insert_answer(db, record, card_before=_NO_REVIEW)
            await db.execute(
                "UPDATE rounds SET retry_used = 1 WHERE user_id = ?", (record.user_id,)
            )

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
        daily streak's, from the old one and the student's time zone (None: the default)."""
        hit = int(accepted)
        async with self._transaction() as db:
            before = await self._card_of(db, record) if review is not None else _NO_REVIEW
            answer_id = await self._insert_answer(db, record, card_before=before)
            if review is not None:
                await self._save_card(db, record, review(before))
            if daily is not None:
                await self._count_day(db, record.user_id, daily)
            async with db.execute(
                "UPDATE users SET answered = answered + 1, correct = correct + :hit,"
                " streak = CASE WHEN :hit THEN streak + 1 ELSE 0 END,"
                " best_streak = MAX(best_streak, CASE WHEN :hit THEN streak + 1 ELSE 0 END)"
                " WHERE id = :user RETURNING streak, best_streak",
                {"hit": hit, "user": record.user_id},
            ) as cur:
                row = await cur.fetchone()
            await db.execute(
                "INSERT INTO topic_stats(user_id, topic, answered, correct, recent,"
                " recent_correct) VALUES (:user, :topic, 1, :hit, 1, :hit)"
                " ON CONFLICT(user_id, topic) DO UPDATE SET answered = answered + 1,"
                " correct = correct + excluded.correct,"
                " recent = recent * :decay + 1,"
                " recent_correct = recent_correct * :decay + excluded.correct",
                {"user": record.user_id, "topic": record.topic, "hit": hit, "decay": DECAY},
            )
            if rnd.finished:
                await db.execute("DELETE FROM rounds WHERE user_id = ?", (rnd.user_id,))
            else:
                await db.execute(
                    "UPDATE rounds SET questions = ?, position = ?, correct = ?, answered = ?,"
                    " retry_used = 0, pending = NULL WHERE user_id = ?",
                    (
                        json.dumps(rnd.questions),
                        rnd.position,
                        rnd.correct,
                        rnd.answered,
                        rnd.user_id,
                    ),
                )
        return Recorded(answer_id, *(row if row else (0, 0)))

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
        async with self._transaction() as db:
            async with db.execute(
                "SELECT bank, question_id, topic, typed, verdict, round_token, card_before,"
                " answered_at FROM answers"
                " WHERE id = :answer AND user_id = :user AND chat_id = :user",
                {"answer": answer_id, "user": user_id},
            ) as cur:
                row = await cur.fetchone()
            if row is None or row[4] not in DISPUTABLE or (row[0], row[1]) not in can_dispute:
                return DisputeResult.NOT_ALLOWED
            bank, question_id, topic, typed, _, round_token, card_before, answered_at = row
            async with db.execute(
                "INSERT INTO disputes(answer_id, user_id, bank, question_id, typed, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(answer_id) DO NOTHING",
                (answer_id, user_id, bank, question_id, typed, _iso(now)),
            ) as cur:
                if cur.rowcount == 0:
                    return DisputeResult.ALREADY
            streak, best = await self._streaks_from_log(db, user_id)
            await db.execute(
                "UPDATE users SET correct = correct + 1, streak = ?,"
                " best_streak = MAX(best_streak, ?) WHERE id = ?",
                (streak, best, user_id),
            )
            # The answer's weight in the topic's decayed counts: DECAY per later answer on it.
            async with db.execute(
                "SELECT COUNT(*) FROM answers WHERE user_id = ? AND topic = ? AND id > ?"
                " AND verdict != 'almost'",
                (user_id, topic, answer_id),
            ) as cur:
                (later,) = await cur.fetchone() or (0,)
            await db.execute(
                "UPDATE topic_stats SET correct = correct + 1, recent_correct = recent_correct + ?"
                " WHERE user_id = ? AND topic = ?",
                (DECAY**later, user_id, topic),
            )
            if replay is not None and card_before is not None:
                await self._replay_card(
                    db,
                    answer_id,
                    user_id,
                    bank,
                    question_id,
                    _card_from_json(card_before),
                    _parse(answered_at),
                    replay,
                )
            # If it was part of the round still being played, the round's score counts it too.
            await db.execute(
                "UPDATE rounds SET correct = correct + 1 WHERE user_id = ? AND token = ?",
                (user_id, round_token),
            )
        return DisputeResult.RECORDED

    async def _replay_card(
        self,
        db: aiosqlite.Connection,
        answer_id: int,
        user_id: int,
        bank: str,
        question_id: str,
        before: CardState | None,
        answered_at: datetime,
        replay: Callable[[CardState | None, datetime], CardState],
    ) -> None:
        async with db.execute(
            "SELECT MAX(id) FROM answers WHERE user_id = ? AND bank = ? AND question_id = ?"
            " AND card_before IS NOT NULL",
            (user_id, bank, question_id),
        ) as cur:
            (latest,) = await cur.fetchone() or (None,)
        if latest != answer_id:
            return  # a later review built on this one: leave the schedule as it is
        record = AnswerRecord(user_id, user_id, bank, question_id, "", "", "", answered_at)
        await self._save_card(db, record, replay(before, answered_at))

    @staticmethod
    async def _streaks_from_log(db: aiosqlite.Connection, user_id: int) -> tuple[int, int]:
        """(current, best) answer streak replayed from the log, disputed answers as right.

        Only a dispute needs this, and disputes are rare; replaying keeps the result the same
        whichever of several misses is disputed first.
        """
        async with db.execute(
            "SELECT a.verdict IN ('correct', 'typo') OR d.id IS NOT NULL FROM answers a"
            " LEFT JOIN disputes d ON d.answer_id = a.id"
            " WHERE a.user_id = ? AND a.verdict != 'almost' ORDER BY a.id",
            (user_id,),
        ) as cur:
            streak = best = 0
            async for (right,) in cur:
                streak = streak + 1 if right else 0
                best = max(best, streak)
        return streak, best

    async def class_totals(self) -> dict[str, tuple[int, int]]:
        """Every topic's (answered, correct) over all students: the priors for mastery."""
        async with self._conn.execute(
            "SELECT topic, SUM(answered), SUM(correct) FROM topic_stats GROUP BY topic"
        ) as cur:
            return {r[0]: (r[1], r[2]) for r in await cur.fetchall()}

    async def disputes(self, *, status: str = "open") -> list[Dispute]:
        """Disputes with this status, grouped by question, oldest first."""
        async with self._conn.execute(
            "SELECT bank, question_id, typed, user_id, created_at FROM disputes"
            " WHERE status = ? ORDER BY bank, question_id, id",
            (status,),
        ) as cur:
            rows = await cur.fetchall()
        return [Dispute(r[0], r[1], r[2], r[3], _parse(r[4])) for r in rows]

    @staticmethod
    async def _card_of(db: aiosqlite.Connection, record: AnswerRecord) -> CardState | None:
        async with db.execute(
            "SELECT state, step, stability, difficulty, due, last_review FROM cards"
            " WHERE user_id = ? AND bank = ? AND question_id = ?",
            (record.user_id, record.bank, record.question_id),
        ) as cur:
            row = await cur.fetchone()
        return _card(row) if row else None

    @staticmethod
    async def _save_card(db: aiosqlite.Connection, record: AnswerRecord, card: CardState) -> None:
        # first_seen is set once, by the first review: the daily cap on new questions counts it.
        await db.execute(
            "INSERT INTO cards(user_id, bank, question_id, state, step, stability, difficulty,"
            " due, last_review, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(user_id, bank, question_id) DO UPDATE SET state = excluded.state,"
            " step = excluded.step, stability = excluded.stability,"
            " difficulty = excluded.difficulty, due = excluded.due,"
            " last_review = excluded.last_review",
            (
                record.user_id,
                record.bank,
                record.question_id,
                *_card_row(card),
                _iso(record.answered_at),
            ),
        )

    @staticmethod
    async def _count_day(
        db: aiosqlite.Connection,
        user_id: int,
        daily: Callable[[DailyStreak, str | None], DailyStreak],
    ) -> None:
        async with db.execute(
            "SELECT day_streak, best_day_streak, last_day, today, today_count, freezes,"
            " timezone FROM users WHERE id = ?",
            (user_id,),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return
        streak = daily(_daily(row[:6]), row[6])
        await db.execute(
            "UPDATE users SET day_streak = ?, best_day_streak = ?, last_day = ?, today = ?,"
            " today_count = ?, freezes = ? WHERE id = ?",
            (
                streak.days,
                streak.best,
                _day(streak.last_day),
                _day(streak.today),
                streak.today_count,
                streak.freezes,
                user_id,
            ),
        )

    async def set_timezone(self, user_id: int, zone: str, *, now: datetime) -> None:
        """Set the zone a student's days are counted in (past days stay as they were)."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO users(id, created_at, timezone) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET timezone = excluded.timezone",
                (user_id, _iso(now), zone),
            )

    async def count_new_since(self, user_id: int, since: datetime) -> int:
        """How many questions the user met for the first time since `since`."""
        async with self._conn.execute(
            "SELECT COUNT(*) FROM cards WHERE user_id = ? AND first_seen >= ?",
            (user_id, _iso(since)),
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else 0

    async def card_keys(self, user_id: int) -> set[str]:
        """Every question the user has a card for, as "bank:question"."""
        async with self._conn.execute(
            "SELECT bank, question_id FROM cards WHERE user_id = ?", (user_id,)
        ) as cur:
            return {f"{r[0]}:{r[1]}" for r in await cur.fetchall()}

    async def due_cards(self, user_id: int, *, now: datetime) -> list[tuple[str, CardState]]:
        """The user's cards due by `now`, as ("bank:question", card), soonest due first."""
        async with self._conn.execute(
            "SELECT bank, question_id, state, step, stability, difficulty, due, last_review"
            " FROM cards WHERE user_id = ? AND due <= ? ORDER BY due",
            (user_id, _iso(now)),
        ) as cur:
            rows = await cur.fetchall()
        return [(f"{r[0]}:{r[1]}", _card(r[2:])) for r in rows]

    @staticmethod
    async def _insert_answer(
        db: aiosqlite.Connection,
        record: AnswerRecord,
        *,
        card_before: CardState | object | None = None,
    ) -> int:
        async with db.execute(
            "INSERT INTO answers(user_id, chat_id, bank, question_id, topic, typed, verdict,"
            " answered_at, round_token, card_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.user_id,
                record.chat_id,
                record.bank,
                record.question_id,
                record.topic,
                record.typed,
                record.verdict,
                _iso(record.answered_at),
                record.round_token,
                _card_json(card_before),
            ),
        ) as cur:
            assert cur.lastrowid is not None
            return cur.lastrowid

    async def stats(self, user_id: int) -> Stats:
        """The user's totals, streaks and per-topic record."""
        async with self._transaction(write=False) as db:
            async with db.execute(
                "SELECT answered, correct, streak, best_streak,"
                " (SELECT COUNT(*) FROM disputes WHERE user_id = :user AND status = 'open'),"
                " timezone, day_streak, best_day_streak, last_day, today, today_count, freezes"
                " FROM users WHERE id = :user",
                {"user": user_id},
            ) as cur:
                row = await cur.fetchone()
            async with db.execute(
                "SELECT topic, answered, correct, recent, recent_correct FROM topic_stats"
                " WHERE user_id = ? ORDER BY topic",
                (user_id,),
            ) as cur:
                topics = tuple(TopicStat(*r) for r in await cur.fetchall())
        if row is None:
            return Stats(0, 0, 0, 0, ())
        return Stats(
            row[0],
            row[1],
            row[2],
            row[3],
            topics,
            disputed=row[4],
            timezone=row[5],
            daily=_daily(row[6:12]),
        )

    async def answers(self, user_id: int) -> list[AnswerRecord]:
        """Every logged answer of one user, oldest first."""
        async with self._conn.execute(
            "SELECT user_id, chat_id, bank, question_id, topic, typed, verdict, answered_at"
            " FROM answers WHERE user_id = ? ORDER BY id",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [AnswerRecord(*r[:7], _parse(r[7])) for r in rows]
