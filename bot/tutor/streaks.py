"""Daily streaks: consecutive days, in the student's own time zone, with enough answers.

A day counts once the student answers DAILY_GOAL questions on it. Days are calendar dates
in the student's zone, taken from each answer's own timestamp, so a DST day of 23 or 25
hours is still one day, and changing zone moves only future days. Every 7 days of streak
earn a freeze (at most MAX_FREEZES held); a freeze covers one missed day automatically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

DAILY_GOAL = 5
FREEZE_EVERY = 7
MAX_FREEZES = 2


@dataclass(frozen=True, slots=True)
class DailyStreak:
    """One student's daily streak."""

    days: int = 0
    best: int = 0
    last_day: date | None = None  # the last day that met the goal
    today: date | None = None  # the day `today_count` counts
    today_count: int = 0
    freezes: int = 0


def local_day(moment: datetime, zone: str) -> date:
    """The calendar date of a UTC moment in a time zone."""
    return moment.astimezone(ZoneInfo(zone)).date()


def after_answer(streak: DailyStreak, day: date, *, goal: int = DAILY_GOAL) -> DailyStreak:
    """The streak after one answer on `day` (the student's local date)."""
    if streak.today is not None and day < streak.today:
        # Moving zone westwards (or a late message) must not reopen a day already begun.
        day = streak.today
    count = streak.today_count + 1 if streak.today == day else 1
    streak = replace(streak, today=day, today_count=count)
    if count != goal:
        return streak  # the day counts exactly once, when it reaches the goal
    if streak.last_day is not None and day <= streak.last_day:
        return streak  # this date already counted
    days, freezes = 1, streak.freezes
    if streak.last_day is not None:
        missed = (day - streak.last_day).days - 1
        if missed <= freezes:  # yesterday (missed == 0), or gaps a freeze covers
            days, freezes = streak.days + 1, freezes - max(missed, 0)
    if days % FREEZE_EVERY == 0:
        freezes = min(MAX_FREEZES, freezes + 1)
    return replace(streak, days=days, best=max(streak.best, days), last_day=day, freezes=freezes)


def day_counter(
    at: datetime, default_zone: str
) -> Callable[[DailyStreak, str | None], DailyStreak]:
    """What an answer at `at` does to a daily streak, counted in the student's own zone
    (the storage passes it; None means `default_zone`)."""
    return lambda streak, zone: after_answer(streak, local_day(at, zone or default_zone))


def standing(streak: DailyStreak, today: date) -> int:
    """The streak as it stands on `today`: 0 once more days were missed than freezes cover."""
    if streak.last_day is None:
        return 0
    missed = (today - streak.last_day).days - 1
    return streak.days if missed <= streak.freezes else 0
