"""Spaced repetition: when each student should see each question again, by FSRS.

FSRS (the `fsrs` package, the scheduler Anki uses) models how likely a student is to
remember a card and when that falls to the target retention. This module maps verdicts
to FSRS ratings and wraps the scheduler in plain values the store can keep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from fsrs import Card, Rating, Scheduler, State

from quizbank.grading import Outcome

# Fuzzing spreads due dates with the global `random`, which tests could not control;
# without it the schedule is a pure function of the answers and their times. No learning
# steps: fsrs's default brings every new card back 10 minutes later, which would fill
# /review after every quiz; here a miss returns the next day, a first hit two days later.
_SCHEDULER = Scheduler(enable_fuzzing=False, learning_steps=(), relearning_steps=())
# The forgetting curve R(t) = (1 + FACTOR * t / S) ** DECAY, as fsrs defines it, so recall
# can be had in fractional days (fsrs rounds elapsed time down to whole days).
_DECAY = -_SCHEDULER.parameters[20]
_FACTOR = 0.9 ** (1 / _DECAY) - 1


@dataclass(frozen=True, slots=True)
class CardState:
    """What FSRS knows about one student and one question."""

    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime  # UTC
    last_review: datetime | None  # UTC


def rating_for(outcome: Outcome, *, after_retry: bool = False) -> Rating | None:
    """The FSRS rating an answer earns; None for outcomes that are not a review.

    Right (or right but misspelt) is Good, right only after a "so close" retry is Hard,
    and wrong, partial or skipped is Again.
    """
    if outcome.accepted:
        return Rating.Hard if after_retry else Rating.Good
    if outcome in (Outcome.WRONG, Outcome.PARTIAL, Outcome.SKIPPED):
        return Rating.Again
    return None  # almost (a retry follows), wordy, empty: nothing was settled


def review(card: CardState | None, rating: Rating, at: datetime) -> CardState:
    """The card after one review at `at`; a question never seen starts as a new card."""
    # card_id=0: fsrs would otherwise build an id from the clock and sleep a millisecond.
    fsrs_card = Card(card_id=0) if card is None else _to_fsrs(card)
    # fsrs insists on datetime.timezone.utc itself; any other UTC tzinfo would raise.
    reviewed, _ = _SCHEDULER.review_card(fsrs_card, rating, review_datetime=at.astimezone(UTC))
    return CardState(
        state=int(reviewed.state),
        step=reviewed.step,
        stability=reviewed.stability,
        difficulty=reviewed.difficulty,
        due=reviewed.due,
        last_review=reviewed.last_review,
    )


def reviewer(
    outcome: Outcome, at: datetime, *, after_retry: bool = False
) -> Callable[[CardState | None], CardState] | None:
    """How an answer with this outcome at `at` changes its card; None if it is no review."""
    rating = rating_for(outcome, after_retry=after_retry)
    return None if rating is None else partial(review, rating=rating, at=at)


def reviewed_right(card: CardState | None, at: datetime) -> CardState:
    """The card had the review at `at` been a right answer: "I was right" replays it."""
    return review(card, Rating.Good, at)


def recall(card: CardState, at: datetime) -> float:
    """The chance, 0 to 1, that the student still remembers this card at `at`."""
    if card.last_review is None or not card.stability:
        return 0.0
    elapsed = max((at - card.last_review).total_seconds() / 86400, 0.0)
    return (1 + _FACTOR * elapsed / card.stability) ** _DECAY


def _to_fsrs(card: CardState) -> Card:
    return Card(
        card_id=0,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
