"""Benchmark: how fast the grader marks a realistic mix of typed answers.

Run: .venv/bin/python bench/grading.py [--runs 7]
Prints grades per second and microseconds per grade (median of runs), and the machine.
Not a test and not part of CI: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time

import rapidfuzz

from quizbank.grading import Outcome, grade, known_terms
from quizbank.loader import builtin_paths, load_library
from quizbank.model import Kind, Question


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("swap", "drop", "double", "replace"))
    if edit == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    if edit == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiourstn") + word[i + 1 :]


def replies(questions: list[Question], rng: random.Random, n: int) -> list[tuple[Question, str]]:
    """A mix like real phone typing: mostly right or nearly right, a third wrong."""
    text = [q for q in questions if q.kind is Kind.TEXT]
    others = [a for q in text for a in q.answers]
    out = []
    for _ in range(n):
        q = rng.choice(text)
        answer = rng.choice(q.answers)
        kind = rng.random()
        if kind < 0.30:
            typed = answer.lower()
        elif kind < 0.50:
            typed = " ".join(_typo(w, rng) for w in answer.split())
        elif kind < 0.58:
            typed = f"it was {answer}"
        elif kind < 0.85:
            typed = rng.choice(others)
        elif kind < 0.92:
            typed = f"{answer} or {rng.choice(others)}"
        else:
            typed = f"I think that in the end it was {answer} who did it"
        out.append((q, typed))
    return out


def main() -> None:
    """Grade the mix several times and print the median speed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--replies", type=int, default=5000)
    args = parser.parse_args()
    library, _ = load_library(builtin_paths())
    known = known_terms(library.questions)
    mix = replies(list(library.questions), random.Random(2026), args.replies)
    outcomes: dict[Outcome, int] = {}
    timings = []
    for run in range(args.runs + 1):  # run 0 warms the caches, as a running bot has them
        start = time.perf_counter()
        for question, typed in mix:
            verdict = grade(question, typed, known=known)
            if run == 0:
                outcomes[verdict.outcome] = outcomes.get(verdict.outcome, 0) + 1
        elapsed = time.perf_counter() - start
        if run:
            timings.append(elapsed)
    median = statistics.median(timings)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"python {platform.python_version()}, rapidfuzz {rapidfuzz.__version__}")
    print(f"mix of {len(mix)} replies: " + ", ".join(f"{o.value} {c}" for o, c in outcomes.items()))
    print(
        f"median of {args.runs} runs: {len(mix) / median:,.0f} grades/s, "
        f"{median / len(mix) * 1e6:.1f} µs per grade "
        f"(fastest run {min(timings) / len(mix) * 1e6:.1f} µs, slowest "
        f"{max(timings) / len(mix) * 1e6:.1f} µs)"
    )


if __name__ == "__main__":
    main()
