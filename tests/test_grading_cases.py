"""The grader against 500+ realistic phone replies on the Khrushchev topics."""

from __future__ import annotations

import pytest

from quizbank.grading import grade, known_terms
from quizbank.model import Kind, Question
from tests.grading_cases import CASES, Case


def _question(case: Case) -> Question:
    return Question(
        bank="cases",
        id="q",
        topic="t",
        kind=Kind.TEXT,
        prompt="?",
        answers=case.answers,
        explanation="e",
        source=("s",),
        reject=case.reject,
        parts=case.parts,
        typo=case.typo,
        short_year=case.short_year,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.answers[0]}<-{c.typed}")
def test_case(case: Case) -> None:
    question = _question(case)
    # As in a bank, the question's own reject entries are known things.
    verdict = grade(question, case.typed, known=known_terms([question]))
    assert verdict.outcome.value == case.verdict, case.why
    assert verdict.canonical == case.answers[0]


def test_there_are_enough_cases_of_every_kind() -> None:
    counts = {
        v: sum(c.verdict == v for c in CASES)
        for v in ("correct", "typo", "almost", "partial", "wrong")
    }
    assert len(CASES) >= 200
    assert min(counts.values()) >= 15, counts
