"""A fake Telegram Bot API server on loopback, for end-to-end tests.

It speaks plain HTTP/1.1 (keep-alive included) so the bot under test uses its real
python-telegram-bot + httpx stack. Tests push updates in, and read back every API call
the bot made. Only the methods quizbot uses are implemented; any other method answers
404 like the real API does for an unknown method.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456789:AAFakeTokenForTests-DoNotLeak_0123456789"
BOT_ID = 123456789
BOT_USERNAME = "quizbot_test_bot"
# Parameters that are plain strings on the wire; everything else arrives JSON-encoded.
_RAW_STRINGS = {"text", "caption", "parse_mode", "callback_query_id", "question", "explanation"}


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeBotAPI:
    """An in-process Bot API: `await start()`, then point the bot at `base_url`."""

    def __init__(self, *, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.rejected: list[Call] = []  # requests refused as the real API would (400)
        self.commands: list[dict[str, Any]] = []
        self.allowed_updates: list[str] | None = None  # as the bot last asked for them
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

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

    def sent(self, chat_id: int) -> list[Call]:
        """Every sendMessage to one chat, oldest first."""
        return [
            c for c in self.calls if c.method == "sendMessage" and c.params["chat_id"] == chat_id
        ]

    # ----- HTTP ----------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                _, path, _ = request_line.split(" ", 2)
                headers = {}
                for line in header_lines:
                    if ":" in line:
                        key, value = line.split(":", 1)
                        headers[key.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, payload = await self._dispatch(path, headers, body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            # Shutting down: end quietly (3.11's stream callback logs a cancelled task's error).
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _dispatch(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :]
        params = _decode(headers.get("content-type", ""), body)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        try:
            if method == "sendMessage":
                check_message(params)
            if method == "answerCallbackQuery" and len(params.get("text", "")) > 200:
                raise BadRequest("MESSAGE_TOO_LONG")
        except BadRequest as exc:
            self.rejected.append(Call(method, {**params, "error": str(exc)}))
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        if method != "getUpdates":
            self.calls.append(Call(method, params))
            await self._notify()
        return 200, {"ok": True, "result": await handler(params)}

    # ----- Bot API methods -----------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Quizbot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = params.get("commands", [])
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"]
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        # A getUpdates with an offset confirms every earlier update, as in the real API.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates)), timeout
                    )
        limit = int(params.get("limit") or 100)
        return self._updates[:limit]

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Quizbot"},
            "text": params.get("text", ""),
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True


class BadRequest(Exception):
    """What the real API answers with 400 "Bad Request: …"."""


_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
_ENTITIES = {"lt", "gt", "amp", "quot"}


class _TelegramHTML(HTMLParser):
    """Parses text the way Bot API's HTML parse mode does, counting the visible characters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.visible = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            raise BadRequest(f'can\'t parse entities: unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            raise BadRequest(f'can\'t parse entities: unexpected end tag "{tag}"')

    def handle_data(self, data: str) -> None:
        if "<" in data or "&" in data:
            raise BadRequest("can't parse entities: unescaped '<' or '&'")
        self.visible += len(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _ENTITIES:
            raise BadRequest(f'can\'t parse entities: unsupported entity "&{name};"')
        self.visible += 1

    def handle_charref(self, name: str) -> None:
        self.visible += 1


def check_message(params: dict[str, Any]) -> None:
    """Raise BadRequest for a message the real Bot API would refuse."""
    text = params.get("text", "")
    visible = len(text)
    if params.get("parse_mode") == "HTML":
        parser = _TelegramHTML()
        parser.feed(text)
        parser.close()
        if parser.open:
            raise BadRequest(f'can\'t parse entities: unclosed tag "{parser.open[-1]}"')
        visible = parser.visible
    if not text.strip():
        raise BadRequest("message text is empty")
    if visible > 4096:
        raise BadRequest("message is too long")
    markup = params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise BadRequest("BUTTON_DATA_INVALID")


def _decode(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(body)
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        pairs = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                pairs.append((name, payload))
            else:
                pairs.append((name, payload.decode()))
        return {k: _value(k, v) for k, v in pairs}
    pairs = parse_qsl(body.decode(), keep_blank_values=True)
    return {k: _value(k, v) for k, v in pairs}


def _value(key: str, value: Any) -> Any:
    if key in _RAW_STRINGS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
