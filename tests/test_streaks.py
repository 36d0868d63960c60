"""Daily streaks in the student's own day: increments, breaks, freezes, zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services import AppServices
from bot.tutor.streaks import (
    DAILY_GOAL,
    DailyStreak,
    after_answer,
    local_day,
    standing,
)
from tests.fakeapi import FakeBotAPI
from tests.support import Student


def _practise(streak: DailyStreak, day: date, answers: int = DAILY_GOAL) -> DailyStreak:
    for _ in range(answers):
        streak = after_answer(streak, day)
    return streak


def _days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]


D0 = date(2026, 11, 2)


def test_a_day_counts_once_it_reaches_the_goal() -> None:
    streak = _practise(DailyStreak(), D0, DAILY_GOAL - 1)
    assert (streak.days, streak.today_count) == (0, DAILY_GOAL - 1)
    streak = after_answer(streak, D0)
    assert (streak.days, streak.last_day) == (1, D0)
    streak = _practise(streak, D0, 10)  # more answers the same day add nothing
    assert streak.days == 1


def test_consecutive_days_build_and_a_missed_day_breaks_the_streak() -> None:
    streak = DailyStreak()
    for day in _days(D0, 3):
        streak = _practise(streak, day)
    assert (streak.days, streak.best) == (3, 3)
    assert standing(streak, D0 + timedelta(days=3)) == 3  # today not yet done: still alive
    assert standing(streak, D0 + timedelta(days=4)) == 0  # a whole day missed
    streak = _practise(streak, D0 + timedelta(days=4))
    assert (streak.days, streak.best) == (1, 3)


def test_seven_days_earn_a_freeze_which_covers_one_missed_day() -> None:
    streak = DailyStreak()
    for day in _days(D0, 7):
        streak = _practise(streak, day)
    assert (streak.days, streak.freezes) == (7, 1)
    gap_day = D0 + timedelta(days=8)  # day 7 missed
    assert standing(streak, gap_day) == 7
    streak = _practise(streak, gap_day)
    assert (streak.days, streak.freezes) == (8, 0)  # the freeze was spent


def test_at_most_two_freezes_are_held() -> None:
    streak = DailyStreak()
    for day in _days(D0, 28):
        streak = _practise(streak, day)
    assert (streak.days, streak.freezes) == (28, 2)


def test_tokyo_and_los_angeles_answer_at_the_same_instant_on_different_days() -> None:
    instant = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)
    assert local_day(instant, "Asia/Tokyo") == date(2026, 11, 3)  # 05:00 next morning
    assert local_day(instant, "America/Los_Angeles") == date(2026, 11, 2)  # 12:00 noon
    tokyo = _practise(DailyStreak(), local_day(instant, "Asia/Tokyo"))
    la = _practise(DailyStreak(), local_day(instant, "America/Los_Angeles"))
    # A day later, each is on their own next day and both streaks go on.
    tomorrow = instant + timedelta(days=1)
    tokyo = _practise(tokyo, local_day(tomorrow, "Asia/Tokyo"))
    la = _practise(la, local_day(tomorrow, "America/Los_Angeles"))
    assert (tokyo.days, la.days) == (2, 2)


def test_dst_change_days_are_one_day_each() -> None:
    # London: clocks go forward on 29 March 2026 (23-hour day), back on 25 October (25 hours).
    # New York: forward on 8 March 2026, back on 1 November.
    for zone, change in [
        ("Europe/London", date(2026, 3, 29)),
        ("Europe/London", date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8)),
        ("America/New_York", date(2026, 11, 1)),
    ]:
        streak = DailyStreak()
        for offset in (-1, 0, 1):
            # Practise at 23:30 local time each evening, stored in UTC as the bot stores it.
            day = change + timedelta(days=offset)
            moment = datetime.combine(day, time(23, 30), ZoneInfo(zone)).astimezone(UTC)
            streak = _practise(streak, local_day(moment, zone))
        assert streak.days == 3, (zone, change)


def test_changing_time_zone_never_rewrites_past_days() -> None:
    # Practised on 2 Nov in London; then moves to Tokyo, where it is already 3 Nov.
    london = local_day(datetime(2026, 11, 2, 12, 0, tzinfo=UTC), "Europe/London")
    streak = _practise(DailyStreak(), london)
    later = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)  # 01:00 on 3 Nov in Tokyo
    streak = _practise(streak, local_day(later, "Asia/Tokyo"))
    assert (streak.last_day, streak.days) == (date(2026, 11, 3), 2)  # 2 Nov kept, 3 Nov added


async def test_timezone_command_sets_shows_and_refuses_unknown_zones(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 901)
    assert "Your days run on Europe/London time" in await ana.say("/timezone")
    assert "I don't know the time zone “Mars/Olympus”" in await ana.say("/timezone Mars/Olympus")
    reply = await ana.say("/timezone asia/tokyo")
    assert "Your days now run on Asia/Tokyo time" in reply
    assert "Your days run on Asia/Tokyo time" in await ana.say("/timezone")


async def test_five_answers_make_a_day_of_the_daily_streak(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 902)
    text = await ana.say("/quiz 6")
    for _ in range(DAILY_GOAL):
        text = await ana.answer(text, right=False)  # wrong answers still count as practice
    stats = await ana.say("/stats")
    assert "📅 Daily streak: 1 day (best 1)" in stats


def test_moving_zone_westwards_never_counts_a_date_twice() -> None:
    instant = datetime(2026, 11, 1, 15, 30, tzinfo=UTC)
    streak = _practise(DailyStreak(), local_day(instant, "Asia/Tokyo"))  # 2 Nov in Tokyo
    later = instant + timedelta(minutes=10)
    streak = _practise(streak, local_day(later, "America/Los_Angeles"))  # 1 Nov in LA
    assert streak.days == 1  # 1 Nov after 2 Nov adds nothing
    next_la_day = local_day(later + timedelta(days=1), "America/Los_Angeles")  # 2 Nov again
    streak = _practise(streak, next_la_day)
    assert streak.days == 1  # 2 Nov already counted


def test_days_are_local_not_utc_just_after_midnight_on_a_clock_change() -> None:
    # New York, 8 March 2026: 00:30 local is 05:30 UTC and 23:30 local is 03:30 UTC next day.
    zone = ZoneInfo("America/New_York")
    early = datetime(2026, 3, 8, 0, 30, tzinfo=zone).astimezone(UTC)
    late = datetime(2026, 3, 8, 23, 30, tzinfo=zone).astimezone(UTC)
    assert local_day(early, "America/New_York") == local_day(late, "America/New_York")
    assert early.date() != late.date()  # in UTC they are different days
    streak = DailyStreak()
    for moment in [early] * 3 + [late] * 2:  # five answers on one local day
        streak = after_answer(streak, local_day(moment, "America/New_York"))
    assert (streak.days, streak.today_count) == (1, 5)
