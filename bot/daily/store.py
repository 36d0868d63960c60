"""What daily questions need from storage. storage.daily.DailyRepository provides it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from bot.daily.posts import DailyAnswer, DailyPost
from bot.daily.schedule import Schedule
from bot.tutor.memory import CardState
from bot.tutor.rounds import AnswerRecord
from bot.tutor.streaks import DailyStreak


class DailyStore(Protocol):
    """Durable schedules, posts and answers; each method is one transaction."""

    async def set_schedule(self, schedule: Schedule, *, now: datetime) -> Schedule:
        """Replace the group's schedule with this one; it comes back with its id."""
        ...

    async def stop_schedule(self, chat_id: int, class_id: int | None = None) -> bool:
        """Stop the group's (or the class's) schedule; False if it had none."""
        ...

    async def schedules(self) -> list[Schedule]:
        """Every active schedule."""
        ...

    async def used_questions(self, schedule_id: int) -> set[str]:
        """The questions a schedule has already posted."""
        ...

    async def topic_accuracy(self, chat_id: int) -> dict[str, tuple[int, int]]:
        """The group's (answered, right) per topic on its questions of the day."""
        ...

    async def claim(
        self, schedule: Schedule, day: date, question: str, topic: str, *, deadline: datetime
    ) -> DailyPost | None:
        """Reserve the day's post before sending it; None if that day was claimed already."""
        ...

    async def posted(self, post_id: int, *, message_id: int, at: datetime) -> None:
        """Record that the post went out, as which message."""
        ...

    async def open_posts(self) -> list[DailyPost]:
        """Posts whose summary has not been sent."""
        ...

    async def record_answer(
        self,
        post: DailyPost,
        record: AnswerRecord,
        *,
        first_name: str,
        accepted: bool,
        review: Callable[[CardState | None], CardState] | None,
        daily: Callable[[DailyStreak, str | None], DailyStreak] | None,
    ) -> bool:
        """A student's first answer to a post, also in their own record; False if repeated."""
        ...

    async def summarise(self, post_id: int, *, at: datetime) -> list[DailyAnswer] | None:
        """Mark the post summarised and return its answers; None if it was already."""
        ...

    async def move_chat(self, old: int, new: int) -> None:
        """A group became a supergroup: its schedule and posts now belong to `new`."""
        ...
