"""A fake Telegram Bot API server on loopback, for end-to-end tests.

It speaks plain HTTP/1.1 (keep-alive included) so the bot under test uses its real
python-telegram-bot + httpx stack. Tests push updates in, and read back every API call
the bot made. Only the methods quizbot uses are implemented; any other method answers
404 like the real API does for an unknown method.

Every request ends up in one of four lists: `calls` (accepted), `rejected` (400: the bot
sent something Telegram refuses, a bug), `refused` (403/400 for a chat the test made the
bot lose: kicked, migrated, or a user who never started it) and `flooded` (429: over the
per-group rate limit). `api.fail` answers the next calls with a 429 or 5xx; `api.faults`
(tests/fakeapi_faults.py) makes them slow, late, hang, drop the connection or be refused.

This module decides whether Telegram would take a call; HTTP and request decoding are in
tests/fakeapi_wire.py, what each method then does in tests/fakeapi_methods.py, and the
checks that answer 400 in tests/fakeapi_checks.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from urllib.parse import unquote

from tests.fakeapi_checks import (
    BadRequest,
    check_callback_answer,
    check_document,
    check_message,
    check_poll,
    check_reaction,
    check_user_id,
)
from tests.fakeapi_faults import Faults
from tests.fakeapi_methods import BOT_ID, BOT_USERNAME, BotMethods
from tests.fakeapi_wire import Call, Upload, decode, serve_http

# Where tests import them from: the fake's identity, its calls, and the 400 checks.
__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "GROUP_POSTS_PER_MINUTE",
    "TOKEN",
    "BadRequest",
    "Call",
    "FakeBotAPI",
    "Upload",
    "check_message",
]

TOKEN = "123456789:AAFakeTokenForTests-DoNotLeak_0123456789"
_FAULTS = {500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Timeout"}
# Methods that post a message into a chat, so count towards a group's flood limit.
_POSTS = frozenset(
    {"sendMessage", "sendPoll", "sendDocument", "sendPhoto", "copyMessage", "forwardMessage"}
)
_IN_A_CHAT = _POSTS | {"setMessageReaction", "getChatMember", "getChatAdministrators"}
_CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "sendMessage": check_message,
    "sendPoll": check_poll,
    "sendDocument": check_document,
    "setMessageReaction": check_reaction,
    "answerCallbackQuery": check_callback_answer,
    "getChatMember": check_user_id,
}
# Telegram lets a bot post about 20 messages a minute into one group.
GROUP_POSTS_PER_MINUTE = 20
_WINDOW = 60.0


Handler = Callable[[Call], Awaitable[Any]]


class FakeBotAPI(BotMethods):
    """An in-process Bot API: `await start()`, then point the bot at `base_url`."""

    def __init__(self, *, token: str = TOKEN, clock: Callable[[], float] | None = None) -> None:
        self.token = token
        self.clock = clock or time.monotonic  # seconds; times calls and the flood window
        self.calls: list[Call] = []
        self.rejected: list[Call] = []  # requests refused as the real API would (400)
        self.refused: list[Call] = []  # requests for a chat the bot was kicked from or lost
        self.flooded: list[Call] = []  # posts over a group's rate limit (429)
        self.faults = Faults()  # slow answers, timeouts, resets: see tests/fakeapi_faults.py
        self.commands: list[dict[str, Any]] = []  # the default menu (private chats)
        self.menus: dict[str, list[dict[str, Any]]] = {}
        self._faults: dict[
            tuple[str, int | None], list[int]
        ] = {}  # by scope type, e.g. all_group_chats
        self.allowed_updates: list[str] | None = None  # as the bot last asked for them
        self.polls: dict[str, Call] = {}  # poll id -> the sendPoll that made it
        self.admins: dict[int, set[int]] = {}  # chat id -> administrators' user ids
        self.creators: dict[int, int] = {}  # chat id -> its creator's user id
        self.kicked: set[int] = set()  # chats the bot was removed from
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and downloads
        self.blocked: set[int] = set()  # users who blocked the bot (403 on any post to them)
        # Users who never started a private chat with the bot: it can't message them, as
        # Telegram answers 403 to a bot that writes first.
        self.not_started: set[int] = set()
        self.per_second: int | None = None  # enforce an overall posts-per-second limit
        # Called with each call once it is done, before the bot has its answer (a test can
        # copy the database there: the state a crash at that moment would leave).
        self.on_done: Callable[[Call], None] | None = None
        self._all_posts: list[float] = []
        self.migrated: dict[int, int] = {}  # old group id -> its new supergroup id
        self._group_posts: defaultdict[int, list[float]] = defaultdict(list)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._poll_ids = itertools.count(5_000_000_000)
        self._file_ids = itertools.count(1)
        self._documents: dict[str, dict[str, Any]] = {}  # file_id -> the Document sent
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def file_url(self) -> str:
        """The TELEGRAM_API_FILE_URL for the bot."""
        return f"http://127.0.0.1:{self.port}/file/bot{{token}}"

    @property
    def base_url(self) -> str:
        """The TELEGRAM_API_BASE_URL for the bot, with PTB's {token} placeholder."""
        return f"http://127.0.0.1:{self.port}/bot{{token}}"

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (a free port unless one is given)."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and every open connection."""
        if self._server is not None:
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    # ----- what tests do -------------------------------------------------------------

    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update for the bot's next getUpdates; returns its update_id."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        await self._notify()
        return update_id

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(
        self, predicate: Callable[[Call], bool], *, after: int = 0, timeout: float = 5.0
    ) -> Call:
        """The first call at index >= `after` matching `predicate`, waiting for it if needed."""
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._changed:
            while True:
                for call in self.calls[after:]:
                    if predicate(call):
                        return call
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    seen = [(c.method, c.params.get("text", "")[:60]) for c in self.calls[after:]]
                    raise TimeoutError(f"no matching Bot API call; saw {seen}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    def fail(self, method: str, *statuses: int, chat_id: int | None = None) -> None:
        """Answer the next calls of `method` (to `chat_id`, or any chat) with these HTTP
        errors, one each: 500, 502, 504, or 429 (with retry_after 1)."""
        self._faults.setdefault((method, chat_id), []).extend(statuses)

    def sent(self, chat_id: int) -> list[Call]:
        """Every sendMessage to one chat, oldest first."""
        return self.sent_to(chat_id)

    def sent_to(self, chat_id: int, method: str = "sendMessage") -> list[Call]:
        """Every accepted call of `method` to one chat, oldest first."""
        return [c for c in self.calls if c.method == method and _chat_id(c.params) == chat_id]

    def group_posts(self, chat_id: int) -> list[float]:
        """Clock times of the posts accepted into one group, oldest first."""
        return list(self._group_posts.get(chat_id, []))

    def max_per_minute(self, chat_id: int) -> int:
        """The most posts accepted into one chat within any 60 s."""
        times = sorted(self._group_posts.get(chat_id, []))
        most, first = 0, 0
        for last, moment in enumerate(times):
            while times[first] <= moment - _WINDOW:
                first += 1
            most = max(most, last - first + 1)
        return most

    # ----- HTTP ----------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await serve_http(reader, writer, self._respond)
        finally:
            self._connections.discard(task)

    async def _respond(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        """Status, content type and body for one HTTP request: a file or a Bot API call."""
        if unquote(path).startswith(f"/file/bot{self.token}/"):
            # A file download, as from api.telegram.org/file/bot<token>/<file_path>.
            file_id = path.rsplit("/", 1)[-1]
            data = self.files.get(file_id, b"")
            return (
                (200, "application/octet-stream", data) if data else (404, "application/json", data)
            )
        status, payload = await self._dispatch(path, headers, body)
        return status, "application/json", json.dumps(payload).encode()

    async def _dispatch(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :]
        params = decode(headers.get("content-type", ""), body)
        handler: Handler | None = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        call = Call(method, params, at=self.clock())
        chat_id = _chat_id(params)
        planned = self.faults.take(method, chat_id)
        if planned is not None:
            answer = partial(self._answer, handler, call, chat_id)
            return await self.faults.inject(planned, method, chat_id, answer)
        return await self._answer(handler, call, chat_id)

    async def _answer(
        self, handler: Handler, call: Call, chat_id: int | None
    ) -> tuple[int, dict[str, Any]]:
        """Carry out one call as Telegram would, refusals included."""
        method, params = call.method, call.params
        fault = next((k for k in ((method, chat_id), (method, None)) if self._faults.get(k)), None)
        if fault is not None:
            status = self._faults[fault].pop(0)
            if status == 429:
                return self._refuse(
                    call, 429, "Too Many Requests: retry after 1", {"retry_after": 1}
                )
            return self._refuse(call, status, _FAULTS.get(status, "Internal Server Error"))
        if chat_id in self.blocked and method in _POSTS:
            return self._refuse(call, 403, "Forbidden: bot was blocked by the user")
        if chat_id in self.not_started and method in _POSTS:
            description = "Forbidden: bot can't initiate conversation with a user"
            return self._refuse(call, 403, description)
        if method in _POSTS and self.per_second is not None:
            # Telegram's overall limit: about 30 messages a second across all chats.
            recent = [t for t in self._all_posts if call.at - t < 1.0]
            self._all_posts = recent
            if len(recent) >= self.per_second:
                self.flooded.append(Call(method, {**params, "error": "overall"}, at=call.at))
                return self._refuse(
                    call, 429, "Too Many Requests: retry after 1", {"retry_after": 1}
                )
            self._all_posts.append(call.at)
        # A lost chat answers the same whatever the bot sent, so its fate comes first.
        if chat_id in self.kicked:
            return self._refuse(call, 403, "Forbidden: bot was kicked from the group chat")
        if chat_id in self.migrated:
            return self._refuse(
                call,
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        try:
            if method in _IN_A_CHAT and chat_id is None:
                raise BadRequest("chat not found" if "chat_id" in params else "chat_id is empty")
            if method in _CHECKS:
                _CHECKS[method](params)
        except BadRequest as exc:
            self.rejected.append(Call(method, {**params, "error": str(exc)}, at=call.at))
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        if method in _POSTS and chat_id is not None and chat_id < 0:
            wait = self._group_wait(chat_id, call.at)
            if wait:
                description = f"Too Many Requests: retry after {wait}"
                self.flooded.append(Call(method, {**params, "error": description}, at=call.at))
                refusal = {"ok": False, "error_code": 429, "description": description}
                return 429, {**refusal, "parameters": {"retry_after": wait}}
            self._group_posts[chat_id].append(call.at)
        try:
            call.result = await handler(call)
        except BadRequest as exc:
            self.rejected.append(Call(method, {**params, "error": str(exc)}, at=call.at))
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        # Recorded once answered, so a test that sees the call can read its result.
        if method != "getUpdates":
            self.calls.append(call)
            if self.on_done is not None:
                self.on_done(call)
            await self._notify()
        return 200, {"ok": True, "result": call.result}

    def _refuse(
        self, call: Call, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        self.refused.append(Call(call.method, {**call.params, "error": description}, at=call.at))
        payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            payload["parameters"] = parameters
        return status, payload

    def _group_wait(self, chat_id: int, now: float) -> int:
        """Whole seconds until the group may take another post; 0 if it may now."""
        recent = [t for t in self._group_posts[chat_id] if now - t < _WINDOW]
        if len(recent) < GROUP_POSTS_PER_MINUTE:
            return 0
        return max(1, math.ceil(recent[-GROUP_POSTS_PER_MINUTE] + _WINDOW - now))


def _chat_id(params: dict[str, Any]) -> int | None:
    """The numeric chat_id a request names, if it names one."""
    value = params.get("chat_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    return None
