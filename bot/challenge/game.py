"""A challenge in a group, how answers score, and what closing a question gives back."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.tutor.rounds import shown_order
from quizbank.grading import Known, Outcome, grade
from quizbank.model import Kind, Question
from quizbank.replies import choice_index

MIN_SECONDS = 10
MAX_SECONDS = 120
DEFAULT_SECONDS = 30
DEFAULT_QUESTIONS = 10
MAX_POINTS = 1000  # an instant right answer; a right answer at the buzzer gets half


class Mode(enum.StrEnum):
    """How players answer."""

    TEXT = "text"  # by replying to the question message
    POLL = "poll"  # in a native Telegram quiz poll


@dataclass(frozen=True, slots=True)
class Challenge:
    """A running challenge: its questions, and where it is."""

    id: int
    chat_id: int
    token: str
    starter_id: int
    mode: Mode
    questions: tuple[str, ...]
    seconds: int
    started_at: datetime
    topic: str | None = None
    position: int = 0
    asked_at: datetime | None = None  # None: the current question is not posted yet
    message_id: int | None = None  # the posted question; replies to it are answers
    poll_id: str | None = None

    @property
    def current(self) -> str | None:
        """The key of the question being played, or None when every question is done."""
        return self.questions[self.position] if self.position < len(self.questions) else None

    @property
    def deadline(self) -> datetime | None:
        """When the current question closes; None until it is posted."""
        return None if self.asked_at is None else self.asked_at + timedelta(seconds=self.seconds)

    def is_open(self, at: datetime) -> bool:
        """Whether the current question is taking answers at `at`."""
        deadline = self.deadline
        return deadline is not None and at < deadline

    def option_order(self, question: Question) -> tuple[int, ...]:
        """The shown order of the current question's options, stable across restarts."""
        return shown_order(question, f"{self.token}:{self.position}")


def answer_time(sent: datetime, arrived: datetime) -> datetime:
    """When an answer counts as given: Telegram's send time, refined by when it arrived.

    Telegram dates messages in whole seconds. Arrival adds the fraction, but a burst of
    answers queued behind each other must not cost the later ones more than that second.
    """
    return min(max(arrived, sent), sent + timedelta(seconds=1))


def points(outcome: Outcome, elapsed: float, limit: int) -> int:
    """Kahoot-style points: right scores MAX_POINTS at once, falling to half at the buzzer.

    A typo-correct answer is right, so it scores fully; a partial answer scores half.
    """
    if outcome.accepted:
        share = 1.0
    elif outcome is Outcome.PARTIAL:
        share = 0.5
    else:
        return 0
    late = min(max(elapsed / limit, 0.0), 1.0)
    return round(MAX_POINTS * share * (1 - late / 2))


@dataclass(frozen=True, slots=True)
class PlayerResult:
    """One player's answer to one question."""

    user_id: int
    name: str
    outcome: Outcome
    points: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Standing:
    """A player's total: points, then (to break ties) the time their scoring answers took."""

    user_id: int
    name: str
    points: int
    seconds: float
    scored: int  # answers that earned points


def ranked(standings: list[Standing]) -> tuple[Standing, ...]:
    """Most points first; on equal points, the faster total answer time first."""
    return tuple(sorted(standings, key=lambda s: (-s.points, s.seconds, s.user_id)))


class Ignored(enum.Enum):
    """Why a group message was not taken as an answer (none of these gets a reply)."""

    NO_CHALLENGE = "no_challenge"
    LATE = "late"  # the question had closed, or it answers an earlier question
    ALREADY = "already"  # only a player's first answer counts
    NOT_AN_ANSWER = "not_an_answer"


@dataclass(frozen=True, slots=True)
class Counted:
    """An answer that was recorded for the current question."""

    outcome: Outcome
    points: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Unclear:
    """A reply that can't be marked (a whole sentence, an emoji, no such option): try again."""

    reason: str


def mark_once(
    question: Question,
    typed: str,
    *,
    known: Known,
    order: Sequence[int] | None = None,
) -> Outcome | Unclear:
    """Mark a group answer, which gets no reply and no second try: a near miss is a miss.

    Unclear for what is not an attempt (a sentence, an emoji, no such option), so the
    student may answer again. `order` is the options as shown, for a typed letter.
    """
    if question.kind is Kind.TEXT:
        outcome = grade(question, typed, known=known).outcome
        if outcome in (Outcome.WORDY, Outcome.EMPTY):
            return Unclear(outcome.value)
        return Outcome.WRONG if outcome is Outcome.ALMOST else outcome
    index = choice_index(question, typed, order=order)
    if index is None:
        return Unclear("pick_option")
    return Outcome.CORRECT if question.choices[index] == question.canonical else Outcome.WRONG


@dataclass(frozen=True, slots=True)
class Closed:
    """A question whose time is up, and what comes next."""

    challenge: Challenge  # as it now stands: on the next question, or finished
    question: Question | None  # None only if its bank was removed mid-challenge
    results: tuple[PlayerResult, ...]  # fastest first
    standings: tuple[Standing, ...]  # ranked
    next_question: Question | None  # None: that was the last one

    @property
    def finished(self) -> bool:
        """Whether the challenge is over."""
        return self.next_question is None


@dataclass(frozen=True, slots=True)
class Ended:
    """A challenge stopped early with /endchallenge."""

    challenge: Challenge
    standings: tuple[Standing, ...]


@dataclass(frozen=True, slots=True)
class AlreadyRunning:
    """/challenge while one is running in the group."""

    challenge: Challenge


@dataclass(frozen=True, slots=True)
class NoQuestions:
    """Nothing to ask: no questions on the topic (for polls: no multiple-choice ones)."""

    mode: Mode
    topic: str | None


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """A group's standings this week and of all time."""

    week: tuple[Standing, ...]
    all_time: tuple[Standing, ...]
    week_starts: datetime
