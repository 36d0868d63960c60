"""Benchmark: the CPU cost of one answered quiz question, against one echoed message.

Run from the repository root: .venv/bin/python bench/turns.py [--reps 3] [--turns 3000]
Not a test and not part of CI: timings depend on the machine.

It starts a fake Bot API (tests/fakeapi.py) on 127.0.0.1 inside this process, then, one
after the other and interleaved (echo, quiz, echo, quiz, …), runs the bare PTB echo bot
(bench/echo_bot.py) and `quizbot run` as subprocesses against it, each with a fresh
database, QUIZBOT_RATE_LIMIT=off and LOG_LEVEL=WARNING. Students in private chats play a
closed loop: send a message, wait for the bot's reply to their chat, send the next one.
Quizbot's students send /quiz, answer each question (70% right by default, seeded), and send
/quiz again when a round ends; only answers count as turns. A mark-scheme question takes two
answer turns: the answer, then "all" or "none". Echo students send short answers.

Each run has two phases, each with warm-up turns that are not measured: 1 student, then
--students at once. For each it reports answered turns per second, the reply time p50/p99
(from pushing the update to the fake API receiving the sendMessage), and the bot's CPU
seconds per 1,000 turns (utime+stime from /proc/<pid>/stat, sampled at the start and end of
the measured window), plus the bot's peak RSS (VmHWM) and this process's own CPU.

--profile DIR runs each bot once more under a profiler (py-spy from outside by default, or
pyinstrument inside via bench/profiled_bot.py), over the measured window of the many-student
phase only, and prints where each bot's CPU goes, side by side. bench/README.md has figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import math
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests/ is not an installed package

import telegram  # noqa: E402
from harness import log_tail, wait_ready  # noqa: E402  (bench/ is on sys.path: run as a script)

from bot.handlers import ALLOWED_UPDATES  # noqa: E402
from quizbank.loader import builtin_paths, load_library  # noqa: E402
from quizbank.model import Kind, Question  # noqa: E402
from tests.fakeapi import TOKEN, FakeBotAPI  # noqa: E402
from tests.support import DRILL_BANK, question_in, right_answer, wrong_answer  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
REPLY_TIMEOUT = 30.0
SOLO_ID = 1001
CROWD_FIRST_ID = 2001


# ----- the fake API, instrumented -----------------------------------------------------


class _Calls(list):  # type: ignore[type-arg]
    """FakeBotAPI.calls, telling the benchmark of each call as the fake records it."""

    def __init__(self, on_call: Callable[[Any], None]) -> None:
        super().__init__()
        self._on_call = on_call

    def append(self, call: Any) -> None:
        """Record the call, then report it."""
        super().append(call)
        self._on_call(call)


class BenchAPI(FakeBotAPI):
    """The project's fake Bot API, waking the student waiting for a reply in its chat.

    FakeBotAPI.wait_for wakes every waiter on every call and rescans the call list, which
    costs O(students) per reply; a future per chat keeps this process's work per turn small.
    It hooks only the public `calls` list (and counts getUpdates), so it keeps working as
    the fake gains features. A Call's `at` is the fake's clock (time.monotonic) when the
    request reached it, and it is what reply times are measured to.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls = _Calls(self._recorded)
        self.waiting: dict[int, asyncio.Future[tuple[float, str]]] = {}
        self.stray = 0  # sendMessage calls no student was waiting for
        self.polls = 0  # getUpdates answered
        self.delivered = 0  # updates they carried

    def _recorded(self, call: Any) -> None:
        if call.method != "sendMessage":
            return
        waiter = self.waiting.pop(int(call.params["chat_id"]), None)
        if waiter is None or waiter.done():
            self.stray += 1
        else:
            waiter.set_result((call.at, call.params.get("text", "")))

    async def _api_getUpdates(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        updates = await super()._api_getUpdates(*args, **kwargs)
        self.polls += 1
        self.delivered += len(updates)
        return updates


# ----- students -----------------------------------------------------------------------


class EchoStudent:
    """Sends short answers, as a quiz student would type them; every message is a turn."""

    def __init__(self, rng: random.Random, texts: list[str]) -> None:
        self._rng = rng
        self._texts = texts

    def next(self) -> tuple[str, bool]:
        """The next message to send, and whether it counts as a turn."""
        return self._rng.choice(self._texts), True

    def read(self, text: str) -> None:
        """The bot's reply."""


class QuizStudent:
    """Plays rounds: /quiz, then answers each question the replies show."""

    def __init__(
        self,
        rng: random.Random,
        *,
        right: float,
        command: str,
        prompts: dict[str, Question],
    ) -> None:
        self._rng = rng
        self._right = right
        self._command = command
        self._prompts = prompts
        self.question: Question | None = None
        self._marking = False  # a mark-scheme answer sent; the self-mark is next
        self.rounds = 0
        self.odd = 0  # replies that were neither a question, a mark scheme nor a summary
        self.marks: dict[str, int] = {}  # feedback by its first character: ✅ 🟡 ❌

    def next(self) -> tuple[str, bool]:
        """The next message to send, and whether it counts as a turn (answers only)."""
        q = self.question
        if q is None:
            return self._command, False
        right = self._rng.random() < self._right
        if q.kind is Kind.POINTS:
            if not self._marking:  # as tests.support.Student.answer does it
                return " ".join(point.keywords[0] for point in q.points), True
            return ("all" if right else "none"), True
        return (right_answer(q) if right else wrong_answer(q)), True

    def read(self, text: str) -> None:
        """Follow the bot's reply: the next question, the mark scheme, or the round's end."""
        q = self.question
        if self._marking:
            self._marking = False
        elif q is not None and q.kind is Kind.POINTS and "Mark scheme" in text:
            self._marking = True
            return
        if q is not None:
            self.marks[text[:1]] = self.marks.get(text[:1], 0) + 1
        if "Round over" in text:
            self.question = None
            self.rounds += 1
        elif "<b>Question " in text:
            self.question = self._find(text)
        else:
            self.odd += 1  # e.g. "so close": the same question stays open

    def _find(self, text: str) -> Question:
        # The prompt is the line after the "Question i/n" header (bot/render.py). A dict
        # lookup costs ~1 µs; tests.support.question_in, the fallback, ~130 µs.
        start = text.find("\n", text.rfind("<b>Question ")) + 1
        end = text.find("\n", start)
        found = self._prompts.get(text[start : end if end >= 0 else len(text)])
        return found if found is not None else question_in(text)


# ----- one measured phase -------------------------------------------------------------


def cpu_seconds(pid: int) -> tuple[float, float, float]:
    """utime+stime of the whole process, of its main thread, and the process's stime alone,
    in seconds, from /proc (fields 14 and 15 of stat)."""

    def read(path: str) -> tuple[float, float]:
        with open(path) as f:
            fields = f.read().rpartition(")")[2].split()
        return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK

    user, system = read(f"/proc/{pid}/stat")
    main_user, main_system = read(f"/proc/{pid}/task/{pid}/stat")
    return user + system, main_user + main_system, system


def machine_busy() -> float:
    """CPU seconds every core has spent busy since boot (all processes), from /proc/stat."""
    with open("/proc/stat") as f:
        ticks = [int(t) for t in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal …: everything but idle and iowait.
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLK_TCK


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set, in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return math.nan


@dataclass
class Sample:
    """The clocks at one edge of the measured window."""

    wall: float
    bot_cpu: float
    bot_main: float
    bot_sys: float
    bench_cpu: float
    machine: float
    polls: int
    delivered: int

    @classmethod
    def take(cls, pid: int, api: BenchAPI) -> Sample:
        """Read every clock now."""
        total, main, system = cpu_seconds(pid)
        return cls(
            time.monotonic(),  # the fake's clock, which times the replies
            total,
            main,
            system,
            time.process_time(),
            machine_busy(),
            api.polls,
            api.delivered,
        )


@dataclass
class Phase:
    """What one phase measured."""

    students: int
    turns: int
    wall: float
    bot_cpu: float
    bot_main: float
    bot_sys: float  # in the kernel (sockets, futexes, the disk)
    bench_cpu: float
    machine: float  # every process's CPU seconds
    latencies: list[float]
    other_turns: int  # /quiz turns inside the window: their CPU is counted, the turns not
    polls: int  # getUpdates requests answered
    delivered: int  # updates they carried (every message, /quiz included)

    @property
    def rate(self) -> float:
        """Answered turns per second."""
        return self.turns / self.wall

    @property
    def cpu_per_k(self) -> float:
        """Bot CPU seconds per 1,000 turns."""
        return self.bot_cpu / self.turns * 1000

    @property
    def bench_per_k(self) -> float:
        """This process's CPU seconds per 1,000 turns."""
        return self.bench_cpu / self.turns * 1000

    @property
    def others(self) -> float:
        """Cores kept busy by other processes (neither the bot nor this one) meanwhile."""
        return max(0.0, self.machine - self.bot_cpu - self.bench_cpu) / self.wall

    def pct(self, p: float) -> float:
        """A reply-time percentile (nearest rank), in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


class Window:
    """Counts turns; opens the measured window after `warm` of them, closes it `turns` later."""

    def __init__(
        self,
        warm: int,
        turns: int,
        sample: Callable[[], Sample],
        on_open: Callable[[], None] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.warm, self.turns = warm, turns
        self._sample, self._on_open, self._on_close = sample, on_open, on_close
        self.counted = 0
        self.other = 0
        self.latencies: list[float] = []
        self.start: Sample | None = None
        self.end: Sample | None = None
        if warm == 0:
            self._open()

    def _open(self) -> None:
        if self._on_open:
            self._on_open()
        self.start = self._sample()

    def record(self, counted: bool, pushed: float, replied: float) -> None:
        """One finished turn: pushed and replied are time.monotonic() times."""
        inside = self.start is not None and self.end is None
        if not counted:
            self.other += inside
            return
        self.counted += 1
        if inside and pushed >= self.start.wall:  # type: ignore[union-attr]
            self.latencies.append(replied - pushed)
        if self.counted == self.warm:
            self._open()
        elif self.counted == self.warm + self.turns:
            self.end = self._sample()
            if self._on_close:
                self._on_close()

    def phase(self, students: int) -> Phase:
        """The measured figures."""
        a, b = self.start, self.end
        assert a is not None and b is not None
        return Phase(
            students=students,
            turns=self.turns,
            wall=b.wall - a.wall,
            bot_cpu=b.bot_cpu - a.bot_cpu,
            bot_main=b.bot_main - a.bot_main,
            bot_sys=b.bot_sys - a.bot_sys,
            bench_cpu=b.bench_cpu - a.bench_cpu,
            machine=b.machine - a.machine,
            latencies=self.latencies,
            other_turns=self.other,
            polls=b.polls - a.polls,
            delivered=b.delivered - a.delivered,
        )


_message_ids = iter(range(1, 1 << 62))


def _update(user_id: int, text: str) -> dict[str, Any]:
    """A private-chat text message, as tests.support.Student.message builds it."""
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Bench"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Bench"},
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"message": msg}


async def _play(
    api: BenchAPI,
    user_id: int,
    student: EchoStudent | QuizStudent,
    window: Window,
    proc: asyncio.subprocess.Process,
) -> None:
    loop = asyncio.get_running_loop()
    while window.end is None:
        text, counted = student.next()
        waiter: asyncio.Future[tuple[float, str]] = loop.create_future()
        api.waiting[user_id] = waiter
        pushed = time.monotonic()
        await api.push(_update(user_id, text))
        try:
            replied, reply = await asyncio.wait_for(waiter, REPLY_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(
                f"no reply to {text!r} from user {user_id} within {REPLY_TIMEOUT:.0f} s "
                f"(bot exit status {proc.returncode}, rejected calls: {api.rejected[-3:]})"
            ) from None
        student.read(reply)
        window.record(counted, pushed, replied)


async def _phase(
    api: BenchAPI,
    proc: asyncio.subprocess.Process,
    students: list[tuple[int, EchoStudent | QuizStudent]],
    *,
    warm: int,
    turns: int,
    on_open: Callable[[], None] | None = None,
    on_close: Callable[[], None] | None = None,
) -> Phase:
    window = Window(warm, turns, lambda: Sample.take(proc.pid, api), on_open, on_close)
    await asyncio.gather(*(_play(api, uid, s, window, proc) for uid, s in students))
    assert window.start is not None and window.end is not None
    phase = window.phase(len(students))
    api.calls.clear()  # nothing reads them; keep the fake's memory flat
    return phase


# ----- one bot run --------------------------------------------------------------------


@dataclass
class Run:
    """One bot process: both phases and its peak memory."""

    bot: str
    rep: int
    solo: Phase
    crowd: Phase
    rss_mb: float
    stray: int
    odd: int
    rounds: int
    marks: dict[str, int]
    allowed_updates: list[str] | None
    exit_status: int | None
    notes: list[str] = field(default_factory=list)


def _environment(api: BenchAPI, tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "QUIZBOT_", "ECHO_", "BENCH_")) and k != "LOG_LEVEL"
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        LOG_LEVEL="WARNING",
        QUIZBOT_RATE_LIMIT="off",
        # Students here answer as fast as replies come, far past the flood limit a person
        # could reach; a limit no one reaches keeps the gate's cost in the measurement.
        QUIZBOT_FLOOD="1000000/1",
        QUIZBOT_DB=str(tmp / "quizbot.sqlite3"),
        ECHO_ALLOWED_UPDATES=",".join(ALLOWED_UPDATES),
        PYTHONUNBUFFERED="1",
    )
    return env


async def run_bot(
    bot: str, rep: int, args: argparse.Namespace, *, profile: Profiling | None = None
) -> Run:
    """Start one bot process, run both phases against it, stop it."""
    api = BenchAPI()
    await api.start()
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmpdir:
        tmp = Path(tmpdir)
        env = _environment(api, tmp)
        if profile is not None and profile.tool == "pyinstrument":
            command = [sys.executable, str(BENCH / "profiled_bot.py"), bot]
            env["BENCH_PROFILE_OUT"] = str(profile.path)
        elif bot == "echo":
            command = [sys.executable, str(BENCH / "echo_bot.py")]
        else:
            command = [sys.executable, "-m", "bot", "run"]
        if bot == "quiz" and args.bank == "drill":
            env["QUIZBOT_BANKS"] = str(DRILL_BANK)
        # HTTP clients: quizbot's own choice (aiohttp) against PTB's default (httpx) for the
        # echo bot, unless asked otherwise, to show what the client alone is worth.
        env["QUIZBOT_HTTP"] = args.http
        env["ECHO_HTTP"] = args.echo_http
        log = tmp / "bot.log"
        with log.open("wb") as out:
            # cwd is the temp dir, so no .env file of the developer's is read.
            proc = await asyncio.create_subprocess_exec(
                *command, cwd=tmp, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
            )
        try:
            await wait_ready(api, proc, log)
            seed = args.seed * 1000 + rep
            solo = [(SOLO_ID, _student(bot, args, random.Random(seed)))]
            crowd = [
                (uid, _student(bot, args, random.Random(seed * 100_000 + uid)))
                for uid in range(CROWD_FIRST_ID, CROWD_FIRST_ID + args.students)
            ]
            solo_phase = await _phase(api, proc, solo, warm=args.solo_warmup, turns=args.solo_turns)
            crowd_phase = await _phase(
                api,
                proc,
                crowd,
                warm=args.warmup * args.students,
                turns=args.turns,
                on_open=partial(profile.open, proc.pid) if profile else None,
                on_close=profile.close if profile else None,
            )
            rss = peak_rss_mb(proc.pid)
            running_log = len(log_tail(log, 1 << 30).splitlines())
            if profile is not None:
                await profile.saved()
            # Stop the bot while the API still answers, so its shutdown is quiet too.
            proc.send_signal(signal.SIGTERM)
            try:
                status = await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                status = await proc.wait()
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            print(log_tail(log), file=sys.stderr)
            raise
        finally:
            await api.stop()
        quiz = [s for _, s in solo + crowd if isinstance(s, QuizStudent)]
        run = Run(
            bot=bot,
            rep=rep,
            solo=solo_phase,
            crowd=crowd_phase,
            rss_mb=rss,
            stray=api.stray,
            odd=sum(s.odd for s in quiz),
            rounds=sum(s.rounds for s in quiz),
            marks={k: sum(s.marks.get(k, 0) for s in quiz) for s in quiz for k in s.marks},
            allowed_updates=api.allowed_updates,
            exit_status=status,
        )
        lines = [line for line in log_tail(log, 1 << 30).splitlines() if line.strip()]
        if lines:
            run.notes.append(
                f"{len(lines)} log lines ({running_log} before shutdown), last: {lines[-1][:160]}"
            )
        if api.rejected:
            run.notes.append(f"{len(api.rejected)} calls rejected by the fake API")
        return run


def _student(bot: str, args: argparse.Namespace, rng: random.Random) -> EchoStudent | QuizStudent:
    if bot == "echo":
        return EchoStudent(rng, args.echo_texts)
    return QuizStudent(rng, right=args.right, command=args.command, prompts=args.prompts)


# ----- report -------------------------------------------------------------------------

_COLUMNS = (
    ("rep", 3),
    ("bot", 4),
    ("1: turns/s", 10),
    ("1: p50 ms", 9),
    ("1: p99 ms", 9),
    ("1: CPU s/1k", 11),
    ("N: turns/s", 10),
    ("N: p50 ms", 9),
    ("N: p99 ms", 9),
    ("N: CPU s/1k", 11),
    ("main thr", 8),
    ("sys", 4),
    ("RSS MB", 6),
    ("polls/turn", 10),
    ("bench s/1k", 10),
    ("bench util", 10),
    ("others", 6),
)


def _row(run: Run) -> list[str]:
    s, c = run.solo, run.crowd
    return [
        str(run.rep),
        run.bot,
        f"{s.rate:,.0f}",
        f"{s.pct(50):.2f}",
        f"{s.pct(99):.2f}",
        f"{s.cpu_per_k:.3f}",
        f"{c.rate:,.0f}",
        f"{c.pct(50):.2f}",
        f"{c.pct(99):.2f}",
        f"{c.cpu_per_k:.3f}",
        f"{c.bot_main / c.bot_cpu:.0%}" if c.bot_cpu else "-",
        f"{c.bot_sys / c.bot_cpu:.0%}" if c.bot_cpu else "-",
        f"{run.rss_mb:.0f}",
        f"{c.polls / c.turns:.2f}",
        f"{c.bench_per_k:.3f}",
        f"{c.bench_cpu / c.wall:.0%}",
        f"{max(s.others, c.others):.2f}",
    ]


def _table(rows: list[list[str]]) -> str:
    widths = [max(w, *(len(r[i]) for r in rows)) for i, (_, w) in enumerate(_COLUMNS)]
    lines = [
        "| " + " | ".join(n.rjust(w) for (n, _), w in zip(_COLUMNS, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|",
    ]
    lines += [
        "| " + " | ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join(lines)


def _median_row(runs: list[Run], label: str) -> list[str]:
    def med(f: Callable[[Run], float]) -> float:
        return statistics.median(f(r) for r in runs)

    return [
        "med",
        label,
        f"{med(lambda r: r.solo.rate):,.0f}",
        f"{med(lambda r: r.solo.pct(50)):.2f}",
        f"{med(lambda r: r.solo.pct(99)):.2f}",
        f"{med(lambda r: r.solo.cpu_per_k):.3f}",
        f"{med(lambda r: r.crowd.rate):,.0f}",
        f"{med(lambda r: r.crowd.pct(50)):.2f}",
        f"{med(lambda r: r.crowd.pct(99)):.2f}",
        f"{med(lambda r: r.crowd.cpu_per_k):.3f}",
        f"{med(lambda r: r.crowd.bot_main / r.crowd.bot_cpu):.0%}",
        f"{med(lambda r: r.crowd.bot_sys / r.crowd.bot_cpu):.0%}",
        f"{med(lambda r: r.rss_mb):.0f}",
        f"{med(lambda r: r.crowd.polls / r.crowd.turns):.2f}",
        f"{med(lambda r: r.crowd.bench_per_k):.3f}",
        f"{med(lambda r: r.crowd.bench_cpu / r.crowd.wall):.0%}",
        f"{med(lambda r: max(r.solo.others, r.crowd.others)):.2f}",
    ]


def report(runs: list[Run], args: argparse.Namespace) -> None:
    """Print every run, the medians per bot, and the quizbot/echo ratios."""
    print()
    print(_table([_row(r) for r in runs]))
    echo = [r for r in runs if r.bot == "echo"]
    quiz = [r for r in runs if r.bot == "quiz"]
    print()
    print(_table([_median_row(group, group[0].bot) for group in (echo, quiz) if group]))
    print()
    print(
        f"1 = one student; N = {args.students} students at once. Turns: echo, every message; "
        "quiz, answers only. CPU = bot utime+stime per 1,000 turns; main thr = share of it "
        "on the main (event-loop) thread; sys = share of it in the kernel; polls/turn = "
        "getUpdates requests per turn; bench = this process (fake API + students) in the N "
        "window; others = cores other processes kept busy during a window (the larger of the "
        "two): noise."
    )

    print()
    if echo and quiz:
        _ratios(echo, quiz, args.students)
    else:
        print("(no ratios: one bot)")
    print()
    for r in runs:
        c = r.crowd
        extra = f", {c.delivered / max(c.polls, 1):.2f} updates per getUpdates in the N window"
        if r.bot == "quiz":
            marks = " ".join(f"{k}{v}" for k, v in sorted(r.marks.items(), key=lambda kv: -kv[1]))
            extra += f", {r.rounds} rounds, marked {marks}, {r.odd} other replies"
        other = f", {r.crowd.other_turns} /quiz turns in the N window" if r.bot == "quiz" else ""
        notes = ("; " + "; ".join(r.notes)) if r.notes else ""
        print(
            f"  {r.bot} rep {r.rep}: exit {r.exit_status}, {r.stray} stray replies{extra}{other}"
            f"{notes}"
        )
    allowed = {tuple(r.allowed_updates or ()) for r in runs}
    print(f"  allowed_updates asked for: {' | '.join(','.join(a) for a in allowed)}")


def _ratios(echo: list[Run], quiz: list[Run], students: int) -> None:
    def ratio(f: Callable[[Run], float]) -> float:
        return statistics.median(f(r) for r in quiz) / statistics.median(f(r) for r in echo)

    print("quizbot / echo (medians over reps):")
    for label, f, target in (
        (f"CPU per 1,000 turns, {students} students", lambda r: r.crowd.cpu_per_k, 1.3),
        ("CPU per 1,000 turns, 1 student", lambda r: r.solo.cpu_per_k, 1.3),
        (f"p99 reply time, {students} students", lambda r: r.crowd.pct(99), 1.2),
        (f"p50 reply time, {students} students", lambda r: r.crowd.pct(50), None),
        ("p99 reply time, 1 student", lambda r: r.solo.pct(99), None),
        (f"turns per second, {students} students", lambda r: r.crowd.rate, None),
    ):
        value = ratio(f)
        verdict = ""
        if target is not None:
            verdict = f"  (target ≤ {target}×: {'met' if value <= target else 'NOT met'})"
        print(f"  {label:<34} {value:5.2f}×{verdict}")


# ----- profile ------------------------------------------------------------------------

_HTTP = "HTTP (PTB request layer; aiohttp, or httpx and its stack)"
_IDLE = "idle (waiting in the selector)"
_LOOP = "event loop (asyncio scheduling, selector)"
_LOOP_FRAMES = {"_run_once", "_run"}  # BaseEventLoop._run_once, Handle._run

# The innermost frame of a sample that matches one of these (in order) names its category;
# stdlib frames (asyncio, json, threading…) fall through to their caller. Paths use "/".
_CATEGORIES = (
    ("_find_and_load", "failed imports at run time (httpcore: import sniffio)"),
    ("/logging/", "logging"),
    ("/quizbank/", "grading (quizbank, rapidfuzz)"),
    ("/rapidfuzz/", "grading (quizbank, rapidfuzz)"),
    ("/bot/render", "rendering (bot/render*.py, callbacks)"),
    ("/bot/callbacks.py", "rendering (bot/render*.py, callbacks)"),
    ("/bot/transport.py", _HTTP),
    ("/bot/tutor/", "tutor (rounds, FSRS, streaks)"),
    ("/fsrs/", "tutor (rounds, FSRS, streaks)"),
    ("/storage/", "storage (repository: SQL calls, rows → records)"),
    ("/aiosqlite/", "aiosqlite, event-loop side (hand-offs to its thread)"),
    ("/bot/", "quizbot handlers"),
    ("/bench/echo_bot.py", "echo handler"),
    ("/telegram/request/", _HTTP),
    ("/httpx/", _HTTP),
    ("/httpcore/", _HTTP),
    ("/h11/", _HTTP),
    ("/anyio/", _HTTP),
    ("/sniffio/", _HTTP),
    ("/aiohttp/", _HTTP),
    ("/yarl/", _HTTP),
    ("/multidict/", _HTTP),
    ("/telegram/ext/_updater.py", "PTB getUpdates loop"),
    ("/telegram/_bot.py", "PTB Bot API call (params, JSON, reply → Message)"),
    ("/telegram/ext/_extbot.py", "PTB Bot API call (params, JSON, reply → Message)"),
    ("/telegram/ext/", "PTB dispatch (Application, handlers, filters, context)"),
    ("/telegram/", "PTB objects (Update/Message de_json, to_dict)"),
)


def _category(stack: list[str]) -> str:
    leaf = stack[-1].split("\x00")
    if leaf[0].rpartition(".")[2] == "select" and leaf[1].endswith("selectors.py"):
        return _IDLE
    for frame in reversed(stack):
        function, path = frame.split("\x00")[:2] if "\x00" in frame else (frame, "")
        path = path.replace(os.sep, "/")
        if function.rpartition(".")[2] in _LOOP_FRAMES and path.endswith(
            ("asyncio/base_events.py", "asyncio/events.py")
        ):
            break  # below here is the event loop itself (and PTB's run_polling under it)
        for pattern, name in _CATEGORIES:
            if pattern in path or pattern == function.rpartition(".")[2]:
                return name
    return _LOOP


class Profiling:
    """Profiles a bot over the measured window of the many-student phase.

    py-spy samples the running bot from outside (default 250 Hz, every thread, only while on
    CPU), so it barely slows it. pyinstrument runs inside the bot (bench/profiled_bot.py),
    samples only the main thread, and its per-call hook slows call-heavy code (PTB, httpx)
    most, so its shares lean that way.
    """

    def __init__(self, tool: str, out: Path, bot: str) -> None:
        self.tool = tool
        suffix = ".pyisession" if tool == "pyinstrument" else ".pyspy.txt"
        self.path = out / f"{bot}{suffix}"
        self._spy: subprocess.Popen[bytes] | None = None
        self._pid = 0

    def open(self, pid: int) -> None:
        """Start profiling (the window opens)."""
        self._pid = pid
        if self.tool == "pyinstrument":
            os.kill(pid, signal.SIGUSR1)
            return
        command = [_py_spy() or "py-spy", "record", "--pid", str(pid), "--rate", "250"]
        command += ["--format", "raw", "--threads", "--full-filenames", "-o", str(self.path)]
        self._spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def close(self) -> None:
        """Stop profiling (the window closes)."""
        if self.tool == "pyinstrument":
            os.kill(self._pid, signal.SIGUSR2)
        elif self._spy is not None:
            self._spy.send_signal(signal.SIGINT)

    async def saved(self) -> None:
        """Until the profile is on disk."""
        done = self.path.with_suffix(".txt") if self.tool == "pyinstrument" else None
        for _ in range(600):
            if (done is not None and done.exists()) or (
                self._spy is not None and self._spy.poll() is not None
            ):
                return
            await asyncio.sleep(0.1)

    def samples(self) -> list[tuple[bool, list[str], float]]:
        """(on the main thread, stack root first as "function\\0path", weight) per sample."""
        if self.tool == "pyinstrument":
            from pyinstrument.session import Session

            session = Session.load(self.path)
            return [(True, stack, seconds) for stack, seconds in session.frame_records]
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            stack, _, count = line.rpartition(" ")
            thread, *frames = stack.split(";")
            if not frames:
                continue
            main = thread.startswith(f"thread ({self._pid})")  # "thread (tid): name"
            parsed = []
            for frame in frames:  # "function (path:line)"
                function, _, where = frame.partition(" (")
                parsed.append(f"{function}\x00{where.rpartition(':')[0]}")
            out.append((main, parsed, float(count)))
        return out

    def per_turn(self, phase: Phase) -> dict[str, float]:
        """CPU µs per turn by category, idle left out.

        The samples give the shares within the main thread and within the other threads;
        /proc gives each side's CPU time (py-spy's own idle detection is rougher).
        """
        sides: dict[bool, dict[str, float]] = {True: {}, False: {}}
        for main, stack, weight in self.samples():
            name = _category(stack) if main else _thread_category(stack)
            sides[main][name] = sides[main].get(name, 0.0) + weight
        sides[True].pop(_IDLE, None)
        cpu = {True: phase.bot_main, False: phase.bot_cpu - phase.bot_main}
        if not sides[False] and cpu[False] > 0:
            sides[False] = {"other threads (not sampled)": 1.0}
        out: dict[str, float] = {}
        for main, totals in sides.items():
            busy = sum(totals.values())
            for name, weight in totals.items():
                out[name] = out.get(name, 0.0) + weight / busy * cpu[main] / phase.turns * 1e6
        return out


def _py_spy() -> str | None:
    """py-spy beside this Python (a virtual environment's bin/) or on PATH."""
    beside = Path(sys.executable).parent
    return shutil.which("py-spy", path=str(beside)) or shutil.which("py-spy")


def _thread_category(stack: list[str]) -> str:
    if any("/aiosqlite/" in frame for frame in stack):
        if any("/storage/" in frame for frame in stack):
            return "other thread: aiosqlite worker, running transactions"
        return "other thread: aiosqlite worker, waking up, handing back"
    return "other threads"


async def profile(args: argparse.Namespace) -> None:
    """One profiled run per bot; print where each one's CPU goes, side by side."""
    out = Path(args.profile)
    os.makedirs(out, exist_ok=True)
    costs: dict[str, dict[str, float]] = {}
    for bot in ("echo", "quiz"):
        profiling = Profiling(args.profiler, out, bot)
        run = await run_bot(bot, 0, args, profile=profiling)
        c = run.crowd
        costs[bot] = profiling.per_turn(c)
        print(
            f"{bot}: {c.turns} turns profiled with {args.profiler}, {c.students} students; "
            f"bot CPU meanwhile {c.cpu_per_k:.3f} s per 1,000 turns, {c.bot_main / c.bot_cpu:.0%}"
            f" on the main thread; profile: {profiling.path}"
        )
    echo, quiz = costs["echo"], costs["quiz"]
    totals = {bot: sum(c.values()) for bot, c in costs.items()}
    names = sorted(set(echo) | set(quiz), key=lambda n: -max(echo.get(n, 0), quiz.get(n, 0)))
    print(
        f"\nCPU µs per turn ({args.profiler}; shares from the samples, totals from /proc)\n"
        f"| {'where':<58} | {'echo':>6} | {'%':>5} | {'quiz':>6} | {'%':>5} | {'quiz−echo':>9} |\n"
        f"|{'-' * 60}|{'-' * 7}:|{'-' * 6}:|{'-' * 7}:|{'-' * 6}:|{'-' * 10}:|"
    )
    for name in [*names, "total"]:
        e = totals["echo"] if name == "total" else echo.get(name, 0.0)
        q = totals["quiz"] if name == "total" else quiz.get(name, 0.0)
        print(
            f"| {name:<58} | {e:6.0f} | {e / totals['echo']:5.1%} | {q:6.0f} | "
            f"{q / totals['quiz']:5.1%} | {q - e:+9.0f} |"
        )


# ----- main ---------------------------------------------------------------------------


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="runs of each bot (default 3)")
    parser.add_argument(
        "--turns", type=int, default=3000, help="measured turns with many students (3000)"
    )
    parser.add_argument("--students", type=int, default=50, help="students at once (50)")
    parser.add_argument(
        "--warmup", type=int, default=5, help="unmeasured turns per student first (5)"
    )
    parser.add_argument("--solo-turns", type=int, default=500, help="measured, 1 student (500)")
    parser.add_argument("--solo-warmup", type=int, default=50, help="unmeasured, 1 student (50)")
    parser.add_argument("--right", type=float, default=0.7, help="share of right answers (0.7)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--bots",
        type=lambda text: text.split(","),
        default=["echo", "quiz"],
        help="which bots, in which order each rep (default echo,quiz; one alone: no ratios)",
    )
    parser.add_argument(
        "--http",
        choices=("aiohttp", "httpx"),
        default="aiohttp",
        help="quizbot's HTTP client, QUIZBOT_HTTP (default aiohttp, quizbot's default)",
    )
    parser.add_argument(
        "--echo-http",
        choices=("httpx", "aiohttp"),
        default="httpx",
        help="the echo bot's HTTP client (default httpx, PTB's default)",
    )
    parser.add_argument(
        "--bank",
        choices=("builtin", "drill"),
        default="builtin",
        help="builtin: /quiz over the built-in bank; drill: /quiz drill over tests' bank",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="instead: profile one run of each bot, saving the profiles in DIR",
    )
    parser.add_argument(
        "--profiler",
        choices=("py-spy", "pyinstrument"),
        default="py-spy",
        help="for --profile (default py-spy; pip install py-spy or pyinstrument)",
    )
    args = parser.parse_args()
    if not args.bots or set(args.bots) - {"echo", "quiz"}:
        parser.error("--bots takes echo, quiz or both, separated by a comma")
    if args.profile and args.profiler == "py-spy" and _py_spy() is None:
        parser.error("py-spy not found: pip install py-spy, or use --profiler pyinstrument")
    if args.profile and args.profiler == "pyinstrument":
        try:
            import pyinstrument  # noqa: F401
        except ImportError:
            parser.error("pyinstrument not found: pip install pyinstrument")
    paths = [*builtin_paths(), *([DRILL_BANK] if args.bank == "drill" else [])]
    library = load_library(paths)[0]
    args.prompts = {html.escape(q.prompt): q for q in library.questions}
    args.command = "/quiz drill" if args.bank == "drill" else "/quiz"
    args.echo_texts = sorted({a for q in library.questions if (a := right_answer(q).strip())})
    return args


def _revision() -> str:
    """The commit benchmarked, and whether the code has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "bot", "storage", "quizbank"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' with uncommitted changes in bot/, storage/ or quizbank/' if dirty else ''}"


async def _main(args: argparse.Namespace) -> None:
    print(f"code: {_revision()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
        f"python {platform.python_version()}, python-telegram-bot {telegram.__version__}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(
        f"bank: {args.bank} ({args.command}); 1 student: {args.solo_warmup} warm-up + "
        f"{args.solo_turns} turns; {args.students} students: {args.warmup} warm-up each + "
        f"{args.turns} turns; {args.right:.0%} right; seed {args.seed}"
    )
    if args.profile:
        await profile(args)
        return
    runs = []
    for rep in range(1, args.reps + 1):
        for bot in args.bots:
            run = await run_bot(bot, rep, args)
            print(
                f"  {bot} rep {rep}: {run.crowd.cpu_per_k:.3f} CPU s/1k turns, "
                f"p99 {run.crowd.pct(99):.1f} ms with {args.students} students",
                flush=True,
            )
            runs.append(run)
    report(runs, args)


if __name__ == "__main__":
    asyncio.run(_main(_options()))
