"""A class report from a group's answers: plain functions on plain data.

Days are calendar dates in the class's zone, so "Tuesday" means the teacher's Tuesday
whatever UTC says; streaks stand or lapse in each student's own zone, as in /stats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.reports.facts import Answered, ClassRecord, QuestionTally, Student
from bot.tutor.streaks import standing

DAYS = 7  # the participation window, today included
TOPIC_EVIDENCE = 3  # a topic needs this many answers before it is called weak
TOPICS_SHOWN = 3
QUESTIONS_SHOWN = 5
STREAK_FROM = 2  # a one-day streak is just "answered yesterday"


@dataclass(frozen=True, slots=True)
class Tally:
    """Answers and how many were right."""

    answered: int = 0
    right: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.answered + other.answered, self.right + other.right)

    @property
    def wrong(self) -> int:
        """Answers not accepted (a half-right two-part answer is not right)."""
        return self.answered - self.right

    @property
    def accuracy(self) -> int:
        """Right, as a whole percentage of the answers (0 when there are none)."""
        return round(100 * self.right / self.answered) if self.answered else 0

    @property
    def missed(self) -> int:
        """Wrong, as a whole percentage of the answers."""
        return 100 - self.accuracy if self.answered else 0


@dataclass(frozen=True, slots=True)
class TopicLine:
    """A topic and the class's answers on it."""

    topic: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class QuestionLine:
    """A question and the class's answers to it."""

    key: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class Day:
    """One local day's participation."""

    day: date
    students: int
    answers: int


@dataclass(frozen=True, slots=True)
class OnStreak:
    """A student whose daily streak is alive today."""

    name: str
    days: int


@dataclass(frozen=True, slots=True)
class ClassReport:
    """What /report shows."""

    students: int  # everyone who ever answered in the group
    total: Tally
    weakest: tuple[TopicLine, ...]  # weakest first
    missed: tuple[QuestionLine, ...]  # most missed first
    days: tuple[Day, ...]  # oldest first; the last is today
    active: int  # students who answered on any of `days`
    streaks: tuple[OnStreak, ...]  # longest first
    zone: str


@dataclass(frozen=True, slots=True)
class StudentLine:
    """One student's row in the CSV."""

    user_id: int
    name: str
    tally: Tally
    last_day: date | None  # in the class's zone
    streak: int  # the daily streak as it stands today
    topics: Mapping[str, Tally] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClassTable:
    """The CSV: one line per student, with a column per topic the group answered."""

    day: date  # today, in the class's zone
    topics: tuple[str, ...]
    students: tuple[StudentLine, ...]


def window_start(at: datetime, zone: ZoneInfo, *, days: int = DAYS) -> datetime:
    """The moment the participation window opens: local midnight `days - 1` days ago."""
    first = at.astimezone(zone).date() - timedelta(days=days - 1)
    return datetime.combine(first, time(), zone)


def _local_days(
    answers: Iterable[Answered], *, at: datetime, zone: ZoneInfo, days: int
) -> list[tuple[date, Answered]]:
    """The answers on the last `days` local days (today included), each with its date."""
    today = at.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    dated = ((a.at.astimezone(zone).date(), a) for a in answers)
    return [(day, a) for day, a in dated if first <= day <= today]


def participation(
    answers: Iterable[Answered], *, at: datetime, zone: ZoneInfo, days: int = DAYS
) -> tuple[Day, ...]:
    """Students and answers on each of the last `days` local days, oldest first."""
    who: defaultdict[date, set[int]] = defaultdict(set)
    count: defaultdict[date, int] = defaultdict(int)
    for day, answer in _local_days(answers, at=at, zone=zone, days=days):
        who[day].add(answer.user_id)
        count[day] += 1
    today = at.astimezone(zone).date()
    span = (today - timedelta(days=n) for n in reversed(range(days)))
    return tuple(Day(day, len(who[day]), count[day]) for day in span)


def active(answers: Iterable[Answered], *, at: datetime, zone: ZoneInfo, days: int = DAYS) -> int:
    """How many students answered on any of the last `days` local days."""
    return len({a.user_id for _, a in _local_days(answers, at=at, zone=zone, days=days)})


def by_topic(tallies: Iterable[QuestionTally]) -> dict[str, Tally]:
    """The class's tally on each topic."""
    totals: defaultdict[str, Tally] = defaultdict(Tally)
    for t in tallies:
        totals[t.topic] += Tally(t.answered, t.right)
    return dict(totals)


def weakest_topics(
    tallies: Iterable[QuestionTally],
    *,
    evidence: int = TOPIC_EVIDENCE,
    top: int = TOPICS_SHOWN,
) -> tuple[TopicLine, ...]:
    """The topics the class gets wrong most often; only those with enough answers and a miss."""
    lines = [
        TopicLine(topic, tally)
        for topic, tally in by_topic(tallies).items()
        if tally.answered >= evidence and tally.wrong
    ]
    lines.sort(key=lambda t: (t.tally.right / t.tally.answered, -t.tally.answered, t.topic))
    return tuple(lines[:top])


def most_missed(
    tallies: Iterable[QuestionTally], *, top: int = QUESTIONS_SHOWN
) -> tuple[QuestionLine, ...]:
    """The questions missed most often (then by the larger share wrong)."""
    totals: defaultdict[str, Tally] = defaultdict(Tally)
    for t in tallies:
        totals[t.key] += Tally(t.answered, t.right)
    lines = [QuestionLine(key, tally) for key, tally in totals.items() if tally.wrong]
    lines.sort(key=lambda q: (-q.tally.wrong, q.tally.right / q.tally.answered, q.key))
    return tuple(lines[:top])


def streak_today(student: Student, *, at: datetime, zone: ZoneInfo) -> int:
    """The student's daily streak as it stands today in their own zone (`zone` if unset)."""
    own = ZoneInfo(student.timezone) if student.timezone else zone
    return standing(student.daily, at.astimezone(own).date())


def on_streak(
    students: Iterable[Student], *, at: datetime, zone: ZoneInfo, least: int = STREAK_FROM
) -> tuple[OnStreak, ...]:
    """Students whose daily streak is at least `least` days and still alive, longest first."""
    alive = [(streak_today(s, at=at, zone=zone), s) for s in students]
    ranked = sorted(
        ((days, s) for days, s in alive if days >= least),
        key=lambda pair: (-pair[0], pair[1].first_name.casefold(), pair[1].user_id),
    )
    return tuple(OnStreak(s.first_name, days) for days, s in ranked)


def assemble(record: ClassRecord, *, at: datetime, zone: ZoneInfo) -> ClassReport:
    """The class report for `at`."""
    total = sum((Tally(t.answered, t.right) for t in record.tallies), Tally())
    return ClassReport(
        students=len({t.user_id for t in record.tallies}),
        total=total,
        weakest=weakest_topics(record.tallies),
        missed=most_missed(record.tallies),
        days=participation(record.recent, at=at, zone=zone),
        active=active(record.recent, at=at, zone=zone),
        streaks=on_streak(record.students, at=at, zone=zone),
        zone=zone.key,
    )


def table(
    record: ClassRecord, *, at: datetime, zone: ZoneInfo, topic_order: Sequence[str] = ()
) -> ClassTable:
    """One line per student who answered in the group, ordered by name.

    Topic columns follow `topic_order` (the syllabus), then any topic it lacks (a bank
    since removed) alphabetically; only topics the group answered get a column.
    """
    mine: defaultdict[int, list[QuestionTally]] = defaultdict(list)
    for t in record.tallies:
        mine[t.user_id].append(t)
    answered = {t.topic for t in record.tallies}
    known = [t for t in topic_order if t in answered]
    topics = (*known, *sorted(answered - set(known)))
    lines = []
    for student in record.students:
        tallies = mine.get(student.user_id, [])
        if not tallies:
            continue
        last = max(t.last_at for t in tallies)
        lines.append(
            StudentLine(
                user_id=student.user_id,
                name=student.first_name,
                tally=sum((Tally(t.answered, t.right) for t in tallies), Tally()),
                last_day=last.astimezone(zone).date(),
                streak=streak_today(student, at=at, zone=zone),
                topics=by_topic(tallies),
            )
        )
    lines.sort(key=lambda s: (s.name.casefold(), s.user_id))
    return ClassTable(at.astimezone(zone).date(), topics, tuple(lines))
