"""SQLite access for classes, members and pushed questions. Each method is one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.classes.model import Delivery, Push, SchoolClass
from storage.records import iso
from storage.transactions import Transactions

_CLASS = (
    "SELECT c.id, c.teacher_id, c.name, c.code,"
    " (SELECT COUNT(*) FROM class_members m WHERE m.class_id = c.id) FROM classes c"
)


class ClassRepository:
    """The `ClassStore` on SQLite, sharing the connection's transactions."""

    def __init__(self, transactions: Transactions) -> None:
        self._transaction = transactions

    async def create(self, teacher_id: int, name: str, code: str, *, now: datetime) -> SchoolClass:
        """A new class."""
        async with (
            self._transaction() as db,
            db.execute(
                "INSERT INTO classes(teacher_id, name, code, created_at) VALUES (?, ?, ?, ?)",
                (teacher_id, name, code, iso(now)),
            ) as cur,
        ):
            class_id = cur.lastrowid
        assert class_id is not None
        return SchoolClass(class_id, teacher_id, name, code)

    async def by_code(self, code: str) -> SchoolClass | None:
        """The class a join code belongs to."""
        rows = await self._classes(" WHERE c.code = ?", (code,))
        return rows[0] if rows else None

    async def by_old_code(self, code: str) -> SchoolClass | None:
        """The class a replaced join code belonged to."""
        rows = await self._classes(
            " JOIN retired_codes r ON r.class_id = c.id WHERE r.code = ?", (code,)
        )
        return rows[0] if rows else None

    async def new_code(self, school_class: SchoolClass, code: str, *, now: datetime) -> SchoolClass:
        """Replace a class's join code, keeping the old one as retired."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO retired_codes(code, class_id, retired_at) SELECT code, id, ?"
                " FROM classes WHERE id = ?",
                (iso(now), school_class.id),
            )
            await db.execute("UPDATE classes SET code = ? WHERE id = ?", (code, school_class.id))
        return replace(school_class, code=code)

    async def of_teacher(self, teacher_id: int) -> list[SchoolClass]:
        """A teacher's classes, oldest first, with member counts."""
        return await self._classes(" WHERE c.teacher_id = ? ORDER BY c.id", (teacher_id,))

    async def of_student(self, user_id: int) -> list[SchoolClass]:
        """The classes a student is in."""
        return await self._classes(
            " JOIN class_members j ON j.class_id = c.id WHERE j.user_id = ? ORDER BY c.id",
            (user_id,),
        )

    async def _classes(self, where: str, params: tuple[Any, ...]) -> list[SchoolClass]:
        # `where` is one of the fixed clauses above; values always go in as parameters.
        async with self._transaction(write=False) as db, db.execute(_CLASS + where, params) as cur:
            rows = await cur.fetchall()
        return [SchoolClass(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def join(self, class_id: int, user_id: int, first_name: str, *, now: datetime) -> bool:
        """Add a student; False if they were in it already."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO users(id, first_name, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET first_name = excluded.first_name, active = 1",
                (user_id, first_name[:64], iso(now)),
            )
            async with db.execute(
                "INSERT INTO class_members(class_id, user_id, joined_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (class_id, user_id, iso(now)),
            ) as cur:
                return cur.rowcount > 0

    async def leave(self, class_id: int, user_id: int) -> bool:
        """Remove a student; False if they were not in it."""
        async with (
            self._transaction() as db,
            db.execute(
                "DELETE FROM class_members WHERE class_id = ? AND user_id = ?", (class_id, user_id)
            ) as cur,
        ):
            return cur.rowcount > 0

    async def new_push(
        self, school_class: SchoolClass, question: str, *, by: int, now: datetime
    ) -> Push:
        """Record a push and a pending delivery for every reachable member."""
        async with self._transaction() as db:
            async with db.execute(
                "INSERT INTO pushes(class_id, question, created_by, created_at)"
                " VALUES (?, ?, ?, ?)",
                (school_class.id, question, by, iso(now)),
            ) as cur:
                push_id = cur.lastrowid
            # Students who blocked the bot are skipped from the start.
            await db.execute(
                "INSERT INTO push_deliveries(push_id, user_id) SELECT ?, m.user_id"
                " FROM class_members m JOIN users u ON u.id = m.user_id"
                " WHERE m.class_id = ? AND u.active = 1",
                (push_id, school_class.id),
            )
            async with db.execute(
                "SELECT user_id FROM push_deliveries WHERE push_id = ? ORDER BY user_id",
                (push_id,),
            ) as cur:
                pending = tuple(r[0] for r in await cur.fetchall())
        assert push_id is not None
        return Push(push_id, school_class, question, pending)

    async def pending_pushes(self) -> list[Push]:
        """Pushes with deliveries not yet done (after a restart), the claimed ones marked."""
        async with (
            self._transaction(write=False) as db,
            db.execute(
                "SELECT p.id, p.question, c.id, c.teacher_id, c.name, c.code, d.user_id,"
                " d.status FROM push_deliveries d JOIN pushes p ON p.id = d.push_id"
                " JOIN classes c ON c.id = p.class_id"
                " WHERE d.status IN ('pending', 'sending') ORDER BY p.id, d.user_id"
            ) as cur,
        ):
            rows = await cur.fetchall()
        pushes: dict[int, tuple[SchoolClass, str, list[int], set[int]]] = {}
        for push_id, question, class_id, teacher, name, code, user, status in rows:
            entry = pushes.setdefault(
                push_id, (SchoolClass(class_id, teacher, name, code), question, [], set())
            )
            entry[2].append(user)
            if status == Delivery.SENDING:
                entry[3].add(user)
        return [
            Push(i, c, q, tuple(users), frozenset(unsure))
            for i, (c, q, users, unsure) in pushes.items()
        ]

    async def due(self, push_id: int, user_id: int) -> bool:
        """Whether a delivery is still to be made (not done, nor deleted by /forgetme)."""
        row = await self._transaction.fetchone(
            "SELECT 1 FROM push_deliveries WHERE push_id = ? AND user_id = ?"
            " AND status IN ('pending', 'sending')",
            (push_id, user_id),
        )
        return row is not None

    async def claim(self, push_id: int, user_id: int, *, now: datetime) -> bool:
        """Mark a delivery as being sent now; False if it is already done."""
        async with (
            self._transaction() as db,
            db.execute(
                "UPDATE push_deliveries SET status = 'sending', attempted_at = ?,"
                " attempts = attempts + 1 WHERE push_id = ? AND user_id = ?"
                " AND status IN ('pending', 'sending')",
                (iso(now), push_id, user_id),
            ) as cur,
        ):
            return cur.rowcount > 0

    async def delivered(
        self, push_id: int, user_id: int, status: Delivery, *, now: datetime
    ) -> None:
        """Record what became of one delivery (a blocked student is marked inactive too)."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE push_deliveries SET status = ?, done_at = ?"
                " WHERE push_id = ? AND user_id = ?",
                (status.value, iso(now), push_id, user_id),
            )
            if status is Delivery.BLOCKED:
                await db.execute("UPDATE users SET active = 0 WHERE id = ?", (user_id,))

    async def counts(self, push_id: int) -> dict[Delivery, int]:
        """How many deliveries of a push ended each way."""
        async with (
            self._transaction(write=False) as db,
            db.execute(
                "SELECT status, COUNT(*) FROM push_deliveries WHERE push_id = ? GROUP BY status",
                (push_id,),
            ) as cur,
        ):
            return {Delivery(r[0]): r[1] for r in await cur.fetchall()}

    async def members(self, class_id: int) -> Sequence[int]:
        """A class's students."""
        async with (
            self._transaction(write=False) as db,
            db.execute(
                "SELECT user_id FROM class_members WHERE class_id = ? ORDER BY user_id", (class_id,)
            ) as cur,
        ):
            return [r[0] for r in await cur.fetchall()]
