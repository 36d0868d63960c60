"""The bot's own pacing of requests to Telegram (real time: it paces real requests)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram.error import RetryAfter

from bot.ratelimit import AnsweredWindow, QuizRateLimiter, SlidingWindow, admitted


async def test_after_a_429_nothing_is_sent_until_retry_after_has_passed() -> None:
    limiter = QuizRateLimiter(max_retries=1)
    await limiter.initialize()
    sent: list[tuple[str, float]] = []
    start = time.monotonic()
    refused = False

    async def first() -> bool:
        nonlocal refused
        if not refused:
            refused = True
            raise RetryAfter(1)
        sent.append(("first", time.monotonic() - start))
        return True

    async def other() -> bool:
        sent.append(("other", time.monotonic() - start))
        return True

    async def slow() -> bool:
        await asyncio.sleep(0.5)  # was already on its way, and lands during the pause
        return True

    async def later() -> Any:
        await asyncio.sleep(0.2)  # arrives during the pause
        return await limiter.process_request(other, (), {}, "sendMessage", {"chat_id": 2}, None)

    await asyncio.gather(
        limiter.process_request(slow, (), {}, "sendMessage", {"chat_id": 3}, None),
        limiter.process_request(first, (), {}, "sendMessage", {"chat_id": 1}, None),
        later(),
    )
    await limiter.shutdown()
    assert {name for name, _ in sent} == {"first", "other"}
    assert all(at >= 1.0 for _, at in sent)  # both waited out the second Telegram asked for


async def test_the_overall_window_counts_a_request_until_a_period_after_its_answer() -> None:
    # The server may stamp a request any time before it answers, so a slow answer holds
    # its slot longer: the fourth request waits for the first answer, not the first send.
    window = AnsweredWindow(3, period=0.2, margin=0.01)
    spans: list[tuple[float, float]] = []

    async def request(network: float) -> None:
        async with window:
            sent = time.monotonic()
            await asyncio.sleep(network)
        spans.append((sent, time.monotonic()))

    await asyncio.gather(*(request(n) for n in (0.15, 0.0, 0.05, 0.0, 0.1, 0.0, 0.0)))
    spans.sort()
    for i in range(3, len(spans)):
        # Of the requests sent before it, all but two had been answered 0.2 s earlier.
        answered = sorted(end for _, end in spans[:i])
        assert spans[i][0] >= answered[i - 3] + 0.2
    # Never more than three in flight at once, and it did not stall: seven went through.
    assert len(spans) == 7


async def test_the_group_window_holds_its_rate() -> None:
    window, let_through = SlidingWindow(limit=3, period=0.3), []
    for _ in range(4):
        async with window:
            let_through.append(time.monotonic())
    assert let_through[3] - let_through[0] >= 0.29  # the fourth waited for the first to age


async def test_a_broadcast_claims_each_copy_only_once_the_limiter_lets_it_go() -> None:
    # A claimed copy is "in doubt" after a crash; the 31st must not be claimed while it
    # still waits its turn, or a crash then would leave it in doubt for nothing.
    limiter = QuizRateLimiter(max_retries=1)
    await limiter.initialize()
    claimed: list[float] = []
    answered: list[float] = []

    async def claim() -> None:
        claimed.append(time.monotonic())

    async def send() -> bool:
        answered.append(time.monotonic())
        return True

    async def one(chat_id: int) -> None:
        with admitted(claim):
            await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": chat_id}, None)

    await asyncio.gather(*(one(100 + i) for i in range(31)))
    await limiter.shutdown()
    assert len(claimed) == len(answered) == 31
    assert claimed[30] >= min(answered) + 1.0  # waited its turn, then was claimed
    assert max(claimed[:30]) < min(answered) + 0.5  # the first thirty went at once
