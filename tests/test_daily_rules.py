"""Daily schedules without Telegram: reading /daily, local times across DST, misconceptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.daily.posts import DailyAnswer, common_wrong
from bot.daily.schedule import (
    DailyError,
    DailyRequest,
    Schedule,
    is_off,
    parse_daily,
    parse_days,
    split_class,
)
from quizbank.grading import Outcome
from tests.test_challenge_rules import LIBRARY


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["08:30"], DailyRequest(time(8, 30), frozenset(range(7)), None, "Europe/London")),
        (
            ["8.05", "weekdays"],
            DailyRequest(time(8, 5), frozenset(range(5)), None, "Europe/London"),
        ),
        (
            ["17:00", "mon,wed,fri", "topic:drill", "tz:america/new_york"],
            DailyRequest(time(17), frozenset({0, 2, 4}), "drill", "America/New_York"),
        ),
        (
            ["07:45", "fri-mon"],
            DailyRequest(time(7, 45), frozenset({4, 5, 6, 0}), None, "Europe/London"),
        ),
        (["24:00"], DailyError("time", "24:00")),
        (["08:30", "topic:astrology"], DailyError("topic", "astrology")),
        (["08:30", "tz:Nowhere"], DailyError("zone", "Nowhere")),
        (["08:30", "soon"], DailyError("extra", "soon")),
        ([], DailyError("time")),
    ],
)
def test_daily_requests(args: list[str], expected: object) -> None:
    assert parse_daily(args, LIBRARY, default_zone="Europe/London") == expected


def test_days_name_spans_and_lists() -> None:
    assert parse_days("sat-sun") == frozenset({5, 6})
    assert parse_days("Monday") == frozenset({0})
    assert parse_days("mo") is None and parse_days("") is None


def test_wall_clock_time_survives_both_clock_changes() -> None:
    london = Schedule(1, -1, time(8, 30), "Europe/London")
    # Spring: 08:30 GMT on Saturday, 08:30 BST (07:30 UTC) on Sunday.
    sat = london.next_run(datetime(2026, 3, 28, 0, 0, tzinfo=UTC))
    assert sat == datetime(2026, 3, 28, 8, 30, tzinfo=UTC)
    assert london.next_run(sat) == datetime(2026, 3, 29, 7, 30, tzinfo=UTC)
    # A time the clocks skip (01:30 on the spring-forward night) still runs, an hour on.
    night = Schedule(2, -1, time(1, 30), "Europe/London")
    assert night.moment(date(2026, 3, 29)) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_deadline_is_twelve_hours_or_the_next_question() -> None:
    twice = Schedule(1, -1, time(8, 0), "UTC")
    asked = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    assert twice.deadline(asked) == datetime(2026, 5, 4, 20, 0, tzinfo=UTC)
    late = Schedule(1, -1, time(23, 0), "UTC")
    asked = datetime(2026, 5, 4, 23, 0, tzinfo=UTC)
    assert late.deadline(asked) == datetime(2026, 5, 5, 11, 0, tzinfo=UTC)


def test_common_wrong_answers_group_spellings_and_skip_right_ones() -> None:
    answers = [
        DailyAnswer(1, "A", "1965", Outcome.WRONG),
        DailyAnswer(2, "B", " 1965 ", Outcome.WRONG),
        DailyAnswer(3, "C", "Stalin", Outcome.WRONG),
        DailyAnswer(4, "D", "stalin!", Outcome.WRONG),
        DailyAnswer(5, "E", "STALIN", Outcome.WRONG),
        DailyAnswer(6, "F", "1956", Outcome.CORRECT),
        DailyAnswer(7, "G", "Brezhnev", Outcome.PARTIAL),
    ]
    assert common_wrong(answers) == (("Stalin", 3), ("1965", 2), ("Brezhnev", 1))


def test_class_comes_last_and_may_have_spaces_and_off_is_read() -> None:
    assert split_class(["17:00", "mon-fri", "class:12B", "History"]) == (
        ["17:00", "mon-fri"],
        "12B History",
    )
    assert split_class(["17:00"]) == (["17:00"], "")
    assert is_off(["OFF", "class:12B"]) and not is_off(["08:30"]) and not is_off([])
