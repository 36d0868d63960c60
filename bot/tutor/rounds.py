"""A practice round and the results of playing it, as immutable values."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.tutor.mastery import TopicMastery
from bot.tutor.memory import CardState
from bot.tutor.streaks import DailyStreak
from quizbank.grading import Outcome, Verdict
from quizbank.model import Kind, Question

REQUEUE_AFTER = 2  # a missed question comes back after this many others
MIN_ROUND = 1
MAX_ROUND = 30
DEFAULT_ROUND = 10
# Longer than any real short answer; a student pasting an essay gets a hint, not a grade.
MAX_ANSWER_CHARS = 200


def shown_order(question: Question, seed: str) -> tuple[int, ...]:
    """The order to show a question's options in, shuffled by `seed` (true/false stays put)."""
    order = list(range(len(question.choices)))
    if question.kind is Kind.CHOICE:
        random.Random(seed).shuffle(order)
    return tuple(order)


@dataclass(frozen=True, slots=True)
class Round:
    """A user's round: which questions, how far they are, and how it is going."""

    user_id: int
    chat_id: int
    token: str
    questions: tuple[str, ...]
    started_at: datetime
    position: int = 0
    answered: int = 0
    correct: int = 0
    topic: str | None = None
    retry_used: bool = False
    pending: str | None = None  # a mark-scheme answer waiting for the student's own mark
    review: bool = False  # a /review round of due cards

    @property
    def current(self) -> str | None:
        """The key of the question being asked, or None when the round is over."""
        return self.questions[self.position] if self.position < len(self.questions) else None

    @property
    def finished(self) -> bool:
        """Whether every question has been asked."""
        return self.position >= len(self.questions)

    def option_order(self, question: Question) -> tuple[int, ...]:
        """The order to show a question's options in: shuffled, but stable for this round.

        Bank authors tend to write the right option first; a fixed order would teach
        students "it's always A". Seeding from the round token keeps the order (and so
        the meaning of a button or a typed letter) the same after a restart.
        """
        return shown_order(question, f"{self.token}:{self.position}")

    def advance(self, outcome: Outcome, *, requeue: bool = False) -> Round:
        """The round after the current question is settled with `outcome`.

        With `requeue`, the question comes back REQUEUE_AFTER questions later (or at the
        end), once per round: a second go while the explanation is fresh is how it sticks.
        """
        questions = self.questions
        key = self.current
        # Only with another question in between: straight after the answer it is a free point.
        others_left = len(questions) - self.position - 1
        if requeue and key is not None and questions.count(key) == 1 and others_left >= 1:
            at = min(self.position + 1 + REQUEUE_AFTER, len(questions))
            questions = (*questions[:at], key, *questions[at:])
        return replace(
            self,
            questions=questions,
            position=self.position + 1,
            answered=self.answered + 1,
            correct=self.correct + (1 if outcome.accepted else 0),
            retry_used=False,
            pending=None,
        )


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One settled (or first-try) answer, as written to the append-only log."""

    user_id: int
    chat_id: int
    bank: str
    question_id: str
    topic: str
    typed: str
    verdict: str
    answered_at: datetime
    round_token: str | None = None

    @classmethod
    def of(
        cls,
        question: Question,
        *,
        user_id: int,
        chat_id: int,
        typed: str,
        outcome: Outcome,
        at: datetime,
        token: str | None,
    ) -> AnswerRecord:
        """The log record of `user_id` answering `question` in `chat_id`."""
        return cls(
            user_id,
            chat_id,
            question.bank,
            question.id,
            question.topic,
            typed,
            outcome.value,
            at,
            token,
        )


@dataclass(frozen=True, slots=True)
class Recorded:
    """What storing a settled answer gives back."""

    answer_id: int
    streak: int
    best_streak: int


# Verdicts a student may dispute with "I was right" (as stored in the answer log).
DISPUTABLE = frozenset({Outcome.WRONG.value, Outcome.PARTIAL.value})


class DisputeResult(enum.Enum):
    """What became of an "I was right" tap."""

    RECORDED = "recorded"
    ALREADY = "already"  # this answer was disputed before
    NOT_ALLOWED = "not_allowed"  # not the user's answer, or not a disputable verdict


@dataclass(frozen=True, slots=True)
class Dispute:
    """One "I was right" claim, for the bank's owner to review."""

    bank: str
    question_id: str
    typed: str
    user_id: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Summary:
    """How a round went, for the closing message."""

    correct: int
    answered: int
    total: int
    duration: timedelta
    streak: int
    best_streak: int


@dataclass(frozen=True, slots=True)
class Turn:
    """The result of settling one question, plus what comes next."""

    question: Question
    typed: str
    verdict: Verdict
    round: Round
    next_question: Question | None
    summary: Summary | None = None
    chosen: str | None = None  # the option a choice reply picked
    answer_id: int | None = None  # the logged answer, for "I was right"

    @property
    def disputable(self) -> bool:
        """Whether "I was right" applies: a typed answer marked wrong or partial."""
        return (
            self.question.kind is Kind.TEXT
            and self.verdict.outcome.value in DISPUTABLE
            and self.answer_id is not None
        )


@dataclass(frozen=True, slots=True)
class Retry:
    """The answer was one edit too far: the student gets one more try at the same question."""

    question: Question
    round: Round


@dataclass(frozen=True, slots=True)
class SelfCheck:
    """A mark-scheme answer: the points it seems to make; the student marks it next."""

    question: Question
    round: Round
    typed: str
    made: tuple[bool, ...]  # per mark-scheme point: did the answer mention it


# How a student marks their own mark-scheme answer, as typed or tapped.
SELF_MARKS = {"all": 2, "full": 2, "2": 2, "some": 1, "part": 1, "1": 1, "none": 0, "0": 0}
MAX_POINTS_ANSWER_CHARS = 1000  # an exam-style answer may run to a few sentences


@dataclass(frozen=True, slots=True)
class Unreadable:
    """The reply could not be read as an answer (too long, or no option picked); nothing changed."""

    question: Question
    round: Round
    reason: str  # "too_long" | "empty" | "wordy" | "pick_option" | "self_mark"


@dataclass(frozen=True, slots=True)
class NothingDue:
    """/review with no card due; `next_due` is when the first one will be (None: no cards)."""

    next_due: datetime | None
    zone: ZoneInfo  # the student's zone, for saying when


@dataclass(frozen=True, slots=True)
class Started:
    """A new round and its first question; `replaced` is a round that was abandoned for it."""

    round: Round
    question: Question
    replaced: Round | None = None


@dataclass(frozen=True, slots=True)
class TopicStat:
    """One user's record on one topic."""

    topic: str
    answered: int
    correct: int
    recent: float = 0.0  # answers, each weighed down by every newer one (mastery.DECAY)
    recent_correct: float = 0.0

    @property
    def accuracy(self) -> float:
        """Share of accepted answers, 0..1."""
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class Stats:
    """A user's overall record."""

    answered: int
    correct: int
    streak: int
    best_streak: int
    topics: tuple[TopicStat, ...]
    disputed: int = 0  # answers re-scored as right by "I was right", awaiting review
    timezone: str | None = None  # None: the bot's default zone
    daily: DailyStreak = field(default_factory=DailyStreak)

    @property
    def accuracy(self) -> float:
        """Share of accepted answers, 0..1."""
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class Learner:
    """What choosing a round reads about a student, all from one moment."""

    stats: Stats
    due: list[tuple[str, CardState]]  # ("bank:question", card) due by then, soonest first
    seen: set[str]  # every question they have a card for, as "bank:question"
    new_today: int  # questions they met for the first time since their day began


@dataclass(frozen=True, slots=True)
class Overview:
    """What /stats shows a student."""

    stats: Stats
    masteries: tuple[TopicMastery, ...]
    due_now: int
    due_today: int
    day_streak: int
