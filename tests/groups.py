"""Test helpers for group chats: a class group whose players answer challenges."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from bot.services import AppServices
from tests.fakeapi import BOT_ID, Call, FakeBotAPI
from tests.support import FakeClock, eventually, seen

TEACHER = 1  # the group admin in group tests
_ids = itertools.count(50_000)
_updates = itertools.count(1)


class Group:
    """A Telegram group (privacy mode on) with the bot in it, driven over the fake API."""

    def __init__(
        self,
        api: FakeBotAPI,
        services: AppServices,
        clock: FakeClock,
        chat_id: int = -1001234567890,
        title: str = "12B History",
    ) -> None:
        self.api = api
        self.services = services
        self.clock = clock
        self.id = chat_id
        self.title = title
        self.last: Call | None = None

    def chat(self) -> dict[str, Any]:
        """The chat as updates carry it."""
        kind = "supergroup" if str(self.id).startswith("-100") else "group"
        return {"id": self.id, "type": kind, "title": self.title}

    def message(
        self, user_id: int, text: str | None, *, reply_to: Call | int | None = None, **extra: Any
    ) -> dict[str, Any]:
        """A message update from `user_id`, replying to a bot message if asked."""
        msg: dict[str, Any] = {
            "message_id": next(_ids),
            "date": int(self.clock.now().timestamp()),
            "chat": self.chat(),
            "from": {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"},
            **extra,
        }
        if text is not None:
            msg["text"] = text
        if text and text.startswith("/"):
            command = text.split()[0]
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            msg["reply_to_message"] = {
                "message_id": reply_to if isinstance(reply_to, int) else message_id(reply_to),
                "date": int(self.clock.now().timestamp()),
                "chat": self.chat(),
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Quizbot"},
                "text": "…",
            }
        return {"message": msg}

    async def command(self, user_id: int, text: str) -> Call:
        """Type a command in the group; the bot's next post there."""
        cursor = len(self.api.calls)
        await self.api.push(self.message(user_id, text))
        return await self.next_post(cursor)

    async def next_post(
        self, cursor: int, *, method: str | None = None, timeout: float = 5.0
    ) -> Call:
        """The bot's next message or poll in the group after call index `cursor`.

        If it is a question, this waits until the bot has started its clock too: the fake
        API sees a post before the bot hears back, and tests move the clock next.
        """
        methods = (method,) if method else ("sendMessage", "sendPoll")
        self.last = await self.api.wait_for(
            lambda c: c.method in methods and int(c.params["chat_id"]) == self.id,
            after=cursor,
            timeout=timeout,
        )
        post = self.last
        if post.method == "sendPoll" or (post.params.get("reply_markup") or {}).get("force_reply"):

            async def asked() -> bool:
                if "Question of the day" in post.params.get("text", ""):
                    return self.services.dailies.post_for(self.id, message_id(post)) is not None
                running = self.services.challenges.running_in(self.id)
                return running is None or running.message_id == message_id(post)

            await eventually(asked)
        return post

    async def reply(self, user_id: int, text: str, *, to: Call | int | None = None) -> None:
        """A player replies to a bot message (by default the latest question)."""
        await self.api.push(self.message(user_id, text, reply_to=to or self.last))

    async def answer(self, user_id: int, text: str, *, to: Call | int | None = None) -> None:
        """Reply, and wait until the bot has handled it (so its time is exactly now)."""
        await self.reply(user_id, text, to=to)
        await self.settle()

    async def vote(self, user_id: int, poll: Call, option: int) -> None:
        """A player votes in a quiz poll; waits until the bot has handled it."""
        await self.api.push(
            {
                "poll_answer": {
                    "poll_id": poll_id(self.api, poll),
                    "user": {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"},
                    "option_ids": [option],
                    "option_persistent_ids": [f"opt{option}"],
                }
            }
        )
        await self.settle()

    async def settle(self) -> None:
        """Wait until the bot has handled every update pushed so far.

        Updates are handled one at a time, in order, so once a later private /help is
        answered everything before it is done (without a message in the group).
        """
        cursor = len(self.api.calls)
        await self.api.push(
            {
                "message": {
                    "message_id": next(_ids),
                    "date": int(self.clock.now().timestamp()),
                    "chat": {"id": 7, "type": "private"},
                    "from": {"id": 7, "is_bot": False, "first_name": "Sync"},
                    "text": "/help",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                }
            }
        )
        await self.api.wait_for(
            lambda c: c.method == "sendMessage" and c.params["chat_id"] == 7, after=cursor
        )

    async def time_up(self, *, method: str | None = None) -> Call:
        """Let the current question's time run out; the bot's next post in the group."""
        cursor = len(self.api.calls)
        await self.run_out()
        return await self.next_post(cursor, method=method)

    async def run_out(self) -> None:
        """Move the clock to the current question's deadline and let the bot notice."""
        await self.settle()
        challenge = self.services.challenges.running_in(self.id)
        assert challenge is not None and challenge.deadline is not None
        self.clock.moment = max(self.clock.now(), challenge.deadline)
        self.services.timers.nudge()

    def bot_membership(self, status: str) -> dict[str, Any]:
        """A my_chat_member update: the bot's status in the group changed to `status`."""
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "Quizbot"}
        return {
            "my_chat_member": {
                "chat": self.chat(),
                "from": {"id": 1, "is_bot": False, "first_name": "P1"},
                "date": int(self.clock.now().timestamp()),
                "old_chat_member": {"user": bot, "status": "member"},
                "new_chat_member": {"user": bot, "status": status, "until_date": 0},
            }
        }

    async def at(self, moment: datetime) -> None:
        """Move the clock to `moment` (once earlier updates are handled); timers notice."""
        await self.settle()
        self.clock.moment = moment
        self.services.timers.nudge()

    def posts(self) -> list[Call]:
        """Every message and poll the bot posted in the group."""
        return [
            c
            for c in self.api.calls
            if c.method in ("sendMessage", "sendPoll") and int(c.params["chat_id"]) == self.id
        ]


def message_id(call: Call) -> int:
    """The message id the fake API gave a sent message."""
    return int(call.result["message_id"])


def poll_id(api: FakeBotAPI, call: Call) -> str:
    """The poll id the fake API gave a sendPoll."""
    return next(pid for pid, c in api.polls.items() if c is call)


def text_of(call: Call) -> str:
    """A group post as players see it."""
    return seen(call) if call.method == "sendMessage" else call.params["question"]


def at(clock: FakeClock) -> datetime:
    """The fake clock's time."""
    return clock.now()
