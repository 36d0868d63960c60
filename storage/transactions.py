"""One transaction at a time on a shared connection, each in one trip to its thread.

aiosqlite runs every call on the connection's own worker thread. Awaiting each statement,
each `fetchone` and each cursor close separately costs a round trip per step: a queue put,
a thread wake-up and a GIL hand-over each way, which cost far more than the SQL itself. So
a repository method here is one plain function over the `sqlite3.Connection`, and the whole
transaction (BEGIN, its statements, COMMIT or ROLLBACK) runs on that thread in one trip.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")
Params = tuple[Any, ...] | dict[str, Any]


def check_worker(conn: aiosqlite.Connection) -> None:
    """Fail now, naming the cause, if aiosqlite lacks the private names `on_thread` uses."""
    if not (callable(getattr(conn, "_execute", None)) and hasattr(type(conn), "_conn")):
        raise RuntimeError(
            f"aiosqlite {aiosqlite.__version__} has no Connection._execute or ._conn, which"
            " quizbot uses to run a transaction in one trip: install the version in"
            " constraints.txt"
        )


async def on_thread(conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Call `work(sqlite3_connection)` on the connection's worker thread, in one trip."""
    # aiosqlite 0.22 has no public API for this (upstream: omnilib/aiosqlite#19), so this is
    # the one place that uses its private `_execute` (queue a call on the worker thread and
    # await its result) and `_conn` (the sqlite3 connection, read on that thread).
    # pyproject.toml pins aiosqlite to the tested minor version; every Transactions runs
    # check_worker() when it is made, and tests/test_transactions.py fails if either goes.
    return await conn._execute(_call, conn, work)


def _call(conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    return work(conn._conn)


def _transaction(
    begin: str, work: Callable[..., T], args: tuple[Any, ...], db: sqlite3.Connection
) -> T:
    db.execute(begin)
    try:
        result = work(db, *args)
        db.execute("COMMIT")
    except BaseException:
        # A failed statement, or a failed COMMIT: never leave the connection inside an open
        # transaction, or every later BEGIN on it would fail.
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return result


class Transactions:
    """Runs transactions on one connection, one at a time, each in one trip to its thread."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        check_worker(conn)
        self.conn = conn
        # One connection holds one transaction at a time: coroutines sharing it (a timer
        # closing a challenge while an answer is handled) take turns. The connection's single
        # worker thread runs queued calls in order, so even a transaction whose caller was
        # cancelled mid-flight finishes before the next one starts.
        self._lock = asyncio.Lock()

    async def write(self, work: Callable[..., T], /, *args: Any) -> T:
        """`work(db, *args)` inside BEGIN IMMEDIATE … COMMIT, rolled back if it raises.

        IMMEDIATE takes the write lock up front, so a read-modify-write cannot race with
        another process. `work` runs on the database thread: it must not touch the event
        loop, and what it returns must not be a live cursor. A caller cancelled while `work`
        runs does not stop it: the transaction still commits or rolls back as a whole.
        """
        return await self._run("BEGIN IMMEDIATE", work, args)

    async def read(self, work: Callable[..., T], /, *args: Any) -> T:
        """`work(db, *args)` inside a plain BEGIN … COMMIT: its reads see one snapshot."""
        return await self._run("BEGIN", work, args)

    async def execute(self, sql: str, params: Params = ()) -> None:
        """One write statement as its own transaction."""
        await self._run("BEGIN IMMEDIATE", _execute, (sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of one query."""
        return await self._run("BEGIN", _fetchone, (sql, params))

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Every row of one query."""
        return await self._run("BEGIN", _fetchall, (sql, params))

    @asynccontextmanager
    async def __call__(self, *, write: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN … COMMIT awaited statement by statement through aiosqlite: a trip each.

        For repositories not yet written as one function for `write`/`read` (daily
        questions, classes, banks, reports: none on the per-answer path).
        """
        async with self._lock:
            try:
                await self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield self.conn
            except BaseException:
                # Never leave the connection inside an open transaction.
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def _run(self, begin: str, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        async with self._lock:
            return await on_thread(self.conn, partial(_transaction, begin, work, args))


def _execute(db: sqlite3.Connection, sql: str, params: Params) -> None:
    db.execute(sql, params)


def _fetchone(db: sqlite3.Connection, sql: str, params: Params) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(sql, params).fetchone()
    return row


def _fetchall(db: sqlite3.Connection, sql: str, params: Params) -> list[sqlite3.Row]:
    return db.execute(sql, params).fetchall()
