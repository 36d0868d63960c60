"""Benchmark: resident memory of `quizbot run` with 10,000 students and 5 banks loaded.

Run from the repository root: .venv/bin/python bench/memory.py [--students 10000]
Not a test and not part of CI. `--quick` (300 students) checks it works.

The fake Bot API runs in this process; `quizbot run` is a subprocess with the built-in bank
plus 4 copies of it under other bank ids (QUIZBOT_BANKS), LOG_LEVEL=WARNING, the rate limiter
off. Three bot processes, one after the other, on one database:

1. a fresh database: every student sends /quiz and answers one question (the database now
   knows them all, each with a round open);
2. a restart on that database: VmRSS when ready (students known, none active in this
   process), then every student sends /quiz and answers once more, so each has a round
   cached in memory; VmRSS again, and again after each further pass (does memory keep
   growing with the same students? --passes, default 1);
3. the built-in bank alone on an empty database, VmRSS when ready: what 4 banks cost.

VmRSS is read from /proc/<pid>/status; VmHWM (the peak) is printed too. `--concurrency`
students are in flight at once.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    BenchAPI,
    QuizStudent,
    bot_environment,
    generated_banks,
    log_tail,
    machine,
    memory_mb,
    prompts,
    start_bot,
    stop_bot,
    turn,
    wait_ready,
)

from quizbank.loader import builtin_paths, load_library
from quizbank.model import Question

FIRST = 100_001


async def _pass(api: BenchAPI, students: int, concurrency: int, by_prompt: dict[str, Question]):
    """Each student sends /quiz and answers the first question; returns seconds taken."""
    queue = list(range(FIRST, FIRST + students))
    started = time.perf_counter()

    async def worker() -> None:
        while queue:
            uid = queue.pop()
            student = QuizStudent(random.Random(uid), by_prompt)
            for _ in range(2):
                text, _answer = student.next()
                _, reply = await turn(api, uid, text)
                student.read(reply)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


def _check_log(log: Path) -> None:
    """Fail if the bot skipped a bank or logged an error: the figures would be wrong."""
    problems = [line for line in log_tail(log, 1 << 30).splitlines() if "bank problem" in line]
    if problems or "ERROR" in log_tail(log, 1 << 30):
        raise RuntimeError(f"the bot's log shows a problem:\n{log_tail(log)}")


def _mem(pid: int) -> str:
    m = memory_mb(pid)
    return f"VmRSS {m['VmRSS']:.1f} MB (anon {m['RssAnon']:.1f}), VmHWM {m['VmHWM']:.1f} MB"


async def _process(tmp: Path, db: Path, banks: str, label: str):
    api = BenchAPI()
    await api.start()
    env = bot_environment(api, db, QUIZBOT_BANKS=banks)
    log = tmp / f"{label}.log"
    proc = await start_bot(env, tmp, log)
    await wait_ready(api, proc, log)
    await asyncio.sleep(1)  # let start-up's last allocations settle
    return api, proc


async def main(args: argparse.Namespace) -> None:
    """Run the three processes and print their memory."""
    print(machine())
    with tempfile.TemporaryDirectory(prefix="quizbot-memory-") as tmpdir:
        tmp = Path(tmpdir)
        paths = generated_banks(tmp / "banks", 4)
        library, problems = load_library([*builtin_paths(), *paths])
        assert not problems, problems
        by_prompt = prompts(library.questions)
        print(f"{len(library.questions)} questions in {len(library.banks)} banks")
        db = tmp / "bot.sqlite3"

        api, proc = await _process(tmp, db, str(tmp / "banks"), "populate")
        print(f"1. fresh database, ready: {_mem(proc.pid)}")
        took = await _pass(api, args.students, args.concurrency, by_prompt)
        print(
            f"   after {args.students:,} students each /quiz + 1 answer ({took:.0f} s):"
            f" {_mem(proc.pid)}"
        )
        await stop_bot(proc)
        await api.stop()
        _check_log(tmp / "populate.log")

        api, proc = await _process(tmp, db, str(tmp / "banks"), "restart")
        ready = memory_mb(proc.pid)["VmRSS"]
        print(f"2. restart, {args.students:,} students known, ready: {_mem(proc.pid)}")
        after = ready
        for n in range(1, args.passes + 1):
            took = await _pass(api, args.students, args.concurrency, by_prompt)
            after = memory_mb(proc.pid)["VmRSS"]
            print(
                f"   pass {n}: every student /quiz + 1 answer ({took:.0f} s): {_mem(proc.pid)};"
                f" {(after - ready) * 1024 / args.students:.2f} KB per student over ready"
            )
        await stop_bot(proc)
        await api.stop()
        _check_log(tmp / "restart.log")

        api, proc = await _process(tmp, tmp / "empty.sqlite3", "", "onebank")
        one = memory_mb(proc.pid)["VmRSS"]
        print(f"3. built-in bank only, empty database, ready: {_mem(proc.pid)}")
        await stop_bot(proc)
        await api.stop()
        print(
            f"\nready with 5 banks: {ready:.1f} MB; 4 extra banks: {ready - one:.1f} MB "
            f"({(ready - one) / 4:.1f} MB each); {args.students:,} active students: "
            f"+{after - ready:.1f} MB ({(after - ready) * 1024 / args.students:.2f} KB each)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--passes", type=int, default=1, help="passes after the restart")
    parser.add_argument("--quick", action="store_true", help="300 students, to check it works")
    args = parser.parse_args()
    if args.quick:
        args.students = 300
    asyncio.run(main(args))
