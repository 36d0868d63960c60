"""Drops a flooding user's updates before any handler, or the database, sees them."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.flood import Verdict
from bot.handlers.common import Context, acknowledge, sent_at

log = logging.getLogger(__name__)
SLOW_DOWN = (
    "🐢 Slow down a little: I'm skipping messages for a few seconds. "
    "Wait a moment, then send your answer again."
)


async def guard(update: Update, context: Context) -> None:
    """Let the update through, or stop it (with one notice per burst) if its user floods."""
    gate = context.bot_data.flood
    user = update.effective_user
    # Only what users send: a my_chat_member change (blocked, removed) always counts.
    if gate is None or user is None or not (update.message or update.callback_query):
        return
    # Telegram's own time for a message: a backlog read after a restart is not a flood.
    verdict = gate.check(user.id, at=sent_at(update, context).timestamp())
    if verdict is Verdict.HANDLE:
        return
    if verdict is Verdict.WARN:
        log.info("user %s is sending too fast; dropping updates for a while", user.id)
        await _warn(update, context)
    raise ApplicationHandlerStop


async def _warn(update: Update, context: Context) -> None:
    # A tap gets its notice on the button; a private message, a message. In a group it
    # stays silent: the group's 20 messages a minute are for the game.
    if update.callback_query is not None:
        await acknowledge(update.callback_query, SLOW_DOWN)
        return
    chat = update.effective_chat
    if chat is not None and chat.type == "private":
        try:
            await context.bot.send_message(chat.id, SLOW_DOWN)
        except TelegramError as exc:
            log.info("could not ask user %s to slow down: %s", chat.id, exc)
