"""The overlay of accepted answers, and how claims are grouped for a teacher."""

from __future__ import annotations

from bot.disputes.model import Case, group, with_accepted
from quizbank.grading import Outcome, grade, known_terms
from quizbank.loader import load_library
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
