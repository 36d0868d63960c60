"""What challenges need from storage. storage.challenges.ChallengeRepository provides it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.challenge.game import Challenge, PlayerResult, Standing
from bot.tutor.memory import CardState
from bot.tutor.rounds import AnswerRecord
from bot.tutor.streaks import DailyStreak


class ChallengeStore(Protocol):
    """Durable state for group challenges; each method is one transaction."""

    async def create(self, challenge: Challenge) -> int | None:
        """Store a new running challenge; its id, or None if the group already has one."""
        ...

    async def running(self) -> list[Challenge]:
        """Every running challenge."""
        ...

    async def asked(
        self, challenge_id: int, *, at: datetime, message_id: int | None, poll_id: str | None
    ) -> None:
        """Record that the current question is posted, and as which message (or poll)."""
        ...

    async def advance(self, challenge_id: int, position: int) -> None:
        """Move on to the question at `position`, not yet posted."""
        ...

    async def finish(self, challenge_id: int, *, status: str, at: datetime) -> None:
        """Mark the challenge finished (played to the end) or ended (stopped early)."""
        ...

    async def record_answer(
        self,
        challenge: Challenge,
        record: AnswerRecord,
        *,
        first_name: str,
        accepted: bool,
        points: int,
        seconds: float,
        review: Callable[[CardState | None], CardState] | None,
        daily: Callable[[DailyStreak, str | None], DailyStreak] | None,
    ) -> bool:
        """Record a player's first answer to the current question, in the challenge and in
        their own record; False (and nothing written) if they had answered it already.
        `review` and `daily` must be pure: the store may call them on its own thread."""
        ...

    async def results(self, challenge_id: int, position: int) -> list[PlayerResult]:
        """Every answer to one question, fastest first."""
        ...

    async def standings(self, challenge_id: int) -> list[Standing]:
        """Each player's totals in one challenge."""
        ...

    async def leaderboard(self, chat_id: int, *, since: datetime | None) -> list[Standing]:
        """Each player's totals in a group's challenges since `since` (None: all time)."""
        ...

    async def move_chat(self, old: int, new: int) -> None:
        """A group became a supergroup: its challenges and points now belong to `new`."""
        ...
