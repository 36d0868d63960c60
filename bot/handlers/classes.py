"""Classes in private chats: thin adapters for teachers and students."""

from __future__ import annotations

from telegram import Update

from bot import render_classes as texts
from bot.classes.model import SchoolClass
from bot.classes.service import Choose, Expired, NameTaken
from bot.handlers.common import Context, send


def _ids(update: Update) -> tuple[int, int, str]:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    return user.id, chat.id, user.first_name or ""


async def new_class(update: Update, context: Context) -> None:
    """/newclass 12B History: a class and its join link."""
    user_id, chat_id, _ = _ids(update)
    services = context.bot_data
    made = await services.classes.create(
        user_id, " ".join(context.args or []), at=services.clock.now()
    )
    if made is None:
        reply = texts.no_name()
    elif isinstance(made, NameTaken):
        reply = texts.name_taken(made.existing)
    else:
        reply = texts.created(made, context.bot.username)
    await send(context, chat_id, reply)


async def list_classes(update: Update, context: Context) -> None:
    """/classes: the teacher's classes and their links."""
    user_id, chat_id, _ = _ids(update)
    found = await context.bot_data.classes.of_teacher(user_id)
    await send(context, chat_id, texts.classes(found, context.bot.username))


async def join(update: Update, context: Context, code: str) -> None:
    """A join link opened: /start join_<code>."""
    user_id, chat_id, name = _ids(update)
    services = context.bot_data
    joined = await services.classes.join(code, user_id, name, at=services.clock.now())
    if joined is None:
        reply = texts.bad_link()
    elif isinstance(joined, Expired):
        reply = texts.expired_link(joined)
    else:
        reply = texts.joined(joined.school_class, new=joined.new)
    await send(context, chat_id, reply)


async def new_link(update: Update, context: Context) -> None:
    """/newlink [class]: replace a class's join link; the old one stops working."""
    user_id, chat_id, _ = _ids(update)
    services = context.bot_data
    result = await services.classes.new_link(
        user_id, " ".join(context.args or []), at=services.clock.now()
    )
    reply = (
        texts.new_link(result, context.bot.username)
        if isinstance(result, SchoolClass)
        else texts.choose(result, "newlink")
    )
    await send(context, chat_id, reply)


async def leave(update: Update, context: Context) -> None:
    """/leave [class]: leave a class."""
    user_id, chat_id, _ = _ids(update)
    result = await context.bot_data.classes.leave(user_id, " ".join(context.args or []))
    reply = texts.left(result) if isinstance(result, SchoolClass) else texts.choose(result, "leave")
    await send(context, chat_id, reply)


async def push(update: Update, context: Context) -> None:
    """/push [class]: one question to every student of the class, now."""
    user_id, chat_id, _ = _ids(update)
    services = context.bot_data
    result = await services.classes.push(
        user_id, " ".join(context.args or []), at=services.clock.now()
    )
    if isinstance(result, Choose):
        await send(context, chat_id, texts.choose(result, "push"))
        return
    await send(context, chat_id, texts.push_started(result.school_class, len(result.pending)))
    if result.pending:
        report = await services.broadcaster.send(result)
        await send(context, chat_id, texts.push_done(report))
