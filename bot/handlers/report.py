"""/report: thin adapters from a teacher's request to the class report, in a group or
(for a class made with /newclass) in the teacher's private chat.

The report (class-wide numbers, no one's own results) is posted in the group. The CSV,
with each student's accuracy, goes only to the admin who asked, in their private chat:
never to the group, where students would see each other's results.
"""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.error import BadRequest, Forbidden

from bot import callbacks
from bot import render_report as texts
from bot.classes.service import Choose
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
    """The report's CSV button: the CSV to the teacher who tapped it, privately."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    # PTB hands a button with empty data to the first pattern handler: this may be anything.
    action = callbacks.unpack(query.data)
    private = chat is not None and chat.type == Chat.PRIVATE
    if (
        not isinstance(action, callbacks.ReportCsv)
        or chat is None
        or private != (action.class_id is not None)
    ):
        await acknowledge(query, "That button is no longer valid.")
        return
    if action.class_id is not None:
        await _class_csv(update, context, action.class_id)
        return
    if not await is_group_admin(update, context):
        await acknowledge(query, texts.admins_only_alert(), alert=True)
        return
    if await _send_csv(context, chat, update):
        await acknowledge(query, texts.csv_sent_alert())
    else:
        await acknowledge(query, texts.start_me_first_alert(), alert=True)


async def _class_csv(update: Update, context: Context, class_id: int) -> None:
    """A class report's CSV button, in the teacher's private chat: the file, right there."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.bot_data
    found = await services.reports.class_table(user.id, class_id, at=services.clock.now())
    if found is None or found.table is None:
        await acknowledge(query, "That button is no longer valid.")  # not their class, or gone
        return
    await acknowledge(query)
    name, table = found.school_class.name, found.table
    await context.bot.send_document(
        user.id,
        texts.csv_file(table, services.reports.library),
        filename=texts.csv_name(name, class_id, table.day),
        caption=texts.csv_caption(table, title=name),
    )


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
    """/report <class> in a private chat: that class's report, for its teacher only."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.bot_data
    name = " ".join(context.args or [])
    result = await services.reports.of_class(user.id, name, at=services.clock.now())
    if isinstance(result, Choose):
        asked = result.asked if result.no_such_class else ""
        await send(context, chat.id, texts.which_class(result.classes, asked))
        return
    assert result.report is not None
    title, class_id = result.school_class.name, result.school_class.id
    reply = texts.report(result.report, services.reports.library, title=title, class_id=class_id)
    await send(context, chat.id, reply)
