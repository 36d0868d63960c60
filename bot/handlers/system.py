"""Errors, membership changes and group chats."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot import callbacks, render_menus
from bot.handlers.common import Context, send
from bot.handlers.moves import leave_group
from bot.tutor.requests import RoundRequest, parse_round_request

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log any handler exception with its update id, and tell the user instead of going silent."""
    update_id = update.update_id if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(context.error, Forbidden) and chat is not None and chat.type == "private":
        # They blocked the bot: stop writing to them rather than failing on every attempt.
        log.info("user %s has blocked the bot (update %s)", chat.id, update_id)
        await context.bot_data.tutor.set_active(chat.id, active=False)
        return
    if isinstance(context.error, NetworkError) and not isinstance(context.error, BadRequest):
        # Telegram or the network failed after the retries (bot/delivery.py): the reply
        # may even have arrived, so no "something went wrong" after it; the work is saved.
        log.warning("could not reach Telegram for update %s: %s", update_id, context.error)
        return
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if chat is None:
        return
    try:
        await send(context, chat.id, render_menus.error())
    except TelegramError as exc:
        log.warning("could not tell chat %s about the error: %s", chat.id, exc)


async def membership(update: Update, context: Context) -> None:
    """Track whether a user blocked (or unblocked) the bot, or a group removed it."""
    change = update.my_chat_member
    if change is None:
        return
    status = change.new_chat_member.status
    active = status not in (ChatMember.BANNED, ChatMember.LEFT)
    if change.chat.type == "private":
        await context.bot_data.tutor.set_active(change.from_user.id, active=active)
    elif not active:
        # Removed from a group (or the group is gone): stop its game and schedule, quietly.
        await leave_group(context.bot_data, change.chat.id)


async def group_help(update: Update, context: Context) -> None:
    """/help or /start in a group: one short explanation."""
    assert update.effective_chat is not None
    await send(context, update.effective_chat.id, render_menus.help_text(group=True))


async def private_only(update: Update, context: Context) -> None:
    """A private-chat command typed in a group: say where it works, rather than stay silent."""
    assert update.effective_chat is not None
    await send(context, update.effective_chat.id, render_menus.private_only(context.bot.username))


async def group_quiz(update: Update, context: Context) -> None:
    """/quiz in a group: a link that opens the same round in a private chat."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    request = parse_round_request(context.args or [], context.bot_data.tutor.library)
    if not isinstance(request, RoundRequest):
        await send(context, chat_id, render_menus.round_request_error(request))
        return
    payload = callbacks.pack_start(request.size if context.args else None, request.topic)
    await send(context, chat_id, render_menus.group_quiz(context.bot.username, payload))
