"""SQLite storage: migrations, pragmas, and one transaction per repository call."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest
from fsrs import Rating

from bot.tutor.memory import review, reviewed_right
from bot.tutor.rounds import AnswerRecord, DisputeResult, Round
from bot.tutor.service import NEW_PER_DAY, Tutor
from bot.tutor.streaks import DailyStreak, after_answer
from quizbank.grading import Outcome
from quizbank.loader import builtin_paths, load_library
from storage.db import connect
from storage.migrations import MIGRATIONS, migrate
from storage.repository import Repository
from tests.support import DRILL_BANK

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    conn = await connect(tmp_path / "sub" / "q.sqlite3")
    yield conn
    await conn.close()


async def test_connect_creates_the_file_migrates_and_sets_pragmas(
    db: aiosqlite.Connection, tmp_path: Path
) -> None:
    assert (tmp_path / "sub" / "q.sqlite3").exists()
    async with db.execute("SELECT name FROM schema_migrations ORDER BY name") as cur:
        assert [r[0] for r in await cur.fetchall()] == [name for name, _ in MIGRATIONS]
    pragmas = {}
    for name in ("journal_mode", "foreign_keys", "synchronous"):
        async with db.execute(f"PRAGMA {name}") as cur:
            pragmas[name] = (await cur.fetchone())[0]
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1}
    assert await migrate(db) == []  # a second run applies nothing


def _record(user: int, verdict: Outcome, topic: str = "space") -> AnswerRecord:
    return AnswerRecord(user, user, "khrushchev", "q1", topic, "typed", verdict.value, NOW)


async def test_streaks_and_topic_stats_follow_the_answers(db: aiosqlite.Connection) -> None:
    repo = Repository(db)
    await repo.ensure_user(1, "Ana", now=NOW)
    rnd = Round(1, 1, "abcdef", ("k:a", "k:b", "k:c", "k:d"), NOW)
    await repo.save_round(rnd)
    streaks = []
    for outcome in (Outcome.CORRECT, Outcome.TYPO, Outcome.WRONG, Outcome.CORRECT):
        rnd = rnd.advance(outcome)
        saved = await repo.record_answer(_record(1, outcome), accepted=outcome.accepted, rnd=rnd)
        streaks.append((saved.streak, saved.best_streak))
    assert streaks == [(1, 1), (2, 2), (0, 2), (1, 2)]
    stats = await repo.stats(1)
    assert (stats.answered, stats.correct, stats.streak, stats.best_streak) == (4, 3, 1, 2)
    assert [(t.topic, t.answered, t.correct) for t in stats.topics] == [("space", 4, 3)]
    assert await repo.load_round(1) is None  # the finished round is gone
    assert [a.verdict for a in await repo.answers(1)] == ["correct", "typo", "wrong", "correct"]


async def test_a_round_survives_a_reconnect(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    conn = await connect(path)
    repo = Repository(conn)
    await repo.ensure_user(2, "Ben", now=NOW)
    rnd = Round(2, 2, "tok123", ("k:a", "k:b"), NOW, topic="space")
    await repo.save_round(rnd)
    await repo.record_answer(
        _record(2, Outcome.CORRECT), accepted=True, rnd=rnd.advance(Outcome.CORRECT)
    )
    await conn.close()
    conn = await connect(path)
    try:
        loaded = await Repository(conn).load_round(2)
    finally:
        await conn.close()
    assert loaded == Round(
        2, 2, "tok123", ("k:a", "k:b"), NOW, position=1, answered=1, correct=1, topic="space"
    )


async def test_a_failed_write_leaves_nothing_half_done(db: aiosqlite.Connection) -> None:
    repo = Repository(db)
    rnd = Round(3, 3, "tok123", ("k:a",), NOW)
    # No user row: the foreign key fails inside the transaction, which must roll back whole.
    with pytest.raises(aiosqlite.IntegrityError):
        await repo.record_answer(_record(3, Outcome.CORRECT), accepted=True, rnd=rnd)
    async with db.execute("SELECT COUNT(*) FROM answers") as cur:
        assert (await cur.fetchone())[0] == 0
    await repo.ensure_user(3, "Cy", now=NOW)  # and the connection is usable afterwards
    assert await repo.is_active(3) is True


async def test_two_processes_opening_a_new_database_at_once_both_succeed(tmp_path: Path) -> None:
    # The bot and `quizbot play` may share one file; each connection has its own thread,
    # so this races the migrations exactly as two processes would.
    for attempt in range(15):
        path = tmp_path / f"race{attempt}.sqlite3"
        first, second = await asyncio.gather(connect(path), connect(path))
        try:
            async with first.execute("SELECT COUNT(*) FROM schema_migrations") as cur:
                assert (await cur.fetchone())[0] == len(MIGRATIONS)
        finally:
            await first.close()
            await second.close()


TEXT = frozenset({("khrushchev", "q1")})  # the questions whose answers may be disputed


async def _play(
    repo: Repository, user: int, token: str, outcomes: list[Outcome], *, size: int = 9
) -> list[int]:
    """Save a round of `size` for `user` and answer it with `outcomes`; the answer ids."""
    rnd = Round(user, user, token, tuple(f"k:{i}" for i in range(size)), NOW)
    await repo.save_round(rnd)
    ids = []
    for outcome in outcomes:
        rnd = rnd.advance(outcome)
        record = replace(_record(user, outcome), round_token=token)
        ids.append((await repo.record_answer(record, accepted=outcome.accepted, rnd=rnd)).answer_id)
    return ids


async def test_a_dispute_rescores_the_answer_once_and_restores_the_streak(
    db: aiosqlite.Connection,
) -> None:
    repo = Repository(db)
    await repo.ensure_user(4, "Di", now=NOW)
    await repo.ensure_user(5, "Ed", now=NOW)
    c, w = Outcome.CORRECT, Outcome.WRONG
    ids = await _play(repo, 4, "tok456", [c, c, w])

    async def dispute(answer: int, user: int = 4, allowed: frozenset = TEXT) -> DisputeResult:
        return await repo.dispute(answer, user, now=NOW, can_dispute=allowed)

    assert await dispute(ids[0]) is DisputeResult.NOT_ALLOWED  # it was right
    assert await dispute(ids[2], user=5) is DisputeResult.NOT_ALLOWED  # not Ed's answer
    assert await dispute(ids[2], allowed=frozenset()) is DisputeResult.NOT_ALLOWED  # a choice
    assert await dispute(ids[2]) is DisputeResult.RECORDED
    assert await dispute(ids[2]) is DisputeResult.ALREADY
    stats = await repo.stats(4)
    assert (stats.correct, stats.streak, stats.best_streak, stats.disputed) == (3, 3, 3, 1)
    assert stats.topics[0].correct == 3
    assert (await repo.load_round(4)).correct == 3  # the running round counts it too
    [dispute_row] = await repo.disputes()
    assert (dispute_row.question_id, dispute_row.typed, dispute_row.user_id) == ("q1", "typed", 4)
    assert [a.verdict for a in await repo.answers(4)][-1] == "wrong"  # the log is unchanged


async def test_disputing_an_older_answer_mends_the_streak_only_if_nothing_broke_it_since(
    db: aiosqlite.Connection,
) -> None:
    repo = Repository(db)
    c, w = Outcome.CORRECT, Outcome.WRONG
    for user in (6, 7):
        await repo.ensure_user(user, "U", now=NOW)
    mended = await _play(repo, 6, "tok666", [c, c, w, c, c])
    await repo.dispute(mended[2], 6, now=NOW, can_dispute=TEXT)
    stats = await repo.stats(6)
    assert (stats.streak, stats.best_streak) == (5, 5)
    broken = await _play(repo, 7, "tok777", [c, w, c, w, c])
    await repo.dispute(broken[1], 7, now=NOW, can_dispute=TEXT)
    stats = await repo.stats(7)
    # The later miss still breaks the streak; the first three answers now make a best of 3.
    assert (stats.correct, stats.streak, stats.best_streak) == (4, 1, 3)


async def test_a_dispute_scores_its_own_round_and_no_later_one(db: aiosqlite.Connection) -> None:
    repo = Repository(db)
    await repo.ensure_user(8, "Fi", now=NOW)
    first = await _play(repo, 8, "first1", [Outcome.WRONG], size=1)  # round over
    await _play(repo, 8, "secnd2", [], size=3)  # a new round, same second, nothing answered
    await repo.dispute(first[0], 8, now=NOW, can_dispute=TEXT)
    later = await repo.load_round(8)
    assert (later.token, later.correct, later.answered) == ("secnd2", 0, 0)


async def test_the_streak_is_the_same_whichever_miss_is_disputed_first(
    db: aiosqlite.Connection,
) -> None:
    repo = Repository(db)
    c, w = Outcome.CORRECT, Outcome.WRONG
    results = []
    for user, order in ((9, (0, 1)), (10, (1, 0))):
        await repo.ensure_user(user, "U", now=NOW)
        ids = await _play(repo, user, f"tok{user:03d}", [c] * 5 + [w, w, c])
        misses = ids[5:7]
        for index in order:
            await repo.dispute(misses[index], user, now=NOW, can_dispute=TEXT)
        stats = await repo.stats(user)
        results.append((stats.streak, stats.best_streak))
    assert results == [(8, 8), (8, 8)]


async def test_a_dispute_replays_the_card_as_right_and_lifts_mastery(
    db: aiosqlite.Connection,
) -> None:
    repo = Repository(db)
    await repo.ensure_user(11, "Gi", now=NOW)
    rnd = Round(11, 11, "tok011", ("k:a", "k:b"), NOW)
    await repo.save_round(rnd)
    record = replace(_record(11, Outcome.WRONG), round_token="tok011")
    saved = await repo.record_answer(
        record,
        accepted=False,
        rnd=rnd.advance(Outcome.WRONG),
        review=lambda card: review(card, Rating.Again, NOW),
    )
    [(_, missed)] = await repo.due_cards(11, now=NOW + timedelta(days=30))
    before = (await repo.stats(11)).topics[0]
    await repo.dispute(saved.answer_id, 11, now=NOW, can_dispute=TEXT, replay=reviewed_right)
    [(_, replayed)] = await repo.due_cards(11, now=NOW + timedelta(days=30))
    assert replayed.due > missed.due  # scheduled as a right answer: further out
    after = (await repo.stats(11)).topics[0]
    assert (after.correct, after.recent_correct) == (before.correct + 1, before.recent_correct + 1)


async def test_two_answers_arriving_together_are_both_counted_once(tmp_path: Path) -> None:
    # Two connections (as two processes would be) record answers for one student at once:
    # streaks and the day's count must see both, never one overwriting the other.
    path = tmp_path / "together.sqlite3"
    first, second = await connect(path), await connect(path)
    try:
        await Repository(first).ensure_user(12, "Hu", now=NOW)
        day = NOW.date()

        def count_day(streak: DailyStreak, zone: str | None) -> DailyStreak:
            return after_answer(streak, day)

        repos = [Repository(first), Repository(second)]  # one per connection, as in the bot

        async def answer(repo: Repository, n: int) -> None:
            rnd = Round(12, 12, f"tok{n:03d}", ("k:a", "k:b"), NOW)
            await repo.record_answer(
                _record(12, Outcome.CORRECT),
                accepted=True,
                rnd=rnd.advance(Outcome.CORRECT),
                daily=count_day,
            )

        await asyncio.gather(*(answer(r, n) for n, r in enumerate(repos * 5)))
        stats = await Repository(first).stats(12)
    finally:
        await first.close()
        await second.close()
    assert (stats.answered, stats.correct, stats.streak) == (10, 10, 10)
    assert (stats.daily.today_count, stats.daily.days) == (10, 1)  # one day, counted once


async def test_migration_005_gives_old_answers_the_weight_the_decay_allows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        await conn.execute(
            "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL"
            " DEFAULT CURRENT_TIMESTAMP)"
        )
        for name, step in MIGRATIONS[:4]:  # a database from before 005
            await step(conn)
            await conn.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))
        await conn.execute(
            "INSERT INTO users(id, first_name, created_at) VALUES (13, 'Old', '2026-01-01')"
        )
        await conn.execute(
            "INSERT INTO topic_stats(user_id, topic, answered, correct) VALUES (13, 'x', 40, 10)"
        )
        await migrate(conn)
        async with conn.execute(
            "SELECT recent, recent_correct FROM topic_stats WHERE user_id = 13"
        ) as cur:
            recent, recent_correct = await cur.fetchone()
    finally:
        await conn.close()
    assert recent == pytest.approx((1 - 0.85**40) / 0.15)  # about 6.7, not 40
    assert recent_correct == pytest.approx(recent * 10 / 40)


async def _meet(repo: Repository, user: int, question: str, at: datetime) -> None:
    """The student answers `question` for the first time at `at` (its card's first_seen)."""
    record = AnswerRecord(user, user, "khrushchev", question, "space", "x", "wrong", at)
    rnd = Round(user, user, "tok", (f"khrushchev:{question}",), at)
    await repo.record_answer(
        record,
        accepted=False,
        rnd=rnd.advance(Outcome.WRONG),
        review=lambda card: review(card, Rating.Again, at),
    )


async def test_a_round_start_reads_everything_it_needs_at_once(db: aiosqlite.Connection) -> None:
    repo = Repository(db)
    await repo.set_timezone(7, "Pacific/Auckland", now=NOW)  # 09:30 UTC is 22:30 there
    await _meet(repo, 7, "q1", NOW + timedelta(hours=1))  # 23:30 on 2 Nov in Auckland
    await _meet(repo, 7, "q2", NOW + timedelta(hours=3))  # 01:30 on 3 Nov in Auckland
    at = NOW + timedelta(days=2)
    zones = []

    def day_start(zone: str | None) -> datetime:
        zones.append(zone)
        return datetime(2026, 11, 2, 11, 0, tzinfo=UTC)  # Auckland's midnight into 3 Nov

    student = await repo.learner(7, now=at, day_start=day_start)
    assert zones == ["Pacific/Auckland"]  # the student's own zone decides their day
    assert student.new_today == 1
    assert student.seen == {"khrushchev:q1", "khrushchev:q2"}
    assert student.due == await repo.due_cards(7, now=at)
    assert student.stats == await repo.stats(7)
    assert student.stats.answered == 2


async def test_the_daily_cap_on_new_questions_follows_the_students_own_day(
    db: aiosqlite.Connection,
) -> None:
    library, problems = load_library(builtin_paths())
    assert not problems
    repo = Repository(db)
    tutor = Tutor(store=repo, library=library, rng=random.Random(5), zone="Europe/London")
    await repo.set_timezone(8, "Pacific/Auckland", now=NOW)
    met = list(library.questions)[:NEW_PER_DAY]
    for n, question in enumerate(met):  # 11:00-11:19 UTC: just after midnight in Auckland
        record = AnswerRecord(8, 8, question.bank, question.id, question.topic, "x", "right", NOW)
        rnd = Round(8, 8, "tok", (question.key,), NOW)
        at = datetime(2026, 11, 2, 11, n, tzinfo=UTC)
        await repo.record_answer(
            replace(record, answered_at=at),
            accepted=True,
            rnd=rnd.advance(Outcome.CORRECT),
            review=lambda card, at=at: review(card, Rating.Good, at),
        )
    seen = {q.key for q in met}
    # 12:00 UTC is 01:00 on 3 Nov in Auckland: today's 20 new questions are used up.
    started = await tutor.start_round(8, 8, at=datetime(2026, 11, 2, 12, 0, tzinfo=UTC))
    assert started is not None and set(started.round.questions) <= seen
    # 10:30 UTC the next day is 23:30 on 3 Nov there still: no new ones yet.
    started = await tutor.start_round(8, 8, at=datetime(2026, 11, 3, 10, 30, tzinfo=UTC))
    assert started is not None and set(started.round.questions) <= seen
    # 11:30 UTC is 00:30 on 4 Nov in Auckland: a new day, with new questions again.
    started = await tutor.start_round(8, 8, at=datetime(2026, 11, 3, 11, 30, tzinfo=UTC))
    assert started is not None and set(started.round.questions) - seen


async def test_a_teachers_push_and_the_students_own_answer_never_undo_each_other(
    db: aiosqlite.Connection,
) -> None:
    library, _ = load_library([*builtin_paths(), DRILL_BANK])
    tutor = Tutor(store=Repository(db), library=library, rng=random.Random(5))
    started = await tutor.start_round(9, 9, at=NOW, size=3, topic="drill")
    assert started is not None
    first = started.question
    pushed = next(q.key for q in library.pool("drill") if q.key not in started.round.questions)
    # The student answers while a push reaches them: both must survive, in either order.
    await asyncio.gather(tutor.answer(9, first.canonical, at=NOW), tutor.offer(9, pushed, at=NOW))
    saved = await Repository(db).load_round(9)
    assert saved is not None and saved.answered == 1
    assert pushed in saved.questions[saved.position :]
