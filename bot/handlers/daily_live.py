"""Posts each group's question of the day on time, and its results at the deadline.

Schedules live in SQLite and are armed again at start-up; a question missed while the
bot was down is sent late if its deadline has not passed, and never twice (each day's
post is claimed in the database before it is sent).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial

from telegram import Bot, Message

from bot import render_daily as texts
from bot.classes.service import Classes
from bot.daily.posts import DailyPost
from bot.daily.schedule import DailyRequest, Schedule
from bot.daily.service import Dailies
from bot.handlers.broadcast import Broadcaster
from bot.handlers.common import markup
from bot.handlers.moves import Mover, post_to_group
from bot.render import Reply
from bot.timers import Timers
from bot.tutor.clock import Clock
from quizbank.model import Question

log = logging.getLogger(__name__)


class DailyHost:
    """Keeps every group's question of the day on its schedule."""

    def __init__(
        self,
        bot: Bot,
        dailies: Dailies,
        timers: Timers,
        clock: Clock,
        *,
        classes: Classes | None = None,
        broadcaster: Broadcaster | None = None,
        on_moved: Mover | None = None,
        on_gone: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self._bot = bot
        self.dailies = dailies
        self._timers = timers
        self._clock = clock
        self._classes = classes
        self._broadcaster = broadcaster
        self._on_moved = on_moved or self.dailies.move
        self._on_gone = on_gone or self._off_quietly

    async def restore(self) -> None:
        """After a restart: finish what was under way, catch up a missed question, re-arm."""
        schedules, posts = await self.dailies.restore()
        now = self._clock.now()
        # Sends go through the timers, not inline: start-up (and so polling) must not wait
        # for a class's push to reach every student.
        for post in posts:
            question = self.dailies.library.question(post.question)
            if post.asked_at is None and post.deadline > now and question is not None:
                # Claimed, then the bot stopped: send it now.
                self._timers.at(f"daily-send:{post.id}", now, partial(self._send, post, question))
            else:
                self._arm_summary(post)
        for schedule in schedules:
            # Today's question if it is due and not yet out, then the next one armed.
            self._timers.at(_timer(schedule.id), now, partial(self._run, schedule.id))

    async def set(
        self, chat_id: int, user_id: int, request: DailyRequest, *, class_id: int | None = None
    ) -> Schedule:
        """Set (or replace) a group's or class's schedule, and arm its next question."""
        self.disarm(self.dailies.schedule_of(chat_id, class_id))
        schedule = await self.dailies.set(
            chat_id, user_id, request, at=self._now(), class_id=class_id
        )
        self.arm(schedule)
        return schedule

    async def off(self, chat_id: int, class_id: int | None = None) -> Schedule | None:
        """Stop a group's or class's schedule; the one it had, if any."""
        stopped = await self.dailies.off(chat_id, class_id)
        self.disarm(stopped)
        return stopped

    def arm(self, schedule: Schedule) -> None:
        """Set the timer for the schedule's next question."""
        when = schedule.next_run(self._clock.now())
        self._timers.at(_timer(schedule.id), when, partial(self._run, schedule.id))

    def disarm(self, schedule: Schedule | None) -> None:
        """Stop a schedule's timer (posts already out still get their results)."""
        if schedule is not None:
            self._timers.cancel(_timer(schedule.id))

    async def _run(self, schedule_id: int) -> None:
        """Post today's question if it is due and not yet posted, then arm the next one."""
        claimed = await self.dailies.claim(schedule_id, at=self._clock.now())
        if claimed is not None:
            await self._send(*claimed)
        schedule = self.dailies.find(schedule_id)
        if schedule is not None:
            self.arm(schedule)

    async def _send(self, post: DailyPost, question: Question) -> None:
        schedule = self.dailies.find(post.schedule_id)
        if schedule is not None and schedule.class_id is not None:
            await self._send_to_class(post, schedule)
            return
        reply = texts.post(post, question, self.dailies.library, self._zone(post))
        message = await self._deliver(post.chat_id, reply)
        if message is None:
            # Not posted: close it at its deadline with no answers, rather than leave it open.
            self._arm_summary(post)
            return
        sent = await self.dailies.posted(post, message_id=message.message_id, at=self._now())
        self._arm_summary(sent)

    async def _send_to_class(self, post: DailyPost, schedule: Schedule) -> None:
        """A class's daily question goes to each student in private, as a push.

        The day's post is closed first: after a crash between the two steps that day's
        question is skipped rather than sent twice; once the push is written, a restart
        finishes it.
        """
        assert schedule.class_id is not None
        await self.dailies.summarise(post.id, at=self._now())
        if self._classes is None or self._broadcaster is None:
            return
        push = await self._classes.push_question(
            schedule.created_by, schedule.class_id, post.question, at=self._now()
        )
        if push is not None and push.pending:
            await self._broadcaster.send(push)

    async def _off_quietly(self, chat_id: int) -> None:
        await self.off(chat_id)

    def _arm_summary(self, post: DailyPost) -> None:
        self._timers.at(
            f"daily-results:{post.id}", post.deadline, partial(self._summarise, post.id)
        )

    async def _summarise(self, post_id: int) -> None:
        post = self.dailies.open_post(post_id)
        result = await self.dailies.summarise(post_id, at=self._now())
        if result is None or post is None or post.message_id is None:
            return  # already done, or the question never went out: nothing to report
        await self._deliver(result.post.chat_id, texts.summary(result, self._zone(post)))

    def _zone(self, post: DailyPost) -> str:
        schedule = self.dailies.find(post.schedule_id)
        return schedule.zone if schedule else self.dailies.zone

    def _now(self) -> datetime:
        return self._clock.now()

    async def _deliver(self, chat_id: int, reply: Reply) -> Message | None:
        return await post_to_group(
            chat_id,
            lambda target: self._bot.send_message(target, reply.text, reply_markup=markup(reply)),
            on_moved=self._on_moved,
            on_gone=self._on_gone,
        )


def _timer(schedule_id: int) -> str:
    return f"daily:{schedule_id}"
