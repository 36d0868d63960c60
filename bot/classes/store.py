"""What classes need from storage. storage.classes.ClassRepository provides it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.classes.model import Delivery, Push, SchoolClass


class ClassStore(Protocol):
    """Durable classes, members and pushes; each method is one transaction."""

    async def create(self, teacher_id: int, name: str, code: str, *, now: datetime) -> SchoolClass:
        """A new class."""
        ...

    async def by_code(self, code: str) -> SchoolClass | None:
        """The class a join code belongs to."""
        ...

    async def by_old_code(self, code: str) -> SchoolClass | None:
        """The class a replaced join code belonged to."""
        ...

    async def new_code(self, school_class: SchoolClass, code: str, *, now: datetime) -> SchoolClass:
        """Replace a class's join code, keeping the old one as retired."""
        ...

    async def of_teacher(self, teacher_id: int) -> list[SchoolClass]:
        """A teacher's classes, oldest first, with member counts."""
        ...

    async def of_student(self, user_id: int) -> list[SchoolClass]:
        """The classes a student is in."""
        ...

    async def join(self, class_id: int, user_id: int, first_name: str, *, now: datetime) -> bool:
        """Add a student; False if they were in it already."""
        ...

    async def leave(self, class_id: int, user_id: int) -> bool:
        """Remove a student; False if they were not in it."""
        ...

    async def new_push(
        self, school_class: SchoolClass, question: str, *, by: int, now: datetime
    ) -> Push:
        """Record a push and a pending delivery for every reachable member."""
        ...

    async def pending_pushes(self) -> list[Push]:
        """Pushes with deliveries not yet done (after a restart), the claimed ones marked."""
        ...

    async def due(self, push_id: int, user_id: int) -> bool:
        """Whether a delivery is still to be made."""
        ...

    async def claim(self, push_id: int, user_id: int, *, now: datetime) -> bool:
        """Mark a delivery as being sent now; False if it is already done."""
        ...

    async def delivered(
        self, push_id: int, user_id: int, status: Delivery, *, now: datetime
    ) -> None:
        """Record what became of one delivery."""
        ...

    async def counts(self, push_id: int) -> dict[Delivery, int]:
        """How many deliveries of a push ended each way."""
        ...

    async def members(self, class_id: int) -> Sequence[int]:
        """A class's students."""
        ...
