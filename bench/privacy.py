"""Benchmark: /mydata and /forgetme for one student among 1,000 with a million answers each way.

Run: .venv/bin/python bench/privacy.py [--answers 1000000]
Stores `--answers` answers and as many challenge answers, spread over 1,000 students, then
times the footprint (what /forgetme lists), the export (/mydata) and the deletion for one
student, with the machine. Each holds the shared connection while it runs. Not a test and
not part of CI.

Recorded (AMD EPYC, 2 cores shared with other work, Python 3.11.7, 1M + 1M rows, 1,000 +
1,000 of them the student's): footprint 1 ms, export 34-38 ms, deletion 105-180 ms.
Before migration 013's indexes by user: 63 ms, 817 ms and 546 ms (challenge_answers was
scanned whole).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time

from storage.db import connect
from storage.privacy import PrivacyRepository
from storage.transactions import Transactions

STUDENTS = 1000
STUDENT = 7


async def main(answers: int) -> None:
    """Fill a fresh database, then time one student's footprint, export and deletion."""
    conn = await connect(os.path.join(tempfile.mkdtemp(), "bench.sqlite3"))
    try:
        await conn.execute("BEGIN")
        await conn.executemany(
            "INSERT INTO users(id, first_name, created_at) VALUES (?, 'x', '2026-01-01')",
            [(u,) for u in range(1, STUDENTS + 1)],
        )
        await conn.execute(
            "INSERT INTO challenges(id, chat_id, token, starter_id, mode, questions, seconds,"
            " started_at) VALUES (1, -1, 't', 1, 'text', '[]', 30, '2026-01-01')"
        )
        await conn.executemany(
            "INSERT INTO answers(user_id, chat_id, bank, question_id, topic, typed, verdict,"
            " answered_at) VALUES (?, -1, 'b', 'q', 't', 'x', 'correct', '2026-01-01')",
            [((i % STUDENTS) + 1,) for i in range(answers)],
        )
        await conn.executemany(
            "INSERT INTO challenge_answers(challenge_id, position, user_id, chat_id, verdict,"
            " points, seconds, answered_at) VALUES (1, ?, ?, -1, 'correct', 1, 1.0, '2026')",
            [(i // STUDENTS, (i % STUDENTS) + 1) for i in range(answers)],
        )
        await conn.execute("COMMIT")
        repo = PrivacyRepository(Transactions(conn))
        timings = {}
        for name, step in (
            ("footprint", repo.footprint),
            ("export", repo.export),
            ("deletion", repo.forget),
        ):
            start = time.perf_counter()
            await step(STUDENT)
            timings[name] = (time.perf_counter() - start) * 1000
    finally:
        await conn.close()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {answers:,} answers and {answers:,} challenge answers"
    )
    print(", ".join(f"{name} {ms:.0f} ms" for name, ms in timings.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    asyncio.run(main(parser.parse_args().answers))
