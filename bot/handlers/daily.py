"""/daily in a group: thin adapters from teacher commands to the daily schedule."""

from __future__ import annotations

from telegram import Update

from bot import render_classes as class_texts
from bot import render_daily as texts
from bot.classes.model import SchoolClass
from bot.daily.schedule import DailyRequest, is_off, parse_daily, split_class
from bot.handlers.admins import is_group_admin
from bot.handlers.common import Context, send


async def daily(update: Update, context: Context) -> None:
    """/daily shows the schedule; /daily 08:30 [days] [topic:…] [tz:…] sets it; off stops it."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    services = context.bot_data
    dailies = services.dailies
    args = context.args or []
    if not args:
        await send(
            context, chat.id, texts.schedule_shown(dailies.schedule_of(chat.id), dailies.library)
        )
        return
    if not await is_group_admin(update, context):
        await send(context, chat.id, texts.admins_only())
        return
    if is_off(args):
        await send(context, chat.id, texts.schedule_off(await services.daily_host.off(chat.id)))
        return
    request = parse_daily(args, dailies.library, default_zone=services.settings.timezone)
    if not isinstance(request, DailyRequest):
        await send(context, chat.id, texts.daily_error(request))
        return
    schedule = await services.daily_host.set(chat.id, user.id, request)
    next_run = schedule.next_run(services.clock.now())
    await send(context, chat.id, texts.schedule_set(schedule, dailies.library, next_run))


async def private_daily(update: Update, context: Context) -> None:
    """/daily in a private chat: it is set in a group."""
    assert update.effective_chat is not None
    await send(context, update.effective_chat.id, texts.private_daily())


async def daily_dm(update: Update, context: Context) -> None:
    """/dailydm 17:00 [days] [topic:…] [tz:…] [class:…]: each student gets it in private."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    services = context.bot_data
    dailies = services.dailies
    args, wanted = split_class(context.args or [])
    classes = await services.classes.of_teacher(user.id)
    if not args:
        shown = [(c.name, dailies.schedule_of(chat.id, c.id)) for c in classes]
        await send(context, chat.id, texts.class_schedules(shown, dailies.library))
        return
    picked = services.classes.pick(classes, wanted)
    if not isinstance(picked, SchoolClass):
        await send(
            context, chat.id, class_texts.choose(picked, "dailydm class:", rest=" ".join(args))
        )
        return
    if is_off(args):
        stopped = await services.daily_host.off(chat.id, picked.id)
        await send(context, chat.id, texts.schedule_off(stopped))
        return
    request = parse_daily(args, dailies.library, default_zone=services.settings.timezone)
    if not isinstance(request, DailyRequest):
        await send(context, chat.id, texts.daily_error(request))
        return
    schedule = await services.daily_host.set(chat.id, user.id, request, class_id=picked.id)
    next_run = schedule.next_run(services.clock.now())
    reply = texts.class_schedule_set(schedule, picked.name, dailies.library, next_run)
    await send(context, chat.id, reply)
