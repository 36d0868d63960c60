"""/daily in a group: thin adapters from teacher commands to the daily schedule."""

from __future__ import annotations

from telegram import Update

from bot import render_classes as class_texts
from bot import render_daily as texts
from bot.classes.model import SchoolClass
from bot.daily.schedule import DailyRequest, parse_daily
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
    if args[0].casefold() in ("off", "stop", "none"):
        stopped = await dailies.off(chat.id)
        services.daily_host.disarm(stopped)
        await send(context, chat.id, texts.schedule_off(stopped))
        return
    request = parse_daily(args, dailies.library, default_zone=services.settings.timezone)
    if not isinstance(request, DailyRequest):
        await send(context, chat.id, texts.daily_error(request))
        return
    services.daily_host.disarm(dailies.schedule_of(chat.id))
    schedule = await dailies.set(chat.id, user.id, request, at=services.clock.now())
    services.daily_host.arm(schedule)
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
    args = list(context.args or [])
    # `class:` comes last and takes the rest, so a class name may have spaces ("12B History").
    at = next((i for i, a in enumerate(args) if a.casefold().startswith("class:")), len(args))
    wanted = " ".join([args[at].partition(":")[2], *args[at + 1 :]]) if at < len(args) else ""
    args = args[:at]
    classes = await services.classes.of_teacher(user.id)
    if not args:
        shown = [(c.name, dailies.schedule_of(chat.id, c.id)) for c in classes]
        await send(context, chat.id, texts.class_schedules(shown, dailies.library))
        return
    picked = services.classes.pick(classes, wanted)
    if not isinstance(picked, SchoolClass):
        await send(context, chat.id, class_texts.choose(picked, "dailydm class:"))
        return
    if args[0].casefold() in ("off", "stop", "none"):
        stopped = await dailies.off(chat.id, picked.id)
        services.daily_host.disarm(stopped)
        await send(context, chat.id, texts.schedule_off(stopped))
        return
    request = parse_daily(args, dailies.library, default_zone=services.settings.timezone)
    if not isinstance(request, DailyRequest):
        await send(context, chat.id, texts.daily_error(request))
        return
    services.daily_host.disarm(dailies.schedule_of(chat.id, picked.id))
    now = services.clock.now()
    schedule = await dailies.set(chat.id, user.id, request, at=now, class_id=picked.id)
    services.daily_host.arm(schedule)
    reply = texts.class_schedule_set(schedule, picked.name, dailies.library, schedule.next_run(now))
    await send(context, chat.id, reply)
