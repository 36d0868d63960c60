"""Benchmark: pushing one question to 3,000 students against Telegram's 30 messages a second.

Run from the repository root: .venv/bin/python bench/broadcast.py [--students 3000]
Not a test and not part of CI: timings depend on the machine.

The fake Bot API (tests/fakeapi.py) runs in this process and enforces 30 posts in any one
second, answering 429 beyond that. A class of --students is written straight into a fresh
database (joining 3,000 students through Telegram would itself take minutes), then
`quizbot run` starts as a subprocess with its real rate limiter, and the teacher sends
/push. It reports the achieved rate as a fraction of the limit (from the first student's
message to the last), the 429s received, and the students left without the question.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests/ is not an installed package

from storage.db import connect  # noqa: E402
from tests.fakeapi import TOKEN, FakeBotAPI  # noqa: E402

LIMIT = 30
TEACHER = 1
FIRST_STUDENT = 100_000


async def _class(db_path: Path, students: int) -> None:
    """A migrated database with one class of `students`."""
    conn = await connect(db_path)
    await conn.close()
    with sqlite3.connect(db_path) as db:
        now = "2026-11-22T08:00:00+00:00"
        db.execute(
            "INSERT INTO classes(id, teacher_id, name, code, created_at)"
            " VALUES (1, ?, 'Bench', 'benchbenchbench1', ?)",
            (TEACHER, now),
        )
        ids = range(FIRST_STUDENT, FIRST_STUDENT + students)
        db.executemany(
            "INSERT INTO users(id, first_name, created_at) VALUES (?, 'S', ?)",
            [(i, now) for i in ids],
        )
        db.executemany(
            "INSERT INTO class_members(class_id, user_id, joined_at) VALUES (1, ?, ?)",
            [(i, now) for i in ids],
        )


async def _done(api: FakeBotAPI, cursor: int, *, within: float) -> None:
    """Wait for the teacher's "Sent to" line, looking only at new calls, twice a second.

    FakeBotAPI.wait_for rescans every call on every call; at 3,000 messages that loads this
    process enough to bunch the fake's replies, and the figure would measure the bench.
    """
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        calls = api.calls[cursor:]
        cursor += len(calls)
        if any(_is_done(c.params) for c in calls):
            return
        await asyncio.sleep(0.5)
    raise TimeoutError("the push did not finish")


def _is_done(params: dict[str, object]) -> bool:
    return params.get("chat_id") == TEACHER and "Sent to" in str(params.get("text", ""))


async def main(students: int) -> None:
    """Run the benchmark and print its figures."""
    api = FakeBotAPI()
    api.per_second = LIMIT
    await api.start()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        await _class(db_path, students)
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "QUIZBOT_DB": str(db_path),
            "LOG_LEVEL": "WARNING",
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp
        )
        try:
            await api.wait_for(lambda c: c.method == "setMyCommands", timeout=30)
            cursor = len(api.calls)
            await api.push(
                {
                    "message": {
                        "message_id": 1,
                        "date": int(time.time()),
                        "chat": {"id": TEACHER, "type": "private"},
                        "from": {"id": TEACHER, "is_bot": False, "first_name": "Teacher"},
                        "text": "/push",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                    }
                }
            )
            await _done(api, cursor, within=students / LIMIT * 3 + 60)
        finally:
            bot.terminate()
            await bot.wait()
    await api.stop()
    pushed = [
        c
        for c in api.calls
        if c.method == "sendMessage" and int(c.params["chat_id"]) >= FIRST_STUDENT
    ]
    reached = {int(c.params["chat_id"]) for c in pushed}
    elapsed = pushed[-1].at - pushed[0].at
    rate = (len(pushed) - 1) / elapsed if elapsed > 0 else float("inf")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{students} students, limit {LIMIT} messages/s")
    print(f"sent {len(pushed)} in {elapsed:.1f} s: {rate:.1f}/s = {rate / LIMIT:.1%} of the limit")
    print(f"429s received: {len(api.flooded)}; duplicates: {len(pushed) - len(reached)}")
    print(f"lost (no message): {students - len(reached)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3000)
    asyncio.run(main(parser.parse_args().students))
