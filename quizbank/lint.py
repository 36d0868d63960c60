"""Warnings for bank authors that need the whole bank at once; run by `quizbot bank check`.

Kept out of loading because comparing every pair of answers is work the bot need not
do at start-up.
"""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import OSA

from quizbank.grading import Outcome, grade
from quizbank.matching import key
from quizbank.model import Bank, Kind, Question
from quizbank.normalise import tokens
from quizbank.yamlfile import Problem

# Two answers further apart than this, as whole strings, cannot be typos of each other
# (at most two edits in each of a few words): a cheap filter before grading pairs.
_PREFILTER = 6


def lint(bank: Bank) -> list[Problem]:
    """Reject entries a question would accept, and answers close enough to be confused."""
    text = [q for q in bank.questions if q.kind is Kind.TEXT]
    problems = [
        Problem(
            bank.path,
            q.line,
            f"reject entry {r!r} would be accepted by this question",
            q.id,
            warning=True,
        )
        for q in text
        for r in q.reject
        if grade(q, r).accepted
    ]
    entries = [(key(tokens(a)), a, q) for q in text for a in q.answers]
    keys = [phrase for phrase, _, _ in entries]
    reported: set[tuple[str, str]] = set()
    for i, (phrase, answer, question) in enumerate(entries):
        for _, distance, j in process.extract(
            phrase, keys, scorer=OSA.distance, score_cutoff=_PREFILTER, limit=None
        ):
            _, other_answer, other = entries[j]
            pair = tuple(sorted((question.id, other.id)))
            if other is question or distance == 0 or j <= i or pair in reported:
                continue
            if _confusable(question, answer, other, other_answer):
                reported.add(pair)  # type: ignore[arg-type]
                problems.append(
                    Problem(
                        bank.path,
                        question.line,
                        f"answer {answer!r} is within typo distance of {other_answer!r} "
                        f"(question {other.id}, line {other.line}): a misspelling of one "
                        "could be marked right for the other; add each to the other's reject",
                        question.id,
                        warning=True,
                    )
                )
    return problems


def _confusable(q1: Question, a1: str, q2: Question, a2: str) -> bool:
    if a1 in q2.reject or a2 in q1.reject:
        return False  # the author has already told them apart
    return grade(q2, a1).outcome is Outcome.TYPO or grade(q1, a2).outcome is Outcome.TYPO
