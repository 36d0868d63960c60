"""Crash-test harness: `quizbot run` as a subprocess, students over the fake API, SIGKILL.

Each student plays rounds in a private chat as fast as the replies come back. The harness
kills the bot with SIGKILL from inside the fake API's call hook, so the kill lands while
requests are in flight, then starts it again on the same database. A student whose message
went unanswered sends it again once the bot is back, as a person would.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import os
import random
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizbank.loader import builtin_paths, load_library
from quizbank.model import Kind, Question
from tests.fakeapi import TOKEN, Call, FakeBotAPI
from tests.support import right_answer, wrong_answer

ROOT = Path(__file__).resolve().parent.parent
REPLY_TIMEOUT = 30.0
MARKS = ("✅", "🟡", "❌")  # feedback on an answer starts with one of these (bot/render.py)
_LIBRARY = load_library(builtin_paths())[0]
# A question's prompt as the bot shows it (HTML-escaped), for finding it in a message.
PROMPTS = {html.escape(q.prompt): q for q in _LIBRARY.questions}
_message_ids = itertools.count(1)


def shown_question(text: str) -> Question | None:
    """The question a bot message asks (the line after its last "Question i/n" header)."""
    header = text.rfind("<b>Question ")
    if header < 0:
        return None
    start = text.find("\n", header) + 1
    end = text.find("\n", start)
    found = PROMPTS.get(text[start : end if end >= 0 else len(text)])
    assert found is not None, f"unknown question in {text[:200]!r}"
    return found


def update(chat: dict[str, Any], user_id: int, text: str, **extra: Any) -> dict[str, Any]:
    """A text message from `user_id` in `chat`, with command entities as Telegram sends."""
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": f"S{user_id}"},
        "text": text,
        **extra,
    }
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": msg}


def private(user_id: int) -> dict[str, Any]:
    """The private chat with a student."""
    return {"id": user_id, "type": "private", "first_name": f"S{user_id}"}


class _Calls(list):  # type: ignore[type-arg]
    """FakeBotAPI.calls, telling the harness of each call as the fake records it."""

    def __init__(self, on_call: Callable[[Call], None]) -> None:
        super().__init__()
        self._on_call = on_call

    def append(self, call: Call) -> None:
        """Record the call, then report it."""
        super().append(call)
        self._on_call(call)


class CrashAPI(FakeBotAPI):
    """The fake Bot API, waking the student waiting in a chat and counting feedback."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = _Calls(self._recorded)
        self.waiting: dict[int, asyncio.Future[str]] = {}
        self.feedback = 0  # answer feedback messages accepted, in private chats
        self.on_feedback: Callable[[int], None] | None = None

    def _recorded(self, call: Call) -> None:
        if call.method != "sendMessage":
            return
        chat_id = int(call.params["chat_id"])
        text = call.params.get("text", "")
        if chat_id > 0 and text.startswith(MARKS):
            self.feedback += 1
            if self.on_feedback is not None:
                self.on_feedback(self.feedback)
        waiter = self.waiting.pop(chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(text)


@dataclass
class QuizStudent:
    """Plays rounds over the built-in bank: /quiz, then answers each question shown."""

    user_id: int
    rng: random.Random
    right: float = 0.6
    question: Question | None = None
    marking: bool = False  # a mark-scheme answer sent; the self-mark is next
    pending: str | None = None  # a message sent whose reply has not come

    def next(self) -> str:
        """What to type next."""
        q = self.question
        if q is None:
            return "/quiz"
        right = self.rng.random() < self.right
        if q.kind is Kind.POINTS:
            if not self.marking:
                return " ".join(point.keywords[0] for point in q.points)
            return "all" if right else "none"
        return right_answer(q) if right else wrong_answer(q)

    def read(self, text: str) -> None:
        """Follow the bot's reply: the next question, the mark scheme, or the round's end."""
        # The mark scheme, or a reminder to mark it (its reply lost to a kill).
        if "type all, some or none" in text:
            self.marking = True
            return
        self.marking = False
        # "no quiz running": the round's last answer was taken before a kill lost its reply.
        if "Round over" in text or "no quiz running" in text:
            self.question = None
        elif (q := shown_question(text)) is not None:
            self.question = q


@dataclass
class Bot:
    """One `quizbot run` process after another, on the same database."""

    api: CrashAPI
    tmp: Path
    proc: asyncio.subprocess.Process | None = None
    generation: int = 0  # how many times it has started
    ready_at: float = 0.0
    kills: list[int] = field(default_factory=list)  # feedback counts at which it was killed

    @property
    def db(self) -> Path:
        """The database file."""
        return self.tmp / "quizbot.sqlite3"

    @property
    def log(self) -> Path:
        """Every run's output, appended."""
        return self.tmp / "bot.log"

    def environment(self) -> dict[str, str]:
        """The bot's environment: the fake API, a temp database, no rate limiter."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "QUIZBOT_")) and k != "LOG_LEVEL"
        }
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=self.api.base_url,
            TELEGRAM_API_FILE_URL=self.api.file_url,
            LOG_LEVEL="WARNING",
            # The fake API has no overall limit; the limiter's 29/s would make this minutes.
            QUIZBOT_RATE_LIMIT="off",
            # Students here answer as fast as replies come: the flood gate would slow them.
            QUIZBOT_FLOOD="off",
            QUIZBOT_DB=str(self.db),
            PYTHONUNBUFFERED="1",
            PYTHONPATH=str(ROOT),
        )
        return env

    async def start(self) -> None:
        """Start the bot and wait for its first getUpdates."""
        self.api.allowed_updates = None
        with self.log.open("ab") as out:
            out.write(f"----- start {self.generation + 1}\n".encode())
            out.flush()
            # cwd is the temp dir, so no .env file of the developer's is read.
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=self.tmp,
                env=self.environment(),
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while self.api.allowed_updates is None:
            if self.proc.returncode is not None or time.monotonic() > deadline:
                raise AssertionError(f"the bot did not start:\n{self.tail()}")
            await asyncio.sleep(0.02)
        self.generation += 1
        self.ready_at = time.monotonic()

    def kill(self, at: int) -> None:
        """SIGKILL, at once (called from inside the fake API's call hook)."""
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.kills.append(at)

    async def stop(self) -> int:
        """SIGTERM and wait: the clean way out."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise AssertionError(f"the bot did not stop on SIGTERM:\n{self.tail()}") from None

    def tail(self, chars: int = 4000) -> str:
        """The end of the bot's output."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the bot's database with plain sqlite3 (the bot may be dead or running)."""
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()


async def exchange(api: CrashAPI, bot: Bot, chat: dict[str, Any], user_id: int, text: str) -> str:
    """Send a message and wait for the bot's next message in that chat; resend it once the
    bot is back if a kill swallowed it."""
    loop = asyncio.get_running_loop()
    chat_id = chat["id"]
    waiter: asyncio.Future[str] = loop.create_future()
    api.waiting[chat_id] = waiter
    generation = bot.generation
    await api.push(update(chat, user_id, text))
    deadline = time.monotonic() + REPLY_TIMEOUT
    while True:
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), 0.5)
        except TimeoutError:
            pass
        # Killed since it was sent, and back for a moment (updates it had fetched but not
        # confirmed are redelivered first): the message was lost, so type it again.
        if bot.generation != generation and time.monotonic() - bot.ready_at > 1.0:
            generation = bot.generation
            await api.push(update(chat, user_id, text))
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no reply to {text!r} in chat {chat_id} within {REPLY_TIMEOUT:.0f} s; "
                f"rejected calls: {api.rejected[-3:]}\n{bot.tail()}"
            )


async def play(api: CrashAPI, bot: Bot, student: QuizStudent, enough: Callable[[], bool]) -> None:
    """One student answering until `enough()`."""
    chat = private(student.user_id)
    while not enough():
        text = student.next()
        student.pending = text
        reply = await exchange(api, bot, chat, student.user_id, text)
        student.pending = None
        student.read(reply)


def acknowledged(api: CrashAPI) -> Counter[tuple[int, str, str]]:
    """(user, bank, question) of every answer whose feedback the fake API accepted.

    Feedback in a private chat acknowledges the question the chat was last shown, however
    the student got there (a repeated message after a kill included).
    """
    shown: dict[int, Question | None] = {}
    acks: Counter[tuple[int, str, str]] = Counter()
    for call in list(api.calls):
        if call.method != "sendMessage" or int(call.params["chat_id"]) < 0:
            continue
        chat_id = int(call.params["chat_id"])
        text = call.params.get("text", "")
        if text.startswith(MARKS):
            q = shown.get(chat_id)
            assert q is not None, f"feedback with no question shown in chat {chat_id}: {text!r}"
            acks[(chat_id, q.bank, q.id)] += 1
        if "Round over" in text:
            shown[chat_id] = None
        elif (q := shown_question(text)) is not None:
            shown[chat_id] = q
    return acks
