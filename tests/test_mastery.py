"""Mastery per topic: the module's worked examples, computed by its pure functions."""

from __future__ import annotations

import pytest

from bot.tutor.mastery import (
    DECAY,
    DEFAULT_PRIOR,
    TopicMastery,
    class_prior,
    mastery,
    weakest,
)


def _counts(hits: list[int]) -> tuple[float, float]:
    recent = recent_correct = 0.0
    for hit in hits:
        recent, recent_correct = recent * DECAY + 1, recent_correct * DECAY + hit
    return recent, recent_correct


@pytest.mark.parametrize(
    ("hits", "expected"),
    [
        ([0], 0.45),  # one early miss
        ([0, 1, 1, 1], 0.71),  # …then three right: the miss has faded
        ([0, 0, 0, 0, 0], 0.27),  # five misses: weak
        ([1, 1, 1, 1, 1, 1, 1, 1], 0.85),  # eight right: the prior still tempers it
    ],
)
def test_worked_examples_from_the_module(hits: list[int], expected: float) -> None:
    assert mastery(*_counts(hits), prior=0.6) == pytest.approx(expected, abs=0.005)


def test_the_prior_is_the_class_average_once_there_is_enough_data() -> None:
    assert class_prior(10, 9) == DEFAULT_PRIOR  # too few answers to trust
    assert class_prior(40, 10) == 0.25


def test_a_topic_is_weak_only_after_three_answers_and_weakest_come_first() -> None:
    topics = [
        TopicMastery("a", 2, 0, 0.20),  # too few answers to call weak
        TopicMastery("b", 5, 1, 0.35),
        TopicMastery("c", 4, 2, 0.55),
        TopicMastery("d", 9, 8, 0.80),
    ]
    assert [t.topic for t in weakest(topics)] == ["b", "c"]
