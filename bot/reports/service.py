"""Class reports for a group's teachers. No Telegram here: bot/handlers/report.py sends them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.reports.assembly import ClassReport, ClassTable, assemble, table, window_start
from bot.reports.store import ReportStore
from quizbank.model import Library


class Reports:
    """What a group's students have done there: weak spots, participation and streaks."""

    def __init__(self, *, store: ReportStore, library: Library, zone: str) -> None:
        self._store = store
        self.library = library
        self.zone = ZoneInfo(zone)  # the class's days run on the bot's zone

    async def report(self, chat_id: int, *, at: datetime) -> ClassReport:
        """The group's report as of `at`."""
        record = await self._store.class_record(chat_id, since=window_start(at, self.zone))
        return assemble(record, at=at, zone=self.zone)

    async def table(self, chat_id: int, *, at: datetime) -> ClassTable:
        """One line per student, for the CSV."""
        record = await self._store.class_record(chat_id, since=at)  # no days to count
        topics = [t.id for t in self.library.topics]
        return table(record, at=at, zone=self.zone, topic_order=topics)

    async def move(self, old: int, new: int) -> None:
        """A group became a supergroup: its history follows it."""
        await self._store.move_chat(old, new)
