"""`quizbot bank stats`: what a bank holds, per topic, type and difficulty."""

from __future__ import annotations

from collections import Counter

from quizbank.model import Bank, Kind

_DIFFICULTY = {1: "1 easy", 2: "2 medium", 3: "3 hard"}


def bank_stats(bank: Bank) -> str:
    """A plain-text table of a bank's questions per topic, per type and per difficulty."""
    questions = bank.questions
    per_topic = Counter(q.topic for q in questions)
    per_kind = Counter(q.kind for q in questions)
    per_level = Counter(q.difficulty for q in questions)
    width = max((len(t.name) for t in bank.topics), default=10)
    lines = [f"{bank.title} ({bank.id}): {len(questions)} questions", "", "per topic:"]
    lines += [f"  {t.name:<{width}}  {per_topic[t.id]:>4}" for t in bank.topics]
    lines += ["", "per type:"]
    lines += [f"  {k.value:<{width}}  {per_kind[k]:>4}" for k in Kind]
    lines += ["", "per difficulty:"]
    lines += [f"  {_DIFFICULTY[d]:<{width}}  {per_level[d]:>4}" for d in sorted(_DIFFICULTY)]
    return "\n".join(lines)
