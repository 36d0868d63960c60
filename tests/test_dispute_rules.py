"""The overlay of accepted answers, and how claims are grouped for a teacher."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.disputes.model import Case, Regraded, group, with_accepted
from bot.disputes.service import Disputes
from quizbank.grading import Outcome, grade, known_terms
from quizbank.loader import load_library
from quizbank.model import Library
from tests.support import DRILL_BANK


def test_an_accepted_answer_is_marked_right_and_the_shown_answer_stays() -> None:
    library, _ = load_library([DRILL_BANK])
    leader = library.question("drill:leader")
    assert leader is not None
    assert grade(leader, "the First Secretary", known=known_terms(library.pool())).outcome is (
        Outcome.WRONG
    )
    overlay = {"drill:leader": ["the First  Secretary"], "drill:premier": ["Molotov"]}
    widened = with_accepted(library, overlay)
    accepted = widened.question("drill:leader")
    assert accepted is not None and accepted.canonical == "Khrushchev"
    known = known_terms(widened.pool())
    assert grade(accepted, "first secretary", known=known).outcome is Outcome.CORRECT
    # Applied again (an upload, a restart), nothing is added twice; options never change.
    again = with_accepted(widened, overlay)
    assert again.question("drill:leader").answers == accepted.answers
    assert again.question("drill:premier") == library.question("drill:premier")
    assert with_accepted(library, {}) is library


def test_claims_group_by_question_and_answer_counting_students() -> None:
    cases = [
        Case(3, 30, "drill", "leader", "Krushchov!"),
        Case(1, 10, "drill", "leader", "krushchov"),
        Case(2, 20, "drill", "leader", "Stalin"),
        Case(4, 10, "drill", "speech-year", "krushchov"),
    ]
    assert [(d.dispute_id, d.typed, d.students) for d in group(cases)] == [
        (1, "krushchov", 2),
        (2, "Stalin", 1),
        (4, "krushchov", 1),
    ]


class _SlowStore:
    """Two open claims on one drill question; accepting takes a while, as a transaction on
    the database thread does, so two decisions overlap."""

    def __init__(self) -> None:
        self.status = {1: "open", 2: "open"}

    async def uploaded_by(self, user_id: int) -> set[str]:
        return {"drill"}

    async def case(self, dispute_id: int) -> tuple[Case, str]:
        typed = {1: "the boss", 2: "the chairman"}[dispute_id]
        return Case(dispute_id, 100 + dispute_id, "drill", "leader", typed), self.status[dispute_id]

    async def accepted(self) -> list[tuple[str, str]]:
        return []

    async def accept(self, dispute_id: int, answer: str, **_: object) -> Regraded:
        await asyncio.sleep(0.02)
        self.status[dispute_id] = "accepted"
        return Regraded(1, (100 + dispute_id,), (100 + dispute_id,))


async def test_two_accepts_at_once_both_stay_in_the_library() -> None:
    library, _ = load_library([DRILL_BANK])
    published: list[Library] = []
    disputes = Disputes(store=_SlowStore(), on_library=published.append)  # type: ignore[arg-type]
    await disputes.load(library)
    at = datetime(2026, 11, 2, tzinfo=UTC)
    await asyncio.gather(
        disputes.decide(1, 1, accept=True, at=at), disputes.decide(1, 2, accept=True, at=at)
    )
    leader = published[-1].question("drill:leader")
    assert leader is not None
    known = known_terms(published[-1].pool())
    for typed in ("the boss", "the chairman"):
        assert grade(leader, typed, known=known).outcome is Outcome.CORRECT, typed
