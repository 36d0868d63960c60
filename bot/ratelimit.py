"""Telegram's rate limits: a strict 20 posts a minute per group, acknowledgements aside."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextvars import ContextVar
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
OVERALL_PER_SECOND = 30  # Telegram's limit on messages a second, across all chats
# Added to the overall window, for Telegram's clock running a little apart from ours.
SKEW = 0.01
GROUP_PERIOD = 60.0
# Network failures and 5xx: tries per call, and the pause before the next (times the try).
TRIES = 3
BACKOFF = 0.5

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]

# A step to run once a request is let through, just before it goes out (see `admitted`).
_ON_ADMISSION: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar(
    "quizbot_on_admission", default=None
)


@contextlib.contextmanager
def admitted(step: Callable[[], Awaitable[None]]) -> Iterator[None]:
    """Run `step` before each try of the requests made inside, once the limiter lets it go.

    A broadcast claims each student's copy in the database here rather than before queueing,
    so a crash leaves only the copies that were really on the wire in doubt, not the ones
    still waiting their turn. If `step` raises, the request is not sent.
    """
    token = _ON_ADMISSION.set(step)
    try:
        yield
    finally:
        _ON_ADMISSION.reset(token)


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


class AnsweredWindow:
    """At most `limit` requests in any `period` seconds, as the server counts them.

    The server stamps a request somewhere between our sending it and our reading its answer.
    So a request counts here from when it is sent until `period` after its answer: one sent
    then can't share the server's window with it, however the network delays or bunches
    requests on the way. Evenly spaced sends just under the limit (the design before) still
    drew 429s when the network bunched a few, and each 429 paused the whole bot a second.
    """

    def __init__(self, limit: int, period: float = 1.0, *, margin: float = SKEW) -> None:
        self._limit = limit
        self._span = period + margin
        self._answered: deque[float] = deque()  # when answers came, oldest first
        self._in_flight = 0
        self._lock = asyncio.Lock()  # waiters are served in order
        self._answer = asyncio.Event()

    async def __aenter__(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()  # real time: this paces real requests
                while self._answered and now - self._answered[0] >= self._span:
                    self._answered.popleft()
                if self._in_flight + len(self._answered) < self._limit:
                    self._in_flight += 1
                    return
                # Every slot is taken: wait for the oldest answer to age out, or, if all
                # are still in flight, for one to be answered.
                self._answer.clear()
                wait = self._answered[0] + self._span - now if self._answered else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._answer.wait(), wait)

    async def __aexit__(self, *exc: object) -> None:
        # Whatever the outcome: a failed request may still have been counted.
        self._in_flight -= 1
        self._answered.append(time.monotonic())
        self._answer.set()


class QuizRateLimiter(AIORateLimiter):
    """AIORateLimiter with a strict per-group window, and acknowledgements kept apart."""

    def __init__(self, *, max_retries: int = 2) -> None:
        super().__init__(max_retries=max_retries)
        self._windows: dict[str | int, SlidingWindow] = {}
        self._paused_until = 0.0  # monotonic time before which nothing is sent (after a 429)
        # Bot-wide, a window that counts each request until its answer has aged: a broadcast
        # must not burst (PTB's bucket lets 60 through in the first second), and requests
        # the network bunches together must still fit Telegram's window. PTB holds this
        # context around the request itself, so leaving it marks the answer.
        self._base_limiter = AnsweredWindow(OVERALL_PER_SECOND)  # type: ignore[assignment]

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
        step = _ON_ADMISSION.get()
        if step is not None:
            request = kwargs["callback"]

            async def after_step(*args: Any, **kw: Any) -> JSONResult:
                await step()
                return await request(*args, **kw)

            kwargs["callback"] = after_step
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
