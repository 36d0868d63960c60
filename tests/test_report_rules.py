"""Class reports without Telegram or SQLite: days by local date, weak spots, live streaks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.reports.assembly import (
    Day,
    OnStreak,
    Tally,
    active,
    assemble,
    most_missed,
    on_streak,
    participation,
    table,
    weakest_topics,
    window_start,
)
from bot.reports.facts import Answered, ClassRecord, QuestionTally, Student
from bot.tutor.streaks import DailyStreak

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)  # Wednesday; London is on GMT


def _tally(
    user: int, key: str, topic: str, answered: int, right: int, **ago: float
) -> QuestionTally:
    return QuestionTally(user, key, topic, answered, right, NOW - timedelta(**ago))


def _student(
    user: int, name: str, days: int = 0, last: date | None = None, zone: str | None = None
) -> Student:
    return Student(user, name, zone, DailyStreak(days, days, last, last, 5 if last else 0))


def test_the_window_opens_at_local_midnight_six_days_before_today() -> None:
    assert window_start(NOW, LONDON) == datetime(2026, 10, 29, 0, 0, tzinfo=UTC)
    # Tokyo is 9 hours ahead: its Wednesday began at 15:00 UTC on Tuesday.
    assert window_start(NOW, TOKYO) == datetime(2026, 10, 28, 15, 0, tzinfo=UTC)
    # Across the clock change (25 October), midnight BST is 23:00 UTC the day before.
    assert window_start(datetime(2026, 10, 30, 9, tzinfo=UTC), LONDON) == datetime(
        2026, 10, 23, 23, 0, tzinfo=UTC
    )


def test_participation_counts_each_local_day_across_midnight() -> None:
    answers = [
        Answered(1, datetime(2026, 11, 3, 14, 59, tzinfo=UTC)),  # Tuesday 23:59 in Tokyo
        Answered(2, datetime(2026, 11, 3, 15, 0, tzinfo=UTC)),  # Wednesday 00:00 in Tokyo
        Answered(2, datetime(2026, 11, 3, 16, 0, tzinfo=UTC)),
        Answered(3, datetime(2026, 10, 28, 14, 0, tzinfo=UTC)),  # before the window
    ]
    days = participation(answers, at=NOW, zone=TOKYO)
    assert [d.day for d in days] == [date(2026, 10, 29) + timedelta(days=n) for n in range(7)]
    assert days[-2:] == (Day(date(2026, 11, 3), 1, 1), Day(date(2026, 11, 4), 1, 2))
    assert sum(d.answers for d in days) == 3
    assert active(answers, at=NOW, zone=TOKYO) == 2  # P3 answered before the week began
    # In London the same three answers all fall on Tuesday.
    london = participation(answers, at=NOW, zone=LONDON)
    assert london[-2:] == (Day(date(2026, 11, 3), 2, 3), Day(date(2026, 11, 4), 0, 0))


def test_weakest_topics_need_evidence_and_a_miss() -> None:
    tallies = [
        _tally(1, "b:q1", "space", 4, 1, days=1),
        _tally(2, "b:q2", "space", 2, 1, days=1),  # space: 2 of 6
        _tally(1, "b:q3", "fall", 1, 0, days=1),  # only one answer: no verdict on it yet
        _tally(1, "b:q4", "culture", 5, 5, days=1),  # never missed: not weak
        _tally(1, "b:q5", "industry", 3, 1, days=1),  # 1 of 3: same share, fewer answers
        _tally(1, "b:q6", "society", 4, 3, days=1),
    ]
    weakest = weakest_topics(tallies)
    assert [(t.topic, t.tally) for t in weakest] == [
        ("space", Tally(6, 2)),
        ("industry", Tally(3, 1)),
        ("society", Tally(4, 3)),
    ]
    assert weakest[0].tally.accuracy == 33 and weakest[0].tally.missed == 67


def test_the_most_missed_questions_come_first_then_the_larger_share_wrong() -> None:
    tallies = [
        _tally(1, "b:hard", "space", 3, 0, days=1),
        _tally(2, "b:hard", "space", 2, 1, days=1),  # 4 misses of 5
        _tally(1, "b:rare", "space", 4, 0, days=1),  # 4 misses of 4: ahead on share
        _tally(1, "b:easy", "space", 9, 9, days=1),  # never missed
        _tally(1, "b:once", "fall", 1, 0, days=1),
    ]
    missed = most_missed(tallies)
    assert [(q.key, q.tally.wrong, q.tally.missed) for q in missed] == [
        ("b:rare", 4, 100),
        ("b:hard", 4, 80),
        ("b:once", 1, 100),
    ]


def test_only_streaks_alive_today_in_the_students_own_zone_are_shown() -> None:
    at = datetime(2026, 11, 4, 16, 0, tzinfo=UTC)  # Wednesday; already Thursday 01:00 in Tokyo
    students = [
        _student(1, "Ana", 5, date(2026, 11, 3)),  # met the goal yesterday: alive
        _student(2, "Ben", 9, date(2026, 11, 1)),  # missed two days, no freezes: lapsed
        _student(3, "Cat", 1, date(2026, 11, 4)),  # one day is not a streak yet
        # It is Thursday in Tokyo: Wednesday was Eve's yesterday, and Dan missed it.
        _student(4, "Dan", 3, date(2026, 11, 3), zone="Asia/Tokyo"),
        _student(5, "Eve", 3, date(2026, 11, 4), zone="Asia/Tokyo"),
        _student(6, "abe", 3, date(2026, 11, 4)),
    ]
    assert on_streak(students, at=at, zone=LONDON) == (
        OnStreak("Ana", 5),
        OnStreak("abe", 3),
        OnStreak("Eve", 3),
    )


def test_the_report_totals_and_counts_the_week() -> None:
    record = ClassRecord(
        students=(_student(1, "Ana", 2, date(2026, 11, 3)), _student(2, "Ben")),
        tallies=(
            _tally(1, "b:q1", "space", 3, 1, days=1),
            _tally(2, "b:q1", "space", 1, 1, days=20),
        ),
        recent=(Answered(1, NOW - timedelta(days=1)),),
    )
    report = assemble(record, at=NOW, zone=LONDON)
    assert report.students == 2 and report.active == 1
    assert report.total == Tally(4, 2)
    assert report.days[-2] == Day(date(2026, 11, 3), 1, 1)
    assert report.streaks == (OnStreak("Ana", 2),)
    assert report.zone == "Europe/London"


def test_the_table_has_a_line_per_student_and_a_column_per_topic_in_syllabus_order() -> None:
    record = ClassRecord(
        students=(
            _student(2, "ben", 4, date(2026, 11, 4)),
            _student(1, "Ana"),
            _student(3, "Cy"),  # a student with no graded answers here gets no line
        ),
        tallies=(
            _tally(1, "b:q1", "space", 2, 1, days=3),
            _tally(1, "b:q2", "fall", 1, 1, hours=13),  # 23:00 UTC on the 3rd: the 3rd in London
            _tally(2, "b:q3", "space", 1, 0, days=10),
            _tally(2, "old:q", "gone", 2, 2, days=9),
        ),
        recent=(),
    )
    result = table(record, at=NOW, zone=LONDON, topic_order=["fall", "culture", "space"])
    assert result.day == date(2026, 11, 4)
    assert result.topics == ("fall", "space", "gone")
    ana, ben = result.students
    assert (ana.name, ana.tally, ana.last_day, ana.streak) == (
        "Ana",
        Tally(3, 2),
        date(2026, 11, 3),
        0,
    )
    assert ana.topics == {"space": Tally(2, 1), "fall": Tally(1, 1)}
    assert (ben.name, ben.tally, ben.streak) == ("ben", Tally(3, 2), 4)
    assert ben.last_day == date(2026, 10, 26)
