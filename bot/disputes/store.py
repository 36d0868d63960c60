"""What deciding disputes needs from storage. storage.disputes.DisputeRepository provides it."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Protocol

from bot.disputes.model import Case, Regraded
from bot.tutor.memory import CardState


class DisputeStore(Protocol):
    """Disputes, the banks teachers own, and accepted answers; each method is one transaction."""

    async def uploaded_by(self, user_id: int) -> set[str]:
        """The ids of the banks this user uploaded."""
        ...

    async def open_cases(self, banks: Collection[str]) -> list[Case]:
        """Open claims on these banks' questions, oldest first."""
        ...

    async def case(self, dispute_id: int) -> tuple[Case, str] | None:
        """One claim and its status (open, accepted or rejected)."""
        ...

    async def accepted(self) -> list[tuple[str, str]]:
        """Every accepted answer as (question key, answer), oldest first."""
        ...

    async def accept(
        self,
        dispute_id: int,
        answer: str,
        *,
        grades_right: Callable[[str], bool],
        replay: Callable[[CardState | None, datetime], CardState],
        by: int,
        now: datetime,
    ) -> Regraded | None:
        """Keep `answer` as accepted for the claim's question, and re-grade as right every
        logged wrong or partial answer to it that `grades_right`: verdicts, totals, streaks,
        topics, rounds and cards. Open claims on those answers are accepted. None if the
        claim is no longer open. `grades_right` and `replay` run inside the transaction."""
        ...

    async def reject(
        self, dispute_id: int, *, same: Callable[[str], bool], by: int, now: datetime
    ) -> tuple[int, ...] | None:
        """Turn down the claim and every open claim on its question whose answer is the
        `same`, taking back the credit each was given; the students'. None if not open."""
        ...
