"""Telegram's rate limits: a strict 20 posts a minute per group, acknowledgements aside."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

from bot.delivery import may_retry

log = logging.getLogger(__name__)

# Not messages: a reaction to an answer, or asking who is an admin. Counted against the
# group's 20 messages a minute, a burst of answers' reactions would hold back the next
# question for minutes. They keep the bot-wide 30/s pace, and never wait out a 429: a
# reaction that hits a limit is dropped rather than made to stall everything else. (A
# network failure is still tried again: they are safe to repeat.)
UNCOUNTED = frozenset({"setMessageReaction", "getChatMember", "getChatAdministrators"})
GROUP_POSTS = 20
# Telegram allows about 30 a second; one less leaves room for jitter on the way there.
OVERALL_PER_SECOND = 29
GROUP_PERIOD = 60.0
# Network failures and 5xx: tries per call, and the pause before the next (times the try).
TRIES = 3
BACKOFF = 0.5

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class SlidingWindow:
    """At most `limit` entries in any `period` seconds.

    PTB's leaky bucket lets a burst of 20 through and then refills, so 40 posts can land
    in one minute; Telegram answers that with 429 and a pause for the whole bot.
    """

    def __init__(self, limit: int = GROUP_POSTS, period: float = GROUP_PERIOD) -> None:
        self._limit = limit
        self._period = period
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()  # waiters are served in order

    async def __aenter__(self) -> None:
        async with self._lock:
            while True:
                # Real time on purpose: this paces real requests to the real API.
                now = time.monotonic()
                while self._times and now - self._times[0] >= self._period:
                    self._times.popleft()
                if len(self._times) < self._limit:
                    self._times.append(now)
                    return
                await asyncio.sleep(self._times[0] + self._period - now)

    async def __aexit__(self, *exc: object) -> None:
        return None

    def idle(self) -> bool:
        """Whether nothing was let through within the last period."""
        return not self._times or time.monotonic() - self._times[-1] >= self._period


class Spacing:
    """At most `per_second` entries a second, evenly spaced, served in order."""

    def __init__(self, per_second: float) -> None:
        self._gap = 1.0 / per_second
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> None:
        async with self._lock:
            now = time.monotonic()  # real time: this paces real requests
            wait = self._next - now
            if wait > 0:
                await asyncio.sleep(wait)
            self._next = max(now, self._next) + self._gap

    async def __aexit__(self, *exc: object) -> None:
        return None


class QuizRateLimiter(AIORateLimiter):
    """AIORateLimiter with a strict per-group window, and acknowledgements kept apart."""

    def __init__(self, *, max_retries: int = 2) -> None:
        super().__init__(max_retries=max_retries)
        self._windows: dict[str | int, SlidingWindow] = {}
        self._paused_until = 0.0  # monotonic time before which nothing is sent (after a 429)
        # Bot-wide, requests are spaced evenly instead: a broadcast to a class must not burst
        # (PTB's bucket lets 60 through in the first second), and evenly spaced requests
        # still fit Telegram's window when the network bunches a few of them together.
        self._base_limiter = Spacing(OVERALL_PER_SECOND)  # type: ignore[assignment]

    def _get_group_limiter(self, group_id: str | int | bool) -> Any:
        # Overrides AIORateLimiter's leaky bucket per group (see SlidingWindow).
        if len(self._windows) > 512:
            self._windows = {k: w for k, w in self._windows.items() if not w.idle()}
        key = group_id if not isinstance(group_id, bool) else int(group_id)
        return self._windows.setdefault(key, SlidingWindow())

    async def _run_request(self, *args: Any, **kwargs: Any) -> JSONResult:
        # After a 429 every request pauses until retry_after has passed. PTB's own pause is
        # an event that any request finishing meanwhile sets again, and it waits for it
        # only after the pacer has let a request through, so the whole queue went at once
        # and drew more 429s. A deadline, waited for before the pacer, holds for everyone.
        # A loop, not an Event: another 429 may push the deadline later while we sleep.
        while (wait := self._paused_until - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        try:
            return await super()._run_request(*args, **kwargs)
        except RetryAfter as exc:
            pause = exc.retry_after
            seconds = pause.total_seconds() if isinstance(pause, timedelta) else float(pause)
            self._paused_until = max(self._paused_until, time.monotonic() + seconds + 0.1)
            raise

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        """Acknowledgements: the bot-wide pace only, no retries. The rest: AIORateLimiter.

        A call Telegram surely did not carry out is sent again after a short pause (see
        bot/delivery.py); one that may have arrived is not, so nothing is posted twice.
        """
        for attempt in range(1, TRIES + 1):
            try:
                return await self._limited(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if attempt == TRIES or not may_retry(endpoint, exc):
                    raise
                log.info("%s failed (%s); trying again", endpoint, exc)
                await asyncio.sleep(BACKOFF * attempt)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    async def _limited(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        if endpoint in UNCOUNTED:
            return await self._run_request(
                chat=True,
                group=False,
                allow_paid_broadcast=False,
                callback=callback,
                args=args,
                kwargs=kwargs,
            )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
