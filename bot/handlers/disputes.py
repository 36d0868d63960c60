"""A teacher decides "I was right" disputes in a private chat: thin adapters."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import callbacks
from bot import render_disputes as texts
from bot.disputes.model import Decided, Refusal
from bot.handlers.common import Context, send

log = logging.getLogger(__name__)


async def disputes(update: Update, context: Context) -> None:
    """/disputes: the open disputes on the teacher's banks, with Accept and Reject."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    service = context.bot_data.disputes
    found = await service.inbox(user.id)
    reply = (
        texts.refused(found) if isinstance(found, Refusal) else texts.inbox(found, service.library)
    )
    await send(context, chat.id, reply)


async def decide(update: Update, context: Context) -> None:
    """Accept or Reject under /disputes: decide, tell the teacher, then the students."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    action = callbacks.unpack(query.data)
    if not isinstance(action, callbacks.Decide) or chat is None or chat.type != "private":
        await query.answer("That button is no longer valid.")
        return
    services = context.bot_data
    result = await services.disputes.decide(
        query.from_user.id, action.dispute_id, accept=action.accept, at=services.clock.now()
    )
    if isinstance(result, Refusal):
        await query.answer(texts.refused_alert(result), show_alert=True)
        return
    await query.answer(texts.decided_alert(result))
    await send(context, chat.id, texts.decided(result))
    await _tell_students(context, result)


async def _tell_students(context: Context, result: Decided) -> None:
    """A short private message to each disputing student; the rate limiter paces them."""
    reply = texts.told_student(result)
    for user_id in result.notify:
        try:
            await send(context, user_id, reply)
        except Forbidden:
            await context.bot_data.tutor.set_active(user_id, active=False)  # blocked the bot
        except BadRequest as exc:
            log.info("could not tell %s about a dispute: %s", user_id, exc)
        except TelegramError as exc:
            # The decision stands whatever happens to the news of it.
            log.warning("could not tell %s about a dispute: %s", user_id, exc)
