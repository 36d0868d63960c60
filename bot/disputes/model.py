"""Disputes as a teacher sees them, and the overlay of answers teachers have accepted."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from quizbank.matching import key
from quizbank.model import Kind, Library, Question
from quizbank.normalise import tokens

MAX_ANSWER = 200  # characters of a typed answer kept as an accepted variant


@dataclass(frozen=True, slots=True)
class Case:
    """One student's open "I was right" claim, as stored."""

    dispute_id: int
    user_id: int
    bank: str
    question_id: str
    typed: str

    @property
    def key(self) -> str:
        """The bank-qualified question key."""
        return f"{self.bank}:{self.question_id}"


@dataclass(frozen=True, slots=True)
class OpenDispute:
    """Students who typed the same answer to a question and said it was right."""

    dispute_id: int  # the first claim: its buttons decide the whole group
    question_key: str
    typed: str  # as the first of them typed it
    students: int


@dataclass(frozen=True, slots=True)
class Inbox:
    """What /disputes shows a teacher: open disputes on their banks' questions."""

    disputes: tuple[OpenDispute, ...]
    banks: tuple[str, ...]  # the banks they decide for


class Refusal(enum.Enum):
    """Why a decision was not made."""

    NOT_TEACHER = "not_teacher"  # they own no bank at all
    NOT_YOURS = "not_yours"  # the dispute is on someone else's bank
    NOT_FOUND = "not_found"  # no such dispute (a forged button)
    ALREADY = "already"  # decided before (a second press, or another teacher)
    GONE = "gone"  # the question is no longer in any bank


@dataclass(frozen=True, slots=True)
class Regraded:
    """What accepting an answer changed, as the store reports it."""

    answers: int  # logged answers now right
    students: tuple[int, ...]  # whose answers those were
    disputers: tuple[int, ...]  # whose disputes were accepted by it


@dataclass(frozen=True, slots=True)
class Decided:
    """A dispute decided: accepted (with what it re-graded) or rejected."""

    accepted: bool
    question: Question | None  # None only for a rejection on a question since removed
    question_key: str
    typed: str
    answers: int  # accepted: answers re-graded as right; rejected: claims turned down
    notify: tuple[int, ...]  # the students whose claims were decided


def same_answer(a: str, b: str) -> bool:
    """Whether two typed answers are the same words (case, accents and spacing aside)."""
    return key(tokens(a)) == key(tokens(b))


def variant(typed: str) -> str:
    """A typed answer as kept in the overlay: its spacing tidied, its length bounded."""
    return " ".join(typed.split())[:MAX_ANSWER]


def group(cases: Iterable[Case]) -> tuple[OpenDispute, ...]:
    """Open claims grouped by question and answer, oldest first."""
    groups: dict[tuple[str, str], list[Case]] = {}
    for case in sorted(cases, key=lambda c: c.dispute_id):
        groups.setdefault((case.key, key(tokens(case.typed))), []).append(case)
    return tuple(
        OpenDispute(
            found[0].dispute_id, found[0].key, found[0].typed, len({c.user_id for c in found})
        )
        for found in groups.values()
    )


def with_accepted(library: Library, accepted: Mapping[str, Iterable[str]]) -> Library:
    """The library with each question's accepted answers added as answer variants.

    Idempotent: a variant the question already accepts is not added again, so applying it
    to a library that has it (or to a freshly uploaded bank) gives the same questions.
    """
    if not accepted:
        return library
    banks = []
    for bank in library.banks:
        questions = tuple(_plus(q, accepted.get(q.key, ())) for q in bank.questions)
        changed = any(a is not b for a, b in zip(questions, bank.questions, strict=True))
        banks.append(replace(bank, questions=questions) if changed else bank)
    return Library(tuple(banks))


def _plus(question: Question, extra: Iterable[str]) -> Question:
    if question.kind is not Kind.TEXT:
        return question
    have = {key(tokens(a)) for a in question.answers}
    new: list[str] = []
    for answer in extra:
        k = key(tokens(answer))
        if k and k not in have:
            have.add(k)
            new.append(answer)
    # Appended: answers[0] stays the canonical answer students are shown.
    return replace(question, answers=(*question.answers, *new)) if new else question
