"""Transactions run whole: small ones on the loop, the rest in one trip; atomic, one at a time."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest
from fsrs import Rating

from bot.tutor.memory import review
from bot.tutor.rounds import AnswerRecord, Round
from bot.tutor.streaks import DailyStreak, after_answer
from quizbank.grading import Outcome
from storage.db import connect
from storage.repository import Repository
from storage.transactions import CHECKPOINT_EVERY, Transactions, check_worker, on_thread

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    conn = await connect(tmp_path / "t.sqlite3")
    await conn.execute("CREATE TABLE log (n INTEGER NOT NULL, who TEXT NOT NULL)")
    await conn.execute("CREATE TABLE counter (value INTEGER NOT NULL)")
    await conn.execute("INSERT INTO counter VALUES (0)")
    yield conn
    await conn.close()


@pytest.fixture
def trips(db: aiosqlite.Connection, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every call queued on the connection's worker thread, from now on."""
    queued: list[object] = []
    execute = db._execute

    async def counting(fn: object, *args: object, **kwargs: object) -> object:
        queued.append(fn)
        return await execute(fn, *args, **kwargs)

    monkeypatch.setattr(db, "_execute", counting)
    yield queued


async def _rows(db: aiosqlite.Connection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await db.execute_fetchall(sql)]


async def test_aiosqlite_still_has_the_private_names_quizbot_relies_on(
    db: aiosqlite.Connection,
) -> None:
    # If this fails after an aiosqlite upgrade, storage/transactions.py's on_thread() must
    # be rewritten against the new version before the pin in pyproject.toml moves.
    assert callable(getattr(db, "_execute", None)), "aiosqlite.Connection._execute is gone"
    assert isinstance(db._conn, sqlite3.Connection), "aiosqlite.Connection._conn changed"
    check_worker(db)

    def where(conn: sqlite3.Connection) -> tuple[str, sqlite3.Connection]:
        return threading.current_thread().name, conn

    thread, conn = await on_thread(db, where)
    assert thread != threading.current_thread().name  # the worker, not the event loop
    assert conn is db._conn


def test_a_connection_without_the_private_method_is_refused_at_once() -> None:
    with pytest.raises(RuntimeError, match=r"_execute or \._conn"):
        check_worker(object())  # type: ignore[arg-type]


async def test_a_failed_statement_rolls_back_the_whole_transaction(
    db: aiosqlite.Connection,
) -> None:
    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO log VALUES (1, 'first')")
        conn.execute("UPDATE counter SET value = 99")
        conn.execute("INSERT INTO log VALUES (NULL, 'fails')")  # NOT NULL

    transactions = Transactions(db)
    with pytest.raises(sqlite3.IntegrityError):
        await transactions.write(half_done)
    assert await _rows(db, "SELECT * FROM log") == []
    assert await _rows(db, "SELECT value FROM counter") == [(0,)]
    assert not db.in_transaction
    await transactions.execute("INSERT INTO log VALUES (?, ?)", (2, "after"))  # still usable
    assert await _rows(db, "SELECT * FROM log") == [(2, "after")]


async def test_an_exception_in_python_code_rolls_back_too(db: aiosqlite.Connection) -> None:
    def fails_between(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO log VALUES (1, 'first')")
        raise ValueError("a bug between two statements")

    with pytest.raises(ValueError, match="a bug"):
        await Transactions(db).write(fails_between)
    assert await _rows(db, "SELECT * FROM log") == []
    assert not db.in_transaction


def _bump(conn: sqlite3.Connection, who: str) -> int:
    """Read the counter, log it, and write it back one higher: a read-modify-write."""
    (value,) = conn.execute("SELECT value FROM counter").fetchone()
    conn.execute("INSERT INTO log VALUES (?, ?)", (value, who))
    conn.execute("UPDATE counter SET value = ?", (value + 1,))
    return int(value)


async def test_concurrent_transactions_never_interleave(db: aiosqlite.Connection) -> None:
    transactions = Transactions(db)

    def snapshot(conn: sqlite3.Connection) -> tuple[int, int]:
        (value,) = conn.execute("SELECT value FROM counter").fetchone()
        (logged,) = conn.execute("SELECT COUNT(*) FROM log").fetchone()
        return value, logged

    writes = [transactions.write(_bump, f"task {n}") for n in range(40)]
    reads = [transactions.read(snapshot) for _ in range(20)]
    results = await asyncio.gather(*writes, *reads)
    assert sorted(results[:40]) == list(range(40))  # each saw the one before it
    assert all(value == logged for value, logged in results[40:])  # never half a write
    assert await _rows(db, "SELECT value FROM counter") == [(40,)]


async def test_a_cancelled_caller_neither_splits_its_transaction_nor_lets_one_in(
    db: aiosqlite.Connection,
) -> None:
    transactions = Transactions(db)
    started, release = threading.Event(), threading.Event()

    def slow(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO log VALUES (1, 'slow, before')")
        started.set()
        assert release.wait(5)
        conn.execute("INSERT INTO log VALUES (2, 'slow, after')")

    first = asyncio.create_task(transactions.write(slow, large=True))
    assert await asyncio.to_thread(started.wait, 5)
    first.cancel()  # mid-transaction, while the worker thread runs it
    second = asyncio.create_task(transactions.execute("INSERT INTO log VALUES (3, 'next')"))
    await asyncio.sleep(0.05)
    # The cancelled caller holds on until the worker is done: the next write must not run
    # on the loop while the connection is mid-transaction on the worker thread.
    assert not first.done() and not second.done()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await first
    await second
    # The cancelled transaction ran to its end and committed whole, before the next began.
    assert await _rows(db, "SELECT n FROM log ORDER BY rowid") == [(1,), (2,), (3,)]
    assert not db.in_transaction


def _record(user: int) -> AnswerRecord:
    return AnswerRecord(user, user, "khrushchev", "q1", "space", "1956", "correct", NOW, "tok")


async def test_the_answer_path_never_leaves_the_event_loop(
    db: aiosqlite.Connection, trips: list[object]
) -> None:
    # Each of these is a few indexed statements: a trip to the worker thread would cost more.
    repo = Repository(db)
    rnd = Round(5, 5, "tok", ("khrushchev:q1", "khrushchev:q2"), NOW)

    def daily(streak: DailyStreak, zone: str | None) -> DailyStreak:
        return after_answer(streak, NOW.date())

    await repo.ensure_user(5, "Dee", now=NOW)
    await repo.save_round(rnd)
    await repo.record_answer(
        _record(5),
        accepted=True,
        rnd=rnd.advance(Outcome.CORRECT),
        review=lambda card: review(card, Rating.Good, NOW),
        daily=daily,
    )
    await repo.learner(5, now=NOW, day_start=lambda zone: NOW.replace(hour=0, minute=0))
    assert (await repo.load_round(5)) is not None
    assert [key for key, _ in await repo.due_cards(5, now=NOW + timedelta(days=30))] == [
        "khrushchev:q1"
    ]
    assert (await repo.stats(5)).answered == 1
    assert trips == []


async def test_a_large_read_is_one_trip_to_the_worker_thread(
    db: aiosqlite.Connection, trips: list[object]
) -> None:
    transactions = Transactions(db)
    await transactions.execute("INSERT INTO log VALUES (?, ?)", (1, "a"))
    assert trips == []

    def where(conn: sqlite3.Connection) -> str:
        return threading.current_thread().name

    assert await transactions.read(where, large=True) != threading.current_thread().name
    assert [tuple(r) for r in await transactions.fetchall("SELECT * FROM log")] == [(1, "a")]
    assert len(trips) == 2


async def test_a_lock_held_by_another_process_is_waited_for_off_the_loop(
    db: aiosqlite.Connection, tmp_path: Path, trips: list[object]
) -> None:
    transactions = Transactions(db)
    other = sqlite3.connect(tmp_path / "t.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing: SQLite answers BUSY
    other.execute("INSERT INTO log VALUES (1, 'other')")
    waiting = asyncio.create_task(transactions.write(_bump, "bot"))
    for _ in range(5):  # the loop keeps turning while the write waits for the lock
        await asyncio.sleep(0.02)
    assert not waiting.done()
    other.execute("COMMIT")
    assert await waiting == 0
    assert len(trips) == 1  # the retry went to the worker thread, whole
    other.close()
    await transactions.execute("INSERT INTO log VALUES (2, 'later')")  # back on the loop
    assert len(trips) == 1
    assert await _rows(db, "SELECT n, who FROM log ORDER BY rowid") == [
        (1, "other"),
        (0, "bot"),
        (2, "later"),
    ]


async def test_the_wal_is_checkpointed_off_the_loop_and_stays_small(
    db: aiosqlite.Connection, tmp_path: Path, trips: list[object]
) -> None:
    transactions = Transactions(db)
    for n in range(1000):
        await transactions.execute("INSERT INTO log VALUES (?, ?)", (n, "x" * 500))
    # Without checkpoints this WAL would pass 4 MB; with one per CHECKPOINT_EVERY writes
    # it is reused from the start once a checkpoint has copied it back.
    assert (tmp_path / "t.sqlite3-wal").stat().st_size < 2_000_000
    assert len(trips) == 1000 // CHECKPOINT_EVERY
    assert await _rows(db, "SELECT COUNT(*) FROM log") == [(1000,)]


async def test_cancelling_a_statement_by_statement_transaction_anywhere_leaves_none_open(
    db: aiosqlite.Connection,
) -> None:
    transactions = Transactions(db)

    async def logs(n: int) -> None:
        async with transactions() as conn:
            await conn.execute("INSERT INTO log VALUES (?, 'cancelled?')", (n,))

    for n in range(300):
        task = asyncio.create_task(logs(n))
        for _ in range(n % 7):  # cancel it at a different step each time
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        # Whatever step it was at, the next transaction (on the loop) starts cleanly.
        await transactions.execute("INSERT INTO log VALUES (?, 'after')", (n,))
    assert not db.in_transaction
    (after,) = (await _rows(db, "SELECT COUNT(*) FROM log WHERE who = 'after'"))[0]
    assert after == 300
