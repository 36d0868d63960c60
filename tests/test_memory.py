"""Spaced repetition: verdicts become FSRS ratings, and /review brings back what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from bot.services import AppServices
from bot.tutor.memory import rating_for, recall, review
from quizbank.grading import Outcome
from tests.fakeapi import FakeBotAPI
from tests.support import Student, question_in

T0 = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("outcome", "after_retry", "rating"),
    [
        (Outcome.CORRECT, False, Rating.Good),
        (Outcome.TYPO, False, Rating.Good),
        (Outcome.CORRECT, True, Rating.Hard),  # right only after "so close"
        (Outcome.WRONG, False, Rating.Again),
        (Outcome.PARTIAL, False, Rating.Again),
        (Outcome.SKIPPED, False, Rating.Again),
        (Outcome.ALMOST, False, None),  # a retry follows: not settled yet
        (Outcome.WORDY, False, None),
        (Outcome.EMPTY, False, None),
    ],
)
def test_verdicts_map_to_fsrs_ratings(
    outcome: Outcome, after_retry: bool, rating: Rating | None
) -> None:
    assert rating_for(outcome, after_retry=after_retry) == rating


def test_a_miss_comes_back_sooner_than_a_hit_and_good_reviews_space_out() -> None:
    missed = review(None, Rating.Again, T0)
    known = review(None, Rating.Good, T0)
    assert missed.due < known.due
    again = review(known, Rating.Good, known.due)
    later = review(again, Rating.Good, again.due)
    assert later.due - again.due > again.due - known.due  # intervals grow
    # Memory fades after the last review, hour by hour, not only in whole days.
    assert recall(later, later.last_review + timedelta(hours=6)) < 1.0
    assert recall(later, later.due) < recall(later, later.last_review + timedelta(hours=6))
    assert recall(missed, T0 + timedelta(hours=12)) < recall(known, T0 + timedelta(hours=12))


async def test_review_says_when_to_come_back_then_brings_back_due_questions(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 801)
    assert "Nothing to review yet" in await ana.say("/review")
    text = await ana.say("/quiz drill")
    seen = {}
    for _ in range(2):
        q = question_in(text)
        seen[q.id] = "wrong" if not seen else "right"
        text = await ana.answer(text, right=bool(seen.get(q.id) == "right"))
    await ana.say("/stop")
    reply = await ana.say("/review")
    # The miss comes back the next day (the round began Mon 2 Nov, 16:00 UTC, 16:00 in London).
    assert "Nothing due for review right now. Next review: Tue 3 Nov at 16:0" in reply
    assert "Nothing due for review today" in await ana.say("/stats")
    ana.clock += timedelta(days=1, hours=1)
    assert "Due for review now: 1 – send /review" in await ana.say("/stats")
    ana.clock += timedelta(days=2)  # both are due now, the miss long overdue
    reply = await ana.say("/review")
    assert "🔁 Review: 2 questions due" in reply
    missed = next(qid for qid, how in seen.items() if how == "wrong")
    assert question_in(reply).id == missed  # the likelier forgotten comes back first


async def test_a_students_week_brings_each_question_back_on_the_right_day(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 802)
    text = await ana.say("/quiz drill")
    outcomes = {}
    for n in range(4):  # the four drill questions: skip ("don't know") the first, know the rest
        outcomes[question_in(text).id] = n == 0
        text = await ana.say("/skip") if n == 0 else await ana.answer(text)
    missed = next(qid for qid, was_missed in outcomes.items() if was_missed)
    day0 = ana.clock

    async def due_on(day: int) -> list[str]:
        """Review on `day` after the quiz, each day an hour later than the last, and list
        what came back (answering it right)."""
        ana.clock = day0 + timedelta(days=day, hours=1 + day)
        reply = await ana.say("/review")
        ids = []
        while "Review:" in reply or "Question" in reply:
            q = question_in(reply)
            ids.append(q.id)
            reply = await ana.answer(reply)  # knows it now
            if "Round over" in reply:
                break
        return ids

    known = sorted(k for k, m in outcomes.items() if not m)
    assert await due_on(1) == [missed]  # the miss returns the next day
    assert sorted(await due_on(2)) == known  # first-time hits two days later
    assert await due_on(3) == [missed]  # relearnt yesterday: a short interval again
    for day in (4, 5, 6, 7):  # then a quiet week: all of it spaced further out
        assert await due_on(day) == [], day


def test_a_miss_comes_back_only_with_another_question_in_between() -> None:
    from bot.tutor.rounds import Round

    rnd = Round(1, 1, "abcdef", ("a", "b", "c"), T0, position=2)
    assert rnd.advance(Outcome.WRONG, requeue=True).questions == ("a", "b", "c")  # last one
    rnd = Round(1, 1, "abcdef", ("a", "b", "c"), T0, position=1)
    assert rnd.advance(Outcome.WRONG, requeue=True).questions == ("a", "b", "c", "b")
    rnd = Round(1, 1, "abcdef", ("a", "b", "c", "d", "e"), T0, position=0)
    assert rnd.advance(Outcome.WRONG, requeue=True).questions == ("a", "b", "c", "a", "d", "e")
