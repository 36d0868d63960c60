"""/report in a group: thin adapters from a teacher's request to the class report.

The report (class-wide numbers, no one's own results) is posted in the group. The CSV,
with each student's accuracy, goes only to the admin who asked, in their private chat:
never to the group, where students would see each other's results.
"""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.error import BadRequest, Forbidden

from bot import render_report as texts
from bot.handlers.admins import is_group_admin
from bot.handlers.common import Context, acknowledge, send

log = logging.getLogger(__name__)


async def report(update: Update, context: Context) -> None:
    """/report shows the class report (admins); /report csv sends the admin the CSV."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if not await is_group_admin(update, context):
        await send(context, chat.id, texts.admins_only())
        return
    services = context.bot_data
    if [a.casefold() for a in context.args or []] == ["csv"]:
        if message.sender_chat is not None:  # an anonymous admin: no one to send it to
            await send(context, chat.id, texts.anonymous_admin())
        elif await _send_csv(context, chat, update):
            await send(context, chat.id, texts.csv_sent())
        else:
            await send(context, chat.id, texts.start_me_first(context.bot.username))
        return
    result = await services.reports.report(chat.id, at=services.clock.now())
    await send(context, chat.id, texts.report(result, services.reports.library, title=chat.title))


async def csv_button(update: Update, context: Context) -> None:
    """The report's CSV button: the CSV to the admin who tapped it, privately."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    if chat is None or chat.type == Chat.PRIVATE:
        await acknowledge(query, "That button is no longer valid.")
        return
    if not await is_group_admin(update, context):
        await acknowledge(query, texts.admins_only_alert(), alert=True)
        return
    if await _send_csv(context, chat, update):
        await acknowledge(query, texts.csv_sent_alert())
    else:
        await acknowledge(query, texts.start_me_first_alert(), alert=True)


async def _send_csv(context: Context, chat: Chat, update: Update) -> bool:
    """Send the group's CSV to the asking admin; False if the bot may not message them."""
    user = update.effective_user
    assert user is not None
    services = context.bot_data
    reports = services.reports
    table = await reports.table(chat.id, at=services.clock.now())
    try:
        await context.bot.send_document(
            user.id,
            texts.csv_file(table, reports.library),
            filename=texts.csv_name(chat.title, chat.id, table.day),
            caption=texts.csv_caption(table, title=chat.title),
        )
    except Forbidden:
        return False  # they never started a private chat with the bot, or blocked it
    except BadRequest as exc:
        if "chat not found" not in str(exc).casefold():
            raise
        return False
    log.info("sent the report CSV for %s to %s", chat.id, user.id)
    return True


async def private_report(update: Update, context: Context) -> None:
    """/report in a private chat: reports are for a group, for now."""
    assert update.effective_chat is not None
    await send(context, update.effective_chat.id, texts.private_report())
