"""Rows and the writes that make up a student's own record of one answer.

Private practice and group challenges both record an answer the same way: into the log,
the student's card, daily streak, totals and topic counters. Each function runs inside
the caller's transaction (see storage.transactions).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from bot.tutor.mastery import DECAY
from bot.tutor.memory import CardState
from bot.tutor.rounds import MAX_POINTS_ANSWER_CHARS, AnswerRecord, Recorded
from bot.tutor.streaks import DailyStreak


def iso(moment: datetime) -> str:
    """UTC ISO 8601, the only way times are stored."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse(text: str) -> datetime:
    """A stored time, back as an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def daily_from_row(row: Sequence[Any]) -> DailyStreak:
    """A daily streak from its six users columns."""
    days, best, last_day, today, count, freezes = row
    return DailyStreak(
        days,
        best,
        date.fromisoformat(last_day) if last_day else None,
        date.fromisoformat(today) if today else None,
        count,
        freezes,
    )


NO_REVIEW = object()  # an answer that reviewed no card (a near miss with a retry left)


def _card_json(card: CardState | object | None) -> str | None:
    """A card as stored in answers.card_before: JSON, "new" for none yet, NULL if no review."""
    if card is NO_REVIEW:
        return None
    if card is None:
        return "new"
    assert isinstance(card, CardState)
    return json.dumps(_card_row(card))


def _card_row(card: CardState) -> list[Any]:
    """A card's fields as stored: the cards columns, and the JSON in answers.card_before."""
    last = iso(card.last_review) if card.last_review else None
    return [card.state, card.step, card.stability, card.difficulty, iso(card.due), last]


def card_from_json(text: str) -> CardState | None:
    """A card from answers.card_before; None for "new"."""
    return None if text == "new" else card_from_row(json.loads(text))


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def card_from_row(row: Sequence[Any]) -> CardState:
    """A card from its stored columns."""
    state, step, stability, difficulty, due, last_review = row
    return CardState(
        state,
        step,
        stability,
        difficulty,
        parse(due),
        parse(last_review) if last_review else None,
    )


def card_of(db: sqlite3.Connection, record: AnswerRecord) -> CardState | None:
    """The student's card for the answer's question, if they have one."""
    row = db.execute(
        "SELECT state, step, stability, difficulty, due, last_review FROM cards"
        " WHERE user_id = ? AND bank = ? AND question_id = ?",
        (record.user_id, record.bank, record.question_id),
    ).fetchone()
    return card_from_row(row) if row else None


def save_card(db: sqlite3.Connection, record: AnswerRecord, card: CardState) -> None:
    """Store the student's card for the answer's question."""
    # first_seen is set once, by the first review: the daily cap on new questions counts it.
    db.execute(
        "INSERT INTO cards(user_id, bank, question_id, state, step, stability, difficulty,"
        " due, last_review, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(user_id, bank, question_id) DO UPDATE SET state = excluded.state,"
        " step = excluded.step, stability = excluded.stability,"
        " difficulty = excluded.difficulty, due = excluded.due,"
        " last_review = excluded.last_review",
        (
            record.user_id,
            record.bank,
            record.question_id,
            *_card_row(card),
            iso(record.answered_at),
        ),
    )


def insert_answer(
    db: sqlite3.Connection,
    record: AnswerRecord,
    *,
    card_before: CardState | object | None = None,
) -> int:
    """Append the answer to the log; its id."""
    cur = db.execute(
        "INSERT INTO answers(user_id, chat_id, bank, question_id, topic, typed, verdict,"
        " answered_at, round_token, card_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.user_id,
            record.chat_id,
            record.bank,
            record.question_id,
            record.topic,
            # Never more than the longest answer anything reads back: a group player's
            # 4,096-character message marked wrong is not worth keeping whole.
            record.typed[:MAX_POINTS_ANSWER_CHARS],
            record.verdict,
            iso(record.answered_at),
            record.round_token,
            _card_json(card_before),
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def name_player(db: sqlite3.Connection, record: AnswerRecord, first_name: str) -> None:
    """Make sure a group player (who may never have opened a private chat) has a users row,
    with the name their answers are shown under."""
    db.execute(
        "INSERT INTO users(id, first_name, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET first_name = excluded.first_name",
        (record.user_id, first_name[:64], iso(record.answered_at)),
    )


def record_personal(
    db: sqlite3.Connection,
    record: AnswerRecord,
    *,
    accepted: bool,
    review: Callable[[CardState | None], CardState] | None = None,
    daily: Callable[[DailyStreak, str | None], DailyStreak] | None = None,
) -> Recorded:
    """Log a settled answer and update the student's card, daily streak, totals and topic.

    `review` and `daily` are called here, inside the transaction: they must be pure."""
    hit = int(accepted)
    before = card_of(db, record) if review is not None else NO_REVIEW
    answer_id = insert_answer(db, record, card_before=before)
    if review is not None:
        save_card(db, record, review(before))
    user = db.execute(
        "SELECT day_streak, best_day_streak, last_day, today, today_count, freezes,"
        " timezone FROM users WHERE id = ?",
        (record.user_id,),
    ).fetchone()
    days = daily_from_row(user[:6]) if user is not None else None
    if days is not None and daily is not None:
        days = daily(days, user[6])
    # One UPDATE for the totals, the answer streak and the daily streak together.
    row = db.execute(
        "UPDATE users SET answered = answered + 1, correct = correct + :hit,"
        " streak = CASE WHEN :hit THEN streak + 1 ELSE 0 END,"
        " best_streak = MAX(best_streak, CASE WHEN :hit THEN streak + 1 ELSE 0 END),"
        " day_streak = :days, best_day_streak = :best_days, last_day = :last_day,"
        " today = :today, today_count = :today_count, freezes = :freezes"
        " WHERE id = :user RETURNING streak, best_streak",
        {"hit": hit, "user": record.user_id, **_day_columns(days)},
    ).fetchone()
    db.execute(
        "INSERT INTO topic_stats(user_id, topic, answered, correct, recent,"
        " recent_correct) VALUES (:user, :topic, 1, :hit, 1, :hit)"
        " ON CONFLICT(user_id, topic) DO UPDATE SET answered = answered + 1,"
        " correct = correct + excluded.correct,"
        " recent = recent * :decay + 1,"
        " recent_correct = recent_correct * :decay + excluded.correct",
        {"user": record.user_id, "topic": record.topic, "hit": hit, "decay": DECAY},
    )
    return Recorded(answer_id, *(row if row else (0, 0)))


def _day_columns(days: DailyStreak | None) -> dict[str, Any]:
    if days is None:  # no such user: the UPDATE matches nothing anyway
        days = DailyStreak()
    return {
        "days": days.days,
        "best_days": days.best,
        "last_day": _day(days.last_day),
        "today": _day(days.today),
        "today_count": days.today_count,
        "freezes": days.freezes,
    }
