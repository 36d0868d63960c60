"""One transaction at a time on a shared connection, for every repository that uses it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite


class Transactions:
    """Hands out transactions on one connection, one at a time."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        # One connection holds one transaction at a time: coroutines sharing it (a timer
        # closing a challenge while an answer is handled) take turns instead of
        # interleaving statements.
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def __call__(self, *, write: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN … COMMIT, rolled back on any error or cancellation."""
        # IMMEDIATE takes the write lock up front, so read-modify-write steps cannot race
        # with another process; a plain BEGIN gives multi-statement reads one snapshot.
        async with self._lock:
            try:
                await self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield self.conn
            except BaseException:
                # Cancelled mid-BEGIN or failed later: never leave the connection inside an
                # open transaction, or every later BEGIN on it would fail.
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")
