"""The selection mix: due reviews, then weak topics, then new questions in syllabus order."""

from __future__ import annotations

import itertools
import random

from bot.tutor.selection import plan_round
from quizbank.model import Kind, Question


def _bank() -> list[Question]:
    """Four topics of five questions each, in syllabus order a1..a5, b1..b5, …"""
    return [
        Question(
            bank="t",
            id=f"{topic}{n}",
            topic=topic,
            kind=Kind.TEXT,
            prompt="?",
            answers=("x",),
            explanation="e",
            source=("s",),
        )
        for topic in "abcd"
        for n in range(1, 6)
    ]


def test_due_reviews_come_first_in_the_order_given() -> None:
    keys = plan_round(
        _bank(), 10, random.Random(1), due=["t:c2", "t:a1", "t:d4"], seen={"t:c2", "t:a1", "t:d4"}
    )
    assert keys[:3] == ["t:c2", "t:a1", "t:d4"]


def test_then_weak_topics_take_up_to_half_of_the_rest_then_new_in_syllabus_order() -> None:
    seen = {"t:a1", "t:a2"}
    keys = plan_round(_bank(), 8, random.Random(2), due=[], weak_topics=["c"], seen=seen)
    topics = [k[2] for k in keys]
    assert topics.count("c") == 4  # half of 8 from the weak topic
    new = [k for k in keys if k[2] != "c"]
    assert new == ["t:a3", "t:a4", "t:a5", "t:b1"]  # the first unseen, in syllabus order


def test_never_the_same_topic_twice_in_a_row_when_there_is_a_choice() -> None:
    for seed in range(20):
        keys = plan_round(
            _bank(),
            10,
            random.Random(seed),
            weak_topics=["b", "d"],
            due=["t:b1", "t:b2"],
            seen={"t:b1", "t:b2"},
        )
        topics = [k[2] for k in keys]
        assert all(x != y for x, y in itertools.pairwise(topics)), topics
        assert len(set(keys)) == len(keys) == 10


def test_when_everything_has_been_seen_the_round_is_still_full() -> None:
    bank = _bank()
    keys = plan_round(bank, 10, random.Random(3), seen={q.key for q in bank})
    assert len(set(keys)) == 10


def test_new_questions_stop_at_the_daily_cap_and_seen_ones_fill_the_round() -> None:
    bank = _bank()
    seen = {q.key for q in bank if q.topic == "d"}
    keys = plan_round(bank, 6, random.Random(4), seen=seen, new_allowed=2)
    assert [k for k in keys if k not in seen] == ["t:a1", "t:a2"]  # two new, in syllabus order
    assert len(keys) == 6 and sum(k in seen for k in keys) == 4
    assert plan_round(bank[:5], 3, random.Random(4), new_allowed=0) == []  # nothing met yet


def test_weak_topics_also_respect_the_daily_cap_on_new_questions() -> None:
    bank = _bank()
    keys = plan_round(
        bank, 10, random.Random(1), weak_topics=["a", "b"], seen={"t:a1", "t:a2"}, new_allowed=0
    )
    assert set(keys) <= {"t:a1", "t:a2"}  # nothing new after the cap, weak topic or not
