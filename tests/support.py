"""Test helpers: run the real Application against the fake API, and play a student."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any

from bot.app import QuizApp, build_application
from bot.config import Settings
from bot.handlers import ALLOWED_UPDATES
from bot.render import html_to_plain
from quizbank.loader import builtin_paths, load_library
from quizbank.model import Kind, Question
from tests.fakeapi import BOT_ID, Call, FakeBotAPI

DRILL_BANK = Path(__file__).parent / "data" / "testbank.yaml"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        """The current fake time."""
        return self.moment

    def advance(self, **delta: float) -> datetime:
        """Move forward and return the new time."""
        self.moment += timedelta(**delta)
        return self.moment


@asynccontextmanager
async def running_bot(
    settings: Settings, *, clock: Any = None, seed: int = 7
) -> AsyncIterator[QuizApp]:
    """Start the app exactly as run_polling does (post_init included), then shut it down."""
    app = build_application(settings, clock=clock, rng=random.Random(seed))
    await app.initialize()
    assert app.post_init is not None and app.updater is not None
    await app.post_init(app)
    await app.updater.start_polling(allowed_updates=list(ALLOWED_UPDATES), timeout=1)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)


_BANK = load_library([*builtin_paths(), DRILL_BANK])[0]
_ids = itertools.count(1)


def question_in(text: str) -> Question:
    """The bank question whose prompt a bot message shows (the last one, if several)."""
    plain = unescape(text)
    found = [(plain.rfind(q.prompt), q) for q in _BANK.questions if q.prompt in plain]
    assert found, f"no bank question in message: {plain[:200]!r}"
    return max(found, key=lambda pair: pair[0])[1]


def seen(call: Call) -> str:
    """A sent message's text as it shows on the phone: HTML tags rendered away."""
    return html_to_plain(call.params["text"])


class Student:
    """A Telegram user in a private chat with the bot, driven over the fake API."""

    def __init__(self, api: FakeBotAPI, user_id: int, first_name: str = "Ana") -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.clock = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
        self.last: Call | None = None

    def _user(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name}

    def message(self, text: str | None = None, **extra: Any) -> dict[str, Any]:
        """A message update from this student, dated by their clock."""
        self.clock += timedelta(seconds=5)
        msg: dict[str, Any] = {
            "message_id": next(_ids),
            "date": int(self.clock.timestamp()),
            "chat": {"id": self.id, "type": "private", "first_name": self.first_name},
            "from": self._user(),
            **extra,
        }
        if text is not None:
            msg["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"message": msg}

    async def send(self, update: dict[str, Any], *, timeout: float = 5.0) -> Call:
        """Push an update and wait for the bot's next message to this chat."""
        return await self.send_to(self.id, update, timeout=timeout)

    async def send_to(self, chat_id: int, update: dict[str, Any], *, timeout: float = 5.0) -> Call:
        """Push an update and wait for the bot's next message to `chat_id` (e.g. a group)."""
        cursor = len(self.api.calls)
        await self.api.push(update)
        self.last = await self.api.wait_for(
            lambda c: c.method == "sendMessage" and c.params["chat_id"] == chat_id,
            after=cursor,
            timeout=timeout,
        )
        return self.last

    async def say(self, text: str) -> str:
        """Type a message; return the bot's reply as the student sees it (markup stripped)."""
        return seen(await self.send(self.message(text)))

    async def answer(self, text: str, *, right: bool = True) -> str:
        """Answer the question a bot message shows, rightly or wrongly, whatever its type.

        A mark-scheme question takes two replies: the answer, then the student's own mark.
        """
        q = question_in(text)
        if q.kind is Kind.POINTS:
            await self.say(" ".join(point.keywords[0] for point in q.points))
            return await self.say("all" if right else "none")
        return await self.say(right_answer(q) if right else wrong_answer(q))

    async def reach(self, question_id: str) -> str:
        """Start a drill round and skip until `question_id` is asked; return that message."""
        text = await self.say("/quiz drill")
        while question_in(text).id != question_id:
            text = await self.say("/skip")
        return text

    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of the inline buttons on the bot's last message."""
        assert self.last is not None
        markup = self.last.params.get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    async def tap(self, option: str, *, expect_message: bool = True) -> Call:
        """Tap the button showing `option` ("Bulganin" matches "B) Bulganin")."""
        assert self.last is not None
        data = next(d for label, d in self.buttons() if option in (label, label.partition(") ")[2]))
        return await self.tap_data(data, expect_message=expect_message)

    def letter_for(self, option: str) -> str:
        """The letter the bot's last message shows for an option."""
        label = next(label for label, _ in self.buttons() if label.endswith(f") {option}"))
        return label[0]

    def button_tap(self, data: str) -> dict[str, Any]:
        """A callback query update: this student taps a button carrying `data`."""
        message = {
            "message_id": 999,
            "date": int(self.clock.timestamp()),
            "chat": {"id": self.id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Quizbot"},
            "text": "…",
        }
        return {
            "callback_query": {
                "id": str(next(_ids)),
                "from": self._user(),
                "chat_instance": "ci",
                "message": message,
                "data": data,
            }
        }

    async def tap_data(self, data: str, *, expect_message: bool = True) -> Call:
        """Send a callback query with arbitrary data from the bot's last message."""
        assert self.last is not None
        update = self.button_tap(data)
        cursor = len(self.api.calls)
        await self.api.push(update)
        answered = await self.api.wait_for(
            lambda c: c.method == "answerCallbackQuery", after=cursor
        )
        if not expect_message:
            return answered
        return await self.send_wait(cursor)

    async def send_wait(self, cursor: int) -> Call:
        """Wait for the next message to this chat after call index `cursor`."""
        self.last = await self.api.wait_for(
            lambda c: c.method == "sendMessage" and c.params["chat_id"] == self.id, after=cursor
        )
        return self.last


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 3.0) -> None:
    """Wait until an async check passes (for effects with no reply to wait on)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.01)


def right_answer(q: Question) -> str:
    """What a student who knows the answer would type (an option's own text works too)."""
    return q.canonical


def wrong_answer(q: Question) -> str:
    """A plausible wrong answer a student might type."""
    if q.kind is Kind.TEXT:
        return "1066" if not q.canonical.isdigit() else str(int(q.canonical) + 9)
    return next(c for c in q.choices if c != q.canonical)
