"""Benchmark: how long `quizbot run` takes to start with 5 banks, and where the time goes.

Run from the repository root: .venv/bin/python bench/startup.py [--runs 7]
Not a test and not part of CI. `--quick` (2 runs) checks it works.

The fake Bot API runs in this process. Before each start a student's /quiz is already
queued in the fake, so the bot's first getUpdates returns it. For each of --runs starts of
`quizbot run` (built-in bank + 4 copies of it under other ids via QUIZBOT_BANKS, a database
that already exists and is migrated, LOG_LEVEL=INFO) it times, from spawning the process:
the first getUpdates (the bot is polling: after post_init's "quizbot ready"), and the
first reply to the waiting student. Medians.

Then the parts, each in this process (median of --runs): importing what `quizbot run`
imports (`python -X importtime`, biggest packages listed), loading and checking the 5 banks
(quizbank.loader.load_banks), building the grader's known terms from them (each of the
tutor, challenges and daily services builds its own), and opening the database
(storage.db.connect: pragmas and the migration check) for a new file and an existing one.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    BenchAPI,
    bot_environment,
    generated_banks,
    machine,
    median,
    private_update,
    start_bot,
    stop_bot,
    wait_ready,
)

from quizbank import known
from quizbank.grading import known_terms
from quizbank.loader import load_banks
from storage.db import connect

STUDENT = 4242


async def one_start(tmp: Path, db: Path, banks: Path) -> tuple[float, float]:
    """(seconds to the first getUpdates, seconds to the first reply) from spawning the bot."""
    api = BenchAPI()
    await api.start()
    await api.push(private_update(STUDENT, "/quiz"))
    env = bot_environment(api, db, QUIZBOT_BANKS=str(banks), LOG_LEVEL="INFO")
    log = tmp / "start.log"
    spawned = time.monotonic()
    proc = await start_bot(env, tmp, log)
    try:
        await wait_ready(api, proc, log)
        polling = time.monotonic() - spawned
        while api.first_reply is None:
            if proc.returncode is not None:
                raise RuntimeError(log.read_text(errors="replace")[-3000:])
            await asyncio.sleep(0.001)
        replied = api.first_reply - spawned
        output = log.read_text(errors="replace")
        if "quizbot ready" not in output or "bank problem" in output:
            raise RuntimeError(f"not ready, or a bank was skipped:\n{output[-3000:]}")
    finally:
        await stop_bot(proc)
        await api.stop()
    return polling, replied


def import_times(runs: int) -> tuple[float, list[tuple[str, float]]]:
    """(median seconds to import bot.cli and bot.app, [(package, its modules' own seconds)])."""
    totals: list[float] = []
    per_package: defaultdict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import bot.cli, bot.app"],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        packages: defaultdict[str, float] = defaultdict(float)
        total = 0.0
        for line in out.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
            if not m:
                continue
            own, cumulative, indent, name = int(m[1]), int(m[2]), len(m[3]), m[4]
            if indent == 1:  # a top-level import: its cumulative time counts once
                total += cumulative
            # Each module's own time, by the package it belongs to (bot, telegram, httpx…).
            packages[name.split(".")[0]] += own
        totals.append(total / 1e6)
        for name, us in packages.items():
            per_package[name].append(us / 1e6)
    top = sorted(((n, median(v)) for n, v in per_package.items()), key=lambda kv: -kv[1])
    return median(totals), top[:10]


def timed(runs: int, call) -> float:
    """Median seconds of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return median(times)


async def main(args: argparse.Namespace) -> None:
    """Start the bot --runs times, then time the parts."""
    print(machine())
    with tempfile.TemporaryDirectory(prefix="quizbot-startup-") as tmpdir:
        tmp = Path(tmpdir)
        banks = tmp / "banks"
        generated_banks(banks, 4)
        db = tmp / "bot.sqlite3"
        conn = await connect(db)  # created and migrated once, as after a first run
        await conn.close()
        starts = [await one_start(tmp, db, banks) for _ in range(args.runs)]
        print(
            f"{args.runs} starts with 5 banks: first getUpdates after "
            f"{median([s[0] for s in starts]) * 1000:.0f} ms, first reply after "
            f"{median([s[1] for s in starts]) * 1000:.0f} ms (medians; each: "
            + ", ".join(f"{s[1] * 1000:.0f}" for s in starts)
            + " ms)"
        )

        bare = timed(args.runs, lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
        total, top = import_times(args.runs)
        print(
            f"python -c pass: {bare * 1000:.0f} ms; imports of quizbot run: {total * 1000:.0f} ms"
        )
        print("  " + ", ".join(f"{name} {s * 1000:.0f} ms" for name, s in top))

        library = None

        def load() -> None:
            nonlocal library
            library, problems = load_banks([banks])
            assert not problems, problems

        print(f"loading the 5 banks: {timed(args.runs, load) * 1000:.0f} ms")
        assert library is not None
        pool = library.pool()

        shared = getattr(known, "_known", None)  # the cache that shares a build (0ac104d)

        def index() -> None:
            if shared is not None:
                shared.cache_clear()  # time a build, not a lookup
            known_terms(pool)

        print(
            f"known terms of {len(pool)} questions: {timed(args.runs, index) * 1000:.1f} ms"
            " (one build since 0ac104d; the tutor, challenges and daily each built one before)"
        )

        async def open_db(path: Path) -> float:
            start = time.perf_counter()
            conn = await connect(path)
            took = time.perf_counter() - start
            await conn.close()
            return took

        new = [await open_db(tmp / f"new{i}.sqlite3") for i in range(args.runs)]
        old = [await open_db(db) for _ in range(args.runs)]
        print(
            f"storage.db.connect: new database (all migrations) {median(new) * 1000:.0f} ms, "
            f"existing {median(old) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="2 runs, to check it works")
    args = parser.parse_args()
    if args.quick:
        args.runs = 2
    asyncio.run(main(args))
