"""Challenges against real storage, with answers and the deadline racing each other."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.challenge.game import Challenge, Closed, Counted, Ignored, Mode, Unclear
from bot.challenge.requests import ChallengeRequest
from bot.challenge.service import Challenges
from storage.challenges import ChallengeRepository
from storage.db import connect
from storage.transactions import Transactions
from tests.support import question_in, right_answer
from tests.test_challenge_rules import LIBRARY

START = datetime(2026, 6, 14, 9, 0, tzinfo=UTC)
GROUP = -100777


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    conn = await connect(tmp_path / "c.sqlite3")
    yield conn
    await conn.close()


def _challenges(db: aiosqlite.Connection, zone: str = "Europe/London") -> Challenges:
    store = ChallengeRepository(Transactions(db))
    return Challenges(store=store, library=LIBRARY, rng=random.Random(3), zone=zone)


async def _asked(challenges: Challenges) -> Challenge:
    started = await challenges.start(GROUP, 1, ChallengeRequest(2, "drill"), at=START)
    assert isinstance(started, Challenge)
    asked = await challenges.asked(started.id, message_id=10, at=START)
    assert asked is not None
    return asked


async def test_forty_concurrent_answers_and_the_deadline_each_count_once(
    db: aiosqlite.Connection,
) -> None:
    challenges = _challenges(db)
    challenge = await _asked(challenges)
    question = challenges.question(challenge)
    assert question is not None
    typed = right_answer(question_in(question.prompt))
    on_time = START + timedelta(seconds=29)
    late = START + timedelta(seconds=31)

    async def answer(user: int, at: datetime) -> object:
        return await challenges.answer(
            GROUP, user, f"P{user}", typed, reply_to=10, sent_at=at, at=at
        )

    # Everyone twice, on time, and ten more after the deadline, with the close racing them
    # from the middle of the crowd.
    users = [u for _ in range(2) for u in range(100, 140)]
    tasks = [answer(u, on_time) for u in users[:60]]
    tasks.append(challenges.close(challenge.id, at=late))
    tasks += [answer(u, on_time) for u in users[60:]]
    tasks += [answer(u, late) for u in range(200, 210)]
    results = await asyncio.gather(*tasks)
    closed = results[60]
    answers = list(zip(users, results[:60] + results[61:81], strict=True))
    counted = {u for u, r in answers if isinstance(r, Counted)}
    # No one counted twice; whoever was counted is in the results the close posted, and
    # nobody else; everything after the close (or the deadline) was late.
    assert sum(isinstance(r, Counted) for _, r in answers) == len(counted) >= 1
    assert isinstance(closed, Closed)
    assert {r.user_id for r in closed.results} == counted
    others = [r for _, r in answers if not isinstance(r, Counted)]
    assert set(others) <= {Ignored.ALREADY, Ignored.LATE} and Ignored.LATE in others
    assert results[81:] == [Ignored.LATE] * 10
    async with db.execute("SELECT COUNT(*), COUNT(DISTINCT user_id) FROM challenge_answers") as c:
        assert tuple(await c.fetchone() or ()) == (len(counted), len(counted))


async def test_a_closed_or_answered_question_gets_no_unclear_mark(
    db: aiosqlite.Connection,
) -> None:
    challenges = _challenges(db)
    challenge = await _asked(challenges)
    at = START + timedelta(seconds=3)
    question = challenges.question(challenge)
    assert question is not None
    first = await challenges.answer(
        GROUP, 5, "Ana", right_answer(question), reply_to=10, sent_at=at, at=at
    )
    assert isinstance(first, Counted)
    # An emoji after answering is not "unclear": it is simply not a second answer.
    again = await challenges.answer(GROUP, 5, "Ana", "🙂", reply_to=10, sent_at=at, at=at)
    assert again is Ignored.ALREADY
    fresh = await challenges.answer(GROUP, 6, "Ben", "🙂", reply_to=10, sent_at=at, at=at)
    assert isinstance(fresh, Unclear)
    later = START + timedelta(seconds=40)
    late = await challenges.answer(GROUP, 7, "Cat", "🙂", reply_to=10, sent_at=later, at=later)
    assert late is Ignored.LATE


async def test_a_queued_answer_is_timed_by_when_it_was_sent(db: aiosqlite.Connection) -> None:
    challenges = _challenges(db)
    challenge = await _asked(challenges)
    question = challenges.question(challenge)
    assert question is not None
    sent = START + timedelta(seconds=4)
    # Handled 10 s after it was sent (a busy bot): it scores as sent, not as handled.
    result = await challenges.answer(
        GROUP,
        5,
        "Ana",
        right_answer(question),
        reply_to=10,
        sent_at=sent,
        at=sent + timedelta(seconds=10),
    )
    assert isinstance(result, Counted) and result.seconds == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("now", "monday"),
    [
        # Sunday 23:30 in London in summer (BST) is still last week…
        (datetime(2026, 6, 14, 22, 30, tzinfo=UTC), datetime(2026, 6, 7, 23, 0, tzinfo=UTC)),
        # …and half an hour later it is Monday there, though still Sunday in UTC.
        (datetime(2026, 6, 14, 23, 30, tzinfo=UTC), datetime(2026, 6, 14, 23, 0, tzinfo=UTC)),
    ],
)
async def test_the_leaderboard_week_starts_on_monday_in_the_bots_zone(
    db: aiosqlite.Connection, now: datetime, monday: datetime
) -> None:
    board = await _challenges(db).leaderboard(GROUP, at=now)
    assert board.week_starts == monday


async def test_poll_mode_only_draws_multiple_choice_questions(db: aiosqlite.Connection) -> None:
    challenges = _challenges(db)
    started = await challenges.start(GROUP, 1, ChallengeRequest(10, mode=Mode.POLL), at=START)
    assert isinstance(started, Challenge)
    kinds = {LIBRARY.question(k).kind.value for k in started.questions}  # type: ignore[union-attr]
    assert kinds <= {"choice", "truefalse"} and len(started.questions) == 10
