"""Realistic (expected, typed, verdict) cases for the grader: phone typing on the Khrushchev topics.

Each Case describes a question by its grading fields only. `parts` makes it a multi-part
question: each part is a tuple of alternatives, all parts must be given, in any order.
"""

from __future__ import annotations

from dataclasses import dataclass

C, T, A, P, W = "correct", "typo", "almost", "partial", "wrong"


@dataclass(frozen=True)
class Case:
    """One graded reply; `why` says what the case is for."""

    answers: tuple[str, ...]
    typed: str
    verdict: str
    why: str = ""
    reject: tuple[str, ...] = ()
    parts: tuple[tuple[str, ...], ...] = ()
    typo: int | None = None  # per-question override of the edits allowed per word
    short_year: bool = False  # the bank allows "56" for 1956


CASES: list[Case] = []
