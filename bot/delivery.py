"""When a failed Bot API call may be sent again: only if Telegram surely did not act on it.

A reply is never sent twice. The bot retries a call only when the failure proves Telegram
did nothing: it answered with an error (5xx; 429 is waited out by the rate limiter), or
the request never left (no connection, or none free in the pool). A timeout while waiting
for the answer, or a connection dropped after the request went out, proves nothing:
Telegram may already have posted the message (or the poll), so a send that fails that way
is not repeated; the reply may be lost, and is logged. Calls that change nothing when
repeated (reads, reactions, the menu) are retried after any network failure.
"""

from __future__ import annotations

from enum import Enum

import aiohttp
import httpx
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

# Doing these twice is the same as doing them once.
IDEMPOTENT = frozenset(
    {
        "getMe",
        "getChatMember",
        "getChatAdministrators",
        "getFile",
        "setMessageReaction",
        "setMyCommands",
        "deleteWebhook",
    }
)


class Uncertain(Enum):
    """The outcome of a send that failed in a way that leaves it unknown."""

    MAYBE_POSTED = "maybe posted"  # timed out, or the connection dropped, on the way back


# Failures that happen before a request is on its way to Telegram, in either HTTP client
# (bot/transport.py): no connection could be made, or none was free in time.
_UNSENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
)


def not_carried_out(exc: BaseException) -> bool:
    """Whether Telegram certainly did not act on the request that failed with `exc`."""
    if isinstance(exc, BadRequest) or not isinstance(exc, NetworkError):
        return False  # a refusal (400, 403) is final, and anything else is not Telegram's
    cause = exc.__cause__
    if isinstance(exc, TimedOut):
        return isinstance(cause, _UNSENT)
    # No cause, or a parsing one: Telegram answered with an HTTP error, so it did nothing.
    return cause is None or isinstance(cause, (TelegramError, *_UNSENT))


def may_have_arrived(exc: BaseException) -> bool:
    """Whether the request that failed with `exc` may still have been carried out."""
    return (
        isinstance(exc, NetworkError)
        and not isinstance(exc, BadRequest)
        and (not not_carried_out(exc))
    )


def may_retry(endpoint: str, exc: BaseException) -> bool:
    """Whether sending the call again can do no harm (see the module docstring)."""
    return not_carried_out(exc) or (endpoint in IDEMPOTENT and may_have_arrived(exc))
