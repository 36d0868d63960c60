"""Sends a pushed question to every student of a class, within Telegram's limits.

The rate limiter paces sends (30 a second overall); several go at once so a slow reply
from Telegram doesn't halve the rate. A 429 waits out its retry_after and tries again, a
403 marks the student inactive, and each outcome is written down, so a restart resumes
the students still pending and nobody who got the question gets it again unannounced.

Each copy is claimed ("sending") in the database once the limiter lets it go, just before
it goes out, and marked when Telegram answers. Only a copy on the wire at a crash, or one
whose request failed without an answer (a timeout, a 5xx), is in doubt: Telegram may or may
not have delivered it, and nothing in the Bot API can tell. After a restart, copies left on
the wire are sent again, saying so; a copy that failed in doubt while running is marked
failed, not repeated. A student who then has the question twice sees the same question of
the same round (either copy answers it) and a note saying why; a student whose copy was
dropped instead would never know the teacher sent anything, and the teacher's report would
count them as reached. A visible, harmless repeat in that rare window is safer than a silent loss.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot import render_classes as texts
from bot.classes.model import Delivery, Push, PushReport
from bot.classes.service import Classes
from bot.delivery import may_have_arrived
from bot.handlers.common import markup
from bot.ratelimit import QuizRateLimiter, admitted
from bot.tutor.clock import Clock
from bot.tutor.service import Tutor

log = logging.getLogger(__name__)
IN_FLIGHT = 30  # sends awaiting Telegram at once; the limiter still paces them
TRIES = 5  # network errors and 5xx, per student, before giving up on them


class Broadcaster:
    """Delivers pushes to students' private chats."""

    def __init__(self, bot: Bot, tutor: Tutor, classes: Classes, clock: Clock) -> None:
        self._bot = bot
        self._tutor = tutor
        self._classes = classes
        self._clock = clock

    async def send(self, push: Push) -> PushReport:
        """Deliver a push to every student still pending; how it went."""
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(user_id: int) -> None:
            async with gate:
                try:
                    status = await self._deliver(push, user_id)
                except _Done:
                    return  # another send of this push dealt with this student already
                except Exception:
                    # One student's failure must not stop the others, or the push's report.
                    log.exception("push %s to %s failed", push.id, user_id)
                    status = Delivery.FAILED
            await self._classes.delivered(push, user_id, status, at=self._clock.now())

        await asyncio.gather(*(one(user) for user in push.pending))
        return await self._classes.report(push)

    async def resume(self) -> None:
        """After a restart: finish the pushes that were under way."""
        for push in await self._classes.pending():
            if self._classes.library.question(push.question) is None:
                # Its bank has gone since: nothing to send; close it rather than retry forever.
                for user_id in push.pending:
                    await self._classes.delivered(
                        push, user_id, Delivery.FAILED, at=self._clock.now()
                    )
                continue
            report = await self.send(push)
            log.info("push %s resumed: %s sent", push.id, report.sent)

    async def _deliver(self, push: Push, user_id: int) -> Delivery:
        # Offering writes the student's round: never for a copy already dealt with, or for
        # a student (or a teacher's push) deleted by /forgetme since the push began.
        if not await self._classes.due(push, user_id):
            raise _Done
        offered = await self._tutor.offer(user_id, push.question, at=self._clock.now())
        again = user_id in push.uncertain  # a crash may have left a copy with them already
        claimed = False

        async def claim() -> None:
            nonlocal claimed
            if not claimed and not await self._classes.claim(push, user_id, at=self._clock.now()):
                raise _Done
            claimed = True

        # Claimed once the limiter lets the request go, so a crash leaves in doubt only the
        # copies really on their way; without our limiter, just before sending.
        paced = isinstance(getattr(self._bot, "rate_limiter", None), QuizRateLimiter)
        tries = 0
        while True:
            reply = texts.pushed(push.school_class, self._classes.library, offered, again=again)
            try:
                if not paced:
                    await claim()
                with admitted(claim):
                    await self._bot.send_message(user_id, reply.text, reply_markup=markup(reply))
                return Delivery.SENT
            except RetryAfter as exc:
                # Telegram says when: wait that long, however many times it takes. A 429
                # was refused, not delivered, so the copy is no more in doubt than before.
                await asyncio.sleep(_seconds(exc.retry_after))
            except Forbidden:
                await self._tutor.set_active(user_id, active=False)
                return Delivery.BLOCKED
            except BadRequest as exc:
                log.warning("push %s to %s refused: %s", push.id, user_id, exc)
                return Delivery.FAILED
            except TelegramError as exc:
                # No answer, or a server error: it may have been delivered all the same.
                again = again or claimed
                tries += 1
                # One that may have arrived is not sent again: a student never gets it twice.
                if tries >= TRIES or may_have_arrived(exc):
                    log.warning("push %s to %s failed: %s", push.id, user_id, exc)
                    return Delivery.FAILED
                await asyncio.sleep(min(2**tries, 30) / 10)


class _Done(Exception):
    """The delivery was already dealt with: nothing to send."""


def _seconds(wait: int | timedelta) -> float:
    # An int unless PTB_TIMEDELTA is set (bot.app sets it), as PTB 22 moves to timedelta.
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
