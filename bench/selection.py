"""Benchmark: choosing a round for a student with 5,000 reviewed cards and 50,000 answers.

Run: .venv/bin/python bench/selection.py [--runs 15]
Prints the median time to choose (Tutor.start_round: due cards, mastery, the plan), and of
the pure plan alone, with the machine. Not a test and not part of CI.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.tutor.selection import plan_round
from bot.tutor.service import Tutor
from quizbank.model import Bank, Kind, Library, Question, Topic
from storage.db import connect
from storage.repository import Repository

USER = 42
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
# Every card met long before today, so the daily cap on new questions does not bite.
FIRST_SEEN = (NOW - timedelta(days=90)).isoformat(timespec="seconds")


def _library(size: int) -> Library:
    topics = tuple(Topic(f"t{i}", f"Topic {i}") for i in range(12))
    questions = tuple(
        Question(
            bank="b",
            id=f"q{n}",
            topic=f"t{n % 12}",
            kind=Kind.TEXT,
            prompt="?",
            answers=(f"answer {n}",),
            explanation="e",
            source=("s",),
        )
        for n in range(size)
    )
    return Library((Bank("b", "Bench", topics, questions),))


async def _fill(repo: Repository, conn, library: Library, rng: random.Random) -> None:
    await repo.ensure_user(USER, "Bench", now=NOW)
    questions = list(library.questions)
    answers = []
    for n in range(50_000):
        q = questions[n % len(questions)]
        when = NOW - timedelta(minutes=50_000 - n)
        answers.append(
            (
                USER,
                USER,
                "b",
                q.id,
                q.topic,
                "x",
                rng.choice(["correct", "wrong"]),
                when.isoformat(timespec="seconds"),
            )
        )
    cards = [
        (
            USER,
            "b",
            q.id,
            2,
            None,
            rng.uniform(0.5, 40),
            rng.uniform(1, 9),
            (NOW + timedelta(hours=rng.uniform(-200, 400))).isoformat(timespec="seconds"),
            (NOW - timedelta(days=rng.uniform(0, 30))).isoformat(timespec="seconds"),
            FIRST_SEEN,
        )
        for q in questions
    ]
    await conn.execute("BEGIN")
    await conn.executemany(
        "INSERT INTO answers(user_id, chat_id, bank, question_id, topic, typed, verdict,"
        " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        answers,
    )
    await conn.executemany(
        "INSERT INTO cards(user_id, bank, question_id, state, step, stability, difficulty,"
        " due, last_review, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        cards,
    )
    await conn.executemany(
        "INSERT INTO topic_stats(user_id, topic, answered, correct, recent, recent_correct)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(USER, t.id, 4000, 2000, 6.0, 3.0) for t in library.banks[0].topics],
    )
    await conn.execute("COMMIT")


async def main() -> None:
    """Fill a database, then time round selection."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(2026)
    library = _library(5_000)
    with tempfile.TemporaryDirectory() as tmp:
        conn = await connect(Path(tmp) / "bench.sqlite3")
        try:
            repo = Repository(conn)
            await _fill(repo, conn, library, rng)
            tutor = Tutor(store=repo, library=library, rng=random.Random(1))
            full = []
            for _ in range(args.runs + 1):
                start = time.perf_counter()
                await tutor.start_round(USER, USER, at=NOW)
                full.append(time.perf_counter() - start)
            cards = await repo.due_cards(USER, now=NOW + timedelta(days=9999))
        finally:
            await conn.close()
    due = [k for k, c in cards if c.due <= NOW]
    seen = {k for k, _ in cards}
    plan = []
    for _ in range(args.runs):
        start = time.perf_counter()
        plan_round(list(library.questions), 10, rng, due=due, weak_topics=["t3", "t7"], seen=seen)
        plan.append(time.perf_counter() - start)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}"
    )
    print(f"student: {len(cards):,} cards ({len(due):,} due), 50,000 answers, 5,000 questions")
    print(
        f"choose a round (start_round, first run warms caches): median "
        f"{statistics.median(full[1:]) * 1000:.1f} ms over {args.runs} runs"
    )
    print(f"the plan alone (pure): median {statistics.median(plan) * 1000:.2f} ms")


if __name__ == "__main__":
    asyncio.run(main())
