"""Benchmark: answers per second that `quizbot run` processes, 200 students at once.

Run from the repository root: .venv/bin/python bench/throughput.py [--students 200]
Not a test and not part of CI: timings depend on the machine. `--quick` checks it works.

The fake Bot API (tests/fakeapi.py) runs on 127.0.0.1 in this process, and `quizbot run` as
a subprocess against it, with a fresh database, the built-in bank, LOG_LEVEL=WARNING and
QUIZBOT_RATE_LIMIT=off (the real limiter caps every bot at Telegram's ~30 messages a
second; `--rate-limit on` shows it). Every student is a private chat in a closed loop: send
an answer, wait for the reply, answer the next question at once (70% right, seeded); /quiz
again when a round ends. After a warm-up (every student has answered a few times), the
window counts `--answers` answers. It reports answers per second, the time from pushing an
update into the fake to the fake receiving the reply (p50, p99), and the bot's CPU per
answer (utime+stime from /proc/<pid>/stat over the window; /quiz turns inside the window
are in the CPU but not in the count). `--reps` starts a fresh bot each time; medians.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    BenchAPI,
    QuizStudent,
    bot_environment,
    cpu_seconds,
    machine,
    machine_busy,
    median,
    memory_mb,
    pct,
    prompts,
    start_bot,
    stop_bot,
    turn,
    wait_ready,
)

from quizbank.loader import builtin_paths, load_library


@dataclass
class Result:
    """One bot process's measured window."""

    answers: int
    wall: float
    cpu: float
    latencies: list[float]
    quiz_turns: int
    rss_mb: float
    others: float  # cores other processes kept busy during the window: noise

    @property
    def rate(self) -> float:
        """Answers per second."""
        return self.answers / self.wall


class Window:
    """Opens after `warm` answers and closes `size` answers later, sampling the bot's CPU."""

    def __init__(self, pid: int, warm: int, size: int) -> None:
        self.pid, self.warm, self.size = pid, warm, size
        self.seen = 0
        self.quiz_turns = 0
        self.latencies: list[float] = []
        self.start: tuple[float, float, float, float] | None = None
        self.end: tuple[float, float, float, float] | None = None
        self.done = asyncio.Event()

    def _sample(self) -> tuple[float, float, float, float]:
        """Wall time, the bot's CPU, this process's CPU, and every core's busy time."""
        return time.monotonic(), cpu_seconds(self.pid), time.process_time(), machine_busy()

    def record(self, answer: bool, latency: float) -> None:
        """One finished turn."""
        open_now = self.start is not None and self.end is None
        if not answer:
            self.quiz_turns += open_now
            return
        self.seen += 1
        if open_now:
            self.latencies.append(latency)
        if self.seen == self.warm:
            self.start = self._sample()
        elif self.seen == self.warm + self.size:
            self.end = self._sample()
            self.done.set()


async def _student(api: BenchAPI, uid: int, student: QuizStudent, window: Window) -> None:
    while not window.done.is_set():
        text, answer = student.next()
        latency, reply = await turn(api, uid, text)
        student.read(reply)
        window.record(answer, latency)


async def one_run(args: argparse.Namespace, seed: int) -> Result:
    """A fresh bot, the students' warm-up, and the measured window."""
    library, _ = load_library(builtin_paths())
    by_prompt = prompts(library.questions)
    api = BenchAPI()
    await api.start()
    with tempfile.TemporaryDirectory(prefix="quizbot-throughput-") as tmpdir:
        tmp = Path(tmpdir)
        env = bot_environment(api, tmp / "bot.sqlite3", QUIZBOT_RATE_LIMIT=args.rate_limit)
        log = tmp / "bot.log"
        proc = await start_bot(env, tmp, log)
        try:
            await wait_ready(api, proc, log)
            window = Window(proc.pid, args.warmup * args.students, args.answers)
            students = [
                (uid, QuizStudent(random.Random(seed * 100_000 + uid), by_prompt))
                for uid in range(10_001, 10_001 + args.students)
            ]
            tasks = [asyncio.create_task(_student(api, u, s, window)) for u, s in students]
            done_or_failed = asyncio.create_task(window.done.wait())
            await asyncio.wait([done_or_failed, *tasks], return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                if task.done() and task.exception():
                    raise task.exception()  # type: ignore[misc]
            rss = memory_mb(proc.pid)["VmHWM"]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        except BaseException:
            print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            status = await stop_bot(proc)
            await api.stop()
        if status != 0:
            print(f"warning: the bot exited with status {status}", file=sys.stderr)
    assert window.start is not None and window.end is not None
    wall, cpu, own, busy = (b - a for a, b in zip(window.start, window.end, strict=True))
    return Result(
        answers=args.answers,
        wall=wall,
        cpu=cpu,
        latencies=window.latencies,
        quiz_turns=window.quiz_turns,
        rss_mb=rss,
        others=max(0.0, busy - cpu - own) / wall,
    )


async def main(args: argparse.Namespace) -> None:
    """Run the reps and print each one and the medians."""
    print(machine())
    print(
        f"{args.students} students, {args.answers} answers measured after {args.warmup} each "
        f"of warm-up, rate limiter {args.rate_limit}, {args.reps} rep(s)"
    )
    results = []
    for rep in range(args.reps):
        r = await one_run(args, args.seed + rep)
        results.append(r)
        print(
            f"rep {rep}: {r.rate:,.0f} answers/s, p50 {pct(r.latencies, 50) * 1000:.1f} ms, "
            f"p99 {pct(r.latencies, 99) * 1000:.1f} ms, bot CPU {r.cpu / r.answers * 1000:.2f} ms"
            f"/answer ({r.quiz_turns} /quiz turns in the window), peak RSS {r.rss_mb:.0f} MB,"
            f" other processes kept {r.others:.2f} cores busy"
        )
    print(
        f"median: {median([r.rate for r in results]):,.0f} answers/s, "
        f"p50 {median([pct(r.latencies, 50) for r in results]) * 1000:.1f} ms, "
        f"p99 {median([pct(r.latencies, 99) for r in results]) * 1000:.1f} ms, "
        f"bot CPU {median([r.cpu / r.answers for r in results]) * 1000:.2f} ms/answer"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--answers", type=int, default=6000, help="answers in the window")
    parser.add_argument("--warmup", type=int, default=3, help="answers per student first")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate-limit", choices=("on", "off"), default="off")
    parser.add_argument("--quick", action="store_true", help="a tiny run, to check it works")
    args = parser.parse_args()
    if args.quick:
        args.students, args.answers, args.warmup, args.reps = 10, 100, 1, 1
    asyncio.run(main(args))
