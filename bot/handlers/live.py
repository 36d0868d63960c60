"""Runs challenges in time: posts each question, closes it when time is up, resumes them.

The rules live in bot/challenge; this is the Telegram side of the game's clock. Anything
posted can be rebuilt from the database, so a failed post or a restart loses no results.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Literal

from telegram import Bot, InputPollOption, Message
from telegram.error import TelegramError

from bot import render_challenge as texts
from bot.challenge.game import Challenge, Closed, Ended, Mode
from bot.challenge.service import Challenges
from bot.delivery import Uncertain, may_have_arrived
from bot.handlers.common import markup
from bot.handlers.moves import Mover, post_to_group
from bot.render import Reply
from bot.timers import Timers
from bot.tutor.clock import Clock

log = logging.getLogger(__name__)
# What a post gave: the message, MAYBE_POSTED (it may have arrived), or None (it didn't).
Posted = Message | Literal[Uncertain.MAYBE_POSTED] | None
MAYBE_POSTED = Uncertain.MAYBE_POSTED
RETRY_AFTER = timedelta(seconds=5)
MAX_TRIES = 3  # posting a question or the final scores; then the challenge ends, not hangs
NOTICE_EVERY = timedelta(seconds=30)  # repeated "already running" notices, per group
BACK = "🔄 I'm back – the challenge goes on."
MOVED = "🔄 The group moved – here is the question again."


class ChallengeHost:
    """Posts a challenge's questions and results on time, and keeps them going."""

    def __init__(
        self,
        bot: Bot,
        challenges: Challenges,
        timers: Timers,
        clock: Clock,
        *,
        on_moved: Mover | None = None,
        on_gone: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self._bot = bot
        self.challenges = challenges
        self._timers = timers
        self._clock = clock
        # A send that finds the group upgraded moves everything the group owns, not just
        # the game (bot.handlers.moves); alone, the host moves only its own.
        self._on_moved = on_moved or self.move
        self._on_gone = on_gone or self.drop
        self._tries: dict[str, int] = {}
        self._noticed: dict[tuple[int, str], datetime] = {}

    async def restore(self) -> None:
        """After a restart: re-arm each running question, or post the one that is due."""
        for challenge in await self.challenges.restore():
            if challenge.asked_at is not None:
                self._arm(challenge)  # closes at once if its time ran out while we were down
                continue
            resumed = await self.challenges.resume(challenge.id, at=self._clock.now())
            if isinstance(resumed, Closed):  # every question left has vanished with a bank
                await self._finish(challenge.id, challenge.chat_id, resumed)
            elif resumed is not None:
                await self._post(challenge.id, back=True)

    async def begin(self, challenge: Challenge) -> None:
        """Post a new challenge's first question, with the rules above it."""
        await self._post(challenge.id, lead=texts.intro(challenge, self.challenges.library))

    async def end(self, chat_id: int) -> Ended | None:
        """Stop the group's challenge now (its timer too)."""
        self._stop_timer(chat_id)
        return await self.challenges.end(chat_id, at=self._clock.now())

    async def drop(self, chat_id: int) -> None:
        """The bot left the group or can't post there: stop its challenge without a word."""
        self._stop_timer(chat_id)
        if await self.challenges.drop(chat_id, at=self._clock.now()):
            log.info("stopped the challenge in %s: the bot can no longer post there", chat_id)

    async def move(self, old: int, new: int) -> None:
        """The group became a supergroup with a new id: the game follows it.

        Messages in the old group can't be replied to from the new one, so an open
        question is posted again there, on its original clock.
        """
        running = self.challenges.running_in(old)
        if running is not None and self.challenges.running_in(new) is not None:
            self._stop_timer(old)  # the new chat's own game carries on; the old one ends
        moved = await self.challenges.move(old, new, at=self._clock.now())
        if moved is not None and moved.is_open(self._clock.now()):
            await self._post(moved.id, lead=MOVED)

    def should_notice(self, chat_id: int, kind: str) -> bool:
        """Whether to post a repeatable notice now: one per kind per group per 30 s, so a
        class hammering /challenge can't eat the group's 20 messages a minute."""
        now = self._clock.now()
        last = self._noticed.get((chat_id, kind))
        if last is not None and now - last < NOTICE_EVERY:
            return False
        self._noticed = {k: t for k, t in self._noticed.items() if now - t < NOTICE_EVERY}
        self._noticed[(chat_id, kind)] = now
        return True

    def _stop_timer(self, chat_id: int) -> None:
        challenge = self.challenges.running_in(chat_id)
        if challenge is not None:
            self._timers.cancel(_timer(challenge.id))

    def _arm(self, challenge: Challenge) -> None:
        deadline = challenge.deadline
        assert deadline is not None
        self._timers.at(_timer(challenge.id), deadline, partial(self._time_up, challenge.id))

    async def _time_up(self, challenge_id: int) -> None:
        closed = await self.challenges.close(challenge_id, at=self._clock.now())
        if closed is None:
            return
        if closed.finished:
            await self._finish(challenge_id, closed.challenge.chat_id, closed)
            return
        await self._post(challenge_id, lead=texts.closed(closed))

    async def _finish(self, challenge_id: int, chat_id: int, closed: Closed) -> None:
        """Post the last results and the podium; retried, as a lost podium is a lost game."""
        if await self._send(chat_id, texts.finished(closed)) is not None:
            self._tries.pop(_timer(challenge_id), None)
            return
        self._retry(challenge_id, partial(self._finish, challenge_id, chat_id, closed))

    async def _post(self, challenge_id: int, *, lead: str = "", back: bool = False) -> None:
        """Post the current question (after `lead`), start its clock, and arm its deadline.

        With no lead (a retry, or after a restart), the previous question's results are
        rebuilt from the database, so nobody misses them.
        """
        challenge = self.challenges.find(challenge_id)
        question = self.challenges.question(challenge) if challenge else None
        if challenge is None or question is None:
            return
        if not lead:
            previous = await self.challenges.last_closed(challenge_id)
            lead = texts.closed(previous) if previous else ""
            if back:
                lead = f"{BACK}\n\n{lead}" if lead else BACK
        if challenge.mode is Mode.POLL:
            message = await self._post_poll(challenge, lead)
        else:
            reply = texts.question(challenge, question, self.challenges.library, lead=lead)
            message = await self._send(challenge.chat_id, reply)
        now = self.challenges.find(challenge_id)
        if now is None:
            return  # ended meanwhile, or dropped: the bot can't post in that group any more
        if message is None:
            self._retry(challenge_id, partial(self._post, challenge_id, back=back))
            return
        self._tries.pop(_timer(challenge_id), None)
        if message is MAYBE_POSTED:
            # The group may have it: runs on its clock unlinked (a poll's votes can't be
            # matched to it) rather than posted a second time.
            message_id, poll_id = None, None
        else:
            message_id, poll_id = message.message_id, message.poll.id if message.poll else None
        asked = await self.challenges.asked(
            challenge_id, message_id=message_id, poll_id=poll_id, at=self._clock.now()
        )
        if asked is not None:
            self._arm(asked)

    async def _post_poll(self, challenge: Challenge, lead: str) -> Posted:
        if lead and await self._send(challenge.chat_id, Reply(lead)) is None:
            return None
        # The lead's send may have found the group upgraded: post where the game went.
        now = self.challenges.find(challenge.id)
        question = self.challenges.question(challenge)
        if now is None or question is None:
            return None
        post = texts.poll(now, question, now=self._clock.now())
        return await self._deliver(
            now.chat_id,
            lambda target: self._bot.send_poll(
                target,
                post.question,
                # Plain text: the bot's HTML default would misread a "<" or "&" in a bank.
                [InputPollOption(o, text_parse_mode=None) for o in post.options],
                is_anonymous=False,
                type="quiz",
                correct_option_ids=[post.correct],
                explanation=post.explanation or None,
                open_period=post.seconds,
                question_parse_mode=None,
                explanation_parse_mode=None,
            ),
        )

    def _retry(self, challenge_id: int, action: Callable[[], Awaitable[None]]) -> None:
        """A post failed for a passing reason: try again shortly, then give up cleanly."""
        name = _timer(challenge_id)
        tries = self._tries.get(name, 0) + 1
        self._tries[name] = tries
        if tries < MAX_TRIES:
            self._timers.at(name, self._clock.now() + RETRY_AFTER, action)
            return
        self._tries.pop(name, None)
        challenge = self.challenges.find(challenge_id)
        if challenge is not None:
            log.warning("gave up posting to %s; the challenge ends", challenge.chat_id)
            self._timers.at(name, self._clock.now(), partial(self.drop, challenge.chat_id))

    async def _send(self, chat_id: int, reply: Reply) -> Posted:
        return await self._deliver(
            chat_id,
            lambda target: self._bot.send_message(target, reply.text, reply_markup=markup(reply)),
        )

    async def _deliver(self, chat_id: int, send: Callable[[int], Awaitable[Message]]) -> Posted:
        """Send to the group, following it if it moved; None if it surely was not sent, and
        MAYBE_POSTED if the send failed in a way that leaves that unknown (bot/delivery.py)."""
        unsure = False

        async def attempt(target: int) -> Message:
            nonlocal unsure
            try:
                return await send(target)
            except TelegramError as exc:
                unsure = may_have_arrived(exc)
                raise

        message = await post_to_group(
            chat_id, attempt, on_moved=self._on_moved, on_gone=self._on_gone
        )
        return MAYBE_POSTED if message is None and unsure else message


def _timer(challenge_id: int) -> str:
    return f"challenge:{challenge_id}"
