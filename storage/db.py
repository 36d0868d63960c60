"""Open the SQLite database with the pragmas every connection needs."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from storage.migrations import migrate


async def connect(path: str | Path) -> aiosqlite.Connection:
    """Open (creating if needed) and migrate the database at `path`; ':memory:' works too."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per repository call.
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable across process crashes in WAL mode; only an OS crash can lose
        # the last commits, and it costs far fewer fsyncs per answer.
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await migrate(conn)
    except BaseException:
        await conn.close()
        raise
    return conn
