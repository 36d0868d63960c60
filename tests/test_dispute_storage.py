"""Deciding disputes in SQLite: what accepting re-grades and what rejecting takes back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.disputes.model import Regraded
from bot.tutor.memory import reviewed_right
from bot.tutor.rounds import AnswerRecord, Round
from quizbank.grading import Outcome
from storage.db import connect
from storage.disputes import DisputeRepository
from storage.repository import Repository
from storage.transactions import Transactions

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
TEXT = frozenset({("khrushchev", "q1")})
C, W = Outcome.CORRECT, Outcome.WRONG


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    conn = await connect(tmp_path / "q.sqlite3")
    yield conn
    await conn.close()


async def _play(
    repo: Repository, user: int, answers: list[tuple[Outcome, str]], *, chat: int | None = None
) -> list[int]:
    """A round of `user`'s answers (outcome, typed) to question q1, in `chat` (their own)."""
    await repo.ensure_user(user, f"U{user}", now=NOW)
    token = f"t{user:05d}"
    rnd = Round(user, user, token, tuple(f"k:{i}" for i in range(9)), NOW)
    await repo.save_round(rnd)
    ids = []
    for outcome, typed in answers:
        rnd = rnd.advance(outcome)
        record = AnswerRecord(
            user, chat or user, "khrushchev", "q1", "space", typed, outcome.value, NOW, token
        )
        saved = await repo.record_answer(record, accepted=outcome.accepted, rnd=rnd)
        ids.append(saved.answer_id)
    return ids


async def _dispute_id(db: aiosqlite.Connection, answer_id: int) -> int:
    async with db.execute("SELECT id FROM disputes WHERE answer_id = ?", (answer_id,)) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


def _police(typed: str) -> bool:
    return " ".join(typed.casefold().split()) == "secret police"


async def test_rejecting_takes_back_the_credit_down_to_the_best_streak(
    db: aiosqlite.Connection,
) -> None:
    repo, disputes = Repository(db), DisputeRepository(Transactions(db))
    ids = await _play(repo, 1, [(C, "a"), (C, "a"), (W, "Beria"), (C, "a"), (C, "a")])
    await repo.dispute(ids[2], 1, now=NOW, can_dispute=TEXT)
    stats = await repo.stats(1)
    assert (stats.correct, stats.streak, stats.best_streak) == (5, 5, 5)
    claim = await _dispute_id(db, ids[2])
    assert await disputes.reject(claim, same=_police, by=99, now=NOW) == (1,)
    stats = await repo.stats(1)
    assert (stats.correct, stats.streak, stats.best_streak, stats.disputed) == (4, 2, 2, 0)
    assert stats.topics[0].correct == 4
    assert (await repo.load_round(1)).correct == 4
    assert await disputes.reject(claim, same=_police, by=99, now=NOW) is None  # decided
    [(case, status)] = [await disputes.case(claim)]
    assert (case.typed, status) == ("Beria", "rejected")


async def test_accepting_regrades_every_miss_typed_that_way_in_any_chat(
    db: aiosqlite.Connection,
) -> None:
    repo, disputes = Repository(db), DisputeRepository(Transactions(db))
    # Rejected earlier: accepting the same answer later puts the credit back.
    [old] = await _play(repo, 10, [(W, "secret  police")])
    await repo.dispute(old, 10, now=NOW, can_dispute=TEXT)
    await disputes.reject(await _dispute_id(db, old), same=_police, by=99, now=NOW)
    [mine] = await _play(repo, 11, [(W, "Secret police")])
    await repo.dispute(mine, 11, now=NOW, can_dispute=TEXT)
    await _play(repo, 12, [(W, "SECRET POLICE")], chat=-100123)  # never disputed
    [other] = await _play(repo, 13, [(W, "Beria")])
    await repo.dispute(other, 13, now=NOW, can_dispute=TEXT)

    claim = await _dispute_id(db, mine)
    regraded = await disputes.accept(
        claim, "Secret police", grades_right=_police, replay=reviewed_right, by=99, now=NOW
    )
    assert regraded == Regraded(3, (10, 11, 12), (10, 11))
    for user in (10, 11, 12):
        stats = await repo.stats(user)
        assert (stats.correct, stats.streak, stats.disputed) == (1, 1, 0), user
    async with db.execute("SELECT user_id, verdict, regraded_from FROM answers ORDER BY id") as cur:
        rows = [tuple(r) for r in await cur.fetchall()]
    assert rows == [
        (10, "correct", "wrong"),
        (11, "correct", "wrong"),
        (12, "correct", "wrong"),
        (13, "wrong", None),  # another answer: its claim is still open
    ]
    assert [c.user_id for c in await disputes.open_cases({"khrushchev"})] == [13]
    assert await disputes.accepted() == [("khrushchev:q1", "Secret police")]
    again = await disputes.accept(
        claim, "Secret police", grades_right=_police, replay=reviewed_right, by=99, now=NOW
    )
    assert again is None
