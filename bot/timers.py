"""Run coroutines at set times on the injected clock: question deadlines, later schedules.

One task sleeps until the next time is due; each due action runs as its own task, so a
slow group never delays another. Tests move a fake clock and call `nudge()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.tutor.clock import Clock

log = logging.getLogger(__name__)
Action = Callable[[], Awaitable[None]]


class Timers:
    """Named one-shot timers: setting a name again replaces its time and action."""

    def __init__(self, clock: Clock, *, longest_sleep: float = 30.0) -> None:
        self._clock = clock
        # Wake up at least this often, so a wall-clock jump is noticed within it.
        self._longest_sleep = longest_sleep
        self._due: dict[str, tuple[datetime, Action]] = {}
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Begin watching the clock (inside the running event loop)."""
        if self._loop is None:
            self._loop = asyncio.create_task(self._watch(), name="timers")

    async def stop(self) -> None:
        """Stop watching, and cancel any action still running."""
        tasks = [t for t in (self._loop, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop = None
        self._running.clear()

    def at(self, name: str, when: datetime, action: Action) -> None:
        """Run `action` once the clock reaches `when` (at once if it already has)."""
        self._due[name] = (when, action)
        self._wake.set()

    def cancel(self, name: str) -> None:
        """Forget a timer that has not fired."""
        self._due.pop(name, None)

    def when(self, name: str) -> datetime | None:
        """When a timer is due, if it is set."""
        entry = self._due.get(name)
        return entry[0] if entry else None

    def nudge(self) -> None:
        """Look at the clock again now (a test moved it)."""
        self._wake.set()

    async def _watch(self) -> None:
        while True:
            now = self._clock.now()
            for name, (when, action) in sorted(self._due.items(), key=lambda item: item[1][0]):
                if when <= now:
                    del self._due[name]
                    task = asyncio.create_task(self._fire(name, action), name=f"timer {name}")
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
            soonest = min((when for when, _ in self._due.values()), default=None)
            wait = self._longest_sleep
            if soonest is not None:
                wait = min(max((soonest - self._clock.now()).total_seconds(), 0.0), wait)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    @staticmethod
    async def _fire(name: str, action: Action) -> None:
        try:
            await action()
        except Exception:
            log.exception("timer %s failed", name)
