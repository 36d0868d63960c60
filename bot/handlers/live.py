"""Runs challenges in time: posts each question, closes it when time is up, resumes them.

The rules live in bot/challenge; this is the Telegram side of the game's clock.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from telegram import Bot, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot import render_challenge as texts
from bot.challenge.game import Challenge, Ended, Mode
from bot.challenge.service import Challenges
from bot.handlers.common import markup
from bot.render import Reply
from bot.timers import Timers
from bot.tutor.clock import Clock

log = logging.getLogger(__name__)
RETRY_AFTER = timedelta(seconds=5)
MAX_TRIES = 3  # posting a question; then the challenge ends rather than hang


class ChallengeHost:
    """Posts a challenge's questions and results on time, and keeps them going."""

    def __init__(self, bot: Bot, challenges: Challenges, timers: Timers, clock: Clock) -> None:
        self._bot = bot
        self.challenges = challenges
        self._timers = timers
        self._clock = clock
        self._tries: dict[int, int] = {}

    async def restore(self) -> None:
        """After a restart: re-arm each running question, or close and move on if overdue."""
        for challenge in await self.challenges.restore():
            if challenge.asked_at is None:
                await self._post(challenge.id, lead="🔄 I'm back – the challenge goes on.")
            else:
                self._arm(challenge)

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
        """The group became a supergroup with a new id: the game follows it."""
        # Timers name the challenge, not the chat, so they need no change.
        await self.challenges.move(old, new)

    def _stop_timer(self, chat_id: int) -> None:
        challenge = self.challenges.running_in(chat_id)
        if challenge is not None:
            self._timers.cancel(_timer(challenge.id))

    def _arm(self, challenge: Challenge) -> None:
        deadline = challenge.deadline
        assert deadline is not None
        self._timers.at(_timer(challenge.id), deadline, partial(self._time_up, challenge.id))

    async def _time_up(self, challenge_id: int) -> None:
        challenge = self.challenges.find(challenge_id)
        if challenge is None:
            return
        closed = await self.challenges.close(challenge.chat_id, at=self._clock.now())
        if closed is None:
            return
        if closed.finished:
            await self._send(closed.challenge.chat_id, texts.finished(closed))
            return
        await self._post(challenge_id, lead=texts.closed(closed))

    async def _post(self, challenge_id: int, *, lead: str = "") -> None:
        """Post the current question (after `lead`), start its clock, and arm its deadline."""
        challenge = self.challenges.find(challenge_id)
        question = self.challenges.question(challenge) if challenge else None
        if challenge is None or question is None:
            return
        chat_id = challenge.chat_id
        if challenge.mode is Mode.POLL:
            sent_lead = not lead or await self._send(chat_id, Reply(lead)) is not None
            # The lead's send may have found the group upgraded: post where the game went.
            now = self.challenges.find(challenge.id)
            message = (
                await self._send_poll(now.chat_id, texts.poll(challenge, question))
                if sent_lead and now is not None
                else None
            )
        else:
            reply = texts.question(challenge, question, self.challenges.library, lead=lead)
            message = await self._send(chat_id, reply)
        now = self.challenges.find(challenge.id)
        if now is None:
            return  # dropped: the bot can't post in that group any more
        if message is None:
            self._retry(now)
            return
        self._tries.pop(now.id, None)
        poll_id = message.poll.id if message.poll else None
        asked = await self.challenges.asked(
            now.chat_id, message_id=message.message_id, poll_id=poll_id, at=self._clock.now()
        )
        if asked is not None:
            self._arm(asked)

    def _retry(self, challenge: Challenge) -> None:
        """Posting failed for a passing reason: try again shortly, then give up cleanly."""
        tries = self._tries.get(challenge.id, 0) + 1
        self._tries[challenge.id] = tries
        name = _timer(challenge.id)
        if tries >= MAX_TRIES:
            self._tries.pop(challenge.id, None)
            log.warning("gave up posting to %s; the challenge ends", challenge.chat_id)
            self._timers.at(name, self._clock.now(), partial(self.drop, challenge.chat_id))
            return
        self._timers.at(name, self._clock.now() + RETRY_AFTER, partial(self._post, challenge.id))

    async def _send(self, chat_id: int, reply: Reply) -> Message | None:
        return await self._deliver(
            chat_id,
            lambda target: self._bot.send_message(target, reply.text, reply_markup=markup(reply)),
        )

    async def _send_poll(self, chat_id: int, post: texts.PollPost) -> Message | None:
        return await self._deliver(
            chat_id,
            lambda target: self._bot.send_poll(
                target,
                post.question,
                list(post.options),
                is_anonymous=False,
                type="quiz",
                correct_option_ids=[post.correct],
                explanation=post.explanation or None,
                open_period=post.seconds,
            ),
        )

    async def _deliver(
        self, chat_id: int, send: Callable[[int], Awaitable[Message]]
    ) -> Message | None:
        """Send to the group, following it if it moved; None if it could not be sent."""
        try:
            return await send(chat_id)
        except ChatMigrated as moved:
            await self.move(chat_id, moved.new_chat_id)
            try:
                return await send(moved.new_chat_id)
            except TelegramError as exc:
                log.warning("could not post to %s: %s", moved.new_chat_id, exc)
                return None
        except Forbidden:
            await self.drop(chat_id)
            return None
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                await self.drop(chat_id)
            else:
                log.error("Telegram refused a challenge message for %s: %s", chat_id, exc)
            return None
        except TelegramError as exc:
            log.warning("could not post to %s: %s", chat_id, exc)
            return None


def _timer(challenge_id: int) -> str:
    return f"challenge:{challenge_id}"
