"""Class reports for teachers. No Telegram here: bot/handlers/report.py sends them.

A group's report counts the answers given in the group. A class's (one made with
/newclass and run in private chats) counts its students' own private answers, from the
day each joined: what they practised, and the questions their teacher sent them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.classes.model import SchoolClass
from bot.classes.service import Choose, Classes
from bot.classes.store import ClassStore
from bot.reports.assembly import ClassReport, ClassTable, assemble, table, window_start
from bot.reports.facts import ClassRecord
from bot.reports.store import ReportStore
from quizbank.model import Library


@dataclass(frozen=True, slots=True)
class OfClass:
    """A class's report, or its CSV, and the class it is for."""

    school_class: SchoolClass
    report: ClassReport | None = None
    table: ClassTable | None = None


class Reports:
    """What students have done: a group's in the group, a class's in private."""

    def __init__(
        self, *, store: ReportStore, classes: ClassStore, library: Library, zone: str
    ) -> None:
        self._store = store
        self._classes = classes
        self.library = library
        self.zone = ZoneInfo(zone)  # the class's days run on the bot's zone

    async def report(self, chat_id: int, *, at: datetime) -> ClassReport:
        """The group's report as of `at`."""
        record = await self._store.class_record(chat_id, since=window_start(at, self.zone))
        return assemble(record, at=at, zone=self.zone)

    async def table(self, chat_id: int, *, at: datetime) -> ClassTable:
        """One line per student, for the CSV."""
        record = await self._store.class_record(chat_id, since=at)  # no days to count
        return self._table(record, at)

    async def of_class(self, teacher_id: int, name: str, *, at: datetime) -> OfClass | Choose:
        """The report of the teacher's class `name` (their only class if no name); which
        class, if the name matches none or several of theirs. Only ever their own."""
        picked = Classes.pick(await self._classes.of_teacher(teacher_id), name)
        if not isinstance(picked, SchoolClass):
            return picked
        since = window_start(at, self.zone)
        record = await self._store.members_record(picked.id, since=since)
        return OfClass(picked, report=assemble(record, at=at, zone=self.zone))

    async def class_table(self, teacher_id: int, class_id: int, *, at: datetime) -> OfClass | None:
        """The CSV of one of the teacher's classes; None if it is not theirs (or is gone)."""
        found = [c for c in await self._classes.of_teacher(teacher_id) if c.id == class_id]
        if not found:
            return None
        record = await self._store.members_record(class_id, since=at)
        return OfClass(found[0], table=self._table(record, at))

    def _table(self, record: ClassRecord, at: datetime) -> ClassTable:
        topics = [t.id for t in self.library.topics]
        return table(record, at=at, zone=self.zone, topic_order=topics)

    async def move(self, old: int, new: int) -> None:
        """A group became a supergroup: its history follows it."""
        await self._store.move_chat(old, new)
