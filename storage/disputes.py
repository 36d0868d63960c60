"""SQLite access for teachers deciding disputes. Each method is one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection
from datetime import datetime

from bot.disputes.model import Case, Regraded
from bot.tutor.memory import CardState
from bot.tutor.rounds import DISPUTABLE
from storage.records import iso
from storage.rescoring import Logged, rescore, restreak
from storage.transactions import Transactions


class DisputeRepository:
    """The `DisputeStore` on SQLite, sharing the tutor's connection and transactions."""

    def __init__(self, transactions: Transactions) -> None:
        self._db = transactions

    async def uploaded_by(self, user_id: int) -> set[str]:
        """The ids of the banks this user uploaded."""
        rows = await self._db.fetchall(
            "SELECT bank FROM teacher_banks WHERE owner_id = ?", (user_id,)
        )
        return {r[0] for r in rows}

    async def open_cases(self, banks: Collection[str]) -> list[Case]:
        """Open claims on these banks' questions, oldest first."""
        rows = await self._db.fetchall(
            "SELECT id, user_id, bank, question_id, typed FROM disputes"
            " WHERE status = 'open' AND bank IN (SELECT value FROM json_each(?))"
            " ORDER BY id",
            (json.dumps(sorted(banks)),),
        )
        return [Case(*r) for r in rows]

    async def case(self, dispute_id: int) -> tuple[Case, str] | None:
        """One claim and its status (open, accepted or rejected)."""
        row = await self._db.fetchone(
            "SELECT id, user_id, bank, question_id, typed, status FROM disputes WHERE id = ?",
            (dispute_id,),
        )
        return None if row is None else (Case(*row[:5]), row[5])

    async def accepted(self) -> list[tuple[str, str]]:
        """Every accepted answer as (question key, answer), oldest first."""
        rows = await self._db.fetchall(
            "SELECT bank, question_id, answer FROM accepted_answers ORDER BY accepted_at"
        )
        return [(f"{r[0]}:{r[1]}", r[2]) for r in rows]

    async def accept(
        self,
        dispute_id: int,
        answer: str,
        *,
        grades_right: Callable[[str], bool],
        replay: Callable[[CardState | None, datetime], CardState],
        by: int,
        now: datetime,
    ) -> Regraded | None:
        """Keep `answer` as accepted for the claim's question and re-grade what it makes right
        (see DisputeStore.accept). None if the claim is no longer open."""
        # Re-grading walks every answer to the question: on the worker, off the event loop.
        return await self._db.write(
            _accept, dispute_id, answer, grades_right, replay, by, now, large=True
        )

    async def reject(
        self, dispute_id: int, *, same: Callable[[str], bool], by: int, now: datetime
    ) -> tuple[int, ...] | None:
        """Turn down the claim and the open claims of the `same` answer to its question,
        taking back their credit; the students'. None if the claim is no longer open."""
        # Taking back credit replays each student's answer history: off the event loop.
        return await self._db.write(_reject, dispute_id, same, by, now, large=True)


def _open(db: sqlite3.Connection, dispute_id: int) -> tuple[str, str] | None:
    row = db.execute(
        "SELECT bank, question_id FROM disputes WHERE id = ? AND status = 'open'", (dispute_id,)
    ).fetchone()
    return None if row is None else (row[0], row[1])


def _accept(
    db: sqlite3.Connection,
    dispute_id: int,
    answer: str,
    grades_right: Callable[[str], bool],
    replay: Callable[[CardState | None, datetime], CardState],
    by: int,
    now: datetime,
) -> Regraded | None:
    found = _open(db, dispute_id)
    if found is None:
        return None
    bank, question_id = found
    db.execute(
        "INSERT INTO accepted_answers(bank, question_id, answer, accepted_by, accepted_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (bank, question_id, answer, by, iso(now)),
    )
    # Every miss on the question, in any chat, with the claim on it if there is one.
    misses = db.execute(
        "SELECT a.id, a.user_id, a.bank, a.question_id, a.topic, a.round_token,"
        " a.card_before, a.answered_at, a.typed, a.verdict, d.id, d.status FROM answers a"
        " LEFT JOIN disputes d ON d.answer_id = a.id"
        " WHERE a.bank = ? AND a.question_id = ?"
        " AND a.verdict IN (SELECT value FROM json_each(?)) ORDER BY a.id",
        (bank, question_id, json.dumps(sorted(DISPUTABLE))),
    ).fetchall()
    right: dict[str, bool] = {}  # many students type the same thing: grade it once
    students: set[int] = set()
    disputers: set[int] = set()
    for row in misses:
        typed, verdict, claim, status = row[8:12]
        if typed not in right:
            right[typed] = grades_right(typed)
        if not right[typed] and claim != dispute_id:
            continue
        logged = Logged(*row[:8])
        db.execute(
            "UPDATE answers SET verdict = 'correct', regraded_from = ? WHERE id = ?",
            (verdict, logged.id),
        )
        # An open claim already counts as right (the student's own "I was right").
        if status != "open":
            rescore(db, logged, right=True, replay=replay)
        if claim is not None and status != "accepted":
            db.execute(
                "UPDATE disputes SET status = 'accepted', decided_by = ?, decided_at = ?"
                " WHERE id = ?",
                (by, iso(now), claim),
            )
            disputers.add(logged.user_id)
        students.add(logged.user_id)
    for user_id in students:
        restreak(db, user_id)
    regraded = sum(1 for row in misses if right[row[8]] or row[10] == dispute_id)
    return Regraded(regraded, tuple(sorted(students)), tuple(sorted(disputers)))


def _reject(
    db: sqlite3.Connection,
    dispute_id: int,
    same: Callable[[str], bool],
    by: int,
    now: datetime,
) -> tuple[int, ...] | None:
    found = _open(db, dispute_id)
    if found is None:
        return None
    claims = db.execute(
        "SELECT a.id, a.user_id, a.bank, a.question_id, a.topic, a.round_token,"
        " a.card_before, a.answered_at, d.typed, d.id FROM disputes d"
        " JOIN answers a ON a.id = d.answer_id"
        " WHERE d.bank = ? AND d.question_id = ? AND d.status = 'open' ORDER BY d.id",
        (*found,),
    ).fetchall()
    students: list[int] = []
    for row in claims:
        if row[9] != dispute_id and not same(row[8]):
            continue
        db.execute(
            "UPDATE disputes SET status = 'rejected', decided_by = ?, decided_at = ? WHERE id = ?",
            (by, iso(now), row[9]),
        )
        # Its card keeps the schedule the claim gave it: the next review corrects that.
        rescore(db, Logged(*row[:8]), right=False)
        students.append(row[1])
    for user_id in set(students):
        restreak(db, user_id, lowered=True)
    return tuple(students)
