"""The fake Bot API's wire: HTTP/1.1 on one connection, and a request decoded into a Call.

python-telegram-bot sends JSON, urlencoded or (with a file) multipart bodies; here they
all become one dict of parameters, files as `Upload`s.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

# Parameters that are plain strings on the wire; everything else arrives JSON-encoded.
_RAW_STRINGS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "question",
    "explanation",
    "description",
}


class Upload(bytes):
    """A file part of a multipart request: its bytes, plus the name and type it came with."""

    filename: str
    content_type: str

    def __new__(cls, data: bytes, filename: str, content_type: str) -> Upload:
        upload = super().__new__(cls, data)
        upload.filename = filename
        upload.content_type = content_type
        return upload


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    result: Any = None  # what the fake answered, e.g. the sent Message as JSON


Respond = Callable[[str, dict[str, str], bytes], Awaitable[tuple[int, str, bytes]]]


async def serve_http(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, respond: Respond
) -> None:
    """Answer one connection's requests in turn (keep-alive) until the client closes it.

    `respond(path, headers, body)` gives each answer's status, content type and bytes.
    """
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
            status, kind, data = await respond(path, headers, body)
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\n"
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
        writer.close()


def decode(content_type: str, body: bytes) -> dict[str, Any]:
    """A request's parameters, whether sent as JSON, a multipart form or a urlencoded one."""
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
                upload = Upload(payload, part.get_filename(), part.get_content_type())
                pairs.append((name, upload))
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
