"""One transaction at a time on a shared connection, each run whole in one step.

An answer's transaction is a handful of indexed statements: tens of microseconds of SQLite.
Handing it to aiosqlite's worker thread costs more than that (a queue put, a thread wake-up
and a GIL hand-over each way, and a chance for the loop to poll in between), so small
transactions (`write`, `read`, `execute`, `fetchone`) run on the event loop itself, whole:
BEGIN, the work, COMMIT or ROLLBACK. Anything that could stall the loop goes to the worker
thread instead, in one trip:

- a transaction that meets another process's lock (SQLITE_BUSY): the loop never waits on a
  lock; the worker retries with a busy timeout;
- WAL checkpoints, which copy pages and fsync: automatic checkpoints are off
  (storage/db.py), and every `CHECKPOINT_EVERY` writes one runs on the worker;
- `fetchall` and `large=True` work: reads that may scan many rows (reports, leaderboards);
- the statement-by-statement transactions of `__call__`.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")
Params = tuple[Any, ...] | dict[str, Any]
# Writes between two checkpoints. An answer adds a few pages to the WAL, so the WAL stays
# around SQLite's own default of 1,000 pages (4 MB), and a checkpoint is a few milliseconds
# that one in this many writes waits for (on the worker thread, never on the loop).
CHECKPOINT_EVERY = 200
# How long a transaction that met another process's lock waits for it, on the worker thread.
BUSY_WAIT_MS = 5000


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


def _waiting(
    begin: str, work: Callable[..., T], args: tuple[Any, ...], db: sqlite3.Connection
) -> T:
    """The transaction on the worker thread, waiting for another process's lock if need be."""
    db.execute(f"PRAGMA busy_timeout={BUSY_WAIT_MS}")
    try:
        return _transaction(begin, work, args, db)
    finally:
        # Back to never waiting, for the next transaction run on the loop.
        db.execute("PRAGMA busy_timeout=0")


def _checkpoint(db: sqlite3.Connection) -> None:
    # PASSIVE never waits for readers or writers of other connections: it copies what it can.
    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(exc)


def loop_connection(conn: aiosqlite.Connection) -> sqlite3.Connection | None:
    """The sqlite3 connection, if it may be used from this thread too; else None."""
    db: sqlite3.Connection = conn._conn
    try:
        # Never wait for a lock on the loop; `_waiting` sets a timeout on the worker.
        db.execute("PRAGMA busy_timeout=0")
    except sqlite3.ProgrammingError:
        return None  # opened with check_same_thread=True: the worker thread only
    return db


class Transactions:
    """Runs transactions on one connection, one at a time, each whole in one step.

    Make one per connection and share it: its lock is what keeps the loop and the worker
    thread from using the connection at the same time.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        check_worker(conn)
        self.conn = conn
        # storage.db.connect opens connections usable from the loop; any other goes through
        # the worker thread only, as before.
        self._db = loop_connection(conn)
        self._writes = 0
        # One connection holds one transaction at a time: coroutines sharing it (a timer
        # closing a challenge while an answer is handled) take turns. The connection's single
        # worker thread runs queued calls in order, so even a transaction whose caller was
        # cancelled mid-flight finishes before the next one starts.
        self._lock = asyncio.Lock()

    async def write(self, work: Callable[..., T], /, *args: Any, large: bool = False) -> T:
        """`work(db, *args)` inside BEGIN IMMEDIATE … COMMIT, rolled back if it raises.

        IMMEDIATE takes the write lock up front, so a read-modify-write cannot race with
        another process. `work` is plain synchronous code over the connection: it must not
        touch the event loop, must return no live cursor, and may run twice (the first try
        rolled back) if another process held the lock. `large=True` runs it on the worker
        thread. A caller cancelled while `work` runs does not stop it: the transaction still
        commits or rolls back as a whole.
        """
        return await self._run("BEGIN IMMEDIATE", work, args, large=large)

    async def read(self, work: Callable[..., T], /, *args: Any, large: bool = False) -> T:
        """`work(db, *args)` inside a plain BEGIN … COMMIT: its reads see one snapshot."""
        return await self._run("BEGIN", work, args, large=large)

    async def execute(self, sql: str, params: Params = ()) -> None:
        """One write statement as its own transaction."""
        await self._run("BEGIN IMMEDIATE", _execute, (sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of one query."""
        return await self._run("BEGIN", _fetchone, (sql, params))

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Every row of one query, read on the worker thread: it may be many rows."""
        return await self._run("BEGIN", _fetchall, (sql, params), large=True)

    @asynccontextmanager
    async def __call__(self, *, write: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN … COMMIT awaited statement by statement through aiosqlite: a trip each.

        For repositories not yet written as one function for `write`/`read` (daily
        questions, classes, banks, reports: none on the per-answer path).
        """
        async with self._lock:
            try:
                await self.conn.execute(f"PRAGMA busy_timeout={BUSY_WAIT_MS}")
                await self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield self.conn
                await self.conn.execute("COMMIT")
            except BaseException:
                # Never leave the connection inside an open transaction. Asked on the
                # worker, after whatever was queued before: a BEGIN still on its way (its
                # caller cancelled) has run by then, so it is seen and rolled back.
                await _finish(on_thread(self.conn, _rollback_if_open))
                raise
            finally:
                if self._db is not None:
                    # Queued after every statement above, so once it is done the worker is
                    # idle: only then may the lock let a transaction run on the loop.
                    await _finish(self.conn.execute("PRAGMA busy_timeout=0"))
            if write:
                await self._wrote()

    async def _run(
        self, begin: str, work: Callable[..., T], args: tuple[Any, ...], *, large: bool = False
    ) -> T:
        async with self._lock:
            if self._db is not None and not large:
                try:
                    result = _transaction(begin, work, args, self._db)
                except sqlite3.OperationalError as exc:
                    if not _is_busy(exc):
                        raise
                    # Another process holds the lock (rolled back above): wait on the worker.
                    result = await _finish(
                        on_thread(self.conn, partial(_waiting, begin, work, args))
                    )
            elif self._db is not None:
                result = await _finish(on_thread(self.conn, partial(_waiting, begin, work, args)))
            else:
                result = await _finish(
                    on_thread(self.conn, partial(_transaction, begin, work, args))
                )
            if begin != "BEGIN":
                await self._wrote()
            return result

    async def _wrote(self) -> None:
        """Count a write; every CHECKPOINT_EVERY writes, checkpoint the WAL on the worker."""
        self._writes += 1
        if self._writes % CHECKPOINT_EVERY == 0:
            await _finish(on_thread(self.conn, _checkpoint))


async def _finish(trip: Awaitable[T]) -> T:
    """Await a trip to the worker thread; if cancelled, still wait for the worker to finish.

    The worker runs what was queued whatever happens to the caller. Returning early would
    release the lock while the connection is still in use on that thread, and the next
    transaction, run on the loop, would meet it half done.
    """
    task = asyncio.ensure_future(trip)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        while not task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({task})
        raise


def _rollback_if_open(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")


def _execute(db: sqlite3.Connection, sql: str, params: Params) -> None:
    db.execute(sql, params)


def _fetchone(db: sqlite3.Connection, sql: str, params: Params) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(sql, params).fetchone()
    return row


def _fetchall(db: sqlite3.Connection, sql: str, params: Params) -> list[sqlite3.Row]:
    return db.execute(sql, params).fetchall()
