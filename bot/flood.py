"""Per-user flood control: one student hammering the bot can't slow it down for the rest.

Each user may have `limit` updates handled in any `period` seconds. Past that, the first
update gets one polite notice and the rest are dropped, until the window lets one
through again, which starts a new burst. The limit is per user, never per chat: a class
answering a group challenge at once are many users, each well under it.
"""

from __future__ import annotations

from collections import deque
from enum import Enum

# A fast honest student sends an answer every 2 s or so, each after reading a question;
# a burst of 10 (say, a few quick taps after typing) is still allowed.
LIMIT = 10
PERIOD = 10.0
_TIDY_EVERY = 1024  # users tracked before the idle ones are forgotten


class Verdict(Enum):
    """What to do with one update."""

    HANDLE = "handle"
    WARN = "warn"  # the first one over the limit in this burst: say "slow down", drop it
    DROP = "drop"


class FloodGate:
    """A sliding window of handled updates per user; times are given in seconds."""

    def __init__(self, *, limit: int = LIMIT, period: float = PERIOD) -> None:
        self._limit = limit
        self._period = period
        self._handled: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, user_id: int, *, at: float) -> Verdict:
        """Whether to handle an update `user_id` sent `at`; counts it if so."""
        now = at
        times = self._handled.get(user_id)
        if times is None:
            if len(self._handled) >= _TIDY_EVERY:
                self._forget_idle(now)
            times = self._handled[user_id] = deque()
        while times and now - times[0] >= self._period:
            times.popleft()
        if len(times) < self._limit:
            times.append(now)
            self._warned.discard(user_id)  # a new burst gets its own notice
            return Verdict.HANDLE
        if user_id in self._warned:
            return Verdict.DROP
        self._warned.add(user_id)
        return Verdict.WARN

    def tracked(self) -> int:
        """How many users currently have a window (memory stays bounded)."""
        return len(self._handled)

    def _forget_idle(self, now: float) -> None:
        # Bounded memory however many students there are: idle users need no window.
        self._handled = {
            user: times
            for user, times in self._handled.items()
            if times and now - times[-1] < self._period
        }
        self._warned &= self._handled.keys()
