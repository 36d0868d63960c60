"""The tutor: starts rounds, grades answers, records them and says what comes next.

Both the Telegram handlers and `quizbot play` call this, so they behave the same.
Rounds are cached in memory (the hot path reads no round from disk) and every change is
written to SQLite before the caller replies, so a restart resumes where the student was.
"""

from __future__ import annotations

import asyncio
import functools
import random
import string
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from bot.tutor.mastery import (
    DEFAULT_PRIOR,
    MIN_ANSWERS,
    TopicMastery,
    class_prior,
    mastery,
    weakest,
)
from bot.tutor.memory import CardState, recall, reviewed_right, reviewer
from bot.tutor.rounds import (
    DEFAULT_ROUND,
    MAX_ANSWER_CHARS,
    MAX_POINTS_ANSWER_CHARS,
    SELF_MARKS,
    AnswerRecord,
    DisputeResult,
    NothingDue,
    Overview,
    Retry,
    Round,
    SelfCheck,
    Started,
    Stats,
    Summary,
    Turn,
    Unreadable,
)
from bot.tutor.selection import pick_round, plan_round
from bot.tutor.store import TutorStore
from bot.tutor.streaks import day_counter, standing
from bot.tutor.zones import zone_named
from quizbank.grading import Outcome, Verdict, grade, known_terms
from quizbank.model import Kind, Library, Question
from quizbank.normalise import tokens
from quizbank.replies import choice_index, points_made

_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
_NO_ROUND = object()
NEW_PER_DAY = 20  # new questions a day: more than this and reviews pile up later
_PRIORS_FOR = timedelta(minutes=10)
_FAR = datetime(9999, 1, 1, tzinfo=UTC)
# A round with no answer for this long is left: a teacher's question no longer waits behind it.
ABANDONED_AFTER = timedelta(minutes=20)


P = ParamSpec("P")
R = TypeVar("R")


def _one_at_a_time(
    method: Callable[Concatenate[Tutor, int, P], Awaitable[R]],
) -> Callable[Concatenate[Tutor, int, P], Awaitable[R]]:
    """Run a method that reads and rewrites a student's round under that student's lock.

    A teacher's push (a timer or another chat's command) can reach a student while their
    own answer is being handled; without this, one of the two saves would undo the other.
    """

    @functools.wraps(method)
    async def serialised(self: Tutor, user_id: int, *args: P.args, **kwargs: P.kwargs) -> R:
        lock = self._locks.get(user_id)
        if lock is None:
            lock = self._locks[user_id] = asyncio.Lock()
        async with lock:
            return await method(self, user_id, *args, **kwargs)

    return serialised


class Tutor:
    """Private-practice rounds for any number of students."""

    def __init__(
        self,
        *,
        store: TutorStore,
        library: Library,
        rng: random.Random,
        zone: str = "Europe/London",
    ) -> None:
        self._store = store
        self.zone = ZoneInfo(zone)  # the day "due today" counts to, until students set theirs
        self.use_library(library)
        self._rng = rng
        self._rounds: dict[int, Round | object] = {}
        # Held only while a method runs, so unused locks go with the last reference.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._priors: tuple[datetime, dict[str, float]] | None = None

    def use_library(self, library: Library) -> None:
        """Ask from these banks from now on (a teacher uploaded one)."""
        self.library = library
        # Shared banks only: an upload must not change how everyone else is marked.
        self._known = known_terms(library.pool())
        # Only typed answers can be argued with: a tapped option was plainly right or wrong.
        self._disputable = frozenset(
            (q.bank, q.id) for q in library.questions if q.kind is Kind.TEXT
        )

    def forget_user(self, user_id: int) -> None:
        """Drop what is held in memory about a student whose data was just deleted."""
        self._rounds.pop(user_id, None)

    async def ensure_user(self, user_id: int, first_name: str, *, at: datetime) -> None:
        """Record (or refresh) a student who has talked to the bot."""
        await self._store.ensure_user(user_id, first_name, now=at)

    async def set_active(self, user_id: int, *, active: bool) -> None:
        """Mark a student reachable or not (they blocked or unblocked the bot)."""
        await self._store.set_active(user_id, active)

    async def current(self, user_id: int) -> Round | None:
        """The student's unfinished round, from memory or, after a restart, from the database."""
        cached = self._rounds.get(user_id)
        if cached is None:
            cached = await self._store.load_round(user_id) or _NO_ROUND
            self._rounds[user_id] = cached
        return cached if isinstance(cached, Round) else None

    async def current_question(self, user_id: int) -> tuple[Round, Question] | None:
        """The running round and the question it is on, if any."""
        rnd = await self._resume(user_id)
        question = self.question(rnd) if rnd is not None else None
        return (rnd, question) if rnd is not None and question is not None else None

    def question(self, rnd: Round) -> Question | None:
        """The question the round is on."""
        key = rnd.current
        return self.library.question(key) if key else None

    @_one_at_a_time
    async def start_round(
        self,
        user_id: int,
        chat_id: int,
        *,
        at: datetime,
        first_name: str = "",
        size: int = DEFAULT_ROUND,
        topic: str | None = None,
    ) -> Started | None:
        """Start a new round (abandoning any unfinished one); None if no questions match."""
        pool = self.library.pool(topic)
        # One read: the due cards, stats, seen set and the day's new questions agree.
        student = await self._store.learner(
            user_id, now=at, day_start=partial(self._day_start, at=at)
        )
        due = self._rank_due(student.due, at)
        masteries = sorted(await self._masteries(student.stats, at), key=lambda m: m.mastery)
        weak = [m.topic for m in masteries if m.weak or m.answered < MIN_ANSWERS]
        plan = partial(
            plan_round, pool, size, self._rng, due=due, weak_topics=weak, seen=student.seen
        )
        # The cap keeps reviews from piling up; it never leaves a topic round empty.
        keys = plan(new_allowed=NEW_PER_DAY - student.new_today) or plan()
        if not keys:
            return None
        return await self._start(user_id, chat_id, keys, at=at, first_name=first_name, topic=topic)

    @_one_at_a_time
    async def start_review(
        self,
        user_id: int,
        chat_id: int,
        *,
        at: datetime,
        first_name: str = "",
        size: int = DEFAULT_ROUND,
    ) -> Started | NothingDue:
        """A round of the questions due for review, least likely to be remembered first."""
        due = await self._due_keys(user_id, at)
        if not due:
            later = [
                c.due for k, c in await self._store.due_cards(user_id, now=_FAR) if self._has(k)
            ]
            zone = self.zone_of(await self._store.stats(user_id))
            return NothingDue(min(later, default=None), zone)
        return await self._start(
            user_id, chat_id, due[:size], at=at, first_name=first_name, review=True
        )

    async def _due_keys(self, user_id: int, at: datetime) -> list[str]:
        """The student's due questions, least likely remembered first (ties: longest overdue)."""
        return self._rank_due(await self._store.due_cards(user_id, now=at), at)

    def _rank_due(self, due: list[tuple[str, CardState]], at: datetime) -> list[str]:
        ranked = sorted((recall(c, at), c.due, k) for k, c in due if self._has(k))
        return [key for _, _, key in ranked]

    async def masteries(self, user_id: int, *, at: datetime) -> list[TopicMastery]:
        """The student's mastery of each topic they have answered, in syllabus order."""
        return await self._masteries(await self._store.stats(user_id), at)

    async def _masteries(self, student: Stats, at: datetime) -> list[TopicMastery]:
        priors = await self._class_priors(at)
        stats = {t.topic: t for t in student.topics}
        return [
            TopicMastery(
                topic.id,
                t.answered,
                t.correct,
                mastery(t.recent, t.recent_correct, prior=priors.get(topic.id, DEFAULT_PRIOR)),
            )
            for topic in self.library.topics
            if (t := stats.get(topic.id)) is not None
        ]

    @_one_at_a_time
    async def start_weak(
        self,
        user_id: int,
        chat_id: int,
        *,
        at: datetime,
        first_name: str = "",
        size: int = DEFAULT_ROUND,
    ) -> tuple[Started | None, list[TopicMastery]]:
        """A round on the student's weakest topics, and those topics; no round if none."""
        weak = weakest(await self.masteries(user_id, at=at))
        topics = {t.topic for t in weak}
        pool = [q for q in self.library.questions if q.topic in topics]
        keys = pick_round(pool, size, self._rng)
        if not keys:
            return None, weak
        started = await self._start(user_id, chat_id, keys, at=at, first_name=first_name)
        return started, weak

    async def _class_priors(self, at: datetime) -> dict[str, float]:
        # The class averages move slowly: one GROUP BY every few minutes is plenty.
        if self._priors is None or at - self._priors[0] > _PRIORS_FOR:
            totals = await self._store.class_totals()
            self._priors = (at, {t: class_prior(n, c) for t, (n, c) in totals.items()})
        return self._priors[1]

    async def overview(self, user_id: int, *, at: datetime) -> Overview:
        """Everything /stats shows, read once: totals, streaks, reviews due, mastery."""
        stats = await self._store.stats(user_id)
        zone = self.zone_of(stats)
        midnight = datetime.combine(at.astimezone(zone).date() + timedelta(days=1), time(), zone)
        today = [c for k, c in await self._store.due_cards(user_id, now=midnight) if self._has(k)]
        return Overview(
            stats=stats,
            masteries=tuple(await self._masteries(stats, at)),
            due_now=sum(1 for c in today if c.due <= at),
            due_today=len(today),
            day_streak=standing(stats.daily, at.astimezone(zone).date()),
        )

    def zone_of(self, stats: Stats) -> ZoneInfo:
        """The time zone the student's days run on."""
        return self._zone(stats.timezone)

    def _zone(self, name: str | None) -> ZoneInfo:
        return ZoneInfo(name) if name else self.zone

    def _day_start(self, zone: str | None, *, at: datetime) -> datetime:
        """Midnight at the start of the student's day at `at`, in their zone."""
        local = self._zone(zone)
        return datetime.combine(at.astimezone(local).date(), time(), local)

    async def set_timezone(self, user_id: int, name: str, *, at: datetime) -> str | None:
        """Set the student's time zone by name; the canonical name, or None if unknown."""
        match = zone_named(name)
        if match is None:
            return None
        await self._store.set_timezone(user_id, match, now=at)
        return match

    def _has(self, key: str) -> bool:
        # Cards outlive banks: a removed bank's cards are never due.
        return self.library.question(key) is not None

    async def _start(
        self,
        user_id: int,
        chat_id: int,
        keys: list[str],
        *,
        at: datetime,
        first_name: str,
        topic: str | None = None,
        review: bool = False,
    ) -> Started:
        old = await self.current(user_id)
        token = "".join(self._rng.choice(_TOKEN_ALPHABET) for _ in range(6))
        rnd = Round(user_id, chat_id, token, tuple(keys), at, topic=topic, review=review)
        await self._store.ensure_user(user_id, first_name, now=at)
        await self._store.save_round(rnd)
        self._rounds[user_id] = rnd
        first = self.library.question(keys[0])
        assert first is not None  # keys were just drawn from the library
        return Started(rnd, first, replaced=old)

    @_one_at_a_time
    async def offer(
        self, user_id: int, key: str, *, at: datetime, first_name: str = ""
    ) -> Started | Round:
        """A question from the student's teacher: shown now (a one-question round) unless
        they are working through a round, where it becomes the next question instead."""
        current = await self._resume(user_id)
        if current is not None and current.current == key:
            # Offered before (a send resumed after a restart): it's the question they're on.
            question = self.question(current)
            assert question is not None  # _resume skips vanished questions
            return Started(current, question)
        if current is None or await self._abandoned(current, at):
            # A round left for a while is set aside: queued behind its unanswered question,
            # the teacher's question would never be seen.
            return await self._start(user_id, user_id, [key], at=at, first_name=first_name)
        if key in current.questions[current.position :]:
            return current
        after = current.position + 1
        queued = replace(
            current, questions=(*current.questions[:after], key, *current.questions[after:])
        )
        await self._store.save_round(queued)
        self._rounds[user_id] = queued
        return queued

    async def _abandoned(self, rnd: Round, at: datetime) -> bool:
        """Whether the student has left the round alone for ABANDONED_AFTER or longer."""
        last = await self._store.last_answer(rnd.user_id, rnd.token)
        return at - max(rnd.started_at, last or rnd.started_at) >= ABANDONED_AFTER

    @_one_at_a_time
    async def answer(
        self, user_id: int, typed: str, *, at: datetime
    ) -> Turn | Retry | Unreadable | SelfCheck | None:
        """Grade a typed answer to the current question; None if no round is running."""
        rnd = await self._resume(user_id)
        if rnd is None:
            return None
        question = self.question(rnd)
        assert question is not None
        if question.kind is Kind.POINTS and rnd.pending is not None:
            level = SELF_MARKS.get(typed.strip().casefold())
            if level is None:
                return Unreadable(question, rnd, "self_mark")
            return await self._settle_self_mark(rnd, question, level, at)
        limit = MAX_POINTS_ANSWER_CHARS if question.kind is Kind.POINTS else MAX_ANSWER_CHARS
        if len(typed) > limit:
            return Unreadable(question, rnd, "too_long")
        if question.kind is Kind.POINTS:
            if not tokens(typed):
                return Unreadable(question, rnd, "empty")
            await self._store.set_pending(user_id, typed)
            rnd = replace(rnd, pending=typed)
            self._rounds[user_id] = rnd
            return SelfCheck(question, rnd, typed, points_made(question, typed))
        if question.kind is not Kind.TEXT:
            index = choice_index(question, typed, order=rnd.option_order(question))
            if index is None:
                return Unreadable(question, rnd, "pick_option")
            return await self._settle_choice(rnd, question, index, typed, at)
        verdict = grade(question, typed, known=self._known)
        if verdict.outcome in (Outcome.WORDY, Outcome.EMPTY):
            # "?", an emoji or a whole sentence is not an attempt: ask again, mark nothing.
            return Unreadable(question, rnd, verdict.outcome.value)
        if verdict.outcome is Outcome.ALMOST and not rnd.retry_used:
            await self._store.log_attempt(self._record(rnd, question, typed, verdict.outcome, at))
            rnd = replace(rnd, retry_used=True)
            self._rounds[user_id] = rnd
            return Retry(question, rnd)
        if verdict.outcome is Outcome.ALMOST:
            verdict = Verdict(Outcome.WRONG, verdict.canonical)
        return await self._settle(rnd, question, typed, verdict, at)

    @_one_at_a_time
    async def self_mark(
        self, user_id: int, token: str, position: int, level: int, *, at: datetime
    ) -> Turn | None:
        """Settle a mark-scheme answer with the student's own mark (0, 1 or 2); None if stale."""
        rnd = await self._resume(user_id)
        if rnd is None or rnd.token != token or rnd.position != position or rnd.pending is None:
            return None
        question = self.question(rnd)
        assert question is not None
        return await self._settle_self_mark(rnd, question, level, at)

    async def _settle_self_mark(
        self, rnd: Round, question: Question, level: int, at: datetime
    ) -> Turn:
        outcome = (Outcome.WRONG, Outcome.PARTIAL, Outcome.CORRECT)[max(0, min(level, 2))]
        typed = rnd.pending or ""
        return await self._settle(rnd, question, typed, Verdict(outcome, question.canonical), at)

    @_one_at_a_time
    async def choose(
        self, user_id: int, token: str, position: int, index: int, *, at: datetime
    ) -> Turn | None:
        """Settle the current question with the option shown at `index`; None if stale."""
        rnd = await self._resume(user_id)
        if rnd is None or rnd.token != token or rnd.position != position:
            return None
        question = self.question(rnd)
        assert question is not None
        if question.kind is Kind.TEXT or not 0 <= index < len(question.choices):
            return None
        # Buttons carry the shown position; map it back to the bank's option.
        index = rnd.option_order(question)[index]
        return await self._settle_choice(rnd, question, index, question.choices[index], at)

    async def _settle_choice(
        self, rnd: Round, question: Question, index: int, typed: str, at: datetime
    ) -> Turn:
        # The log keeps what was typed ("b"); the reply names the option that meant.
        picked = question.choices[index]
        ok = picked == question.canonical
        verdict = Verdict(Outcome.CORRECT if ok else Outcome.WRONG, question.canonical)
        return await self._settle(rnd, question, typed, verdict, at, chosen=picked)

    @_one_at_a_time
    async def skip(self, user_id: int, *, at: datetime) -> Turn | None:
        """Give up on the current question (counted as a miss); None if no round is running."""
        rnd = await self._resume(user_id)
        if rnd is None:
            return None
        question = self.question(rnd)
        assert question is not None
        skipped = Verdict(Outcome.SKIPPED, question.canonical)
        return await self._settle(rnd, question, "", skipped, at)

    @_one_at_a_time
    async def stop(self, user_id: int, *, at: datetime) -> Summary | None:
        """End the round early; the unanswered question is not counted. None if none was running."""
        rnd = await self.current(user_id)
        if rnd is None:
            return None
        await self._store.delete_round(user_id)
        self._rounds[user_id] = _NO_ROUND
        stats = await self._store.stats(user_id)
        return self._summary(rnd, at, stats.streak, stats.best_streak)

    @_one_at_a_time
    async def dispute(self, user_id: int, answer_id: int, *, at: datetime) -> DisputeResult:
        """ "I was right": re-score one of the student's own answers and flag it for review."""
        result = await self._store.dispute(
            answer_id, user_id, now=at, can_dispute=self._disputable, replay=reviewed_right
        )
        if result is DisputeResult.RECORDED:
            self._rounds.pop(user_id, None)  # the round's score may have changed: reload it
        return result

    def rescored(self, user_ids: Iterable[int]) -> None:
        """A teacher's decision changed these students' scores: reload their rounds."""
        for user_id in user_ids:
            self._rounds.pop(user_id, None)

    async def stats(self, user_id: int) -> Stats:
        """The student's record."""
        return await self._store.stats(user_id)

    async def _resume(self, user_id: int) -> Round | None:
        """The current round, dropping questions whose bank has since been removed."""
        rnd = await self.current(user_id)
        if rnd is None:
            return None
        while not rnd.finished and self.question(rnd) is None:
            rnd = replace(rnd, position=rnd.position + 1)
        if rnd.finished:
            # Every remaining question vanished with a bank change: end the round quietly.
            await self._store.delete_round(user_id)
            self._rounds[user_id] = _NO_ROUND
            return None
        self._rounds[user_id] = rnd
        return rnd

    async def _settle(
        self,
        rnd: Round,
        question: Question,
        typed: str,
        verdict: Verdict,
        at: datetime,
        *,
        chosen: str | None = None,
    ) -> Turn:
        # A typed or picked answer that was wrong comes back later in the round; a skip
        # ("don't know") or an exam question the student marked themself does not.
        requeue = verdict.outcome in (Outcome.WRONG, Outcome.PARTIAL) and (
            question.kind is not Kind.POINTS
        )
        after = rnd.advance(verdict.outcome, requeue=requeue)
        record = self._record(rnd, question, typed, verdict.outcome, at)
        # Right only after a "so close" retry is a harder recall than right first time.
        saved = await self._store.record_answer(
            record,
            accepted=verdict.accepted,
            rnd=after,
            review=reviewer(verdict.outcome, at, after_retry=rnd.retry_used),
            # A skip is not an answer: it does not count towards the day's goal.
            daily=None if verdict.outcome is Outcome.SKIPPED else day_counter(at, self.zone.key),
        )
        self._rounds[rnd.user_id] = _NO_ROUND if after.finished else after
        summary = (
            self._summary(after, at, saved.streak, saved.best_streak) if after.finished else None
        )
        return Turn(
            question, typed, verdict, after, self.question(after), summary, chosen, saved.answer_id
        )

    @staticmethod
    def _record(
        rnd: Round, question: Question, typed: str, outcome: Outcome, at: datetime
    ) -> AnswerRecord:
        return AnswerRecord(
            rnd.user_id,
            rnd.chat_id,
            question.bank,
            question.id,
            question.topic,
            typed,
            outcome.value,
            at,
            rnd.token,
        )

    @staticmethod
    def _summary(rnd: Round, at: datetime, streak: int, best: int) -> Summary:
        duration = max(at - rnd.started_at, timedelta(0))
        return Summary(rnd.correct, rnd.answered, len(rnd.questions), duration, streak, best)
