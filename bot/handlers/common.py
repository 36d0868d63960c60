"""Helpers shared by the handler modules: the typed context and sending a `Reply`."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CallbackContext, ExtBot

from bot.render import Reply, fit_message
from bot.services import AppServices

log = logging.getLogger(__name__)
Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], AppServices]


def markup(reply: Reply) -> InlineKeyboardMarkup | ForceReply | None:
    """Telegram inline keyboard for a reply's buttons, or the reply box it asks for."""
    if reply.force_reply:
        return ForceReply(input_field_placeholder="Your answer")
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.data)
                for b in row
            ]
            for row in reply.buttons
        ]
    )


async def send(context: Context, chat_id: int, reply: Reply) -> Message:
    """Send a rendered reply to a chat."""
    text = fit_message(reply.text)
    return await context.bot.send_message(chat_id, text, reply_markup=markup(reply))


def sent_at(update: Update, context: Context) -> datetime:
    """When the user acted: the message's own timestamp, or the clock for button taps."""
    message = update.message
    return message.date if message is not None else context.bot_data.clock.now()


async def acknowledge(
    query: CallbackQuery, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer a button tap; failing to is never a reason to skip what the tap asked for.

    Telegram refuses an answer after about 15 s ("query is too old"), e.g. when the bot was
    busy or down; the tap's action and its reply still go ahead.
    """
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as exc:
        log.info("could not answer a button tap: %s", exc)
