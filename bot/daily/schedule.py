"""A daily schedule, read from "/daily 08:30 mon-fri topic:space tz:Europe/London".

Times are wall-clock times in the schedule's own zone, so 08:30 stays 08:30 across a
daylight-saving change; the next run is worked out from the calendar, not by adding 24 h.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.tutor.zones import zone_named
from quizbank.model import Library

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = frozenset(range(7))
DEADLINE = timedelta(hours=12)  # or the next question, if that comes sooner
_TIME = re.compile(r"([01]?\d|2[0-3])[:.h]([0-5]\d)")
_NAMED_DAYS = {
    "daily": EVERY_DAY,
    "everyday": EVERY_DAY,
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a group gets its question of the day, and on what."""

    id: int
    chat_id: int
    at: time
    zone: str
    days: frozenset[int] = EVERY_DAY  # Monday is 0
    topic: str | None = None
    created_by: int = 0
    # A class's schedule sends each student the question in private; chat_id is then the
    # teacher's chat, where it was set up.
    class_id: int | None = None
    created_at: datetime | None = None  # runs before this never happened

    def runs_on(self, day: date) -> bool:
        """Whether a question is due on this local date."""
        return day.weekday() in self.days

    def moment(self, day: date) -> datetime:
        """The UTC instant of the question on a local date (a time skipped by a clock
        change runs at the same wall-clock time an hour later)."""
        local = datetime.combine(day, self.at, ZoneInfo(self.zone))
        return local.astimezone(UTC)

    def next_run(self, after: datetime) -> datetime:
        """The first run strictly after `after`."""
        day = after.astimezone(ZoneInfo(self.zone)).date()
        for offset in range(8):
            candidate = day + timedelta(days=offset)
            if self.runs_on(candidate) and self.moment(candidate) > after:
                return self.moment(candidate)
        raise AssertionError("a schedule runs on at least one day a week")

    def last_run(self, at: datetime) -> tuple[date, datetime] | None:
        """The latest run at or before `at` in the past week: its local date and instant."""
        day = at.astimezone(ZoneInfo(self.zone)).date()
        for offset in range(8):
            candidate = day - timedelta(days=offset)
            if self.runs_on(candidate) and self.moment(candidate) <= at:
                return candidate, self.moment(candidate)
        return None

    def deadline(self, asked: datetime) -> datetime:
        """When answers to a question asked at `asked` close: 12 hours, or the next one."""
        return min(asked + DEADLINE, self.next_run(asked))

    def days_text(self) -> str:
        """The days, as a teacher would write them."""
        if self.days == EVERY_DAY:
            return "every day"
        if self.days == frozenset(range(5)):
            return "Monday to Friday"
        return ", ".join(DAY_NAMES[d].capitalize() for d in sorted(self.days))


@dataclass(frozen=True, slots=True)
class DailyRequest:
    """A valid /daily request."""

    at: time
    days: frozenset[int]
    topic: str | None
    zone: str


@dataclass(frozen=True, slots=True)
class DailyError:
    """What is wrong with a /daily request, for a friendly reply."""

    reason: str  # "time", "days", "topic", "zone", "extra"
    text: str = ""


def parse_daily(
    args: Sequence[str], library: Library, *, default_zone: str
) -> DailyRequest | DailyError:
    """Read `HH:MM [days] [topic:…] [tz:…]`, e.g. ["08:30", "mon-fri", "topic:space"]."""
    if not args:
        return DailyError("time")
    match = _TIME.fullmatch(args[0])
    if match is None:
        return DailyError("time", args[0][:20])
    at = time(int(match.group(1)), int(match.group(2)))
    days, topic, zone = EVERY_DAY, None, default_zone
    for word in args[1:]:
        key, sep, value = word.partition(":")
        if sep and key.casefold() in ("topic", "t"):
            found = library.find_topic(value.replace("-", " ")) or library.find_topic(value)
            if found is None:
                return DailyError("topic", value[:40])
            topic = found.id
        elif sep and key.casefold() in ("tz", "zone"):
            named = zone_named(value)
            if named is None:
                return DailyError("zone", value[:40])
            zone = named
        else:
            parsed = parse_days(word)
            if parsed is None:
                return DailyError("extra", word[:40])
            days = parsed
    return DailyRequest(at, days, topic, zone)


_OFF = frozenset({"off", "stop", "none"})


def is_off(args: Sequence[str]) -> bool:
    """Whether /daily's words ask to stop it ("off", "stop", "none")."""
    return bool(args) and args[0].casefold() in _OFF


def split_class(args: Sequence[str]) -> tuple[list[str], str]:
    """(the other words, the class name): `class:` comes last and takes the rest, so a class
    name may have spaces ("class:12B History")."""
    at = next((i for i, a in enumerate(args) if a.casefold().startswith("class:")), len(args))
    if at == len(args):
        return list(args), ""
    return list(args[:at]), " ".join([args[at].partition(":")[2], *args[at + 1 :]]).strip()


def parse_days(text: str) -> frozenset[int] | None:
    """ "mon-fri", "mon,wed,fri", "weekdays", "daily"; None if it names no days."""
    text = text.casefold()
    if text in _NAMED_DAYS:
        return _NAMED_DAYS[text]
    days: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.partition("-")
        start, end = _day(first), _day(last) if dash else _day(first)
        if start is None or end is None:
            return None
        span = (end - start) % 7
        days.update((start + i) % 7 for i in range(span + 1))
    return frozenset(days) or None


def _day(text: str) -> int | None:
    key = text.strip()[:3]
    return DAY_NAMES.index(key) if key in DAY_NAMES and len(text.strip()) >= 3 else None
