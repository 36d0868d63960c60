"""What reports need from storage. storage.reports.ReportRepository provides it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.reports.facts import ClassRecord


class ReportStore(Protocol):
    """Read-only views of a group's or a class's answers; each method is one transaction."""

    async def class_record(self, chat_id: int, *, since: datetime) -> ClassRecord:
        """The group's students, their tallies per question, and its answers since `since`."""
        ...

    async def members_record(self, class_id: int, *, since: datetime) -> ClassRecord:
        """A class's students, their tallies per question, and their answers since `since`:
        each student's private answers from the day they joined the class."""
        ...

    async def move_chat(self, old: int, new: int) -> None:
        """A group became a supergroup: its answers now count for `new`."""
        ...
