"""The bot's own pacing of requests to Telegram (real time: it paces real requests)."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from telegram.error import RetryAfter

from bot.ratelimit import QuizRateLimiter, SlidingWindow, Spacing


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


async def test_spacing_and_the_group_window_hold_their_rates() -> None:
    spacing, times = Spacing(50), []
    for _ in range(6):
        async with spacing:
            times.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.019  # 50 a second: 20 ms apart
    window, let_through = SlidingWindow(limit=3, period=0.3), []
    for _ in range(4):
        async with window:
            let_through.append(time.monotonic())
    assert let_through[3] - let_through[0] >= 0.29  # the fourth waited for the first to age
