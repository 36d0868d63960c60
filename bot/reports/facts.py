"""What a report is built from: a group's answers as the store reads them, in one snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.tutor.streaks import DailyStreak


@dataclass(frozen=True, slots=True)
class Student:
    """Someone who answered in the group, with their own daily streak."""

    user_id: int
    first_name: str
    timezone: str | None  # None: the bot's zone
    daily: DailyStreak


@dataclass(frozen=True, slots=True)
class QuestionTally:
    """One student's graded answers to one question in the group."""

    user_id: int
    key: str  # bank-qualified question key
    topic: str
    answered: int
    right: int
    last_at: datetime  # UTC


@dataclass(frozen=True, slots=True)
class Answered:
    """One answer in the group, by whom and when: what participation is counted from."""

    user_id: int
    at: datetime  # UTC


@dataclass(frozen=True, slots=True)
class ClassRecord:
    """Everything a group's report needs."""

    students: tuple[Student, ...]
    tallies: tuple[QuestionTally, ...]
    recent: tuple[Answered, ...]  # since the participation window began
