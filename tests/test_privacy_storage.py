"""/forgetme's deleter against the schema itself: every table, every column holding an id."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from storage.db import connect
from storage.privacy import GROUP_ONLY, NOT_PERSONAL, USER_COLUMNS, PrivacyRepository
from storage.transactions import Transactions

GONE = 987_654_321  # the person who asks to be forgotten
STAYS = 123_456_789  # someone else, whose rows must all survive
# A column whose name says it may hold a person's id (or a chat's, which for a private chat
# is the person's id).
_LOOKS_PERSONAL = re.compile(
    r"(^|_)(user|owner|teacher|starter|student|member|player|author|chat)(_id)?$|(^|_)by$"
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    conn = await connect(tmp_path / "q.sqlite3")
    yield conn
    await conn.close()


async def _rows(db: aiosqlite.Connection, sql: str) -> list[aiosqlite.Row]:
    async with db.execute(sql) as cur:
        return list(await cur.fetchall())


async def _tables(db: aiosqlite.Connection) -> list[str]:
    rows = await _rows(
        db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return sorted(r[0] for r in rows)


async def _columns(db: aiosqlite.Connection, table: str) -> list[aiosqlite.Row]:
    # pragma_table_info takes the table as a bound value, never spliced into the SQL.
    async with db.execute(
        'SELECT name, type, "notnull", pk FROM pragma_table_info(?)', (table,)
    ) as cur:
        return list(await cur.fetchall())


async def uncovered(db: aiosqlite.Connection) -> list[str]:
    """Tables and columns that may hold a person's id but that the deleter does not name."""
    problems = []
    for table in await _tables(db):
        if table in NOT_PERSONAL:
            continue
        if table not in USER_COLUMNS:
            problems.append(f"table {table}")
            continue
        async with db.execute(
            'SELECT "from" FROM pragma_foreign_key_list(?) WHERE "table" = ?', (table, "users")
        ) as cur:
            to_users = {r[0] for r in await cur.fetchall()}
        names = {c[0] for c in await _columns(db, table)}
        personal = {n for n in names if _LOOKS_PERSONAL.search(n)} | to_users
        if table == "users":
            personal.add("id")
        named = set(USER_COLUMNS[table]) | {c for t, c in GROUP_ONLY if t == table}
        problems.extend(f"column {table}.{c}" for c in sorted(personal - named))
        problems.extend(f"no column {table}.{c}" for c in sorted(set(USER_COLUMNS[table]) - names))
    return problems


async def test_every_table_and_every_column_that_can_hold_a_persons_id_is_covered(
    db: aiosqlite.Connection,
) -> None:
    assert await uncovered(db) == [], (
        "a migration added a table or a column that can hold someone's id: say in "
        "storage/privacy.py (USER_COLUMNS, and the deletes) what /forgetme does with it"
    )


async def test_the_check_notices_a_new_table_or_column_holding_someones_id(
    db: aiosqlite.Connection,
) -> None:
    # What a future migration might add: a table of notes, and a reviewer on disputes.
    await db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT)")
    await db.execute("ALTER TABLE disputes ADD COLUMN reviewed_by INTEGER")
    await db.execute("CREATE TABLE badges (holder INTEGER REFERENCES users(id), badge TEXT)")

    assert await uncovered(db) == ["table badges", "column disputes.reviewed_by", "table notes"]


async def _plant(db: aiosqlite.Connection, person: int, base: int) -> None:
    """One row in every table that can hold a person's id, with all its id columns theirs.

    Other columns get values from `base` up, so one person's rows never point at the
    other's (ids 1000+ for one, 2000+ for the other).
    """
    for table, personal in USER_COLUMNS.items():
        columns = await _columns(db, table)
        values = []
        for offset, (name, kind, _notnull, _pk) in enumerate(columns):
            if name in personal:
                values.append(person)
            elif "INT" in kind.upper():
                values.append(base + offset)
            elif "REAL" in kind.upper():
                values.append(0.5)
            elif "BLOB" in kind.upper():
                values.append(b"bytes")
            else:
                values.append(f"text{base}")
        names = ", ".join(f'"{c[0]}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        await db.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)  # noqa: S608


async def _mentions(db: aiosqlite.Connection, person: int) -> dict[str, int]:
    """How many rows of each table mention the person's id in any column, JSON included."""
    found = {}
    for table in await _tables(db):
        columns = [c[0] for c in await _columns(db, table)]
        where = " OR ".join(f'instr(CAST("{c}" AS TEXT), ?) > 0' for c in columns)
        query = f'SELECT COUNT(*) FROM "{table}" WHERE {where}'  # noqa: S608
        async with db.execute(query, [str(person)] * len(columns)) as cur:
            row = await cur.fetchone()
        if row and row[0]:
            found[table] = row[0]
    return found


async def test_forgetting_removes_the_person_from_every_table_and_no_one_else(
    db: aiosqlite.Connection,
) -> None:
    # Planted rows need not make sense together: no foreign keys while planting.
    await db.execute("PRAGMA foreign_keys=OFF")
    await _plant(db, GONE, 1000)
    await _plant(db, STAYS, 2000)
    await db.execute("PRAGMA foreign_keys=ON")
    before = await _mentions(db, STAYS)
    assert set(await _mentions(db, GONE)) == set(USER_COLUMNS)

    footprint = await PrivacyRepository(Transactions(db)).forget(GONE)

    assert footprint.known and footprint.answers == 1 and len(footprint.classes) == 1
    assert await _mentions(db, GONE) == {}
    assert await _mentions(db, STAYS) == before
