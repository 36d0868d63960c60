"""A student's progress, read-only: their record, mastery, reviews due, and their day.

The tutor asks here before it plans a round; /stats and /review show what it says.
Nothing in this module changes a round.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.tutor.mastery import DEFAULT_PRIOR, TopicMastery, class_prior, mastery
from bot.tutor.memory import CardState, recall
from bot.tutor.rounds import Overview, Stats
from bot.tutor.store import TutorStore
from bot.tutor.streaks import standing
from quizbank.model import Library

_PRIORS_FOR = timedelta(minutes=10)
_FAR = datetime(9999, 1, 1, tzinfo=UTC)


class Progress:
    """What each student has done so far, as the tutor and /stats see it."""

    def __init__(self, *, store: TutorStore, library: Library, zone: ZoneInfo) -> None:
        self._store = store
        self.library = library
        self.zone = zone  # the day "due today" counts to, until students set theirs
        self._priors: tuple[datetime, dict[str, float]] | None = None

    async def stats(self, user_id: int) -> Stats:
        """The student's record."""
        return await self._store.stats(user_id)

    async def overview(self, user_id: int, *, at: datetime) -> Overview:
        """Everything /stats shows, read once: totals, streaks, reviews due, mastery."""
        stats = await self._store.stats(user_id)
        zone = self.zone_of(stats)
        midnight = datetime.combine(at.astimezone(zone).date() + timedelta(days=1), time(), zone)
        today = [c for k, c in await self._store.due_cards(user_id, now=midnight) if self.has(k)]
        return Overview(
            stats=stats,
            masteries=tuple(await self.masteries_of(stats, at)),
            due_now=sum(1 for c in today if c.due <= at),
            due_today=len(today),
            day_streak=standing(stats.daily, at.astimezone(zone).date()),
        )

    async def masteries(self, user_id: int, *, at: datetime) -> list[TopicMastery]:
        """The student's mastery of each topic they have answered, in syllabus order."""
        return await self.masteries_of(await self._store.stats(user_id), at)

    async def masteries_of(self, student: Stats, at: datetime) -> list[TopicMastery]:
        """Mastery of each topic in this record, in syllabus order."""
        priors = await self._class_priors(at)
        stats = {t.topic: t for t in student.topics}
        return [
            TopicMastery(
                topic.id,
                t.answered,
                t.correct,
                mastery(t.recent, t.recent_correct, prior=priors.get(topic.id, DEFAULT_PRIOR)),
            )
            for topic in self.library.topics
            if (t := stats.get(topic.id)) is not None
        ]

    async def _class_priors(self, at: datetime) -> dict[str, float]:
        # The class averages move slowly: one GROUP BY every few minutes is plenty.
        if self._priors is None or at - self._priors[0] > _PRIORS_FOR:
            totals = await self._store.class_totals()
            self._priors = (at, {t: class_prior(n, c) for t, (n, c) in totals.items()})
        return self._priors[1]

    async def due_keys(self, user_id: int, at: datetime) -> list[str]:
        """The student's due questions, least likely remembered first (ties: longest overdue)."""
        return self.rank_due(await self._store.due_cards(user_id, now=at), at)

    def rank_due(self, due: list[tuple[str, CardState]], at: datetime) -> list[str]:
        """These due cards' questions, least likely remembered first (ties: longest overdue)."""
        ranked = sorted((recall(c, at), c.due, k) for k, c in due if self.has(k))
        return [key for _, _, key in ranked]

    async def next_due(self, user_id: int) -> datetime | None:
        """When the student's next review falls due; None if they have no cards."""
        later = [c.due for k, c in await self._store.due_cards(user_id, now=_FAR) if self.has(k)]
        return min(later, default=None)

    def has(self, key: str) -> bool:
        """Whether the question is still in the library."""
        # Cards outlive banks: a removed bank's cards are never due.
        return self.library.question(key) is not None

    def zone_of(self, stats: Stats) -> ZoneInfo:
        """The time zone the student's days run on."""
        return self._zone(stats.timezone)

    def _zone(self, name: str | None) -> ZoneInfo:
        return ZoneInfo(name) if name else self.zone

    def day_start(self, zone: str | None, *, at: datetime) -> datetime:
        """Midnight at the start of the student's day at `at`, in their zone."""
        local = self._zone(zone)
        return datetime.combine(at.astimezone(local).date(), time(), local)
