"""Which failed Bot API calls may be sent again: only those Telegram surely did not do."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery import may_have_arrived, may_retry, not_carried_out


def _caused(exc: Exception, cause: BaseException | None) -> Exception:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("error", "carried_out"),
    [
        # Telegram answered with an error: it did nothing.
        (_caused(NetworkError("Bad Gateway"), None), False),
        (_caused(NetworkError("Internal Server Error"), None), False),
        # The request never left.
        (_caused(NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("x")), False),
        (_caused(TimedOut(), httpx.ConnectTimeout("x")), False),
        (_caused(TimedOut("Pool timeout"), httpx.PoolTimeout("x")), False),
        # Sent, and then nothing came back: it may have been carried out.
        (_caused(TimedOut(), httpx.ReadTimeout("x")), None),
        (_caused(TimedOut(), httpx.WriteTimeout("x")), None),
        (_caused(NetworkError("disconnected"), httpx.RemoteProtocolError("x")), None),
        (_caused(NetworkError("reset"), httpx.ReadError("x")), None),
    ],
)
def test_network_failures_are_sorted_by_whether_telegram_may_have_acted(
    error: Exception, carried_out: bool | None
) -> None:
    assert not_carried_out(error) is (carried_out is False)
    assert may_have_arrived(error) is (carried_out is None)
    assert may_retry("sendMessage", error) is (carried_out is False)
    # A reaction or a read may be repeated whatever happened to the first.
    assert may_retry("setMessageReaction", error)


@pytest.mark.parametrize(
    "final",
    [BadRequest("Message is too long"), Forbidden("bot was blocked by the user"), RetryAfter(3)],
)
def test_refusals_are_final_and_429_is_left_to_the_rate_limiter(final: Exception) -> None:
    assert not may_retry("sendMessage", final) and not may_have_arrived(final)
