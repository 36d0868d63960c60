"""Open the SQLite database with the pragmas every connection needs."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import aiosqlite

from storage.migrations import migrate


class StorageError(Exception):
    """The database cannot be used; the message says why, in one line."""


def check_path(path: str | Path) -> None:
    """Fail early, with a readable reason, if the database file cannot be opened."""
    if str(path) == ":memory:":
        return
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA user_version").fetchone()
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise StorageError(
            f"QUIZBOT_DB {str(path)!r}: cannot open the database ({reason})"
        ) from exc


async def _enable_wal(conn: aiosqlite.Connection) -> None:
    # Switching a new file to WAL needs an exclusive lock, and SQLite answers "locked"
    # at once, ignoring busy_timeout, while another process opens the same file. It is a
    # one-time race (WAL is persistent), so a short bounded retry settles it.
    for attempt in range(50):
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 49:
                raise
            await asyncio.sleep(0.02)


async def connect(path: str | Path) -> aiosqlite.Connection:
    """Open (creating if needed) and migrate the database at `path`; ':memory:' works too."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per repository call.
    # check_same_thread=False: storage.transactions runs small transactions on the event loop
    # and the rest on aiosqlite's thread, never both at once (its lock sees to that).
    conn = await aiosqlite.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA busy_timeout=5000")
        await _enable_wal(conn)
        # NORMAL is durable across process crashes in WAL mode; only an OS crash can lose
        # the last commits, and it costs far fewer fsyncs per answer.
        await conn.execute("PRAGMA synchronous=NORMAL")
        # A checkpoint copies pages and fsyncs: Transactions runs one every so many writes on
        # the worker thread, so one never lands on the event loop inside a COMMIT.
        await conn.execute("PRAGMA wal_autocheckpoint=0")
        await conn.execute("PRAGMA foreign_keys=ON")
        await migrate(conn)
    except BaseException:
        await conn.close()
        raise
    return conn
