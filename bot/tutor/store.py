"""What the tutor needs from storage. storage.repository.Repository provides it.

Declaring it here keeps the dependency one way: storage knows the domain, and the
domain knows only this protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Protocol

from bot.tutor.memory import CardState
from bot.tutor.rounds import AnswerRecord, DisputeResult, Learner, Recorded, Round, Stats
from bot.tutor.streaks import DailyStreak


class TutorStore(Protocol):
    """Durable state for practice rounds; each method is one transaction."""

    async def ensure_user(self, user_id: int, first_name: str, *, now: datetime) -> None:
        """Create the user, or refresh their name and mark them active again."""
        ...

    async def set_active(self, user_id: int, active: bool) -> None:
        """Mark a user as reachable or not."""
        ...

    async def save_round(self, rnd: Round) -> None:
        """Store a new round for its user, replacing any old one."""
        ...

    async def load_round(self, user_id: int) -> Round | None:
        """The user's unfinished round, if any."""
        ...

    async def last_answer(self, user_id: int, round_token: str) -> datetime | None:
        """When the user last answered in the round with this token, if ever."""
        ...

    async def set_pending(self, user_id: int, typed: str) -> None:
        """Keep a mark-scheme answer until the student marks it."""
        ...

    async def delete_round(self, user_id: int) -> None:
        """Forget the user's round."""
        ...

    async def log_attempt(self, record: AnswerRecord) -> None:
        """Log a near miss that earns a retry, and spend the round's retry, together."""
        ...

    async def record_answer(
        self,
        record: AnswerRecord,
        *,
        accepted: bool,
        rnd: Round,
        review: Callable[[CardState | None], CardState] | None = None,
        daily: Callable[[DailyStreak, str | None], DailyStreak] | None = None,
    ) -> Recorded:
        """Log a settled answer, update stats and streak, review its card with `review`, and
        save the round's progress. `review` and `daily` must be pure: the store may call
        them on its own thread, inside the transaction."""
        ...

    async def set_timezone(self, user_id: int, zone: str, *, now: datetime) -> None:
        """Set the zone a student's days are counted in."""
        ...

    async def learner(
        self, user_id: int, *, now: datetime, day_start: Callable[[str | None], datetime]
    ) -> Learner:
        """In one read: the user's stats, their cards due by `now`, every question they have
        a card for, and how many they met first since `day_start(their time zone)` (None:
        the default). `day_start` must be pure: the store may call it on its own thread."""
        ...

    async def due_cards(self, user_id: int, *, now: datetime) -> list[tuple[str, CardState]]:
        """The user's cards due by `now`, as ("bank:question", card), soonest due first."""
        ...

    async def dispute(
        self,
        answer_id: int,
        user_id: int,
        *,
        now: datetime,
        can_dispute: AbstractSet[tuple[str, str]],
        replay: Callable[[CardState | None, datetime], CardState] | None = None,
    ) -> DisputeResult:
        """Record "I was right" on the user's own private-practice answer to a question in
        `can_dispute` (bank, id), and re-score it as correct."""
        ...

    async def class_totals(self) -> dict[str, tuple[int, int]]:
        """Every topic's (answered, correct) over all students."""
        ...

    async def stats(self, user_id: int) -> Stats:
        """The user's totals, streaks and per-topic record."""
        ...
