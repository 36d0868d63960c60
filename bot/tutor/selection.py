"""Choose the questions for a round: what this student needs now."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from quizbank.model import Question


def pick_round(questions: Sequence[Question], size: int, rng: random.Random) -> list[str]:
    """Up to `size` distinct question keys in random order, avoiding a topic twice in a row."""
    pool = list(questions)
    rng.shuffle(pool)
    return spread_topics(pool, size)


def plan_round(
    questions: Sequence[Question],
    size: int,
    rng: random.Random,
    *,
    due: Sequence[str] = (),
    weak_topics: Sequence[str] = (),
    seen: Collection[str] = (),
    new_allowed: int | None = None,
) -> list[str]:
    """A round in the tutor's order of need.

    1. Due reviews, as given (least likely to be remembered first).
    2. Then questions from the weakest topics, as given (weakest, or barely tried, first):
       up to half of what is left, so a round still brings something new.
    3. Then new questions in syllabus order (the order of `questions`), at most
       `new_allowed` of them (what is left of the day's cap on new questions).
    4. Then questions met before but not yet due, at random: once everything is seen, or
       the day's new questions are used up.
    The result never has the same topic twice in a row when there is a choice.
    """
    by_key = {q.key: q for q in questions}
    chosen: list[Question] = [by_key[k] for k in due if k in by_key][:size]
    taken = {q.key for q in chosen}
    by_topic: dict[str, list[Question]] = {}
    for q in questions:
        by_topic.setdefault(q.topic, []).append(q)

    fresh_left = size if new_allowed is None else max(new_allowed, 0)
    share = (size - len(chosen) + 1) // 2
    for topic in weak_topics:
        if share <= 0 or len(chosen) >= size:
            break
        pool = [q for q in by_topic.get(topic, ()) if q.key not in taken]
        fresh = [q for q in pool if q.key not in seen]
        # Unseen questions of the topic first, then ones seen before; sampled, not shuffled
        # whole: a big bank has thousands.
        picks = rng.sample(fresh, min(share, len(fresh), fresh_left))  # new ones: within the cap
        fresh_left -= len(picks)
        old = [q for q in pool if q.key in seen]
        picks += rng.sample(old, min(share - len(picks), len(old)))
        picks = picks[: size - len(chosen)]
        chosen += picks
        taken.update(q.key for q in picks)
        share -= len(picks)

    for q in questions:  # new questions, in syllabus order
        if len(chosen) >= size or fresh_left <= 0:
            break
        if q.key not in taken and q.key not in seen:
            chosen.append(q)
            taken.add(q.key)
            fresh_left -= 1

    if len(chosen) < size:  # everything seen, or the cap reached: questions met before
        rest = [q for q in questions if q.key not in taken and q.key in seen]
        if not rest and fresh_left > 0:
            rest = [q for q in questions if q.key not in taken]
        chosen += rng.sample(rest, min(size - len(chosen), len(rest)))
    return spread_topics(chosen, size)


def spread_topics(questions: Sequence[Question], size: int) -> list[str]:
    """Keep the order, but never the same topic twice in a row when another can go next."""
    pool = list(questions)
    ordered: list[Question] = []
    while pool and len(ordered) < size:
        last = ordered[-1].topic if ordered else None
        index = next((i for i, q in enumerate(pool) if q.topic != last), 0)
        ordered.append(pool.pop(index))
    return [q.key for q in ordered]
