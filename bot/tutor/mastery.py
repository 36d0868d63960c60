"""How well a student knows a topic: a Beta-prior estimate with recency decay.

Each topic keeps two decayed counts per student: `recent`, the answers, and
`recent_correct`, the right ones. Every new answer first multiplies both by DECAY, so an
answer n answers ago weighs DECAY**n (0.85**6 ≈ 0.38: the last half-dozen answers count
most). Mastery is the posterior mean of a Beta prior worth PRIOR_WEIGHT answers at the
topic's class average p0:

    mastery = (PRIOR_WEIGHT * p0 + recent_correct) / (PRIOR_WEIGHT + recent)

Worked examples, with PRIOR_WEIGHT = 3 and p0 = 0.6:
- one early miss, nothing else: (1.8 + 0) / (3 + 1) = 0.45, but the topic has fewer than
  MIN_ANSWERS answers, so it is not called weak;
- a miss, then three right (recent 3.19, recent_correct 2.57):
  (1.8 + 2.57) / (3 + 3.19) = 0.71: the early miss has faded;
- five misses in a row (recent 3.71, recent_correct 0): 1.8 / 6.71 = 0.27: weak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DECAY = 0.85  # the weight an answer keeps each time a newer answer on the topic comes in
PRIOR_WEIGHT = 3.0  # how many answers' worth of belief the class average carries
DEFAULT_PRIOR = 0.6  # the class average to assume until a topic has enough answers
MIN_CLASS_ANSWERS = 20  # below this many answers in all, a topic uses DEFAULT_PRIOR
MIN_ANSWERS = 3  # a topic is called weak only after this many answers
WEAK_BELOW = 0.6  # mastery under this is weak


@dataclass(frozen=True, slots=True)
class TopicMastery:
    """One student's standing on one topic."""

    topic: str
    answered: int
    correct: int
    mastery: float  # 0..1

    @property
    def weak(self) -> bool:
        """Enough answers to judge, and mastery below the line."""
        return self.answered >= MIN_ANSWERS and self.mastery < WEAK_BELOW


def class_prior(answered: int, correct: int) -> float:
    """A topic's prior: the class's accuracy on it, once there is enough data."""
    return correct / answered if answered >= MIN_CLASS_ANSWERS else DEFAULT_PRIOR


def mastery(recent: float, recent_correct: float, *, prior: float) -> float:
    """The Beta-prior estimate, 0..1, from decayed counts and the topic's prior."""
    return (PRIOR_WEIGHT * prior + recent_correct) / (PRIOR_WEIGHT + recent)


def weakest(topics: Iterable[TopicMastery], *, limit: int = 3) -> list[TopicMastery]:
    """The weak topics, weakest first."""
    weak = [t for t in topics if t.weak]
    weak.sort(key=lambda t: (t.mastery, -t.answered, t.topic))
    return weak[:limit]
