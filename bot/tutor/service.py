"""The tutor: starts rounds, hands answers to be marked, and says what comes next.

Both the Telegram handlers and `quizbot play` call this, so they behave the same.
Rounds are cached in memory (the hot path reads no round from disk) and every change is
written to SQLite before the caller replies, so a restart resumes where the student was.
Marking an answer lives in marking.py; the read-only views of progress in progress.py.
"""

from __future__ import annotations

import asyncio
import functools
import random
import string
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from bot.tutor.marking import Marking, past_vanished, summarise
from bot.tutor.mastery import MIN_ANSWERS, TopicMastery, weakest
from bot.tutor.memory import reviewed_right
from bot.tutor.progress import Progress
from bot.tutor.recent import Recent
from bot.tutor.rounds import (
    DEFAULT_ROUND,
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
from bot.tutor.zones import zone_named
from quizbank.model import Kind, Library, Question

_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
_NO_ROUND = object()
NEW_PER_DAY = 20  # new questions a day: more than this and reviews pile up later
# A round with no answer for this long is left: a teacher's question no longer waits behind it.
ABANDONED_AFTER = timedelta(minutes=20)
# Rounds kept in memory, most recently used first: several schools answering at once stay
# in memory, and memory stays flat however many students the bot has ever seen.
ROUNDS_IN_MEMORY = 5_000


P = ParamSpec("P")
R = TypeVar("R")
_Marked = TypeVar("_Marked", bound=Turn | Retry | Unreadable | SelfCheck)


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


def _typed_answers(library: Library) -> frozenset[tuple[str, str]]:
    """The (bank, id) of every question whose answers are typed."""
    # Only typed answers can be argued with: a tapped option was plainly right or wrong.
    return frozenset((q.bank, q.id) for q in library.questions if q.kind is Kind.TEXT)


class Tutor:
    """Private-practice rounds for any number of students."""

    def __init__(
        self,
        *,
        store: TutorStore,
        library: Library,
        rng: random.Random,
        zone: str = "Europe/London",
        rounds_in_memory: int = ROUNDS_IN_MEMORY,
    ) -> None:
        self._store = store
        self.zone = ZoneInfo(zone)  # the day "due today" counts to, until students set theirs
        self.library = library
        self._progress = Progress(store=store, library=library, zone=self.zone)
        self._marking = Marking(store=store, library=library, zone=self.zone)
        self._disputable = _typed_answers(library)
        self._rng = rng
        # Every round is in SQLite too: one that leaves memory is read back when next used.
        self._rounds: Recent[int, Round | object] = Recent(rounds_in_memory)
        # Held only while a method runs, so unused locks go with the last reference.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def use_library(self, library: Library) -> None:
        """Ask from these banks from now on (a teacher uploaded one)."""
        self.library = library
        self._progress.library = library
        self._marking.use_library(library)
        self._disputable = _typed_answers(library)

    def forget_user(self, user_id: int) -> None:
        """Drop what is held in memory about a student whose data was just deleted."""
        self._rounds.pop(user_id, None)

    async def ensure_user(self, user_id: int, first_name: str, *, at: datetime) -> None:
        """Record (or refresh) a student who has talked to the bot."""
        await self._store.ensure_user(user_id, first_name, now=at)

    async def set_active(self, user_id: int, *, active: bool) -> None:
        """Mark a student reachable or not (they blocked or unblocked the bot)."""
        await self._store.set_active(user_id, active)

    async def set_timezone(self, user_id: int, name: str, *, at: datetime) -> str | None:
        """Set the student's time zone by name; the canonical name, or None if unknown."""
        match = zone_named(name)
        if match is None:
            return None
        await self._store.set_timezone(user_id, match, now=at)
        return match

    async def stats(self, user_id: int) -> Stats:
        """The student's record."""
        return await self._progress.stats(user_id)

    async def overview(self, user_id: int, *, at: datetime) -> Overview:
        """Everything /stats shows, read once: totals, streaks, reviews due, mastery."""
        return await self._progress.overview(user_id, at=at)

    async def masteries(self, user_id: int, *, at: datetime) -> list[TopicMastery]:
        """The student's mastery of each topic they have answered, in syllabus order."""
        return await self._progress.masteries(user_id, at=at)

    def zone_of(self, stats: Stats) -> ZoneInfo:
        """The time zone the student's days run on."""
        return self._progress.zone_of(stats)

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
            user_id, now=at, day_start=partial(self._progress.day_start, at=at)
        )
        due = self._progress.rank_due(student.due, at)
        masteries = sorted(
            await self._progress.masteries_of(student.stats, at), key=lambda m: m.mastery
        )
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
        due = await self._progress.due_keys(user_id, at)
        if not due:
            later = await self._progress.next_due(user_id)
            return NothingDue(later, self.zone_of(await self._store.stats(user_id)))
        return await self._start(
            user_id, chat_id, due[:size], at=at, first_name=first_name, review=True
        )

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
        weak = weakest(await self._progress.masteries(user_id, at=at))
        topics = {t.topic for t in weak}
        pool = [q for q in self.library.questions if q.topic in topics]
        keys = pick_round(pool, size, self._rng)
        if not keys:
            return None, weak
        started = await self._start(user_id, chat_id, keys, at=at, first_name=first_name)
        return started, weak

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
        return self._hold(await self._marking.answer(rnd, question, typed, at=at))

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
        return self._hold(await self._marking.self_mark(rnd, question, level, at=at))

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
        turn = await self._marking.choose(rnd, question, index, at=at)
        return self._hold(turn) if turn is not None else None

    @_one_at_a_time
    async def skip(self, user_id: int, *, at: datetime) -> Turn | None:
        """Give up on the current question (counted as a miss); None if no round is running."""
        rnd = await self._resume(user_id)
        if rnd is None:
            return None
        question = self.question(rnd)
        assert question is not None
        return self._hold(await self._marking.skip(rnd, question, at=at))

    @_one_at_a_time
    async def stop(self, user_id: int, *, at: datetime) -> Summary | None:
        """End the round early; the unanswered question is not counted. None if none was running."""
        rnd = await self.current(user_id)
        if rnd is None:
            return None
        await self._store.delete_round(user_id)
        self._rounds[user_id] = _NO_ROUND
        stats = await self._store.stats(user_id)
        return summarise(rnd, at, stats.streak, stats.best_streak)

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

    async def _resume(self, user_id: int) -> Round | None:
        """The current round, dropping questions whose bank has since been removed."""
        rnd = await self.current(user_id)
        if rnd is None:
            return None
        rnd = past_vanished(rnd, self.library)
        if rnd.finished:
            # Every remaining question vanished with a bank change: end the round quietly.
            await self._store.delete_round(user_id)
            self._rounds[user_id] = _NO_ROUND
            return None
        self._rounds[user_id] = rnd
        return rnd

    def _hold(self, marked: _Marked) -> _Marked:
        """Keep the round a marked answer left behind (none, once it is finished)."""
        rnd = marked.round
        self._rounds[rnd.user_id] = _NO_ROUND if rnd.finished else rnd
        return marked
