"""Challenges: start, take answers, close questions, end, and rank. No Telegram here.

The caller (bot/handlers/live.py) posts messages and keeps time; this keeps the rules.
Running challenges are held in memory and every change is written to SQLite first, so
a restart picks them up where they were.
"""

from __future__ import annotations

import asyncio
import random
import string
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.challenge.game import (
    AlreadyRunning,
    Challenge,
    Closed,
    Counted,
    Ended,
    Ignored,
    Leaderboard,
    Mode,
    NoQuestions,
    Unclear,
    answer_time,
    mark_once,
    points,
    ranked,
)
from bot.challenge.requests import ChallengeRequest
from bot.challenge.store import ChallengeStore
from bot.tutor.memory import reviewer
from bot.tutor.rounds import AnswerRecord
from bot.tutor.selection import pick_round
from bot.tutor.streaks import day_counter
from quizbank.grading import Outcome, known_terms
from quizbank.model import Kind, Library, Question

_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
# Exam questions are marked by the student themself: no use in a race.
_PLAYABLE = {
    Mode.TEXT: (Kind.TEXT, Kind.CHOICE, Kind.TRUEFALSE),
    Mode.POLL: (Kind.CHOICE, Kind.TRUEFALSE),
}


class Challenges:
    """Every group's challenge: at most one running per group."""

    def __init__(
        self,
        *,
        store: ChallengeStore,
        library: Library,
        rng: random.Random,
        zone: str = "Europe/London",
    ) -> None:
        self._store = store
        self._rng = rng
        self.zone = ZoneInfo(zone)
        self.use_library(library)
        self._running: dict[int, Challenge] = {}
        self._polls: dict[str, int] = {}  # poll id → group
        self._answered: set[tuple[int, int, int]] = set()  # (challenge, position, user)
        self._locks: dict[int, asyncio.Lock] = {}

    def use_library(self, library: Library) -> None:
        """Ask from these banks from now on (a teacher uploaded one)."""
        self.library = library
        # Shared banks only: an upload must not change how everyone else is marked.
        self._known = known_terms(library.pool())

    async def restore(self) -> list[Challenge]:
        """Load the challenges that were running when the bot stopped."""
        for challenge in await self._store.running():
            self._keep(challenge)
        return list(self._running.values())

    def running_in(self, chat_id: int) -> Challenge | None:
        """The group's running challenge, if any."""
        return self._running.get(chat_id)

    def find(self, challenge_id: int) -> Challenge | None:
        """A running challenge by id, wherever its group now is."""
        return next((c for c in self._running.values() if c.id == challenge_id), None)

    def question(self, challenge: Challenge) -> Question | None:
        """The question the challenge is on (None if its bank has gone)."""
        key = challenge.current
        return self.library.question(key) if key else None

    async def start(
        self, chat_id: int, starter_id: int, request: ChallengeRequest, *, at: datetime
    ) -> Challenge | AlreadyRunning | NoQuestions:
        """Start a challenge in a group; its first question is posted next."""
        running = self._running.get(chat_id)
        if running is not None:
            return AlreadyRunning(running)
        kinds = _PLAYABLE[request.mode]
        pool = [q for q in self.library.pool(request.topic) if q.kind in kinds]
        keys = pick_round(pool, request.size, self._rng)
        if not keys:
            return NoQuestions(request.mode, request.topic)
        challenge = Challenge(
            id=0,
            chat_id=chat_id,
            token="".join(self._rng.choice(_TOKEN_ALPHABET) for _ in range(6)),
            starter_id=starter_id,
            mode=request.mode,
            questions=tuple(keys),
            seconds=request.seconds,
            started_at=at,
            topic=request.topic,
        )
        async with self._lock(chat_id):
            new_id = await self._store.create(challenge)
            if new_id is None:  # another process started one a moment ago
                return AlreadyRunning(challenge)
            challenge = replace(challenge, id=new_id)
            self._keep(challenge)
        return challenge

    async def asked(
        self, challenge_id: int, *, message_id: int | None, poll_id: str | None = None, at: datetime
    ) -> Challenge | None:
        """The current question went out at `at`: its clock starts. None if it has ended.

        Posted again after the group moved, it keeps its original clock. With no
        message_id, Telegram may or may not have shown it (the post timed out): it runs
        anyway, rather than risk posting it twice.
        """
        challenge = self.find(challenge_id)
        if challenge is None:
            return None
        async with self._lock(challenge.chat_id):
            challenge = self.find(challenge_id)
            if challenge is None:
                return None
            asked_at = challenge.asked_at or at
            await self._store.asked(
                challenge.id, at=asked_at, message_id=message_id, poll_id=poll_id
            )
            challenge = replace(
                challenge, asked_at=asked_at, message_id=message_id, poll_id=poll_id
            )
            self._keep(challenge)
            return challenge

    async def answer(
        self,
        chat_id: int,
        user_id: int,
        first_name: str,
        typed: str,
        *,
        reply_to: int | None,
        sent_at: datetime,
        at: datetime,
    ) -> Counted | Unclear | Ignored:
        """A player's message, sent at `sent_at` and arriving `at`: a reply to the question
        (`reply_to`), or a plain message."""
        at = answer_time(sent_at, at)
        challenge = self._running.get(chat_id)
        if challenge is None:
            return Ignored.NO_CHALLENGE
        if challenge.mode is Mode.POLL:
            return Ignored.NOT_AN_ANSWER  # poll questions are answered in the poll
        # A question whose post timed out has no known message: any reply may be to it.
        known = challenge.message_id is not None
        if reply_to is not None and known and reply_to != challenge.message_id:
            return Ignored.LATE  # a reply to an earlier question
        question = self.question(challenge)
        if question is None or not challenge.is_open(at):
            return Ignored.LATE
        if (challenge.id, challenge.position, user_id) in self._answered:
            return Ignored.ALREADY  # checked before marking: no 🤔 for a second message
        outcome = mark_once(
            question, typed, known=self._known, order=challenge.option_order(question)
        )
        if isinstance(outcome, Unclear):
            return outcome
        return await self._count(challenge, question, user_id, first_name, typed, outcome, at)

    async def poll_answer(
        self, poll_id: str, user_id: int, first_name: str, options: Sequence[int], *, at: datetime
    ) -> Counted | Ignored:
        """A vote in a challenge's quiz poll (`options` as shown)."""
        chat_id = self._polls.get(poll_id)
        challenge = self._running.get(chat_id) if chat_id is not None else None
        if challenge is None or challenge.poll_id != poll_id:
            return Ignored.LATE if chat_id is not None else Ignored.NO_CHALLENGE
        question = self.question(challenge)
        order = challenge.option_order(question) if question else ()
        if question is None or len(options) != 1 or not 0 <= options[0] < len(order):
            return Ignored.NOT_AN_ANSWER  # a retracted vote, or nonsense
        picked = question.choices[order[options[0]]]
        outcome = Outcome.CORRECT if picked == question.canonical else Outcome.WRONG
        return await self._count(challenge, question, user_id, first_name, picked, outcome, at)

    async def _count(
        self,
        challenge: Challenge,
        question: Question,
        user_id: int,
        first_name: str,
        typed: str,
        outcome: Outcome,
        at: datetime,
    ) -> Counted | Ignored:
        key = (challenge.id, challenge.position, user_id)
        if key in self._answered:
            return Ignored.ALREADY
        async with self._lock(challenge.chat_id):
            # Checked under the lock: the question may have closed while we waited for it.
            current = self._running.get(challenge.chat_id)
            if current != challenge or not challenge.is_open(at):
                return Ignored.LATE
            assert challenge.asked_at is not None
            elapsed = max((at - challenge.asked_at).total_seconds(), 0.0)
            score = points(outcome, elapsed, challenge.seconds)
            stored = await self._store.record_answer(
                challenge,
                AnswerRecord.of(
                    question,
                    user_id=user_id,
                    chat_id=challenge.chat_id,
                    typed=typed,
                    outcome=outcome,
                    at=at,
                    token=challenge.token,
                ),
                first_name=first_name,
                accepted=outcome.accepted,
                points=score,
                seconds=elapsed,
                review=reviewer(outcome, at),
                daily=day_counter(at, self.zone.key),
            )
            self._answered.add(key)
        return Counted(outcome, score, elapsed) if stored else Ignored.ALREADY

    async def close(self, challenge_id: int, *, at: datetime) -> Closed | None:
        """Time is up: the question's results, and the challenge moved on (or finished).

        None if there is nothing to close: ended, not posted yet, or not yet time.
        """
        challenge = self.find(challenge_id)
        if challenge is None:
            return None
        async with self._lock(challenge.chat_id):
            challenge = self.find(challenge_id)
            deadline = challenge.deadline if challenge else None
            if challenge is None or deadline is None or at < deadline:
                return None
            after = await self._advance(challenge, at)
            closed = await self._closed(challenge, after)
        # Answers to a closed question are late, whoever sends them: the set can forget it.
        self._answered = {k for k in self._answered if k[0] != challenge.id}
        self._prune(challenge.chat_id)
        return closed

    async def _advance(self, challenge: Challenge, at: datetime) -> Challenge:
        """Move past the current question to the next one still in a bank, or finish."""
        after = replace(
            challenge, position=challenge.position + 1, asked_at=None, message_id=None, poll_id=None
        )
        nxt = self._next_question(after)
        if nxt is None:
            after = replace(after, position=len(after.questions))
            await self._store.finish(challenge.id, status="finished", at=at)
            self._forget(challenge)
            return after
        after = replace(after, position=after.questions.index(nxt.key, after.position))
        await self._store.advance(challenge.id, after.position)
        self._keep(after)
        return after

    async def _closed(self, challenge: Challenge, after: Challenge) -> Closed:
        """The results of `challenge`'s current question, now that it is at `after`."""
        results = await self._store.results(challenge.id, challenge.position)
        standings = ranked(await self._store.standings(challenge.id))
        nxt = None if after.current is None else self.question(after)
        return Closed(after, self.question(challenge), tuple(results), standings, nxt)

    async def last_closed(self, challenge_id: int) -> Closed | None:
        """The results of the question before the current one (to post them again after a
        failed post or a restart); None on the first question."""
        challenge = self.find(challenge_id)
        if challenge is None or challenge.position == 0:
            return None
        before = replace(challenge, position=challenge.position - 1)
        # Skipped (vanished) questions have no answers; show the last one that was asked.
        return await self._closed(before, challenge)

    async def resume(self, challenge_id: int, *, at: datetime) -> Challenge | Closed | None:
        """After a restart, before posting: skip questions whose bank has gone.

        The challenge ready to post; or, if nothing is left to ask, its last results as a
        finished Closed; None if it is not running.
        """
        challenge = self.find(challenge_id)
        if challenge is None:
            return None
        if challenge.asked_at is not None or self.question(challenge) is not None:
            return challenge
        async with self._lock(challenge.chat_id):
            nxt = self._next_question(challenge)
            if nxt is not None:
                moved = replace(
                    challenge, position=challenge.questions.index(nxt.key, challenge.position)
                )
                await self._store.advance(challenge.id, moved.position)
                self._keep(moved)
                return moved
            await self._store.finish(challenge.id, status="finished", at=at)
            self._forget(challenge)
            done = replace(challenge, position=len(challenge.questions))
            if challenge.position == 0:
                return Closed(done, None, (), (), None)
            return await self._closed(replace(challenge, position=challenge.position - 1), done)

    def _next_question(self, challenge: Challenge) -> Question | None:
        """The next question still in the library, from the challenge's position on."""
        for key in challenge.questions[challenge.position :]:
            question = self.library.question(key)
            if question is not None:
                return question
        return None

    def forget_user(self, user_id: int) -> None:
        """Drop what is held in memory about a player whose data was just deleted."""
        self._answered = {k for k in self._answered if k[2] != user_id}
        for chat_id, challenge in list(self._running.items()):
            if challenge.starter_id == user_id:  # as in the database: started by no one now
                self._running[chat_id] = replace(challenge, starter_id=0)

    def may_end(self, chat_id: int, user_id: int) -> bool:
        """Whether this player started the running challenge (admins may end any)."""
        challenge = self._running.get(chat_id)
        return challenge is not None and challenge.starter_id == user_id

    async def end(self, chat_id: int, *, at: datetime) -> Ended | None:
        """Stop the group's challenge early; None if none is running."""
        async with self._lock(chat_id):
            challenge = self._running.get(chat_id)
            if challenge is None:
                return None
            await self._store.finish(challenge.id, status="ended", at=at)
            self._forget(challenge)
            standings = ranked(await self._store.standings(challenge.id))
        self._prune(chat_id)
        return Ended(challenge, standings)

    async def drop(self, chat_id: int, *, at: datetime) -> Challenge | None:
        """The bot can no longer post in the group: end its challenge without a word."""
        ended = await self.end(chat_id, at=at)
        return ended.challenge if ended else None

    async def move(self, old: int, new: int, *, at: datetime) -> Challenge | None:
        """A group became a supergroup: carry its challenge and points to the new id.

        If the new chat already has a game running, that one carries on and the old
        group's game ends.
        """
        async with self._lock(old), self._lock(new):
            moving = self._running.get(old)
            busy = new in self._running and moving is not None
            if busy:
                assert moving is not None
                await self._store.finish(moving.id, status="ended", at=at)
                self._forget(moving)
            await self._store.move_chat(old, new)
            if moving is None or busy:
                return None
            self._running.pop(old, None)
            moved = replace(moving, chat_id=new)
            self._keep(moved)
            return moved

    async def leaderboard(self, chat_id: int, *, at: datetime) -> Leaderboard:
        """The group's standings this week (from Monday, local time) and of all time."""
        local = at.astimezone(self.zone).date()
        monday = datetime.combine(local - timedelta(days=local.weekday()), time(), self.zone)
        week = await self._store.leaderboard(chat_id, since=monday)
        ever = await self._store.leaderboard(chat_id, since=None)
        return Leaderboard(ranked(week), ranked(ever), monday)

    def _keep(self, challenge: Challenge) -> None:
        self._running[challenge.chat_id] = challenge
        if challenge.poll_id:
            self._polls[challenge.poll_id] = challenge.chat_id

    def _forget(self, challenge: Challenge) -> None:
        self._running.pop(challenge.chat_id, None)
        self._polls = {p: c for p, c in self._polls.items() if c != challenge.chat_id}
        self._answered = {k for k in self._answered if k[0] != challenge.id}

    def _prune(self, chat_id: int) -> None:
        # A group without a game needs no lock: keep the dict to groups playing now.
        lock = self._locks.get(chat_id)
        if chat_id not in self._running and lock is not None and not lock.locked():
            del self._locks[chat_id]

    def _lock(self, chat_id: int) -> asyncio.Lock:
        return self._locks.setdefault(chat_id, asyncio.Lock())
