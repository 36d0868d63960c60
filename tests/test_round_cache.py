"""The tutor keeps only the most recent rounds in memory; the others come back from SQLite."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.tutor.recent import Recent
from bot.tutor.rounds import Turn
from bot.tutor.service import Tutor
from quizbank.grading import Outcome
from quizbank.loader import builtin_paths, load_library
from storage.db import connect
from storage.repository import Repository
from tests.support import DRILL_BANK

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    conn = await connect(tmp_path / "quiz.sqlite3")
    yield conn
    await conn.close()


async def test_a_student_whose_round_left_memory_carries_on_where_they_were(
    db: aiosqlite.Connection,
) -> None:
    library, _ = load_library([*builtin_paths(), DRILL_BANK])
    tutor = Tutor(store=Repository(db), library=library, rng=random.Random(5), rounds_in_memory=2)
    first = await tutor.start_round(1, 1, at=NOW, size=3, topic="drill")
    assert first is not None
    first_turn = await tutor.answer(1, first.question.canonical, at=NOW)
    assert isinstance(first_turn, Turn) and first_turn.verdict.outcome is Outcome.CORRECT
    # Two other students start rounds meanwhile: student 1's round is the oldest, and goes.
    for other in (2, 3):
        assert await tutor.start_round(other, other, at=NOW, size=3, topic="drill") is not None
    assert first_turn.next_question is not None
    turn = await tutor.answer(1, first_turn.next_question.canonical, at=NOW + timedelta(seconds=9))
    # The same round, one question on, with the first answer still counted.
    assert isinstance(turn, Turn) and turn.verdict.outcome is Outcome.CORRECT
    assert turn.question == first_turn.next_question
    assert turn.round.token == first.round.token
    assert turn.round.correct == 2 and turn.round.answered == 2


def test_the_oldest_entry_goes_first_and_reading_one_keeps_it() -> None:
    recent: Recent[int, str] = Recent(2)
    recent[1] = "a"
    recent[2] = "b"
    assert recent.get(1) == "a"  # 1 is now newer than 2
    recent[3] = "c"
    assert recent.get(2) is None
    assert recent.get(1) == "a" and recent.get(3) == "c"
    assert len(recent) == 2
