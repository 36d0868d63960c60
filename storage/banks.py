"""SQLite access for banks teachers upload. Each method is one transaction."""

from __future__ import annotations

from datetime import datetime

from storage.records import iso
from storage.transactions import Transactions


class BankRepository:
    """Uploaded bank files, kept as sent."""

    def __init__(self, transactions: Transactions) -> None:
        self._transaction = transactions

    async def owner(self, bank: str) -> int | None:
        """Who uploaded the bank with this id, if anyone."""
        async with (
            self._transaction(write=False) as db,
            db.execute("SELECT owner_id FROM teacher_banks WHERE bank = ?", (bank,)) as cur,
        ):
            row = await cur.fetchone()
        return row[0] if row else None

    async def save(
        self,
        bank: str,
        owner_id: int,
        filename: str,
        content: bytes,
        questions: int,
        *,
        now: datetime,
        limit: int,
    ) -> bool:
        """Store (or replace, for its owner) an uploaded bank; False, storing nothing, if it
        is a new bank and its owner already has `limit`."""
        async with self._transaction() as db:
            # Counted in the same transaction as the insert, so two uploads at once can't
            # both slip under the limit. A replacement doesn't count twice.
            async with db.execute(
                "SELECT COUNT(*), SUM(bank = ?) FROM teacher_banks WHERE owner_id = ?",
                (bank, owner_id),
            ) as cur:
                count, replacing = await cur.fetchone() or (0, 0)
            if not replacing and count >= limit:
                return False
            await db.execute(
                "INSERT INTO teacher_banks(bank, owner_id, filename, content, questions,"
                " uploaded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(bank) DO UPDATE SET"
                " filename = excluded.filename, content = excluded.content,"
                " questions = excluded.questions, uploaded_at = excluded.uploaded_at"
                " WHERE teacher_banks.owner_id = excluded.owner_id",
                (bank, owner_id, filename, content, questions, iso(now)),
            )
        return True

    async def files(self) -> list[tuple[str, bytes]]:
        """Every uploaded bank as (filename, content), oldest first."""
        async with (
            self._transaction(write=False) as db,
            db.execute(
                "SELECT filename, content FROM teacher_banks ORDER BY uploaded_at, bank"
            ) as cur,
        ):
            return [(r[0], bytes(r[1])) for r in await cur.fetchall()]
