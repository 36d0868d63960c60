"""Shared pieces of the benchmarks that run `quizbot run` against the fake Bot API.

Not a benchmark itself. throughput.py, memory.py and startup.py import it; storage_scale.py
uses only the machine description and percentiles. bench/turns.py keeps its own copies of
some of these (it predates this module).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import math
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests/ is not an installed package

from quizbank.loader import builtin_paths  # noqa: E402
from quizbank.model import Kind, Question  # noqa: E402
from tests.fakeapi import TOKEN, FakeBotAPI  # noqa: E402
from tests.support import question_in, right_answer, wrong_answer  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ----- the machine and the process -----------------------------------------------------


def machine() -> str:
    """`uname -a`, cores, Python, load average and the UTC time, for the record."""
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {uname}; nproc {os.cpu_count()}; "
        f"Python {platform.python_version()}; load average {' '.join(load)}"
    )


def cpu_seconds(pid: int) -> float:
    """utime+stime of the whole process so far, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_busy() -> float:
    """CPU seconds all cores have been busy since boot (every process), from /proc/stat."""
    with open("/proc/stat") as f:
        ticks = [int(t) for t in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal: everything but idle and iowait.
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLK_TCK


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (resident now) and VmHWM (peak resident), in MB, from /proc/<pid>/status."""
    found = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                found[key] = int(line.split()[1]) / 1024
    return found


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile by nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def median(values: Sequence[float]) -> float:
    """statistics.median, named here so the benches read alike."""
    return statistics.median(values)


# ----- the fake API, waking one student per reply --------------------------------------


class _Calls(list):  # type: ignore[type-arg]
    """FakeBotAPI.calls, telling the benchmark of each call as the fake records it."""

    def __init__(self, api: BenchAPI) -> None:
        super().__init__()
        self._api = api

    def append(self, call: Any) -> None:
        """Record the call, then report it."""
        super().append(call)
        self._api.recorded(call)


class BenchAPI(FakeBotAPI):
    """The project's fake Bot API, waking the student waiting for a reply in its chat.

    FakeBotAPI.wait_for rescans every call for every waiter; a future per chat keeps the
    benchmark's own work per turn small. Only the public `calls` list is hooked. With
    `keep_calls=False` calls are dropped once reported, so a long run's memory stays flat.
    """

    def __init__(self, *, keep_calls: bool = False) -> None:
        super().__init__()
        self.calls = _Calls(self)
        self.keep_calls = keep_calls
        self.waiting: dict[int, asyncio.Future[tuple[float, str]]] = {}
        self.first_reply: float | None = None  # time.monotonic() of the first sendMessage
        self.stray = 0

    def recorded(self, call: Any) -> None:
        """A call reached the fake: hand a sendMessage to the student waiting in its chat."""
        if call.method == "sendMessage":
            if self.first_reply is None:
                self.first_reply = call.at
            waiter = self.waiting.pop(int(call.params["chat_id"]), None)
            if waiter is None or waiter.done():
                self.stray += 1
            else:
                waiter.set_result((call.at, call.params.get("text", "")))
        if not self.keep_calls:
            list.clear(self.calls)


_message_ids = iter(range(1, 1 << 62))


def private_update(user_id: int, text: str) -> dict[str, Any]:
    """A private-chat text message from `user_id`, as tests.support.Student builds it."""
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": f"S{user_id}"},
        "from": {"id": user_id, "is_bot": False, "first_name": f"S{user_id}"},
        "text": text,
    }
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": msg}


async def turn(api: BenchAPI, user_id: int, text: str, within: float = 60) -> tuple[float, str]:
    """Send one message and wait for the bot's reply: (seconds to the reply, its text)."""
    waiter: asyncio.Future[tuple[float, str]] = asyncio.get_running_loop().create_future()
    api.waiting[user_id] = waiter
    pushed = time.monotonic()  # the fake's clock: Call.at is time.monotonic() too
    await api.push(private_update(user_id, text))
    try:
        replied, reply = await asyncio.wait_for(waiter, within)
    except TimeoutError:
        raise RuntimeError(f"no reply to {text!r} from user {user_id} in {within:.0f} s") from None
    return replied - pushed, reply


# ----- a student who plays rounds -------------------------------------------------------


class QuizStudent:
    """Plays rounds: /quiz, then answers each question the replies show (as turns.py's)."""

    def __init__(self, rng: random.Random, prompts: dict[str, Question], right: float = 0.7):
        self._rng = rng
        self._right = right
        self._prompts = prompts
        self.question: Question | None = None
        self._marking = False  # a mark-scheme answer sent; the self-mark is next

    def next(self) -> tuple[str, bool]:
        """The next message, and whether it is an answer (a /quiz is not)."""
        q = self.question
        if q is None:
            return "/quiz", False
        right = self._rng.random() < self._right
        if q.kind is Kind.POINTS:
            if not self._marking:
                return " ".join(point.keywords[0] for point in q.points), True
            return ("all" if right else "none"), True
        return (right_answer(q) if right else wrong_answer(q)), True

    def read(self, text: str) -> None:
        """Follow the reply: the next question, the mark scheme, or the round's end."""
        q = self.question
        if self._marking:
            self._marking = False
        elif q is not None and q.kind is Kind.POINTS and "Mark scheme" in text:
            self._marking = True
            return
        if "Round over" in text:
            self.question = None
        elif "<b>Question " in text:
            start = text.find("\n", text.rfind("<b>Question ")) + 1
            end = text.find("\n", start)
            found = self._prompts.get(text[start : end if end >= 0 else len(text)])
            self.question = found if found is not None else question_in(text)


def prompts(questions: Sequence[Question]) -> dict[str, Question]:
    """Each question by its prompt as the bot renders it (HTML-escaped)."""
    return {html.escape(q.prompt, quote=False): q for q in questions}


# ----- banks ---------------------------------------------------------------------------


def generated_banks(folder: Path, count: int) -> list[Path]:
    """`count` copies of the built-in bank under other bank ids: banks of a realistic size."""
    folder.mkdir(parents=True, exist_ok=True)
    source = builtin_paths()[0].read_text(encoding="utf-8")
    assert "\nbank: khrushchev\n" in source
    paths = []
    for i in range(1, count + 1):
        path = folder / f"copy{i}.yaml"
        path.write_text(source.replace("\nbank: khrushchev\n", f"\nbank: copy{i}\n"), "utf-8")
        paths.append(path)
    return paths


# ----- the bot process -----------------------------------------------------------------


def bot_environment(api: FakeBotAPI, db: Path, **extra: str) -> dict[str, str]:
    """quizbot's settings for a bench run; nothing of the developer's own leaks in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "QUIZBOT_")) and k != "LOG_LEVEL"
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        LOG_LEVEL="WARNING",
        QUIZBOT_RATE_LIMIT="off",
        # Bench students answer as fast as replies come, far past what a person could; a
        # limit no one reaches keeps the flood gate's cost in the measurement (as turns.py).
        QUIZBOT_FLOOD="1000000/1",
        QUIZBOT_DB=str(db),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


async def start_bot(
    env: dict[str, str], cwd: Path, log: Path, *, argv: Sequence[str] = ("-m", "bot", "run")
) -> asyncio.subprocess.Process:
    """Start `quizbot run` (cwd: a temp dir, so no .env is read), its output to `log`."""
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, *argv, cwd=cwd, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
        )


def log_tail(log: Path, chars: int = 3000) -> str:
    """The end of the bot's output."""
    return log.read_text(errors="replace")[-chars:]


async def wait_ready(api: FakeBotAPI, proc: asyncio.subprocess.Process, log: Path) -> None:
    """Until the bot's first getUpdates (the fake records the allowed_updates it asked for)."""
    deadline = time.monotonic() + 120
    while api.allowed_updates is None:
        if proc.returncode is not None or time.monotonic() > deadline:
            tail = log_tail(log)
            raise RuntimeError(f"the bot did not start (status {proc.returncode}):\n{tail}")
        await asyncio.sleep(0.005)


async def stop_bot(proc: asyncio.subprocess.Process) -> int:
    """SIGTERM, as Docker would; SIGKILL if it does not stop in 30 s. The exit status."""
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), 30)
    except TimeoutError:
        proc.kill()
        return await proc.wait()
