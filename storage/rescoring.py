"""Re-scoring a logged answer after the fact: a student's "I was right", a teacher's decision.

Each function runs inside the caller's transaction (see storage.transactions). An
answer's score lives in several places at once (totals, the answer streak, topic counters,
its round and its card); these change them together.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.tutor.mastery import DECAY
from bot.tutor.memory import CardState
from bot.tutor.rounds import AnswerRecord
from storage.records import card_from_json, parse, save_card


@dataclass(frozen=True, slots=True)
class Logged:
    """What re-scoring needs of one logged answer: the answers columns id, user_id, bank,
    question_id, topic, round_token, card_before and answered_at, in that order."""

    id: int
    user_id: int
    bank: str
    question_id: str
    topic: str
    round_token: str | None
    card_before: str | None  # JSON; None if the answer reviewed no card
    answered_at: str


def rescore(
    db: sqlite3.Connection,
    answer: Logged,
    *,
    right: bool,
    replay: Callable[[CardState | None, datetime], CardState] | None = None,
) -> None:
    """Count a logged miss as right (or, `right=False`, take that back): the student's total,
    the topic's counters, and the round it was part of if that is still being played. With
    `replay`, a right answer's card is reviewed again from the state before it, unless a
    later review has built on it. Streaks are replayed separately, once per student
    (`restreak`), after every answer of theirs has changed."""
    step = 1 if right else -1
    db.execute(
        "UPDATE users SET correct = MAX(0, correct + ?) WHERE id = ?", (step, answer.user_id)
    )
    # The answer's weight in the topic's decayed counts: DECAY per later answer on it.
    (later,) = db.execute(
        "SELECT COUNT(*) FROM answers WHERE user_id = ? AND topic = ? AND id > ?"
        " AND verdict != 'almost'",
        (answer.user_id, answer.topic, answer.id),
    ).fetchone() or (0,)
    db.execute(
        "UPDATE topic_stats SET correct = MAX(0, correct + ?),"
        " recent_correct = MAX(0, recent_correct + ?) WHERE user_id = ? AND topic = ?",
        (step, step * DECAY**later, answer.user_id, answer.topic),
    )
    if right and replay is not None and answer.card_before is not None:
        _replay_card(db, answer, replay)
    db.execute(
        "UPDATE rounds SET correct = MAX(0, correct + ?) WHERE user_id = ? AND token = ?",
        (step, answer.user_id, answer.round_token),
    )


def restreak(db: sqlite3.Connection, user_id: int, *, lowered: bool = False) -> None:
    """Set the student's answer streak from the log. `lowered`: an answer stopped counting
    as right, so the best streak may fall too (otherwise it only ever rises)."""
    streak, best = streaks_from_log(db, user_id)
    db.execute(
        "UPDATE users SET streak = ?,"
        " best_streak = CASE WHEN ? THEN ? ELSE MAX(best_streak, ?) END WHERE id = ?",
        (streak, int(lowered), best, best, user_id),
    )


def streaks_from_log(db: sqlite3.Connection, user_id: int) -> tuple[int, int]:
    """(current, best) answer streak replayed from the log, disputed answers as right
    unless a teacher turned the dispute down.

    Only disputes need this, and they are rare; replaying keeps the result the same
    whichever of several misses is disputed first.
    """
    streak = best = 0
    for (right,) in db.execute(
        "SELECT a.verdict IN ('correct', 'typo') OR IFNULL(d.status != 'rejected', 0)"
        " FROM answers a LEFT JOIN disputes d ON d.answer_id = a.id"
        " WHERE a.user_id = ? AND a.verdict != 'almost' ORDER BY a.id",
        (user_id,),
    ):
        streak = streak + 1 if right else 0
        best = max(best, streak)
    return streak, best


def _replay_card(
    db: sqlite3.Connection,
    answer: Logged,
    replay: Callable[[CardState | None, datetime], CardState],
) -> None:
    (latest,) = db.execute(
        "SELECT MAX(id) FROM answers WHERE user_id = ? AND bank = ? AND question_id = ?"
        " AND card_before IS NOT NULL",
        (answer.user_id, answer.bank, answer.question_id),
    ).fetchone() or (None,)
    if latest != answer.id:
        return  # a later review built on this one: leave the schedule as it is
    assert answer.card_before is not None
    at = parse(answer.answered_at)
    record = AnswerRecord(
        answer.user_id, answer.user_id, answer.bank, answer.question_id, "", "", "", at
    )
    save_card(db, record, replay(card_from_json(answer.card_before), at))
