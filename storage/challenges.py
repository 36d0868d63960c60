"""SQLite access for group challenges. Each method is one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.challenge.game import Challenge, Mode, PlayerResult, Standing
from bot.tutor.memory import CardState
from bot.tutor.rounds import AnswerRecord
from bot.tutor.streaks import DailyStreak
from quizbank.grading import Outcome
from storage.records import iso, name_player, parse, record_personal
from storage.transactions import Transactions

_STANDINGS = (
    "SELECT a.user_id, u.first_name, SUM(a.points),"
    " SUM(CASE WHEN a.points > 0 THEN a.seconds ELSE 0 END), SUM(a.points > 0)"
    " FROM challenge_answers a JOIN users u ON u.id = a.user_id"
)


class ChallengeRepository:
    """The `ChallengeStore` on SQLite, sharing the tutor's connection and transactions.

    Each method is one transaction, run whole in one step (see storage.transactions).
    """

    def __init__(self, transactions: Transactions) -> None:
        self._db = transactions

    async def create(self, challenge: Challenge) -> int | None:
        """Store a new running challenge; its id, or None if the group already has one."""
        try:
            return await self._db.write(_create, challenge)
        except sqlite3.IntegrityError:
            return None  # the one-running-per-group index said no

    async def running(self) -> list[Challenge]:
        """Every running challenge."""
        rows = await self._db.fetchall(
            "SELECT id, chat_id, token, starter_id, mode, questions, seconds, started_at,"
            " topic, position, asked_at, message_id, poll_id FROM challenges"
            " WHERE status = 'running'"
        )
        return [_challenge(row) for row in rows]

    async def asked(
        self, challenge_id: int, *, at: datetime, message_id: int | None, poll_id: str | None
    ) -> None:
        """Record that the current question is posted, and as which message (or poll)."""
        await self._db.execute(
            "UPDATE challenges SET asked_at = ?, message_id = ?, poll_id = ? WHERE id = ?",
            # To the microsecond: a restart must keep the deadline exactly where it was.
            (at.astimezone(UTC).isoformat(), message_id, poll_id, challenge_id),
        )

    async def advance(self, challenge_id: int, position: int) -> None:
        """Move on to the question at `position`, not yet posted."""
        await self._db.execute(
            "UPDATE challenges SET position = ?, asked_at = NULL, message_id = NULL,"
            " poll_id = NULL WHERE id = ?",
            (position, challenge_id),
        )

    async def finish(self, challenge_id: int, *, status: str, at: datetime) -> None:
        """Mark the challenge finished (played to the end) or ended (stopped early)."""
        await self._db.execute(
            "UPDATE challenges SET status = ?, ended_at = ? WHERE id = ?",
            (status, iso(at), challenge_id),
        )

    async def record_answer(
        self,
        challenge: Challenge,
        record: AnswerRecord,
        *,
        first_name: str,
        accepted: bool,
        points: int,
        seconds: float,
        review: Callable[[CardState | None], CardState] | None,
        daily: Callable[[DailyStreak, str | None], DailyStreak] | None,
    ) -> bool:
        """Record a player's first answer to the current question, in the challenge and in
        their own record; False (and nothing written) if they had answered it already.
        `review` and `daily` are called inside the transaction."""
        return await self._db.write(
            _record_answer, challenge, record, first_name, accepted, points, seconds, review, daily
        )

    async def results(self, challenge_id: int, position: int) -> list[PlayerResult]:
        """Every answer to one question, fastest first."""
        rows = await self._db.fetchall(
            "SELECT a.user_id, u.first_name, a.verdict, a.points, a.seconds"
            " FROM challenge_answers a JOIN users u ON u.id = a.user_id"
            " WHERE a.challenge_id = ? AND a.position = ? ORDER BY a.seconds, a.user_id",
            (challenge_id, position),
        )
        return [PlayerResult(r[0], r[1], Outcome(r[2]), r[3], r[4]) for r in rows]

    async def standings(self, challenge_id: int) -> list[Standing]:
        """Each player's totals in one challenge."""
        return await self._standings(" WHERE a.challenge_id = ?", (challenge_id,))

    async def leaderboard(self, chat_id: int, *, since: datetime | None) -> list[Standing]:
        """Each player's totals in a group's challenges since `since` (None: all time)."""
        if since is None:
            return await self._standings(" WHERE a.chat_id = ?", (chat_id,))
        return await self._standings(
            " WHERE a.chat_id = ? AND a.answered_at >= ?", (chat_id, iso(since))
        )

    async def _standings(self, where: str, params: tuple[Any, ...]) -> list[Standing]:
        # `where` is one of the fixed clauses above; values always go in as parameters.
        rows = await self._db.fetchall(_STANDINGS + where + " GROUP BY a.user_id", params)
        return [Standing(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def move_chat(self, old: int, new: int) -> None:
        """A group became a supergroup: its challenges and points now belong to `new`."""
        await self._db.write(_move_chat, old, new, large=True)  # every answer of the group


# ----- the work of the transactions above, each run whole by storage.transactions -------


def _create(db: sqlite3.Connection, challenge: Challenge) -> int | None:
    return db.execute(
        "INSERT INTO challenges(chat_id, token, starter_id, mode, questions, seconds,"
        " topic, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            challenge.chat_id,
            challenge.token,
            challenge.starter_id,
            challenge.mode.value,
            json.dumps(challenge.questions),
            challenge.seconds,
            challenge.topic,
            iso(challenge.started_at),
        ),
    ).lastrowid


def _record_answer(
    db: sqlite3.Connection,
    challenge: Challenge,
    record: AnswerRecord,
    first_name: str,
    accepted: bool,
    points: int,
    seconds: float,
    review: Callable[[CardState | None], CardState] | None,
    daily: Callable[[DailyStreak, str | None], DailyStreak] | None,
) -> bool:
    name_player(db, record, first_name)
    inserted = db.execute(
        "INSERT INTO challenge_answers(challenge_id, position, user_id, chat_id,"
        " verdict, points, seconds, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (
            challenge.id,
            challenge.position,
            record.user_id,
            challenge.chat_id,
            record.verdict,
            points,
            round(seconds, 3),
            iso(record.answered_at),
        ),
    ).rowcount
    if inserted == 0:
        return False  # a second answer: the first one stands
    record_personal(db, record, accepted=accepted, review=review, daily=daily)
    return True


def _move_chat(db: sqlite3.Connection, old: int, new: int) -> None:
    db.execute("UPDATE challenges SET chat_id = ? WHERE chat_id = ?", (new, old))
    db.execute("UPDATE challenge_answers SET chat_id = ? WHERE chat_id = ?", (new, old))


def _challenge(row: Any) -> Challenge:
    return Challenge(
        id=row["id"],
        chat_id=row["chat_id"],
        token=row["token"],
        starter_id=row["starter_id"],
        mode=Mode(row["mode"]),
        questions=tuple(json.loads(row["questions"])),
        seconds=row["seconds"],
        started_at=parse(row["started_at"]),
        topic=row["topic"],
        position=row["position"],
        asked_at=parse(row["asked_at"]) if row["asked_at"] else None,
        message_id=row["message_id"],
        poll_id=row["poll_id"],
    )
