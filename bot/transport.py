"""The HTTP client under python-telegram-bot: aiohttp, through PTB's `BaseRequest` interface.

PTB's default client is httpx. On the bot's hot path (one getUpdates and one sendMessage per
answer) httpx and httpcore's pure-Python HTTP/1.1 stack was about two thirds of the bot's CPU
(bench/turns.py). aiohttp parses HTTP in C and costs about half as much per request, for
the same requests on the wire. PTB supports a custom client by design
(`ApplicationBuilder.request`), so nothing above this module changes; `QUIZBOT_HTTP=httpx`
goes back to PTB's own.

Errors keep PTB's meaning: a timeout is `TimedOut`, any other transport failure is
`NetworkError`, so PTB's polling loop, its rate limiter and our handlers treat them exactly
as they treat httpx's. The aiohttp error is kept as the cause: bot/delivery.py reads it to
tell a request that never left from one Telegram may have acted on.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's HTTPXRequest defaults, so switching clients changes no timing a user could notice.
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0
_DEFAULT = type(BaseRequest.DEFAULT_NONE)


def _given(value: Any, default: float | None) -> float | None:
    """A per-call timeout, or the default when PTB passed its "not given" marker."""
    return default if isinstance(value, _DEFAULT) else value


class AiohttpRequest(BaseRequest):
    """PTB's request interface over one aiohttp session with a keep-alive connection pool."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 1,
        read_timeout: float = READ_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
    ):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout, in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (its connections open on first use)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # Telegram's errors come back as JSON with 4xx/5xx: PTB reads them itself.
                raise_for_status=False,
                # HTTPS_PROXY and friends, as PTB's httpx client honours them: a school
                # network may reach Telegram only through a proxy.
                trust_env=True,
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        body: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            # quote_fields=False: a file named "report-Физика.csv" keeps its name, as httpx
            # sends it, instead of arriving percent-encoded.
            body = aiohttp.FormData(fields or {}, quote_fields=False)
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        read = _given(read_timeout, self._read_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, POOL_TIMEOUT)
        write = _given(write_timeout, MEDIA_WRITE_TIMEOUT if files else WRITE_TIMEOUT)
        # aiohttp has no write timeout, and its read timeout starts only once the body is
        # written: an upload (a CSV, an export) is bounded by a total instead, write + read.
        total = None if not files or write is None or read is None else write + read
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as res:
                return res.status, await res.read()
        except TimeoutError as exc:  # aiohttp's own timeouts subclass it
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
