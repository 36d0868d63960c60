"""Benchmark: does an answer, /stats or a round start cost more with 5M answers stored?

Run from the repository root: .venv/bin/python bench/storage_scale.py [--sizes 1k,100k,5M]
Not a test and not part of CI: timings depend on the machine. `--quick` checks it works.

For each size it builds a database (cached under --cache, default /tmp/quizbot-scale, and
reused while the migrations are the same): one template student plays 500 answers through
the real Tutor and Repository (so every row is one the bot writes, card JSON included), and
their answers, cards, topic counters and user row are copied with INSERT … SELECT to as
many students as the size needs (5M answers: 10,000 students). Then, on that database
opened as the bot opens it (storage.db.connect), it times:

- an answer: `Tutor.answer` for fresh students (grading, then one write transaction: read
  the card and the student, insert the answer, save the card, update the student, the
  topic and the round), and the transaction alone (`Repository.record_answer`);
- /stats: `Tutor.overview` (totals, streaks, due reviews, mastery) for fresh and for
  heavy students (500 answers each);
- a round start for a heavy student (`Tutor.start_round`), and the class totals that
  round starts read every 10 minutes.

Every statement those paths ran is caught with sqlite3's trace callback, and its
`EXPLAIN QUERY PLAN` is printed; a full scan of a table is flagged. It also prints the
database's bytes per stored answer (page_count * page_size / answers) and per table.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import machine, median, pct

from bot.tutor.rounds import Turn
from bot.tutor.service import Tutor
from quizbank.loader import builtin_paths, load_library
from quizbank.model import Kind, Library
from storage.challenges import ChallengeRepository
from storage.db import connect
from storage.migrations import MIGRATIONS
from storage.reports import ReportRepository
from storage.repository import Repository
from storage.transactions import Transactions
from tests.support import right_answer, wrong_answer

PER_STUDENT = 500  # answers of each stored student
TEMPLATE = 1  # the student whose rows are copied
FRESH = 1_000_000  # the first id of the students the timed answers come from
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}


class TimedRepository(Repository):
    """The real Repository, timing its answer transaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_times: list[float] = []

    async def record_answer(self, *args: Any, **kwargs: Any) -> Any:
        """Repository.record_answer, timed."""
        start = time.perf_counter()
        try:
            return await super().record_answer(*args, **kwargs)
        finally:
            self.record_times.append(time.perf_counter() - start)


async def play(
    tutor: Tutor,
    user: int,
    answers: int,
    at: datetime,
    step: timedelta,
    rng: random.Random,
    times: list[tuple[float, float]] | None = None,
) -> datetime:
    """`user` answers `answers` questions (70% right), starting rounds as needed; `times`
    gets each settled answer's (wall, CPU) seconds."""
    done = 0
    while done < answers:
        current = await tutor.current_question(user)
        if current is None:
            await tutor.start_round(user, user, at=at, first_name=f"S{user}")
            continue
        _, q = current
        right = rng.random() < 0.7
        if q.kind is Kind.POINTS:
            typed = " ".join(p.keywords[0] for p in q.points)
            await tutor.answer(user, typed, at=at)  # the mark scheme; the self-mark settles
            typed = "all" if right else "none"
        else:
            typed = right_answer(q) if right else wrong_answer(q)
        start, cpu = time.perf_counter(), time.process_time()
        result = await tutor.answer(user, typed, at=at)
        if isinstance(result, Turn):
            done += 1
            if times is not None:
                times.append((time.perf_counter() - start, time.process_time() - cpu))
        at += step
    return at


# ----- building a database of a given size ----------------------------------------------


async def build(path: Path, size: int, library: Library) -> None:
    """A database with `size` answers: a template student's, copied to more students."""
    tmp = path.with_suffix(".building")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    conn = await connect(tmp)
    tutor = Tutor(store=Repository(conn), library=library, rng=random.Random(7))
    await play(tutor, TEMPLATE, PER_STUDENT, START, timedelta(hours=1), random.Random(7))
    await conn.close()
    db = sqlite3.connect(tmp, isolation_level=None)
    (template,) = db.execute("SELECT COUNT(*) FROM answers").fetchone()
    # Near misses are logged too, so the template has a few more rows than answers.
    students = max(1, round(size / template))
    started = time.perf_counter()
    db.execute("BEGIN")
    columns = {
        "answers": "chat_id, bank, question_id, topic, typed, verdict, answered_at,"
        " round_token, card_before",
        "cards": "bank, question_id, state, step, stability, difficulty, due, last_review,"
        " first_seen",
        "topic_stats": "topic, answered, correct, recent, recent_correct",
    }
    users = [c[1] for c in db.execute("PRAGMA table_info(users)") if c[1] != "id"]
    for student in range(TEMPLATE + 1, TEMPLATE + students):
        db.execute(
            f"INSERT INTO users(id, {', '.join(users)}) SELECT ?, {', '.join(users)}"  # noqa: S608
            " FROM users WHERE id = ?",
            (student, TEMPLATE),
        )
        for table, cols in columns.items():
            # A private answer's chat is the student's own; the log keeps its order.
            select = cols.replace("chat_id", "?") if table == "answers" else cols
            params = (student, student, TEMPLATE) if table == "answers" else (student, TEMPLATE)
            order = " ORDER BY id" if table == "answers" else ""
            db.execute(
                f"INSERT INTO {table}(user_id, {cols}) SELECT ?, {select}"  # noqa: S608
                f" FROM {table} WHERE user_id = ?{order}",
                params,
            )
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    _finish(tmp, path)
    print(
        f"  built {path.name}: {students:,} students x {template} rows"
        f" in {time.perf_counter() - started:.0f} s"
    )


def _finish(tmp: Path, path: Path) -> None:
    """Move the built database into the cache."""
    tmp.rename(path)
    for side in ("-wal", "-shm"):
        Path(str(tmp) + side).unlink(missing_ok=True)


def _cached(cache: Path, label: str) -> tuple[Path, bool]:
    """Where the database for `label` is cached, and whether it is there yet."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"scale-{label}-{schema_tag()}.sqlite3"
    return path, path.exists()


def schema_tag() -> str:
    """Which migrations a cached database was built with."""
    return MIGRATIONS[-1][0]


async def database(cache: Path, label: str, size: int, library: Library) -> Path:
    """The cached database for `size`, built if missing or older than the migrations."""
    path, there = _cached(cache, label)
    if not there:
        await build(path, size, library)
    return path


# ----- timing -------------------------------------------------------------------------


async def timed(call: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    """Seconds each of `runs` calls took."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        times.append(time.perf_counter() - start)
    return times


def layout(path: Path) -> tuple[int, int, int, dict[str, int]]:
    """(answers, students, bytes in use, bytes per table and index) of the database."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (answers,) = db.execute("SELECT COUNT(*) FROM answers").fetchone()
    (students,) = db.execute("SELECT COUNT(*) FROM users").fetchone()
    # Pages in use: the timed students' rows, deleted after each run, leave free pages.
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    (free,) = db.execute("PRAGMA freelist_count").fetchone()
    pages -= free
    (page,) = db.execute("PRAGMA page_size").fetchone()
    per = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    db.close()
    return answers, students, pages * page, per


async def measure(path: Path, library: Library, args: argparse.Namespace) -> dict[str, Any]:
    """Time the answer path, /stats and a round start on the database at `path`."""
    conn = await connect(path)
    async with conn.execute("SELECT COUNT(*) FROM users") as cur:
        (stored,) = await cur.fetchone()  # type: ignore[misc]
    statements: set[str] = set()
    # The trace sees each statement with its values, as it runs on the database thread.
    raw = conn._conn
    assert raw is not None
    await conn._execute(raw.set_trace_callback, statements.add)
    transactions = Transactions(conn)
    store = TimedRepository(conn, transactions=transactions)
    tutor = Tutor(store=store, library=library, rng=random.Random(3))
    rng = random.Random(11)
    heavy = list(range(TEMPLATE, TEMPLATE + min(stored, args.heavy)))
    at = START + timedelta(days=60)
    fresh = list(range(FRESH, FRESH + args.fresh))
    answer_times: list[tuple[float, float]] = []
    for user in fresh:
        # A minute apart: the class totals (cached 10 minutes) are read now and then.
        at = await play(tutor, user, args.answers, at, timedelta(minutes=1), rng, answer_times)
    results: dict[str, Any] = {
        "answer": [wall for wall, _ in answer_times],
        # This process's CPU, the database thread's included.
        "answer_cpu": median([cpu for _, cpu in answer_times]),
        "record": store.record_times,
        "stats_fresh": [],
        "stats_heavy": [],
        "round_heavy": [],
    }
    for _ in range(args.runs):
        for user in fresh:
            results["stats_fresh"] += await timed(partial_overview(tutor, user, at), 1)
        for user in heavy:
            results["stats_heavy"] += await timed(partial_overview(tutor, user, at), 1)
            results["round_heavy"] += await timed(
                lambda u=user: tutor.start_round(u, u, at=at, first_name="S"), 1
            )
    results["class_totals"] = await timed(store.class_totals, 5)
    # The group paths, on an empty group: their statements get planned all the same.
    await ChallengeRepository(transactions).leaderboard(-100, since=at)
    await ChallengeRepository(transactions).leaderboard(-100, since=None)
    await ReportRepository(transactions).class_record(-100, since=at - timedelta(days=7))
    await conn._execute(raw.set_trace_callback, None)
    # Leave the cached database as it was built.
    async with transactions() as db:
        for table in ("answers", "cards", "topic_stats", "rounds", "users"):
            column = "id" if table == "users" else "user_id"
            await db.execute(f"DELETE FROM {table} WHERE {column} >= ?", (FRESH,))  # noqa: S608
    await conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await conn.close()
    results["statements"] = statements
    return results


def partial_overview(tutor: Tutor, user: int, at: datetime) -> Callable[[], Awaitable[Any]]:
    """/stats for `user`, as a call to time."""
    return lambda: tutor.overview(user, at=at)


# ----- query plans --------------------------------------------------------------------


def _shape(sql: str) -> str:
    """A statement with its literal values blanked, to group the traced ones."""
    import re

    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?", "?", sql)
    return " ".join(sql.split())


def plans(path: Path, statements: set[str]) -> list[tuple[str, list[str], bool]]:
    """(statement shape, plan lines, scans a table) for each distinct statement traced."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    seen: dict[str, tuple[str, list[str], bool]] = {}
    for sql in sorted(statements):
        shape = _shape(sql)
        head = shape.split()[0].upper()
        if shape in seen or head in ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"):
            continue
        try:
            rows = db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        except sqlite3.Error as exc:
            seen[shape] = (shape, [f"(not planned: {exc})"], False)
            continue
        lines = [r[3] for r in rows]
        scans = any(
            line.startswith("SCAN ")
            and not line.startswith(("SCAN CONSTANT", "SCAN json_each"))
            and " USING " not in line
            for line in lines
        )
        seen[shape] = (shape, lines, scans)
    db.close()
    return sorted(seen.values())


# ----- the report -----------------------------------------------------------------------


def ms(values: list[float], p: float = 50) -> str:
    """A percentile of seconds, in ms."""
    return f"{pct(values, p) * 1000:.3f}"


def _line(label: str, r: dict[str, Any]) -> str:
    return (
        f"{label}: answer p50 {ms(r['answer'])} ms p99 {ms(r['answer'], 99)} ms (CPU"
        f" {r['answer_cpu'] * 1000:.3f} ms), transaction p50 {ms(r['record'])} ms; /stats fresh"
        f" {ms(r['stats_fresh'])} ms, heavy {ms(r['stats_heavy'])} ms; round start (heavy)"
        f" {ms(r['round_heavy'])} ms; class totals {ms(r['class_totals'])} ms"
    )


async def main(args: argparse.Namespace) -> None:
    """Build or reuse each size's database, time it, and print the figures and the plans."""
    print(machine())
    library, problems = load_library(builtin_paths())
    assert not problems, problems
    labels = args.sizes.split(",")
    paths = {
        label: await database(Path(args.cache), label, SIZES[label], library) for label in labels
    }
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    statements: set[str] = set()
    for rep in range(args.reps):  # sizes interleaved, so the machine's load hits them alike
        for label in labels:
            r = await measure(paths[label], library, args)
            statements |= r.pop("statements")
            runs[label].append(r)
            print(f"rep {rep} {_line(label, r)}", flush=True)

    def stat(label: str, key: str, p: float = 50) -> float:
        """The median over reps of one figure, in ms."""
        if key == "answer_cpu":
            return median([r[key] for r in runs[label]]) * 1000
        return median([pct(r[key], p) for r in runs[label]]) * 1000

    print(f"\nmedians over {args.reps} rep(s), in ms:\n")
    print(
        "| stored answers | students | DB MB | bytes/answer | answer p50 | answer p99 |"
        " answer CPU | transaction p50 | /stats (fresh) p50 | /stats (heavy) p50 |"
        " /stats (heavy) p99 | round start (heavy) p50 | class totals |"
    )
    print("|" + "---:|" * 13)
    layouts = {label: layout(paths[label]) for label in labels}
    for label in labels:
        answers, students, size_bytes, _ = layouts[label]
        print(
            f"| {answers:,} | {students:,} | {size_bytes / 1e6:,.1f} | {size_bytes / answers:,.0f}"
            + "".join(
                f" | {stat(label, key, p):.3f}"
                for key, p in (
                    ("answer", 50),
                    ("answer", 99),
                    ("answer_cpu", 50),
                    ("record", 50),
                    ("stats_fresh", 50),
                    ("stats_heavy", 50),
                    ("stats_heavy", 99),
                    ("round_heavy", 50),
                    ("class_totals", 50),
                )
            )
            + " |"
        )
    if len(labels) > 1:
        first, last = labels[0], labels[-1]
        ratios = ", ".join(
            f"{name} {stat(last, key) / stat(first, key):.2f}"
            for name, key in (
                ("answer", "answer"),
                ("answer CPU", "answer_cpu"),
                ("transaction", "record"),
                ("/stats fresh", "stats_fresh"),
                ("/stats heavy", "stats_heavy"),
                ("round start", "round_heavy"),
                ("class totals", "class_totals"),
            )
        )
        print(f"\nratio {last}/{first} (medians): {ratios}")
    answers, _, _, per_table = layouts[labels[-1]]
    print(f"\nbytes per stored answer by table and index ({labels[-1]}):")
    for name, used in sorted(per_table.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {name}: {used / answers:,.1f}")
    print("\nquery plans of every statement the timed paths ran (SCAN = a full table scan):")
    for shape, lines, scans in plans(paths[labels[-1]], statements):
        flag = "SCANS " if scans else "ok    "
        print(f"{flag}{shape[:150]}")
        for line in lines:
            print(f"        {line}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,100k,5M", help=f"from {', '.join(SIZES)}")
    parser.add_argument("--cache", default="/tmp/quizbot-scale")
    parser.add_argument("--fresh", type=int, default=20, help="students timed answering")
    parser.add_argument("--answers", type=int, default=50, help="answers each fresh student")
    parser.add_argument("--heavy", type=int, default=20, help="stored students for /stats")
    parser.add_argument("--runs", type=int, default=5, help="/stats calls per student")
    parser.add_argument("--reps", type=int, default=3, help="measurements of each size")
    parser.add_argument("--quick", action="store_true", help="a tiny run, to check it works")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.fresh, args.answers, args.heavy, args.runs = "1k,10k", 3, 10, 3, 1
        args.reps = 1
        args.cache = "/tmp/quizbot-scale-quick"
    asyncio.run(main(args))
