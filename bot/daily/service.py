"""Questions of the day for groups: schedules, today's question, answers and summaries.

No Telegram here: bot/handlers/daily_live.py posts on time. Schedules and posts are
held in memory for the hot path (a reply to a post) and written to SQLite first.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime

from bot.challenge.game import Counted, Ignored, Unclear, mark_once
from bot.daily.posts import DailyPost, DailySummary, common_wrong
from bot.daily.schedule import DailyRequest, Schedule
from bot.daily.store import DailyStore
from bot.tutor.memory import reviewer
from bot.tutor.rounds import AnswerRecord
from bot.tutor.streaks import day_counter
from quizbank.grading import known_terms
from quizbank.model import Kind, Library, Question

# Exam questions are self-marked in private practice; a daily question is a quick recall.
_PLAYABLE = (Kind.TEXT, Kind.CHOICE, Kind.TRUEFALSE)


class Dailies:
    """Every group's question of the day."""

    def __init__(
        self, *, store: DailyStore, library: Library, rng: random.Random, zone: str
    ) -> None:
        self._store = store
        self._rng = rng
        self.zone = zone  # a new schedule's zone unless the teacher names one
        self.use_library(library)
        self._schedules: dict[tuple[int, int | None], Schedule] = {}  # by (chat, class)
        self._posts: dict[tuple[int, int], DailyPost] = {}  # (group, message id)
        self._answered: set[tuple[int, int]] = set()  # (post, user)

    def use_library(self, library: Library) -> None:
        """Ask from these banks from now on (a teacher uploaded one)."""
        self.library = library
        # Shared banks only: an upload must not change how everyone else is marked.
        self._known = known_terms(library.pool())

    async def restore(self) -> tuple[list[Schedule], list[DailyPost]]:
        """Load active schedules and the posts still waiting for their summary."""
        for schedule in await self._store.schedules():
            self._schedules[(schedule.chat_id, schedule.class_id)] = schedule
        posts = await self._store.open_posts()
        for post in posts:
            self._keep(post)
        return list(self._schedules.values()), posts

    def schedule_of(self, chat_id: int, class_id: int | None = None) -> Schedule | None:
        """The group's schedule (or, from a teacher's chat, a class's), if it has one."""
        return self._schedules.get((chat_id, class_id))

    def find(self, schedule_id: int) -> Schedule | None:
        """A schedule by id, wherever its group now is."""
        return next((s for s in self._schedules.values() if s.id == schedule_id), None)

    async def set(
        self,
        chat_id: int,
        user_id: int,
        request: DailyRequest,
        *,
        at: datetime,
        class_id: int | None = None,
    ) -> Schedule:
        """Set (or replace) the group's daily question, or a class's daily DM."""
        schedule = Schedule(
            0, chat_id, request.at, request.zone, request.days, request.topic, user_id, class_id
        )
        schedule = await self._store.set_schedule(schedule, now=at)
        self._schedules[(chat_id, class_id)] = schedule
        return schedule

    async def off(self, chat_id: int, class_id: int | None = None) -> Schedule | None:
        """Stop the group's daily question (or a class's); the schedule it had, if any."""
        schedule = self._schedules.pop((chat_id, class_id), None)
        await self._store.stop_schedule(chat_id, class_id)
        return schedule

    async def claim(self, schedule_id: int, *, at: datetime) -> tuple[DailyPost, Question] | None:
        """Today's post for a schedule whose time has come, chosen and reserved before it is
        sent; None if today's was claimed already (so it is never sent twice)."""
        schedule = self.find(schedule_id)
        last = schedule.last_run(at) if schedule else None
        if schedule is None or last is None:
            return None
        day, moment = last
        if schedule.created_at is not None and moment < schedule.created_at:
            return None  # set after today's time: the first question is the next one
        deadline = schedule.deadline(moment)
        if at >= deadline:
            return None  # missed while the bot was down, and too late to be worth asking
        question = await self._choose(schedule)
        if question is None:
            return None
        post = await self._store.claim(
            schedule, day, question.key, question.topic, deadline=deadline
        )
        return (post, question) if post is not None else None

    async def _choose(self, schedule: Schedule) -> Question | None:
        """A question not asked before in this cycle, leaning to the group's weakest topics."""
        pool = [q for q in self.library.pool(schedule.topic) if q.kind in _PLAYABLE]
        used = await self._store.used_questions(schedule.id)
        fresh = [q for q in pool if q.key not in used] or pool  # all used: a new cycle
        if not fresh:
            return None
        accuracy = await self._store.topic_accuracy(schedule.chat_id)
        topics = sorted({q.topic for q in fresh})

        def weight(topic: str) -> float:
            answered, right = accuracy.get(topic, (0, 0))
            # A weak topic comes up more often; an untried one sits in the middle.
            share = (right + 1) / (answered + 2)
            return 0.5 + 2 * (1 - share)

        topic = self._rng.choices(topics, weights=[weight(t) for t in topics])[0]
        return self._rng.choice([q for q in fresh if q.topic == topic])

    async def posted(self, post: DailyPost, *, message_id: int, at: datetime) -> DailyPost:
        """The post went out: replies to `message_id` are its answers until the deadline."""
        await self._store.posted(post.id, message_id=message_id, at=at)
        sent = replace(post, message_id=message_id, asked_at=at)
        # A post claimed before a restart sat under message 0 until now: move it, or its
        # results would be looked up on the stale copy and never posted.
        self._posts.pop((post.chat_id, 0), None)
        self._keep(sent)
        return sent

    def post_for(self, chat_id: int, message_id: int) -> DailyPost | None:
        """The question of the day a message is, if it is one."""
        return self._posts.get((chat_id, message_id))

    async def answer(
        self,
        post: DailyPost,
        user_id: int,
        first_name: str,
        typed: str,
        *,
        at: datetime,
    ) -> Counted | Unclear | Ignored:
        """A reply to a question of the day: graded and kept for the summary, not replied to."""
        question = self.library.question(post.question)
        if question is None or not post.is_open(at):
            return Ignored.LATE
        if (post.id, user_id) in self._answered:
            return Ignored.ALREADY
        outcome = mark_once(question, typed, known=self._known)
        if isinstance(outcome, Unclear):
            return outcome
        record = AnswerRecord.of(
            question,
            user_id=user_id,
            chat_id=post.chat_id,
            typed=typed[:200],
            outcome=outcome,
            at=at,
            token=f"daily:{post.id}",
        )
        stored = await self._store.record_answer(
            post,
            record,
            first_name=first_name,
            accepted=outcome.accepted,
            review=reviewer(outcome, at),
            daily=day_counter(at, self.zone),
        )
        self._answered.add((post.id, user_id))
        return Counted(outcome, 0, 0.0) if stored else Ignored.ALREADY

    async def summarise(self, post_id: int, *, at: datetime) -> DailySummary | None:
        """The deadline has come: the post's results, once (None if already summarised)."""
        post = next((p for p in self._posts.values() if p.id == post_id), None)
        answers = await self._store.summarise(post_id, at=at)
        if post is None or answers is None:
            return None
        self._posts.pop((post.chat_id, post.message_id or 0), None)
        self._answered = {k for k in self._answered if k[0] != post_id}
        question = self.library.question(post.question)
        return DailySummary(post, question, tuple(answers), common_wrong(answers))

    def forget_user(self, user_id: int) -> None:
        """Drop what is held in memory about someone whose data was just deleted.

        A teacher's classes' schedules (kept under their private chat) are gone; a group's
        schedule they set stays the group's, set by no one.
        """
        self._answered = {k for k in self._answered if k[1] != user_id}
        for key, schedule in list(self._schedules.items()):
            if key[0] == user_id:
                del self._schedules[key]
            elif schedule.created_by == user_id:
                self._schedules[key] = replace(schedule, created_by=0)

    def open_post(self, post_id: int) -> DailyPost | None:
        """A post still waiting for its summary."""
        return next((p for p in self._posts.values() if p.id == post_id), None)

    async def move(self, old: int, new: int) -> None:
        """A group became a supergroup: its schedule and open posts follow it."""
        await self._store.move_chat(old, new)
        schedule = self._schedules.pop((old, None), None)
        # A schedule already set in the supergroup wins, as in the database: the old one
        # is dropped (its timer finds no schedule and stops).
        if schedule is not None and (new, None) not in self._schedules:
            self._schedules[(new, None)] = replace(schedule, chat_id=new)
        for key, post in list(self._posts.items()):
            if post.chat_id == old:
                del self._posts[key]
                self._keep(replace(post, chat_id=new))

    def _keep(self, post: DailyPost) -> None:
        self._posts[(post.chat_id, post.message_id or 0)] = post
