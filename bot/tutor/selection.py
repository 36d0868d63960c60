"""Choose the questions for a round."""

from __future__ import annotations

import random
from collections.abc import Sequence

from quizbank.model import Question


def pick_round(questions: Sequence[Question], size: int, rng: random.Random) -> list[str]:
    """Up to `size` distinct question keys in random order, avoiding a topic twice in a row."""
    pool = list(questions)
    rng.shuffle(pool)
    chosen: list[Question] = []
    while pool and len(chosen) < size:
        last = chosen[-1].topic if chosen else None
        index = next((i for i, q in enumerate(pool) if q.topic != last), 0)
        chosen.append(pool.pop(index))
    return [q.key for q in chosen]
