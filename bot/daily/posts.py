"""Questions of the day as posted, and what their summaries show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from quizbank.grading import Outcome
from quizbank.model import Question
from quizbank.normalise import normalise


@dataclass(frozen=True, slots=True)
class DailyPost:
    """One day's question in one group."""

    id: int
    schedule_id: int
    chat_id: int
    day: date
    question: str  # bank-qualified key
    deadline: datetime
    asked_at: datetime | None = None  # None: claimed, not yet posted
    message_id: int | None = None

    def is_open(self, at: datetime) -> bool:
        """Whether answers still count at `at`."""
        return self.asked_at is not None and at < self.deadline


@dataclass(frozen=True, slots=True)
class DailyAnswer:
    """A student's answer to a question of the day."""

    user_id: int
    name: str
    typed: str
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class DailySummary:
    """What the deadline post shows: the answer, how the group did, and its misconceptions."""

    post: DailyPost
    question: Question | None
    answers: tuple[DailyAnswer, ...]
    common_wrong: tuple[tuple[str, int], ...]  # (as most often typed, how many), most first

    @property
    def right(self) -> int:
        """How many got it right."""
        return sum(1 for a in self.answers if a.outcome.accepted)


def common_wrong(answers: Sequence[DailyAnswer], *, top: int = 3) -> tuple[tuple[str, int], ...]:
    """The most common wrong answers, counting spellings of one answer together.

    This is what a teacher reads to spot a misconception: "1965" typed by eight students.
    """
    groups: dict[str, Counter[str]] = {}
    for a in answers:
        if a.outcome.accepted or not a.typed.strip():
            continue
        key = normalise(a.typed) or a.typed.strip().casefold()
        groups.setdefault(key, Counter())[" ".join(a.typed.split())] += 1
    ranked = sorted(groups.values(), key=lambda c: (-c.total(), c.most_common(1)[0][0]))
    return tuple((c.most_common(1)[0][0], c.total()) for c in ranked[:top])
