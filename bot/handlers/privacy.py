"""/mydata and /forgetme in a private chat: thin adapters to bot/privacy."""

from __future__ import annotations

from telegram import Chat, Update

from bot import callbacks
from bot import render_privacy as texts
from bot.handlers.common import Context, acknowledge, send
from bot.privacy.model import ForgetRequest, Forgotten


def _ids(update: Update) -> tuple[int, int]:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None  # the filters only let user messages through
    return user.id, chat.id


async def forget_me(update: Update, context: Context) -> None:
    """/forgetme: say what would be deleted, with confirm and cancel buttons."""
    user_id, chat_id = _ids(update)
    services = context.bot_data
    request = await services.privacy.ask(user_id, at=services.clock.now())
    await send(context, chat_id, texts.forget_prompt(request))


async def button(update: Update, context: Context) -> None:
    """/forgetme's buttons: only the person who asked, in time, can delete their data."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    action = callbacks.unpack(query.data)
    if not isinstance(action, callbacks.ForgetMe) or chat is None or chat.type != Chat.PRIVATE:
        await acknowledge(query, "That button is no longer valid.")
        return
    privacy = context.bot_data.privacy
    # The presser is the callback's own sender: a forwarded button deletes no one else's data.
    user_id = query.from_user.id
    if not action.confirm:
        privacy.cancel(user_id, action.nonce)
        await acknowledge(query)
        await send(context, chat.id, texts.kept())
        return
    result = await privacy.confirm(user_id, action.nonce, at=context.bot_data.clock.now())
    if isinstance(result, ForgetRequest):  # a class or bank appeared since the warning
        await acknowledge(query)
        await send(context, chat.id, texts.forget_prompt(result, changed=True))
    elif isinstance(result, Forgotten):
        await acknowledge(query)
        await send(context, chat.id, texts.forgotten())
    else:
        await acknowledge(query, texts.stale_alert(), alert=True)


async def my_data(update: Update, context: Context) -> None:
    """/mydata: everything stored about the sender, as a JSON file in this chat."""
    user_id, chat_id = _ids(update)
    services = context.bot_data
    export = await services.privacy.export(user_id, at=services.clock.now())
    if export is None:
        await send(context, chat_id, texts.nothing_stored())
        return
    await context.bot.send_document(
        chat_id,
        export.data,
        filename=export.filename,
        caption=texts.export_caption(export.footprint),
        parse_mode=None,
    )


async def in_group(update: Update, context: Context) -> None:
    """/mydata or /forgetme in a group: it is done in private."""
    chat = update.effective_chat
    assert chat is not None
    await send(context, chat.id, texts.private_only())
